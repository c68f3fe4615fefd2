"""The examples in the documentation run as written."""
import doctest
import re
from pathlib import Path

import refopt

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tour_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "status: max_steps" in capsys.readouterr().out


def test_package_docstring_example():
    failures, tried = doctest.testmod(refopt, verbose=False)
    assert tried > 0 and failures == 0
