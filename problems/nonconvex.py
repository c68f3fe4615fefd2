"""Smooth non-convex problems: the Rosenbrock function and a Polyak-Lojasiewicz toy."""
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

    kernel = ("refopt.problems.nonconvex_kernels", "rosenbrock")

    def kernel_data(self):
        x_star = self.x_star if self.x_star is not None else np.full(self.dim, np.nan)
        return (float(self.a), float(self.b), x_star)

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


class PLToy(Problem):
    r"""f(x) = \sum_i (x_i^2 + 3 sin^2 x_i): non-convex, yet Polyak-Lojasiewicz.

    f'' = 2 + 6 cos(2 x) lies in [-4, 8], so f is 8-smooth (L = 8 exact) and
    not convex. It satisfies ||grad f||^2 >= 2 mu_pl (f - f*) with
    mu_pl = 1/32 (Karimi, Nutini & Schmidt 2016), a valid but loose constant:
    the best one is about 0.1755 (a fine grid of the one-dimensional ratio).
    Minimizer 0, f* = 0.
    """

    name = "pl_toy"

    def __init__(self, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.set_constant("L", 8.0, "exact", "max of f'' = 2 + 6 cos 2x")
        self.set_constant("mu_pl", 1.0 / 32, "lower_bound",
                          "Karimi, Nutini & Schmidt (2016); the best constant is about 0.1755")
        self.set_constant("x_star", np.zeros(self.dim), "exact")
        self.set_constant("f_star", 0.0, "exact")

    kernel = ("refopt.problems.nonconvex_kernels", "pl_toy")

    def kernel_data(self):
        return ()

    def _f(self, x, xp):
        return xp.sum(x**2 + 3.0 * xp.sin(x) ** 2)

    def grad(self, x):
        return 2.0 * x + 3.0 * np.sin(2.0 * x)

    def hess(self, x):
        return np.diag(2.0 + 6.0 * np.cos(2.0 * x))


@problem_factory(family="nonconvex",
                 source="Karimi, Nutini & Schmidt (2016), Linear convergence of gradient and proximal-gradient "
                        "methods under the Polyak-Lojasiewicz condition, ECML-PKDD (arXiv 1608.04636)")
def pl_toy(dim=1, *, x0=None):
    """The PL toy sum_i x_i^2 + 3 sin^2 x_i: non-convex, 8-smooth, PL with mu = 1/32; x* = 0.

    Parameters
    ----------
    dim : int
        Number of (separable) coordinates.
    x0 : array_like, optional
        Default 3 in every coordinate.
    """
    dim = _checks.positive_int("dim", dim)
    x0 = check_x0(x0, (dim,))
    return PLToy(params=dict(dim=dim), x0=np.full(dim, 3.0) if x0 is None else x0)
