"""L2-regularized binary logistic regression on synthetic data."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import FiniteSumProblem, check_x0, problem_factory
from .noise import finite_sum


def _sigmoid(z):
    # 1/(1 + e^{-z}) through tanh: no overflow for large |z|
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Logistic(FiniteSumProblem):
    r"""f(x) = (1/n) \sum_i log(1 + exp(-y_i a_i^T x)) + (lam/2) ||x||^2, labels y_i in {-1, +1}.

    Each component f_i carries the regularizer, so that f = (1/n) \sum_i f_i.
    """

    name = "logistic"

    def __init__(self, A, y, lam, *, params, x0, noise):
        self.A, self.y, self.lam = A, y, lam
        self.n = A.shape[0]
        super().__init__(params=params, x0=x0, noise=noise)
        n = self.n
        row_norms_sq = np.sum(A * A, axis=1)
        self.set_constant("L", float(np.linalg.norm(A, 2) ** 2 / (4 * n) + lam), "upper_bound",
                          "||A||_2^2 / (4n) + lam, since the logistic loss has curvature <= 1/4")
        self.set_constant("L_max", float(row_norms_sq.max() / 4 + lam), "upper_bound",
                          "max_i ||a_i||^2 / 4 + lam, smoothness of the components")
        self.set_constant("mu", lam, "lower_bound", "the regularization weight lam")
        x_star, grad_norm = self._newton()
        # strong convexity certifies the computed value: f(x) - f* <= ||grad f(x)||^2 / (2 lam)
        certificate = grad_norm**2 / (2 * lam)
        self.set_constant("x_star", x_star, "computed",
                          f"Newton's method to ||grad f|| = {grad_norm:.1e} (so ||x - x*|| <= {grad_norm / lam:.1e})")
        self.set_constant("f_star", self.f(x_star), "computed",
                          f"f at the Newton point; f(x) - f* <= ||grad f(x)||^2/(2 lam) = {certificate:.1e}")

    def _newton(self):
        """Newton's method from 0, damped while far from x*, run until ||grad f|| stops decreasing."""
        x = np.zeros(self.A.shape[1])
        best_x, best_norm, stalled = x, np.linalg.norm(self.grad(x)), 0
        while stalled < 3:
            g = self.grad(x)
            direction = self._newton_direction(x, g)
            decrement, fx, t = g @ direction, self.f(x), 1.0
            # near x* the values of f are flat to rounding: backtracking would only shrink the step
            if decrement > 1e-10 * (1.0 + abs(fx)):
                while self.f(x - t * direction) > fx - 0.25 * t * decrement:
                    t *= 0.5
            x = x - t * direction
            norm = np.linalg.norm(self.grad(x))
            if norm < best_norm:
                best_x, best_norm, stalled = x, norm, 0
            else:
                stalled += 1
        return best_x, float(best_norm)

    kernel = ("refopt.problems.logistic_kernels", "logistic")

    def kernel_data(self):
        return (self.A, self.y, self.lam, self.x_star)

    def _newton_direction(self, x, g):
        """H^{-1} g; with more features than samples through the n x n system of the Woodbury identity,
        H^{-1} g = (g - A^T S (lam I + S A A^T S)^{-1} S A g) / lam with S = diag(sqrt(s (1 - s) / n))."""
        n, d = self.A.shape
        if d <= n:
            return np.linalg.solve(self.hess(x), g)
        s = _sigmoid(self.y * (self.A @ x))
        scale = np.sqrt(s * (1.0 - s) / n)
        scaled = self.A * scale[:, None]
        inner = np.linalg.solve(self.lam * np.eye(n) + scaled @ scaled.T, scaled @ g)
        return (g - scaled.T @ inner) / self.lam

    def _f(self, x, xp):
        margins = self.y * (self.A @ x)
        return xp.mean(xp.logaddexp(0.0, -margins)) + 0.5 * self.lam * xp.dot(x, x)

    def grad(self, x):
        margins = self.y * (self.A @ x)
        return -(self.A.T @ (self.y * _sigmoid(-margins))) / self.n + self.lam * x

    def hess(self, x):
        s = _sigmoid(self.y * (self.A @ x))
        weights = s * (1.0 - s)
        return (self.A.T * weights) @ self.A / self.n + self.lam * np.eye(self.A.shape[1])

    def hvp(self, x, v):
        s = _sigmoid(self.y * (self.A @ x))
        return self.A.T @ (s * (1.0 - s) * (self.A @ v)) / self.n + self.lam * v

    def _component_f(self, x, idx, xp):
        margins = self.y[idx] * (self.A[idx] @ x)
        return xp.mean(xp.logaddexp(0.0, -margins)) + 0.5 * self.lam * xp.dot(x, x)

    def component_grad(self, x, idx):
        rows, labels = self.A[idx], self.y[idx]
        return -(rows.T @ (labels * _sigmoid(-labels * (rows @ x)))) / len(idx) + self.lam * x


@problem_factory(family="logistic", source="classical; constants as in Garrigos & Gower (2023), arXiv 2301.11235")
def logistic(n=200, d=10, lam=0.01, *, label_flip=0.1, seed=0, x0=None, noise=finite_sum()):
    """L2-regularized logistic regression on Gaussian data: L an upper bound, mu = lam, f* computed by Newton.

    Parameters
    ----------
    n, d : int
        Samples and features; rows a_i ~ N(0, I).
    lam : float
        Regularization weight (> 0: the problem then has a unique minimizer).
    label_flip : float
        Fraction of labels sign(a_i^T w) flipped at random (w ~ N(0, I)).
    seed : int
        Seeds the data.
    noise : NoiseModel or None
        Stochastic oracle; by default one sample drawn uniformly with replacement.
    """
    seed = _checks.seed(seed)
    n, d = _checks.positive_int("n", n), _checks.positive_int("d", d)
    lam = _checks.positive("lam", lam)
    label_flip = _checks.real("label_flip", label_flip, low=0.0, high=1.0)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    y = np.where(A @ w >= 0, 1.0, -1.0)
    y = np.where(rng.random(n) < label_flip, -y, y)
    x0 = check_x0(x0, (d,))
    params = dict(n=n, d=d, lam=lam, label_flip=label_flip, seed=seed, noise=noise)
    return Logistic(A, y, lam, params=params, x0=np.zeros(d) if x0 is None else x0, noise=noise)
