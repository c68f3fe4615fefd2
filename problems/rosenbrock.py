"""The n-dimensional Rosenbrock function."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory


class Rosenbrock(Problem):
    r"""f(x) = \sum_{i<n} [ b (x_{i+1} - x_i^2)^2 + (a - x_i)^2 ].

    Non-convex and not globally smooth (so L and mu are None). Its global
    minimizer is known in closed form for a = 1 (all ones) and for n = 2
    ((a, a^2)); f* = 0 there.
    """

    name = "rosenbrock"

    def __init__(self, a, b, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.a, self.b = a, b
        n = self.dim
        if a == 1.0 or n == 2:
            x_star = np.ones(n) if a == 1.0 else np.array([a, a * a])
            self.set_constant("x_star", x_star, "exact")
            self.set_constant("f_star", 0.0, "exact")

    def _f(self, x, xp):
        return xp.sum(self.b * (x[1:] - x[:-1] ** 2) ** 2 + (self.a - x[:-1]) ** 2)

    def grad(self, x):
        inner = x[1:] - x[:-1] ** 2
        g = np.zeros_like(x)
        g[:-1] = -4 * self.b * x[:-1] * inner - 2 * (self.a - x[:-1])
        g[1:] += 2 * self.b * inner
        return g

    def hess(self, x):
        n = self.dim
        H = np.zeros((n, n))
        diag = np.zeros(n)
        diag[:-1] = 12 * self.b * x[:-1] ** 2 - 4 * self.b * x[1:] + 2
        diag[1:] += 2 * self.b
        off = -4 * self.b * x[:-1]
        H[np.arange(n), np.arange(n)] = diag
        H[np.arange(n - 1), np.arange(1, n)] = off
        H[np.arange(1, n), np.arange(n - 1)] = off
        return H


@problem_factory(family="rosenbrock", source="Rosenbrock (1960), Comput. J. 3(3); n-dimensional chained form")
def rosenbrock(dim=2, a=1.0, b=100.0, *, x0=None):
    """The chained Rosenbrock function in dimension n; x* = ones, f* = 0 for a = 1.

    Parameters
    ----------
    dim : int
        n >= 2.
    a, b : float
        The usual constants (1, 100).
    x0 : array_like, optional
        Default (-1.2, 1, -1.2, 1, ...).
    """
    dim = _checks.positive_int("dim", dim, minimum=2)
    a, b = _checks.real("a", a), _checks.positive("b", b)
    x0 = check_x0(x0, (dim,))
    params = dict(dim=dim, a=a, b=b)
    default = np.where(np.arange(dim) % 2 == 0, -1.2, 1.0)
    return Rosenbrock(a, b, params=params, x0=default if x0 is None else x0)
