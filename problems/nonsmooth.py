"""Non-smooth convex problems."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory


class L1Regression(Problem):
    r"""f(x) = (1/n) ||A x - b||_1 with b = A x_true: non-smooth, convex, Lipschitz.

    x_true is a minimizer with f* = 0 (the unique one when A has full column
    rank). Subgradients (1/n) A^T s, s in sign(A x - b) (sign(0) = 0), have norm
    at most G = (1/n) sum_i ||a_i|| (an upper bound: the triangle inequality).
    """

    name = "l1_regression"
    is_smooth = False

    def __init__(self, A, b, x_star, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.A, self.b = A, b
        n = A.shape[0]
        self.set_constant("G", float(np.sum(np.linalg.norm(A, axis=1)) / n), "upper_bound",
                          "(1/n) sum_i ||a_i|| bounds every subgradient's norm")
        self.set_constant("x_star", x_star, "exact", "b = A x_star by construction")
        self.set_constant("f_star", 0.0, "exact")

    kernel = ("refopt.problems.nonsmooth_kernels", "l1_regression")

    def kernel_data(self):
        return (self.A, self.b, self.x_star)

    def _f(self, x, xp):
        return xp.sum(xp.abs(self.A @ x - self.b)) / self.A.shape[0]

    def grad(self, x):
        raise TypeError("l1_regression is not differentiable everywhere; use subgrad")

    def subgrad(self, x):
        return self.A.T @ np.sign(self.A @ x - self.b) / self.A.shape[0]


@problem_factory(family="nonsmooth", source="classical least absolute deviations; Polyak (1987)")
def l1_regression(n=50, d=10, *, seed=0, x0=None):
    """Least absolute deviations (1/n)||Ax - b||_1 with b = A x*: x*, f* = 0 exact, G an upper bound.

    Parameters
    ----------
    n, d : int
        Rows (n >= d, so that x* is unique) and unknowns; A has N(0, 1) entries.
    seed : int
        Seeds A and x* ~ N(0, I).
    """
    seed = _checks.seed(seed)
    n, d = _checks.positive_int("n", n), _checks.positive_int("d", d)
    if n < d:
        raise ValueError(f"l1_regression needs n >= d for a unique minimizer, got n={n}, d={d}")
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    x_star = rng.standard_normal(d)
    x0 = check_x0(x0, (d,))
    return L1Regression(A, A @ x_star, x_star, params=dict(n=n, d=d, seed=seed),
                        x0=np.zeros(d) if x0 is None else x0)
