"""The documentation site builds with warnings as errors, from the registry, and its tutorials run."""
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import python_blocks, run_blocks
from refopt import registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SITE_NEEDS = ("sphinx", "myst_parser", "pydata_sphinx_theme", "matplotlib")


def _text(path):
    """The words of an HTML page, its tags removed."""
    return re.sub(r"<[^>]+>", "", path.read_text())


def _has(module):
    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(not all(_has(m) for m in SITE_NEEDS),
                    reason="the docs extra is not installed (pip install -e '.[docs]')")
def test_site_builds_without_warnings(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "generated"))
    out = tmp_path / "html"
    build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                            str(source), str(out)], capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout + build.stderr

    for entry in registry.entries("algorithm"):
        page = _text(out / "generated" / "algorithms" / f"{entry.name}.html")
        assert "The reference step" in page and "def step(self, state, problem, rng)" in page
    for entry in registry.entries("problem"):
        assert (out / "generated" / "problems" / f"{entry.name}.html").exists()
    for entry in registry.entries("claim"):
        claim = entry.factory()
        page = _text(out / "generated" / "claims" / f"{claim.id}.html")
        if claim.slow:
            assert "refopt verify --slow" in page
            assert not (source / "generated" / "claims" / "plots" / f"{claim.id}.png").exists()
        else:
            assert "Checked when this page was built" in page, claim.id
            assert re.search(r"\b(PASS|FAIL|ERROR)\b", page), claim.id
    # the heavy ball's page: the update in math, the claims about it, the plot of a claim about it
    heavy_ball = (out / "generated" / "algorithms" / "heavy_ball.html").read_text()
    assert 'class="math' in heavy_ball and "polyak_1964.optimal_rate.html" in heavy_ball
    assert (out / "_images" / "polyak_1964.optimal_rate.png").exists()
    cli = _text(out / "generated" / "cli.html")
    assert all(f"refopt {command}" in cli for command in ("verify", "parity", "list"))
    for page in ("api", "concepts", "testing", "tutorials/paper_rate", "tutorials/backend", "tutorials/classroom"):
        assert (out / f"{page}.html").exists()


@pytest.mark.parametrize("tutorial", ["paper_rate", "backend", "classroom"])
def test_tutorial_runs(tutorial, tmp_path, monkeypatch):
    """Every Python block of the tutorial, in order, in one namespace, as a reader would run them."""
    path = DOCS / "tutorials" / f"{tutorial}.md"
    blocks = python_blocks(path)
    assert blocks
    monkeypatch.chdir(tmp_path)
    run_blocks(path, blocks, {})
