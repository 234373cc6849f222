"""Dependency audit: pip-audit over the project's installed packages.

Fails on a known vulnerability that has a fixed release. When the vulnerability service cannot be
reached (every package comes back "not audited"), it says so loudly instead of passing silently.
Run by `make audit` (pip-audit lives in its own venv so its dependencies never touch ours).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def verdict(report: dict) -> tuple[int, list[str]]:
    """Exit status and lines to print for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    fixable, unfixed = [], []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            line = f"{dep['name']} {dep['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (no fixed release yet)")
    lines = [f"pip-audit: {len(audited)} of {len(deps)} packages audited"]
    if deps and not audited:
        lines.append(
            "pip-audit: NOT AUDITED — the vulnerability service could not be reached from this machine"
        )
    lines += [f"  vulnerable: {item}" for item in fixable]
    lines += [f"  known, unfixed: {item}" for item in unfixed]
    return (1 if fixable else 0), lines


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    site = next((root / ".venv" / "lib").glob("python3*/site-packages"))
    tool = root / ".venv-audit" / "bin" / "pip-audit"
    out = subprocess.run(
        [str(tool), "--path", str(site), "--format", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        print(out.stderr.strip()[-2000:], file=sys.stderr)
        print("pip-audit: NOT AUDITED — pip-audit gave no report", file=sys.stderr)
        return 0
    status, lines = verdict(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
