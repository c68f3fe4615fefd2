"""The examples in the documentation run as written."""
import doctest
import re
from pathlib import Path

import pytest

import refopt

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tour_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) == 2
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert "status: max_steps" in capsys.readouterr().out
    pytest.importorskip("torch", reason="the torch extra is not installed")
    exec(compile(blocks[1], "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "agree over 50 steps" in out and "decoupled weight decay" in out


def test_package_docstring_example():
    failures, tried = doctest.testmod(refopt, verbose=False)
    assert tried > 0 and failures == 0


def test_testing_page_runs():
    """The examples of "Testing your optimizer with refopt" run as written (the torch one when torch is there)."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "testing.md").read_text(), re.S)
    assert len(blocks) == 4
    namespace = {}
    for block in blocks:
        if "import torch" in block:
            if _has("torch"):
                exec(compile(block + "\ntest_torch_adam()\n", "docs/testing.md", "exec"), namespace)
            continue
        exec(compile(block, "docs/testing.md", "exec"), namespace)


def _has(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None
