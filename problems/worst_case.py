"""Worst-case instances of first-order methods: the Huber function and Nesterov's chain."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory


class HuberWorstCase(Problem):
    r"""The one-dimensional Huber function on which gradient descent meets its tight bound.

    With tau = R / (2N + 1),

        phi(x) = (L R / (2N+1)) |x| - L R^2 / (2 (2N+1)^2)   for |x| >= tau,
        phi(x) = (L / 2) x^2                                  for |x| <  tau.

    phi is convex and L-smooth with minimizer 0. From x_0 = R, N steps of
    gradient descent with step 1/L stay on the linear piece and end at
    phi(x_N) = L R^2 / (4N + 2), which is Drori and Teboulle's (2014) worst
    case over all convex L-smooth functions.
    """

    name = "huber_worst_case"

    def __init__(self, horizon, L, R, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.horizon, self.R = horizon, R
        self.tau = R / (2 * horizon + 1)
        self.slope = L * self.tau
        self.set_constant("L", L, "exact")
        self.set_constant("mu", 0.0, "exact")
        self.set_constant("x_star", np.zeros(1), "exact")
        self.set_constant("f_star", 0.0, "exact")
        self.set_constant("worst_gap", L * R**2 / (4 * horizon + 2), "exact",
                          "f(x_N) - f* of gradient descent with step 1/L from x_0 = R")

    kernel = ("refopt.problems.worst_case_kernels", "huber")

    def kernel_data(self):
        return (float(self.L), float(self.tau), float(self.slope))

    def _f(self, x, xp):
        linear = self.slope * xp.abs(x) - 0.5 * self.slope * self.tau
        quadratic = 0.5 * self.L * x**2
        return xp.sum(xp.where(xp.abs(x) >= self.tau, linear, quadratic))

    def grad(self, x):
        return np.where(np.abs(x) >= self.tau, self.slope * np.sign(x), self.L * x)

    def hess(self, x):
        return np.diag(np.where(np.abs(x) >= self.tau, 0.0, self.L))


@problem_factory(family="worst_case",
                 source="Drori & Teboulle (2014), Performance of first-order methods for smooth convex "
                        "minimization: a novel approach, Math. Program. 145, arXiv 1206.3209")
def huber_worst_case(horizon=10, L=1.0, R=1.0, *, x0=None):
    """Drori-Teboulle's 1-D Huber instance: GD with step 1/L ends N steps at exactly L R^2/(4N+2).

    Parameters
    ----------
    horizon : int
        The number of steps N the instance is built for.
    L : float
        Smoothness constant (exact).
    R : float
        Starting distance: x_0 = R, x* = 0.
    """
    horizon = _checks.positive_int("horizon", horizon)
    L, R = _checks.positive("L", L), _checks.positive("R", R)
    x0 = check_x0(x0, (1,))
    params = dict(horizon=horizon, L=L, R=R)
    return HuberWorstCase(horizon, L, R, params=params, x0=np.array([R]) if x0 is None else x0)


def _chain_matrix(m, last_diagonal):
    """Tridiagonal matrix with 2 on the diagonal (``last_diagonal`` in the corner) and -1 beside it."""
    T = 2.0 * np.eye(m) - np.eye(m, k=1) - np.eye(m, k=-1)
    T[-1, -1] = last_diagonal
    return T


class NesterovChain(Problem):
    r"""Nesterov's worst-case quadratics for first-order methods (Nesterov 2004, Sec. 2.1.2, 2.1.4).

    Convex (mu = 0), on R^dim with a chain of length m <= dim:

        f(x) = (L/4) [ 1/2 (x_1^2 + \sum_{i<m} (x_i - x_{i+1})^2 + x_m^2) - x_1 ],

    minimized at x*_i = 1 - i/(m+1) (i <= m; zero beyond) with
    f* = -(L/8)(1 - 1/(m+1)). Started at 0, any method whose iterate x_k lies
    in the span of the first k gradients has x_k zero beyond coordinate k.

    Strongly convex (mu > 0, kappa = L/mu), the chain truncated at m:

        f(x) = (mu (kappa - 1) / 8) [ x_1^2 + \sum_{i<m} (x_i - x_{i+1})^2 - 2 x_1 ] + (mu/2) ||x||^2,

    whose minimizer on the infinite-dimensional space l2 is x*_i = q^i,
    q = (sqrt(kappa) - 1)/(sqrt(kappa) + 1) (``x_star_infinite``); the
    truncated problem's minimizer is computed by a direct solve.
    """

    name = "nesterov_chain"
    is_quadratic = True

    def __init__(self, m, dim, L, mu, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.m = m
        self.H = np.zeros((dim, dim))
        self.linear = np.zeros(dim)
        if mu == 0:
            self.H[:m, :m] = (L / 4) * _chain_matrix(m, 2.0)
            self.linear[0] = L / 4
            i = np.arange(1, m + 1)
            x_star = np.zeros(dim)
            x_star[:m] = 1 - i / (m + 1)
            lam_max = (L / 4) * (2 - 2 * np.cos(m * np.pi / (m + 1)))
            self.set_constant("x_star", x_star, "exact",
                              "" if m == dim else "the solution set is x_star + span(e_{m+1}, ..., e_dim)")
            self.set_constant("f_star", -(L / 8) * (1 - 1 / (m + 1)), "exact")
            self.set_constant("R_sq", float(np.sum(x_star**2)), "exact", "||x_0 - x*||^2 from x_0 = 0")
            self.set_constant("mu", 0.0, "exact")
            self.set_constant("lambda_max", lam_max, "exact",
                              "(L/4)(2 - 2cos(m pi/(m+1))), the largest eigenvalue of the Hessian")
        else:
            scale = mu * (L / mu - 1) / 4
            self.H[:m, :m] = scale * _chain_matrix(m, 1.0)
            self.H += mu * np.eye(dim)
            self.linear[0] = scale
            x_star = np.linalg.solve(self.H, self.linear)
            q = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
            self.set_constant("x_star", x_star, "computed", "direct solve of the truncated chain")
            self.set_constant("f_star", -0.5 * float(self.linear @ x_star), "computed")
            self.set_constant("mu", mu, "lower_bound", "the Hessian is mu I plus a PSD chain")
            self.set_constant("x_star_infinite", q ** np.arange(1, dim + 1), "exact",
                              "q^i: the minimizer of the untruncated chain on l2 (Nesterov 2004, Thm 2.1.13)")
        self.set_constant("L", L, "upper_bound", "the class constant; the Hessian's largest eigenvalue is below it")

    kernel = ("refopt.problems.worst_case_kernels", "chain")

    def kernel_data(self):
        mode = 0 if self.mu > 0 or self.m == self.dim else 1
        return (self.H, self.linear, self.x_star, self.m, mode)

    def _f(self, x, xp):
        return 0.5 * xp.dot(x, self.H @ x) - xp.dot(self.linear, x)

    def grad(self, x):
        return self.H @ x - self.linear

    def hess(self, x):
        return self.H

    def hvp(self, x, v):
        return self.H @ v

    def distance(self, x):
        if self.mu > 0 or self.m == self.dim:
            return float(np.linalg.norm(x - self.x_star))
        return float(np.linalg.norm(x[: self.m] - self.x_star[: self.m]))


@problem_factory(family="worst_case",
                 source="Nesterov (2004), Introductory Lectures on Convex Optimization, Thm 2.1.7 and 2.1.13")
def nesterov_chain(m=11, dim=None, L=1.0, mu=0.0, *, x0=None):
    """Nesterov's tridiagonal worst-case quadratic (convex, or strongly convex when mu > 0).

    Parameters
    ----------
    m : int
        Length of the chain. For the convex lower bound at step k use m = 2k + 1.
    dim : int, optional
        Dimension (>= m; default m). Coordinates beyond m do not enter the chain.
    L, mu : float
        Class constants: L-smooth and mu-strongly convex (0 <= mu < L).
    """
    m = _checks.positive_int("m", m)
    dim = m if dim is None else _checks.positive_int("dim", dim)
    if dim < m:
        raise ValueError(f"dim must be >= m, got dim={dim}, m={m}")
    L = _checks.positive("L", L)
    mu = _checks.real("mu", mu, low=0.0, high=L, high_open=True)
    x0 = check_x0(x0, (dim,))
    params = dict(m=m, dim=dim, L=L, mu=mu)
    return NesterovChain(m, dim, L, mu, params=params, x0=np.zeros(dim) if x0 is None else x0)


class HeavyBallCycle(Problem):
    r"""Lessard, Recht and Packard's one-dimensional function on which tuned heavy ball cycles.

    f is the strongly convex piecewise quadratic with derivative

        f'(x) = 25 x (x < 1),   x + 24 (1 <= x < 2),   25 x - 24 (x >= 2),

    so mu = 1 and L = 25 (exact), x* = 0, f* = 0. Heavy ball with Polyak's
    quadratic tuning for (mu, L) started at x_0 = x_{-1} = 3.3 settles on a
    3-cycle instead of converging.
    """

    name = "hb_cycle"

    def __init__(self, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.set_constant("L", 25.0, "exact")
        self.set_constant("mu", 1.0, "exact")
        self.set_constant("x_star", np.zeros(1), "exact")
        self.set_constant("f_star", 0.0, "exact")

    kernel = ("refopt.problems.worst_case_kernels", "hb_cycle")

    def kernel_data(self):
        return ()

    def _f(self, x, xp):
        # the pieces 12.5 x^2, x^2/2 + 24 x - 12 and 12.5 x^2 - 24 x + 36 meet with their derivatives at 1 and 2
        value = xp.where(x < 1, 12.5 * x**2, xp.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))
        return xp.sum(value)

    def grad(self, x):
        return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))

    def hess(self, x):
        return np.diag(np.where((x >= 1) & (x < 2), 1.0, 25.0))


@problem_factory(family="worst_case",
                 source="Lessard, Recht & Packard (2016), Analysis and design of optimization algorithms via "
                        "integral quadratic constraints, SIAM J. Optim. 26(1) (arXiv 1408.3595)")
def hb_cycle(*, x0=None):
    """Lessard-Recht-Packard's piecewise quadratic (mu = 1, L = 25) on which tuned heavy ball cycles.

    Parameters
    ----------
    x0 : array_like, optional
        Default 3.3, the start from which heavy ball enters its 3-cycle.
    """
    x0 = check_x0(x0, (1,))
    return HeavyBallCycle(params={}, x0=np.array([3.3]) if x0 is None else x0)
