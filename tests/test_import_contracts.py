"""The import contracts of pyproject.toml hold: rooms in layers, and only a room imports its models."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_lint_imports_keeps_every_contract():
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("import-linter is not installed")
    result = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Rooms in layers" in result.stdout  # the contracts were really read and checked
    assert "Only the fieldwork room imports its models" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout
