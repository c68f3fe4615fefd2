r"""Bilevel toys whose hypergradient is known exactly.

A bilevel problem is

    min_x F(x) = f(x, y*(x)),   y*(x) in argmin_{y in Y(x)} g(x, y),

with the upper objective f and the lower objective g. As a `Problem` its
variable is the upper variable x and its objective is the hyper-objective F:
``f(x)`` is F(x), ``grad(x)`` the exact hypergradient, and ``x_star``,
``f_star`` the bilevel solution where it is known. So a run of a bilevel
algorithm records F(x_k) - F*, ||grad F(x_k)|| and ||x_k - x*|| like any other
run, and every algorithm's hypergradient can be compared with the truth.

The oracles a bilevel algorithm calls take (x, y) and are counted separately
(`BilevelProblem.extra_oracles`): ``upper``/``lower`` values, the partial
gradients ``upper_grad_x``, ``upper_grad_y``, ``lower_grad_x``,
``lower_grad_y``, the Hessian-vector products ``upper_hvp``/``lower_hvp``
(grad^2_yy f v, grad^2_yy g v) and the cross products ``upper_jvp``/``lower_jvp``
(grad^2_xy f v, grad^2_xy g v, with grad^2_xy g the dx x dy matrix of mixed
second derivatives: the transposed Jacobian of grad_y g with respect to x).
Each derivative oracle takes an optional Generator: with a `bilevel_noise`
attached it returns the derivative plus noise of the named variance.
"""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory, random_orthogonal
from .noise import NoiseModel

LEVELS = ("upper", "lower")


class BilevelNoise(NoiseModel):
    r"""Noise on the derivative oracles of a bilevel problem, level by level.

    An oracle of level l (upper: the derivatives of f; lower: those of g,
    Hessian- and cross products included) returns

        o + s_{1} \|o\| \xi + s_{0,l} \zeta,   \xi, \zeta ~ N(0, I/d) independent,

    so E o~ = o and E\|o~ - o\|^2 = s_{0,l}^2 + s_1^2 \|o\|^2 exactly (additive
    Gaussian when s_1 = 0, affine variance otherwise). A level with no noise
    (s_{0,l} = s_1 = 0) returns its oracles exactly and draws nothing; values
    of f and g are exact.
    """

    name = "bilevel_noise"

    def __init__(self, upper=0.0, lower=0.0, relative=0.0):
        self.upper = _checks.nonnegative("upper", upper)
        self.lower = _checks.nonnegative("lower", lower)
        self.relative = _checks.nonnegative("relative", relative)

    def params(self):
        return {"upper": self.upper, "lower": self.lower, "relative": self.relative}

    def check(self, problem):
        if not isinstance(problem, BilevelProblem):
            raise TypeError(f"bilevel_noise perturbs the oracles of a bilevel problem; {problem.name!r} is not one")

    def perturb(self, level, exact, rng):
        """``exact`` plus this level's noise, drawn from ``rng``."""
        s0 = self.upper if level == "upper" else self.lower
        if s0 == 0.0 and self.relative == 0.0:
            return exact
        xi, zeta = rng.standard_normal((2,) + np.shape(exact)) / np.sqrt(np.size(exact))
        return exact + self.relative * np.linalg.norm(exact) * xi + s0 * zeta

    def draw_many(self, problem, rng, sampler, steps):
        raise TypeError("a stochastic bilevel problem has stochastic partial oracles (upper_grad_x(x, y, rng), ...), "
                        "not a stochastic hypergradient: run a bilevel algorithm on it")


def bilevel_noise(upper=0.0, lower=0.0, relative=0.0):
    """Noise of variance upper^2 (lower^2) on the upper (lower) level's derivative oracles (see `BilevelNoise`)."""
    return BilevelNoise(upper, lower, relative)


class BilevelProblem(Problem):
    """Base class of the bilevel toys (see the module docstring for the contract).

    Subclasses implement ``_upper(x, y, xp)``, ``_lower(x, y, xp)`` (written
    against the array module ``xp`` so that autograd checks the hand-written
    derivatives), the exact derivatives ``_upper_grad_x`` ... ``_lower_jvp``,
    `y_star` and `grad`.
    """

    is_bilevel = True
    extra_oracles = ("upper", "lower", "upper_grad_x", "upper_grad_y", "lower_grad_x", "lower_grad_y",
                     "upper_hvp", "lower_hvp", "upper_jvp", "lower_jvp", "lower_project", "lower_constraint",
                     "lower_constraint_vjp_x", "lower_constraint_vjp_y", "feasible_project")
    lower_unique = True
    """Whether argmin_y g(x, .) is a single point (otherwise `y_star` is the optimistic choice)."""

    def __init__(self, *, params, x0, y0, noise):
        super().__init__(params=params, x0=x0, noise=noise)
        self.y0 = np.array(y0, dtype=np.float64)
        self.mu_g = self.L_g = None

    @property
    def y_shape(self):
        return self.y0.shape

    # -- the two levels ------------------------------------------------------------------
    def _upper(self, x, y, xp):
        raise NotImplementedError

    def _lower(self, x, y, xp):
        raise NotImplementedError

    def upper(self, x, y):
        """f(x, y)."""
        return float(self._upper(x, y, np))

    def lower(self, x, y):
        """g(x, y)."""
        return float(self._lower(x, y, np))

    def _oracle(self, level, exact, rng):
        if rng is None or self.noise is None:
            return exact
        return self.noise.perturb(level, exact, rng)

    def upper_grad_x(self, x, y, rng=None):
        """grad_x f(x, y) (stochastic when a Generator is given and noise is attached)."""
        return self._oracle("upper", self._upper_grad_x(x, y), rng)

    def upper_grad_y(self, x, y, rng=None):
        """grad_y f(x, y)."""
        return self._oracle("upper", self._upper_grad_y(x, y), rng)

    def lower_grad_x(self, x, y, rng=None):
        """grad_x g(x, y)."""
        return self._oracle("lower", self._lower_grad_x(x, y), rng)

    def lower_grad_y(self, x, y, rng=None):
        """grad_y g(x, y)."""
        return self._oracle("lower", self._lower_grad_y(x, y), rng)

    def upper_hvp(self, x, y, v, rng=None):
        """grad^2_yy f(x, y) v."""
        return self._oracle("upper", self._upper_hvp(x, y, v), rng)

    def lower_hvp(self, x, y, v, rng=None):
        """grad^2_yy g(x, y) v."""
        return self._oracle("lower", self._lower_hvp(x, y, v), rng)

    def upper_jvp(self, x, y, v, rng=None):
        """grad^2_xy f(x, y) v (a vector of x's shape, for v of y's shape)."""
        return self._oracle("upper", self._upper_jvp(x, y, v), rng)

    def lower_jvp(self, x, y, v, rng=None):
        """grad^2_xy g(x, y) v (a vector of x's shape, for v of y's shape)."""
        return self._oracle("lower", self._lower_jvp(x, y, v), rng)

    def lower_project(self, x, y):
        """Projection of y onto the lower-level feasible set Y(x) (the identity when unconstrained)."""
        return y

    # -- the hyper-objective -------------------------------------------------------------
    def y_star(self, x):
        """The lower-level solution y*(x) (the optimistic one when the lower level has several)."""
        raise NotImplementedError

    def _f(self, x, xp):
        return self._upper(x, self.y_star(x), xp)


class QuadBilevel(BilevelProblem):
    r"""g(x, y) = 1/2 y^T A y - y^T B x,  f(x, y) = 1/2 ||y - b||^2 + (c/2) ||x||^2.

    y*(x) = A^{-1} B x,  F(x) = 1/2 ||A^{-1} B x - b||^2 + (c/2) ||x||^2,
    grad F(x) = B^T A^{-1} (A^{-1} B x - b) + c x,  hess F = B^T A^{-2} B + c I,
    x* = (B^T A^{-2} B + c I)^{-1} B^T A^{-1} b.

    The value-function penalty of F2SA and the penalty methods is closed form:
    y_lam(x) = argmin_y f + lam g = (I + lam A)^{-1} (b + lam B x) and
    L*_lam(x) = min_y f + lam (g - g*(x)), with
    grad L*_lam(x) = c x + lam B^T (y*(x) - y_lam(x)) (`penalty`; the same formulas hold
    for the quartic upper level of `unbounded_smooth_bilevel` with x^3 in place of c x).
    """

    name = "quad_bilevel"

    def __init__(self, A, B, b, c, *, params, x0, y0, noise):
        super().__init__(params=params, x0=x0, y0=y0, noise=noise)
        self.A, self.B, self.b, self.c = A, B, b, c
        eigenvalues = np.linalg.eigvalsh(A)
        self.set_constant("mu_g", float(eigenvalues[0]), "exact", "smallest eigenvalue of A (prescribed)")
        self.set_constant("L_g", float(eigenvalues[-1]), "exact", "largest eigenvalue of A (prescribed)")
        self.set_constant("L_fy", 1.0, "exact", "smoothness of f in y (grad^2_yy f = I)")
        self.hessian = B.T @ np.linalg.solve(A, np.linalg.solve(A, B)) + c * np.eye(B.shape[1])
        curvature = np.linalg.eigvalsh(self.hessian)
        self.set_constant("L", float(curvature[-1]), "computed", "largest eigenvalue of B^T A^-2 B + c I (eigvalsh)")
        self.set_constant("mu", float(curvature[0]), "computed", "smallest eigenvalue of B^T A^-2 B + c I (eigvalsh)")
        x_star = np.linalg.solve(self.hessian, B.T @ np.linalg.solve(A, b))
        self.set_constant("x_star", x_star, "exact", "closed form (B^T A^-2 B + c I)^-1 B^T A^-1 b, by a linear solve")
        self.set_constant("f_star", self.f(x_star), "exact", "F(x*)")

    def _upper(self, x, y, xp):
        r = y - self.b
        return 0.5 * xp.dot(r, r) + 0.5 * self.c * xp.dot(x, x)

    def _lower(self, x, y, xp):
        return 0.5 * xp.dot(y, self.A @ y) - xp.dot(y, self.B @ x)

    def _upper_grad_x(self, x, y):
        return self.c * x

    def _upper_grad_y(self, x, y):
        return y - self.b

    def _lower_grad_x(self, x, y):
        return -self.B.T @ y

    def _lower_grad_y(self, x, y):
        return self.A @ y - self.B @ x

    def _upper_hvp(self, x, y, v):
        return v

    def _lower_hvp(self, x, y, v):
        return self.A @ v

    def _upper_jvp(self, x, y, v):
        return np.zeros_like(x)

    def _lower_jvp(self, x, y, v):
        return -self.B.T @ v

    def y_star(self, x):
        return np.linalg.solve(self.A, self.B @ x)

    def grad(self, x):
        return self.B.T @ np.linalg.solve(self.A, self.y_star(x) - self.b) + self.c * x

    def hess(self, x):
        return self.hessian

    def penalty(self, x, lam):
        r"""The value-function penalty at multiplier lam: (L*_lam(x), grad L*_lam(x), y_lam(x)), closed form.

        L*_lam(x) = min_y f(x, y) + lam (g(x, y) - g(x, y*(x))). The penalty
        method's psi_sigma (Kwon et al. 2024) is L*_{1/sigma}.
        """
        lam = _checks.positive("lam", lam)
        y_lam = np.linalg.solve(np.eye(self.A.shape[0]) + lam * self.A, self.b + lam * (self.B @ x))
        y_star = self.y_star(x)
        value = self.upper(x, y_lam) + lam * (self.lower(x, y_lam) - self.lower(x, y_star))
        # Danskin: grad L*_lam = grad_x f(x, y_lam) + lam (grad_x g(x, y_lam) - grad_x g(x, y*))
        grad = self._upper_grad_x(x, y_lam) + lam * (self._lower_grad_x(x, y_lam) - self._lower_grad_x(x, y_star))
        return value, grad, y_lam


def _quadratic_lower(seed, dx, dy, mu_g, L_g):
    """The checked parameters and the data of g = 1/2 y^T A y - y^T B x, f's target b, drawn from the seed."""
    seed = _checks.seed(seed)
    dx = _checks.positive_int("dx", dx)
    dy = _checks.positive_int("dy", dy)
    mu_g = _checks.positive("mu_g", mu_g)
    L_g = _checks.positive("L_g", L_g)
    if mu_g > L_g or (dy == 1 and mu_g != L_g):
        raise ValueError(f"need mu_g <= L_g (and mu_g = L_g when dy = 1), got mu_g={mu_g}, L_g={L_g}")
    rng = np.random.default_rng(seed)
    eigenvalues = np.linspace(mu_g, L_g, dy) if dy > 1 else np.array([L_g])
    Q = random_orthogonal(dy, rng)
    A = (Q * eigenvalues) @ Q.T
    B = rng.standard_normal((dy, dx)) / np.sqrt(dy)
    return seed, dx, dy, mu_g, L_g, A, B, rng.standard_normal(dy)


@problem_factory(family="bilevel", source="quadratic bilevel toy (catalogue B1); e.g. Ghadimi & Wang (2018)")
def quad_bilevel(dx=5, dy=10, mu_g=0.1, L_g=1.0, c=0.1, *, seed=0, x0=None, y0=None, noise=None):
    """Quadratic bilevel problem with a strongly convex lower level: exact y*(x), hypergradient, x*, F*.

    Parameters
    ----------
    dx, dy : int
        Dimensions of the upper variable x and the lower variable y.
    mu_g, L_g : float
        Extreme eigenvalues of the lower Hessian A (the lower level's strong
        convexity and smoothness, both exact; kappa_g = L_g / mu_g).
    c : float
        Weight of the upper level's regularizer (c/2) ||x||^2 (c > 0 makes F strongly convex).
    seed : int
        Seeds A's eigenvectors, B (Gaussian, entries N(0, 1/dy)) and b ~ N(0, I).
    x0, y0 : array_like, optional
        Default starting points (zero).
    noise : BilevelNoise, optional
        Stochastic oracles (`bilevel_noise`).
    """
    seed, dx, dy, mu_g, L_g, A, B, b = _quadratic_lower(seed, dx, dy, mu_g, L_g)
    c = _checks.nonnegative("c", c)
    if c == 0 and np.linalg.matrix_rank(B) < dx:
        raise ValueError("c = 0 with dx > dy leaves F without a unique minimizer; take c > 0")
    x0, y0 = check_x0(x0, (dx,)), _start(y0, (dy,))
    params = dict(dx=dx, dy=dy, mu_g=mu_g, L_g=L_g, c=c, seed=seed, noise=noise)
    return QuadBilevel(A, B, b, c, params=params, x0=np.zeros(dx) if x0 is None else x0,
                       y0=np.zeros(dy) if y0 is None else y0, noise=noise)


def _start(y0, shape):
    return None if y0 is None else _checks.real_array("y0", y0, shape=shape)


class RidgeHPO(BilevelProblem):
    r"""Ridge-regression hyperparameter tuning with per-feature (or one shared) log-regularization h.

    g(h, w) = 1/2 ||X_tr w - t_tr||^2 + 1/2 sum_j e^{h_j} w_j^2,  f(h, w) = 1/2 ||X_val w - t_val||^2.
    w*(h) = H^{-1} X_tr^T t_tr with H = X_tr^T X_tr + diag(e^h), and
    grad F(h) = -e^h * w* * v with v = H^{-1} X_val^T (X_val w* - t_val) (summed over j for a shared h).
    The lower level's constants depend on h: `lower_constants`.
    """

    name = "ridge_hpo"

    def __init__(self, X_tr, t_tr, X_val, t_val, per_feature, *, params, x0, y0, noise):
        super().__init__(params=params, x0=x0, y0=y0, noise=noise)
        self.X_tr, self.t_tr, self.X_val, self.t_val = X_tr, t_tr, X_val, t_val
        self.per_feature = per_feature
        self.gram = X_tr.T @ X_tr
        self.set_constant("L_fy", float(np.linalg.eigvalsh(X_val.T @ X_val)[-1]), "computed",
                          "smoothness of f in y: largest eigenvalue of X_val^T X_val (eigvalsh)")

    def _weights(self, h):
        return np.exp(h) * np.ones(self.y_shape) if self.per_feature else np.exp(h[0]) * np.ones(self.y_shape)

    def _upper(self, x, y, xp):
        r = self.X_val @ y - self.t_val
        return 0.5 * xp.dot(r, r)

    def _lower(self, x, y, xp):
        r = self.X_tr @ y - self.t_tr
        weights = xp.exp(x) if self.per_feature else xp.exp(x[0])
        return 0.5 * xp.dot(r, r) + 0.5 * xp.sum(weights * y * y)

    def _upper_grad_x(self, x, y):
        return np.zeros_like(x)

    def _upper_grad_y(self, x, y):
        return self.X_val.T @ (self.X_val @ y - self.t_val)

    def _lower_grad_x(self, x, y):
        terms = 0.5 * self._weights(x) * y * y
        return terms if self.per_feature else np.array([terms.sum()])

    def _lower_grad_y(self, x, y):
        return self.X_tr.T @ (self.X_tr @ y - self.t_tr) + self._weights(x) * y

    def _upper_hvp(self, x, y, v):
        return self.X_val.T @ (self.X_val @ v)

    def _lower_hvp(self, x, y, v):
        return self.gram @ v + self._weights(x) * v

    def _upper_jvp(self, x, y, v):
        return np.zeros_like(x)

    def _lower_jvp(self, x, y, v):
        terms = self._weights(x) * y * v
        return terms if self.per_feature else np.array([terms.sum()])

    def lower_hessian(self, x):
        return self.gram + np.diag(self._weights(x))

    def lower_constants(self, x):
        """(mu_g, L_g) at h = x: the extreme eigenvalues of H (exact, by eigvalsh)."""
        eigenvalues = np.linalg.eigvalsh(self.lower_hessian(x))
        return float(eigenvalues[0]), float(eigenvalues[-1])

    def y_star(self, x):
        return np.linalg.solve(self.lower_hessian(x), self.X_tr.T @ self.t_tr)

    def grad(self, x):
        w = self.y_star(x)
        v = np.linalg.solve(self.lower_hessian(x), self._upper_grad_y(x, w))
        terms = -self._weights(x) * w * v
        return terms if self.per_feature else np.array([terms.sum()])


@problem_factory(family="bilevel", source="ridge hyperparameter tuning (catalogue B2); Pedregosa (2016)")
def ridge_hpo(n_tr=40, n_val=40, d=10, per_feature=True, *, noise_level=0.5, seed=0, x0=None, y0=None,
              noise=None):
    """Ridge-regression hyperparameter tuning: exact w*(h) and hypergradient; h* unknown (no closed form).

    Parameters
    ----------
    n_tr, n_val, d : int
        Training and validation sizes and the number of features.
    per_feature : bool
        One regularization weight e^{h_j} per feature (h of length d), or one shared e^h (h of length 1).
    noise_level : float
        Standard deviation of the label noise in t = X w_true + noise (training and validation).
    seed : int
        Seeds the data X ~ N(0, I), w_true ~ N(0, I) and the label noise.
    x0, y0 : array_like, optional
        Default starting points (h = 0, w = 0).
    noise : BilevelNoise, optional
        Stochastic oracles (`bilevel_noise`).
    """
    seed = _checks.seed(seed)
    n_tr = _checks.positive_int("n_tr", n_tr)
    n_val = _checks.positive_int("n_val", n_val)
    d = _checks.positive_int("d", d)
    noise_level = _checks.nonnegative("noise_level", noise_level)
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X_tr, X_val = rng.standard_normal((n_tr, d)), rng.standard_normal((n_val, d))
    t_tr = X_tr @ w_true + noise_level * rng.standard_normal(n_tr)
    t_val = X_val @ w_true + noise_level * rng.standard_normal(n_val)
    dx = d if per_feature else 1
    x0, y0 = check_x0(x0, (dx,)), _start(y0, (d,))
    params = dict(n_tr=n_tr, n_val=n_val, d=d, per_feature=bool(per_feature), noise_level=noise_level, seed=seed,
                  noise=noise)
    return RidgeHPO(X_tr, t_tr, X_val, t_val, bool(per_feature), params=params,
                    x0=np.zeros(dx) if x0 is None else x0, y0=np.zeros(d) if y0 is None else y0, noise=noise)


class NonsingletonToy(BilevelProblem):
    r"""g(x, y) = 1/2 ||y_1||^2 - x^T y_1 (y_2 free),  f(x, y) = 1/2 ||x - y_2||^2 + 1/2 ||y_1 - 1||^2.

    y = (y_1, y_2) stacked. argmin_y g(x, .) = {y_1 = x, y_2 arbitrary}: a set.
    The optimistic choice minimizes f over it: y_1 = y_2 = x, so
    phi(x) = 1/2 ||x - 1||^2, x* = 1, F* = 0. Naive unrolling never moves y_2
    (grad_{y_2} g = 0) and stalls at x = 1/2.
    """

    name = "nonsingleton_toy"
    lower_unique = False

    def __init__(self, n, *, params, x0, y0, noise):
        super().__init__(params=params, x0=x0, y0=y0, noise=noise)
        self.n = n
        self.set_constant("mu_g", 0.0, "exact", "g is merely convex in y (flat in y_2)")
        self.set_constant("L_g", 1.0, "exact")
        self.set_constant("L_fy", 1.0, "exact", "smoothness of f in y")
        self.set_constant("L", 1.0, "exact", "phi(x) = 1/2 ||x - 1||^2")
        self.set_constant("mu", 1.0, "exact")
        self.set_constant("x_star", np.ones(n), "exact", "the optimistic solution")
        self.set_constant("f_star", 0.0, "exact")

    def _split(self, y):
        return y[: self.n], y[self.n:]

    def _upper(self, x, y, xp):
        y1, y2 = y[: self.n], y[self.n:]
        return 0.5 * xp.sum((x - y2) ** 2) + 0.5 * xp.sum((y1 - 1.0) ** 2)

    def _lower(self, x, y, xp):
        y1 = y[: self.n]
        return 0.5 * xp.dot(y1, y1) - xp.dot(x, y1)

    def _upper_grad_x(self, x, y):
        return x - self._split(y)[1]

    def _upper_grad_y(self, x, y):
        y1, y2 = self._split(y)
        return np.concatenate([y1 - 1.0, y2 - x])

    def _lower_grad_x(self, x, y):
        return -self._split(y)[0]

    def _lower_grad_y(self, x, y):
        y1 = self._split(y)[0]
        return np.concatenate([y1 - x, np.zeros(self.n)])

    def _upper_hvp(self, x, y, v):
        return v

    def _lower_hvp(self, x, y, v):
        return np.concatenate([v[: self.n], np.zeros(self.n)])

    def _upper_jvp(self, x, y, v):
        return -v[self.n:]

    def _lower_jvp(self, x, y, v):
        return -v[: self.n]

    def y_star(self, x):
        return np.concatenate([x, x])

    def grad(self, x):
        return x - 1.0

    def hess(self, x):
        return np.eye(self.n)


@problem_factory(family="bilevel", source="Liu, Mu, Yuan, Zeng & Zhang (2020), the BDA toy (catalogue B3)")
def nonsingleton_toy(n=1, *, x0=None, y0=None, noise=None):
    """A lower level with a set of solutions: the optimistic x* = 1, F* = 0 exact; naive unrolling stalls at 1/2.

    Parameters
    ----------
    n : int
        Number of independent copies (x in R^n, y = (y_1, y_2) in R^{2n}).
    x0, y0 : array_like, optional
        Default starting points (zero).
    noise : BilevelNoise, optional
        Stochastic oracles (`bilevel_noise`).
    """
    n = _checks.positive_int("n", n)
    x0, y0 = check_x0(x0, (n,)), _start(y0, (2 * n,))
    return NonsingletonToy(n, params=dict(n=n, noise=noise), x0=np.zeros(n) if x0 is None else x0,
                           y0=np.zeros(2 * n) if y0 is None else y0, noise=noise)


class UnboundedSmoothBilevel(QuadBilevel):
    r"""The quadratic bilevel problem with a quartic upper level: f(x, y) = 1/4 sum_j x_j^4 + 1/2 ||y - b||^2.

    grad F(x) = x^3 + B^T A^{-1} (A^{-1} B x - b). The quartic part is
    (L_0, L_1)-smooth coordinatewise, |q''| <= L_0 + L_1 |q'| with L_0 = L_1 = 3
    (3x^2 <= 3 for |x| <= 1 and 3x^2 <= 3|x|^3 otherwise), but F has no global
    Lipschitz gradient. F* and x* are not known in closed form.
    """

    name = "unbounded_smooth_bilevel"
    is_quadratic = False

    def __init__(self, A, B, b, *, params, x0, y0, noise):
        BilevelProblem.__init__(self, params=params, x0=x0, y0=y0, noise=noise)
        self.A, self.B, self.b, self.c = A, B, b, 0.0
        eigenvalues = np.linalg.eigvalsh(A)
        self.set_constant("mu_g", float(eigenvalues[0]), "exact", "smallest eigenvalue of A (prescribed)")
        self.set_constant("L_g", float(eigenvalues[-1]), "exact", "largest eigenvalue of A (prescribed)")
        self.set_constant("L_fy", 1.0, "exact", "smoothness of f in y")
        self.set_constant("L0", 3.0, "upper_bound", "of the quartic part, per coordinate: |q''| <= L0 + L1 |q'|")
        self.set_constant("L1", 3.0, "upper_bound", "of the quartic part, per coordinate")

    def _upper(self, x, y, xp):
        r = y - self.b
        return 0.25 * xp.sum(x ** 4) + 0.5 * xp.dot(r, r)

    def _upper_grad_x(self, x, y):
        return x ** 3

    def grad(self, x):
        return x ** 3 + self.B.T @ np.linalg.solve(self.A, self.y_star(x) - self.b)

    def hess(self, x):
        return np.diag(3 * x ** 2) + self.B.T @ np.linalg.solve(self.A, np.linalg.solve(self.A, self.B))


@problem_factory(family="bilevel", source="Hao, Gong & Liu (2024), BO-REP's setting (catalogue B4)")
def unbounded_smooth_bilevel(dx=5, dy=10, mu_g=0.1, L_g=1.0, *, seed=0, x0=None, y0=None, noise=None):
    """Quadratic lower level, quartic upper level: F is (L0, L1)-smooth but not L-smooth; exact hypergradient.

    Parameters are those of `quad_bilevel` (without c). The default start is
    x0 = 1 (all ones); a far start (large ||x0||) is where unnormalized steps diverge.
    """
    seed, dx, dy, mu_g, L_g, A, B, b = _quadratic_lower(seed, dx, dy, mu_g, L_g)
    x0, y0 = check_x0(x0, (dx,)), _start(y0, (dy,))
    params = dict(dx=dx, dy=dy, mu_g=mu_g, L_g=L_g, seed=seed, noise=noise)
    return UnboundedSmoothBilevel(A, B, b, params=params, x0=np.ones(dx) if x0 is None else x0,
                                  y0=np.zeros(dy) if y0 is None else y0, noise=noise)


class ConstrainedBilevel(BilevelProblem):
    r"""g(x, y) = 1/2 ||y - x||^2 on Y(x) = {y <= a} (or, coupled, {y <= x/2}), f(x, y) = 1/2 ||y - c||^2 + 1/2 ||x||^2.

    Coordinatewise: y*(x) = min(x, a) (coupled: min(x, x/2)). For a >= 0,
    x* = y* = min(c/2, a); coupled, x* = 2c/5, y* = c/5 for c >= 0 and x* = y* = c/2
    for c < 0. The constraint is G(x, y) = y - a (coupled: y - x/2) <= 0.
    """

    name = "constrained_bilevel"

    def __init__(self, a, c, coupled, *, params, x0, y0, noise):
        super().__init__(params=params, x0=x0, y0=y0, noise=noise)
        self.a, self.c, self.coupled = a, c, coupled
        self.set_constant("mu_g", 1.0, "exact")
        self.set_constant("L_g", 1.0, "exact")
        self.set_constant("L_fy", 1.0, "exact", "smoothness of f in y")
        if coupled:
            x_star = 0.4 * c if c >= 0 else 0.5 * c
        else:
            x_star = min(0.5 * c, a)
        self.set_constant("x_star", np.full(self.shape, x_star), "exact", "by cases on the branches of y*(x)")
        self.set_constant("y_star_at_solution", self.y_star(self.x_star), "exact")
        self.set_constant("f_star", self.f(self.x_star), "exact", "F(x*)")

    def _upper(self, x, y, xp):
        return 0.5 * xp.sum((y - self.c) ** 2) + 0.5 * xp.dot(x, x)

    def _lower(self, x, y, xp):
        return 0.5 * xp.sum((y - x) ** 2)

    def _upper_grad_x(self, x, y):
        return x.copy()

    def _upper_grad_y(self, x, y):
        return y - self.c

    def _lower_grad_x(self, x, y):
        return x - y

    def _lower_grad_y(self, x, y):
        return y - x

    def _upper_hvp(self, x, y, v):
        return v

    def _lower_hvp(self, x, y, v):
        return v

    def _upper_jvp(self, x, y, v):
        return np.zeros_like(x)

    def _lower_jvp(self, x, y, v):
        return -v

    def bound(self, x):
        """The upper bound on y: a, or x/2 when coupled."""
        return 0.5 * x if self.coupled else np.full(self.shape, self.a)

    def lower_constraint(self, x, y):
        """G(x, y) = y - bound(x) <= 0, coordinatewise."""
        return y - self.bound(x)

    def lower_constraint_vjp_x(self, x, y, lam):
        """(d G / d x)^T lam: 0, or -lam / 2 when coupled."""
        return -0.5 * lam if self.coupled else np.zeros_like(x)

    def lower_constraint_vjp_y(self, x, y, lam):
        """(d G / d y)^T lam = lam."""
        return np.array(lam, dtype=np.float64)

    def lower_project(self, x, y):
        return np.minimum(y, self.bound(x))

    def feasible_project(self, x, y):
        """Euclidean projection of the pair (x, y) onto {G(x, y) <= 0} (only y moves unless coupled)."""
        if not self.coupled:
            return x, self.lower_project(x, y)
        # the half-space y - x/2 <= 0, normal (-1/2, 1) per coordinate
        excess = np.maximum(self.lower_constraint(x, y), 0.0) / 1.25
        return x + 0.5 * excess, y - excess

    def y_star(self, x):
        return np.minimum(x, self.bound(x))

    def grad(self, x):
        # dy*/dx is 1 where y* = x, 0 where y* = a, 1/2 where y* = x/2 (one-sided at the kink)
        y = self.y_star(x)
        slope = np.where(x <= self.bound(x), 1.0, 0.5 if self.coupled else 0.0)
        return slope * (y - self.c) + x


@problem_factory(family="bilevel", source="constrained bilevel toy (catalogue B5); Yao, Yu, Zeng & Zhang (2024)")
def constrained_bilevel(a=1.0, c=1.0, *, coupled=False, dim=1, x0=None, y0=None, noise=None):
    """A lower level with a constraint y <= a (or the coupled y <= x/2): exact y*(x), x*, F*.

    Parameters
    ----------
    a : float
        The bound on y (a >= 0: for a < 0 the solution is not min(c/2, a)).
    c : float
        The upper level's target for y.
    coupled : bool
        Use the constraint y <= x/2 that couples the two variables (then ``a`` is unused).
    dim : int
        Number of independent coordinates.
    x0, y0 : array_like, optional
        Default starting points (zero).
    noise : BilevelNoise, optional
        Stochastic oracles (`bilevel_noise`; the constraint G is exact).
    """
    a = _checks.nonnegative("a", a)
    c = _checks.real("c", c)
    dim = _checks.positive_int("dim", dim)
    x0, y0 = check_x0(x0, (dim,)), _start(y0, (dim,))
    return ConstrainedBilevel(a, c, bool(coupled), params=dict(a=a, c=c, coupled=bool(coupled), dim=dim, noise=noise),
                              x0=np.zeros(dim) if x0 is None else x0, y0=np.zeros(dim) if y0 is None else y0,
                              noise=noise)


class SineBilevel(BilevelProblem):
    r"""A non-convex lower level: g(x, y) = sin(x + y - c), f(x, y) = (x - a)^2 + (y - a - c)^2 (scalars).

    The lower level's minimizers are the discrete set y = 3 pi/2 + c - x + 2 pi n; the optimistic choice
    takes the y nearest to the upper level's target a + c. On branch n the hyper-objective is
    (x - a)^2 + (3 pi/2 + 2 pi n - a - x)^2, least at x = 3 pi/4 + pi n with value 2 (x - a)^2, so x* is
    the 3 pi/4 + pi n nearest to a (a = c = 2: x* = 3 pi/4, y* = 3 pi/4 + 2, F* = 2 (3 pi/4 - 2)^2,
    exact). g is 1-weakly convex in y.
    """

    name = "sine_bilevel"
    lower_unique = False

    def __init__(self, a, c, *, params, x0, y0, noise):
        super().__init__(params=params, x0=x0, y0=y0, noise=noise)
        self.a, self.c = a, c
        self.set_constant("L_g", 1.0, "exact", "|d^2 g / dy^2| <= 1")
        self.set_constant("rho_g", 1.0, "exact", "weak convexity modulus of g in y")
        self.set_constant("L_fy", 2.0, "exact")
        # on branch n, F = (x - a)^2 + (3 pi/2 + 2 pi n - a - x)^2 is least at x = 3 pi/4 + pi n, F = 2 (x - a)^2
        n = np.round((a - 0.75 * np.pi) / np.pi)
        self.set_constant("x_star", np.array([0.75 * np.pi + np.pi * n]), "exact",
                          "3 pi/4 + pi n on the best branch n of the optimistic choice")
        self.set_constant("f_star", self.f(self.x_star), "exact", "F(x*)")

    def _branch(self, x):
        base = 1.5 * np.pi + self.c - x
        return base + 2 * np.pi * np.round((self.a + self.c - base) / (2 * np.pi))

    def _upper(self, x, y, xp):
        return xp.sum((x - self.a) ** 2 + (y - self.a - self.c) ** 2)

    def _lower(self, x, y, xp):
        return xp.sum(xp.sin(x + y - self.c))

    def _upper_grad_x(self, x, y):
        return 2 * (x - self.a)

    def _upper_grad_y(self, x, y):
        return 2 * (y - self.a - self.c)

    def _lower_grad_x(self, x, y):
        return np.cos(x + y - self.c)

    def _lower_grad_y(self, x, y):
        return np.cos(x + y - self.c)

    def _upper_hvp(self, x, y, v):
        return 2 * v

    def _lower_hvp(self, x, y, v):
        return -np.sin(x + y - self.c) * v

    def _upper_jvp(self, x, y, v):
        return np.zeros_like(x)

    def _lower_jvp(self, x, y, v):
        return -np.sin(x + y - self.c) * v

    def y_star(self, x):
        return self._branch(x)

    def grad(self, x):
        # on a branch dy*/dx = -1 (between the switch points, where F jumps in slope)
        return 2 * (x - self.a) - 2 * (self._branch(x) - self.a - self.c)


@problem_factory(family="bilevel", source="Liu, Liu, Yao, Zeng & Zhang (2024), the MEHA code's non-convex toy")
def sine_bilevel(a=2.0, c=2.0, *, x0=None, y0=None, noise=None):
    """A non-convex (weakly convex) lower level sin(x + y - c) with a discrete set of minimizers; x* = 3 pi/4 exact
    for a = c = 2.

    Parameters
    ----------
    a, c : float
        The upper level's targets: f = (x - a)^2 + (y - a - c)^2.
    x0, y0 : array_like, optional
        Default starting points (x0 = -6, y0 = 0, the official code's start).
    noise : BilevelNoise, optional
        Stochastic oracles (`bilevel_noise`).
    """
    a = _checks.real("a", a)
    c = _checks.real("c", c)
    x0, y0 = check_x0(x0, (1,)), _start(y0, (1,))
    return SineBilevel(a, c, params=dict(a=a, c=c, noise=noise), x0=np.array([-6.0]) if x0 is None else x0,
                       y0=np.zeros(1) if y0 is None else y0, noise=noise)
