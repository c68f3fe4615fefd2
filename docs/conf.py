"""Sphinx configuration of the refopt site.

The pages of the algorithms, problems and claims and the command-line reference are written from
refopt's registry when the build starts (``_ext/refopt_pages.py``, into ``generated/``).
"""
import re
import sys
from pathlib import Path

import refopt

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "refopt"
author = "the refopt developers"
copyright = "the refopt developers"
version = release = refopt.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
    "refopt_pages",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext"]

# Docstrings are numpy-style; napoleon reads them without requiring every section numpydoc asks for.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "undoc-members": False}
# Single backquotes in docstrings name Python objects, linked where Sphinx knows them.
default_role = "py:obj"

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"refopt {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_show_sourcelink = False


# Docstrings write math in plain text, where |x| is an absolute value or a norm; reStructuredText would
# read it as a substitution. Bars outside literals, roles and indented blocks (``.. math::``, code) are
# escaped.
_QUOTED = re.compile(r"(:[\w:]+:`[^`]*`|``.+?``|`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines):
    block_indent = None
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        if line.rstrip().endswith("::"):
            block_indent = indent
        if "|" in line:
            parts = _QUOTED.split(line)
            lines[i] = "".join(part if j % 2 else part.replace("|", "\\|") for j, part in enumerate(parts))


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
