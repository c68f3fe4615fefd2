"""The example project under examples/ tests its own optimizers against refopt with the public API only."""
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "external_project"


def test_the_external_project_suite_passes():
    pytest.importorskip("hypothesis", reason="the example project needs the test extra (pip install -e '.[test]')")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=PROJECT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_the_external_project_uses_only_the_public_api():
    for path in PROJECT.rglob("*.py"):
        source = path.read_text()
        assert "refopt._" not in source and "from refopt.algorithms" not in source, path
