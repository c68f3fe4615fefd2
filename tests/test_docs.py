"""The examples in the documentation run as written."""
import doctest
from pathlib import Path

import pytest

import refopt
from helpers import python_blocks, run_blocks

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tour_runs(capsys):
    blocks = python_blocks(ROOT / "README.md")
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
    """The examples of "Testing your optimizer with refopt" run as written; the torch one calls its test."""
    path = ROOT / "docs" / "testing.md"
    blocks = python_blocks(path)
    with_torch = [block + "\ntest_torch_adam()\n" for block in blocks if "import torch" in block]
    assert len(blocks) == 4 and len(with_torch) == 1
    # the torch example runs last (it stands alone), so every other block has run when torch is missing
    run_blocks(path, [block for block in blocks if "import torch" not in block] + with_torch, {})
