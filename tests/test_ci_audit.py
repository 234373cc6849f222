"""The dependency audit's verdict on pip-audit reports (the `.ci/audit.py` script)."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("ci_audit", Path(__file__).parent.parent / ".ci" / "audit.py")
ci_audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ci_audit)


def _dep(name, vulns=()):
    return {"name": name, "version": "1.0", "vulns": list(vulns)}


def test_fixable_vulnerability_fails():
    report = {"dependencies": [_dep("flask"), _dep("jinja2", [{"id": "GHSA-1", "fix_versions": ["1.1"]}])]}
    status, lines = ci_audit.verdict(report)
    assert status == 1
    assert "jinja2 1.0: GHSA-1 (fixed in 1.1)" in "\n".join(lines)


def test_vulnerability_without_fix_is_reported_but_passes():
    status, lines = ci_audit.verdict({"dependencies": [_dep("nh3", [{"id": "PYSEC-9", "fix_versions": []}])]})
    assert status == 0
    assert "known, unfixed: nh3 1.0: PYSEC-9" in "\n".join(lines)


@pytest.mark.parametrize("deps", [[_dep("flask"), _dep("nh3")], []])
def test_clean_report_passes(deps):
    status, lines = ci_audit.verdict({"dependencies": deps})
    assert status == 0
    assert "NOT AUDITED" not in "\n".join(lines)


def test_unreachable_service_is_said_not_hidden():
    report = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}]}
    status, lines = ci_audit.verdict(report)
    assert status == 0
    assert lines[0] == "pip-audit: 0 of 1 packages audited"
    assert "NOT AUDITED" in lines[1]
