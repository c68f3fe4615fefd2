"""Checks shared by the tests; each is itself tested against a wrong answer."""
import re

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

EXTRAS = {"torch": "torch", "matplotlib": "plot", "optax": "jax", "sphinx": "docs"}
"""The extra of setup.cfg that installs each optional module the documentation's examples import."""


def python_blocks(path):
    """The ```python blocks of a Markdown file, in order."""
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


def run_blocks(path, blocks, namespace):
    """Run the blocks in order in one namespace, as a reader would. A block that imports an optional
    module runs only where its extra is installed: the test is skipped there, naming the extra, after
    every block before it has run."""
    for block in blocks:
        for module in re.findall(r"^\s*import (\w+)", block, re.M):
            if module in EXTRAS:
                pytest.importorskip(module, reason=f"{path.name} needs the {EXTRAS[module]} extra from here on "
                                                   f"(pip install -e '.[{EXTRAS[module]}]')")
        exec(compile(block, str(path), "exec"), namespace)


def autograd_gradient(problem, x):
    return autograd.grad(lambda z: problem._f(z, anp))(x)


def autograd_hessian(problem, x):
    return autograd.hessian(lambda z: problem._f(z, anp))(x)


def assert_gradient_matches_autograd(problem, x, rtol=1e-9):
    """The hand-written gradient equals autograd's gradient of the very expression f evaluates.

    Both evaluate the same formula in floating point, so they agree to a few
    ulps times the size of the terms; rtol 1e-9 relative to the largest of the
    gradient's scale and 1 leaves room for cancellation but not for a wrong
    factor or a missing term.
    """
    expected = autograd_gradient(problem, x)
    scale = max(1.0, np.max(np.abs(expected)))
    np.testing.assert_allclose(problem.grad(x), expected, rtol=0, atol=rtol * scale)


def assert_hessian_matches_autograd(problem, x, rtol=1e-9):
    expected = autograd_hessian(problem, x)
    scale = max(1.0, np.max(np.abs(expected)))
    np.testing.assert_allclose(problem.hess(x), expected, rtol=0, atol=rtol * scale)
    v = np.linspace(-1.0, 1.0, x.size)
    np.testing.assert_allclose(problem.hvp(x, v), expected @ v, rtol=0, atol=rtol * scale * x.size)


def contraction_violations(distances, factor, rtol=1e-12, floor=0.0):
    """Steps k where ||x_{k+1} - x*||^2 > factor ||x_k - x*||^2 + floor^2 (beyond rounding).

    ``floor`` is the distance that rounding alone can leave: the iterates are
    stored to a few ulps of ||x||, so near x* the distance stops contracting.
    """
    d2 = np.asarray(distances) ** 2
    return np.nonzero(d2[1:] > factor * d2[:-1] * (1 + rtol) + floor**2)[0]


def rounding_floor(problem, R):
    """A bound on the distance rounding leaves near x*: the per-step error eps (||x*|| + R) sqrt(d),
    times 16 for its accumulation over steps (x* is reached in a few steps only when the
    contraction is fast, at least by half per step, so the accumulated error stays below twice one step's)."""
    return 16 * np.finfo(float).eps * (np.linalg.norm(problem.x_star) + R) * np.sqrt(problem.dim)
