"""The example project under examples/ tests its own optimizers against refopt with the public API only."""
import subprocess
import sys
from pathlib import Path

import numpy as np
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


EXPLORATION = Path(__file__).resolve().parents[1] / "examples" / "tensor_pca_thresholds.py"


def test_the_tensor_pca_exploration_runs_and_reports_every_method():
    result = subprocess.run([sys.executable, str(EXPLORATION), "--dims", "4,5", "--runs", "2", "--steps", "50"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for d in (4, 5):
        rows = [line for line in lines if line.startswith(f"d = {d:3d}")]
        methods = ["gradient descent", "Langevin, last iterate", "Langevin, averaged"]
        assert len(rows) == 3 and all(method in row and "n50 =" in row for method, row in zip(methods, rows))
    assert sum("n50 slope in d" in line for line in lines) == 3


def test_the_exploration_interpolates_n50_in_log_n():
    import importlib.util
    spec = importlib.util.spec_from_file_location("tensor_pca_thresholds", EXPLORATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    grid = np.asarray(module.GRID) * 10**2
    rates = [0.0, 0.25, 0.75, 1.0, 1.0, 1.0]      # crosses 1/2 halfway between the 2nd and 3rd points
    assert np.isclose(module.n50(10, rates), np.sqrt(grid[1] * grid[2]))
    assert np.isnan(module.n50(10, [0.0] * 6)) and np.isnan(module.n50(10, [0.6] * 6))
