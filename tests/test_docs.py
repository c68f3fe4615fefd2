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
