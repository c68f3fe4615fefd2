"""Finite-sum least squares, and the LASSO built on it."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import FiniteSumProblem, Problem, check_x0, problem_factory
from .noise import finite_sum


class LeastSquares(FiniteSumProblem):
    r"""f(x) = (1/(2n)) ||A x - b||^2 = (1/n) \sum_i f_i(x),  f_i(x) = 1/2 (a_i^T x - b_i)^2."""

    name = "least_squares"

    def __init__(self, A, b, *, params, x0, noise, x_star=None, x_star_note=""):
        self.A = A
        self.b = b
        self.n = A.shape[0]
        super().__init__(params=params, x0=x0, noise=noise)
        n, d = A.shape
        eig = np.linalg.eigvalsh(A.T @ A / n)
        self.set_constant("L", float(eig[-1]), "computed", "largest eigenvalue of A^T A / n (symmetric eigensolver)")
        self.set_constant("L_max", float(np.max(np.sum(A * A, axis=1))), "exact",
                          "max_i ||a_i||^2, the smoothness of the components f_i")
        self.full_rank = n >= d and eig[0] > eig[-1] * d * np.finfo(float).eps
        if self.full_rank:
            self.set_constant("mu", float(eig[0]), "computed", "smallest eigenvalue of A^T A / n")
            if x_star is None:
                x_star, x_star_note = np.linalg.lstsq(A, b, rcond=None)[0], "least-squares solve (QR/SVD)"
                self.set_constant("x_star", x_star, "computed", x_star_note)
            else:
                self.set_constant("x_star", x_star, "exact", x_star_note)
            residual = A @ x_star - b
            self.set_constant("f_star", float(residual @ residual) / (2 * n), self.constants["x_star"].kind)
        else:
            self.set_constant("mu", 0.0, "exact", "A^T A is singular")
            self._pinv = np.linalg.pinv(A)
            self.set_constant("x_star", self._pinv @ b, "computed",
                              "minimum-norm solution A^+ b; the solution set is x_star + null(A)")
            self.set_constant("f_star", 0.0, "exact", "the system A x = b is consistent")
            self.set_constant("sigma_star_sq", 0.0, "exact", "every f_i vanishes on the solution set")
            return
        self.set_constant("sigma_star_sq", float(np.mean(residual**2 * np.sum(A * A, axis=1))),
                          self.constants["x_star"].kind, "(1/n) sum_i ||grad f_i(x*)||^2")

    @property
    def interpolating(self):
        """True when every f_i is minimized at x* (sigma*^2 = 0)."""
        return self.sigma_star_sq == 0.0

    kernel = ("refopt.problems.least_squares_kernels", "least_squares")

    def kernel_data(self):
        pinv = getattr(self, "_pinv", np.zeros((0, 0)))
        return (self.A, self.b, self.x_star, pinv, self.full_rank)

    def _f(self, x, xp):
        residual = self.A @ x - self.b
        return 0.5 * xp.dot(residual, residual) / self.n

    def grad(self, x):
        return self.A.T @ (self.A @ x - self.b) / self.n

    def hess(self, x):
        return self.A.T @ self.A / self.n

    def hvp(self, x, v):
        return self.A.T @ (self.A @ v) / self.n

    def distance(self, x):
        if self.full_rank:
            return float(np.linalg.norm(x - self.x_star))
        return float(np.linalg.norm(self._pinv @ (self.A @ x - self.b)))

    def _component_f(self, x, idx, xp):
        residual = self.A[idx] @ x - self.b[idx]
        return 0.5 * xp.dot(residual, residual) / len(idx)

    def component_grad(self, x, idx):
        rows = self.A[idx]
        return rows.T @ (rows @ x - self.b[idx]) / len(idx)

    def component_f_star(self, idx):
        rows = np.unique(idx)
        if rows.size <= self.A.shape[1] and np.linalg.matrix_rank(self.A[rows]) == rows.size:
            return 0.0
        # repeated indices weight their rows; a weighted least-squares solve gives the infimum
        weights = np.sqrt(np.bincount(idx, minlength=self.n)[rows] / len(idx))
        rows_w, b_w = self.A[rows] * weights[:, None], self.b[rows] * weights
        solution = np.linalg.lstsq(rows_w, b_w, rcond=None)[0]
        residual = rows_w @ solution - b_w
        return 0.5 * float(residual @ residual)


def _data(n, d, label_noise, rng):
    """Gaussian A, x_true ~ N(0, I), and b = A x_true + e with e orthogonal to range(A).

    Keeping the label noise orthogonal to range(A) makes x_true the exact
    minimizer of a noisy, non-interpolating problem (for n > d).
    """
    A = rng.standard_normal((n, d))
    x_true = rng.standard_normal(d)
    e = label_noise * rng.standard_normal(n)
    if n > d:
        q, _ = np.linalg.qr(A)
        e = e - q @ (q.T @ e)
    return A, x_true, A @ x_true + e


@problem_factory(family="least_squares", source="classical; finite-sum form as in Garrigos & Gower (2023), arXiv 2301.11235")
def least_squares(n=100, d=10, *, label_noise=0.0, data=None, seed=0, x0=None, noise=finite_sum()):
    """Finite-sum least squares (1/2n)||Ax - b||^2, over- or under-determined, interpolating or noisy.

    Parameters
    ----------
    n, d : int
        Number of rows (components f_i) and of unknowns. ``n < d`` gives an
        under-determined, interpolating problem whose solutions form an affine
        set; x_star is then its minimum-norm point.
    label_noise : float
        Standard deviation of the label noise. For n > d the noise is projected
        orthogonally to range(A), so that x_star is known exactly while the
        problem does not interpolate (sigma_star_sq > 0).
    data : (A, b), optional
        Use these arrays instead of drawing Gaussian data (then n and d are read
        from A, and x_star is computed by a least-squares solve).
    seed : int
        Seeds A, x_true and the label noise.
    noise : NoiseModel or None
        Stochastic oracle; by default one row sampled uniformly with replacement.
    """
    seed = _checks.seed(seed)
    if data is not None:
        A, b = data
        A = _checks.real_array("A", A)
        if A.ndim != 2:
            raise ValueError(f"A must be a 2-D array, got shape {A.shape}")
        b = _checks.real_array("b", b, shape=(A.shape[0],))
        n, d = A.shape
        x_star, note, label_noise = None, "", None
    else:
        n, d = _checks.positive_int("n", n), _checks.positive_int("d", d)
        label_noise = _checks.nonnegative("label_noise", label_noise)
        A, x_star, b = _data(n, d, label_noise, np.random.default_rng(seed))
        note = "b = A x* + e with A^T e = 0 by construction (to rounding)"
        if label_noise > 0 and n <= d:
            x_star = None
    x0 = check_x0(x0, (d,))
    params = dict(n=n, d=d, label_noise=label_noise, seed=seed, noise=noise)
    if data is not None:
        params["data"] = "user"
    return LeastSquares(A, b, params=params, x0=np.zeros(d) if x0 is None else x0, noise=noise,
                        x_star=x_star, x_star_note=note)


def soft_threshold(v, t):
    """S_t(v) = sign(v) max(|v| - t, 0), the prox of t ||.||_1."""
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


class Lasso(LeastSquares):
    r"""F(x) = (1/(2n)) ||A x - b||^2 + lam ||x||_1: composite, smooth part f plus r = lam ||.||_1."""

    name = "lasso"
    is_composite = True

    def __init__(self, A, b, lam, *, params, x0, noise):
        self.lam = lam
        n = A.shape[0]
        gram, c = A.T @ A / n, A.T @ b / n
        if np.allclose(gram, np.eye(A.shape[1]), rtol=0, atol=1e-12):
            x_star, kind, note = soft_threshold(c, lam), "exact", "S_lam(A^T b / n): A^T A / n = I"
        else:
            x_star, kind, note = _lasso_solution(gram, c, lam), "computed", \
                "proximal gradient, then the KKT system on the support"
        super().__init__(A, b, params=params, x0=x0, noise=noise)
        self.set_constant("x_star", x_star, kind, note)
        self.set_constant("f_star", self.f(x_star), kind)
        self.set_constant("sigma_star_sq", None, kind)

    kernel = ("refopt.problems.least_squares_kernels", "lasso")

    def kernel_data(self):
        return super().kernel_data() + (self.lam,)

    def r(self, x):
        return self.lam * float(np.sum(np.abs(x)))

    def prox(self, v, h):
        return soft_threshold(v, h * self.lam)

    def subgrad(self, x):
        return self.grad(x) + self.lam * np.sign(x)

    def distance(self, x):
        return float(np.linalg.norm(x - self.x_star))


def _lasso_solution(gram, c, lam):
    """Solve min 1/2 x^T G x - c^T x + lam ||x||_1 for positive definite G to rounding.

    Proximal gradient finds the support and signs; the solution is then the
    solution of the linear KKT system on that support, checked for optimality.
    """
    step = 1.0 / np.linalg.eigvalsh(gram)[-1]
    x = np.zeros_like(c)
    for _ in range(100_000):
        x_new = soft_threshold(x - step * (gram @ x - c), step * lam)
        if np.array_equal(x_new, x):
            break
        x = x_new
    support = x != 0
    signs = np.sign(x[support])
    x = np.zeros_like(c)
    x[support] = np.linalg.solve(gram[np.ix_(support, support)], c[support] - lam * signs)
    g = gram @ x - c
    ok = np.all(np.sign(x[support]) == signs) and np.all(np.abs(g[~support]) <= lam * (1 + 1e-9))
    if not ok:
        raise RuntimeError("the LASSO solution could not be certified; use a better conditioned design")
    return x


@problem_factory(family="least_squares", source="Tibshirani (1996); exact solution for orthogonal designs")
def lasso(n=50, d=20, lam=0.1, *, design="orthogonal", sparsity=0.25, label_noise=0.1, data=None,
          seed=0, x0=None, noise=finite_sum()):
    """LASSO (1/2n)||Ax - b||^2 + lam ||x||_1: exact x* for an orthogonal design, computed otherwise.

    Parameters
    ----------
    n, d : int
        Rows and unknowns (n >= d).
    lam : float
        Weight of the l1 term.
    design : {"orthogonal", "gaussian"}
        ``"orthogonal"`` scales orthonormal columns so that A^T A / n = I; then
        x* = S_lam(A^T b / n) in closed form. ``"gaussian"`` draws A with
        N(0, 1) entries; x* is computed to rounding and labelled computed.
    sparsity : float
        Fraction of non-zero entries of the planted x_true.
    data : (A, b), optional
        Explicit data; e.g. ``data=([[1.0]], [a])`` is the one-dimensional
        LASSO 1/2 (x - a)^2 + lam |x|.
    """
    seed = _checks.seed(seed)
    lam = _checks.positive("lam", lam)
    if data is not None:
        A = _checks.real_array("A", data[0])
        if A.ndim != 2:
            raise ValueError(f"A must be a 2-D array, got shape {A.shape}")
        b = _checks.real_array("b", data[1], shape=(A.shape[0],))
        n, d = A.shape
        if n < d:
            raise ValueError(f"lasso needs n >= d (a unique solution), got A of shape {A.shape}")
        design, sparsity, label_noise = "user", None, None
    else:
        n, d = _checks.positive_int("n", n), _checks.positive_int("d", d)
        _checks.choice("design", design, ("orthogonal", "gaussian"))
        sparsity = _checks.real("sparsity", sparsity, low=0.0, high=1.0)
        label_noise = _checks.nonnegative("label_noise", label_noise)
        if n < d:
            raise ValueError(f"lasso needs n >= d (a unique solution), got n={n}, d={d}")
        rng = np.random.default_rng(seed)
        A = rng.standard_normal((n, d))
        if design == "orthogonal":
            A = np.sqrt(n) * np.linalg.qr(A)[0]
        x_true = rng.standard_normal(d) * (rng.random(d) < sparsity)
        b = A @ x_true + label_noise * rng.standard_normal(n)
    x0 = check_x0(x0, (d,))
    params = dict(n=n, d=d, lam=lam, design=design, sparsity=sparsity, label_noise=label_noise,
                  seed=seed, noise=noise)
    return Lasso(A, b, lam, params=params, x0=np.zeros(d) if x0 is None else x0, noise=noise)


class MatrixLeastSquares(Problem):
    r"""f(W) = 1/2 ||A W B - C||_F^2 over a matrix W: a quadratic whose Hessian is (B B^T) kron (A^T A).

    Its smoothness and strong convexity constants are the products of the
    extreme squared singular values of A and B; with C = A W* B the minimizer
    is W*, f* = 0.
    """

    name = "matrix_least_squares"

    def __init__(self, A, B, C, W_star, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.A, self.B, self.C = A, B, C
        a, b = np.linalg.svd(A, compute_uv=False), np.linalg.svd(B, compute_uv=False)
        self.set_constant("L", float(a.max() ** 2 * b.max() ** 2), "computed",
                          "sigma_max(A)^2 sigma_max(B)^2 (singular values by the SVD)")
        self.set_constant("mu", float(a.min() ** 2 * b.min() ** 2), "computed",
                          "sigma_min(A)^2 sigma_min(B)^2: A has full column rank, B full row rank")
        self.set_constant("x_star", W_star, "exact", "C = A W* B by construction (to rounding)")
        self.set_constant("f_star", 0.0, "exact")

    def _f(self, x, xp):
        residual = self.A @ x @ self.B - self.C
        return 0.5 * xp.sum(residual * residual)

    def grad(self, x):
        return self.A.T @ (self.A @ x @ self.B - self.C) @ self.B.T

    def hvp(self, x, v):
        return self.A.T @ (self.A @ v @ self.B) @ self.B.T


def _conditioned(rows, cols, cond, rng):
    """A rows x cols Gaussian-rotated matrix with singular values log-spaced from 1 to 1/sqrt(cond)."""
    k = min(rows, cols)
    U = np.linalg.qr(rng.standard_normal((rows, k)))[0]
    V = np.linalg.qr(rng.standard_normal((cols, k)))[0]
    return (U * np.geomspace(1.0, 1.0 / np.sqrt(cond), k)) @ V.T


@problem_factory(family="least_squares", source="classical; the catalogue's matrix_lsq test problem")
def matrix_least_squares(shape=(6, 4), *, outer=(10, 8), cond=10.0, seed=0, x0=None):
    """Matrix least squares 1/2 ||A W B - C||_F^2 with a matrix unknown W: exact W*, f* = 0; L, mu computed.

    Parameters
    ----------
    shape : (p, q)
        Shape of W.
    outer : (m, r)
        A is m x p (m >= p) and B is q x r (r >= q), so that W* is unique.
    cond : float
        Condition number of A^T A and of B B^T (so kappa = cond^2).
    seed : int
        Seeds A, B and W* ~ N(0, 1).
    """
    seed = _checks.seed(seed)
    p, q = (_checks.positive_int("shape[0]", shape[0]), _checks.positive_int("shape[1]", shape[1]))
    m, r = (_checks.positive_int("outer[0]", outer[0]), _checks.positive_int("outer[1]", outer[1]))
    if m < p or r < q:
        raise ValueError(f"need outer[0] >= shape[0] and outer[1] >= shape[1] for a unique W*, got "
                         f"shape={shape}, outer={outer}")
    cond = _checks.real("cond", cond, low=1.0)
    rng = np.random.default_rng(seed)
    A, B = _conditioned(m, p, cond, rng), _conditioned(q, r, cond, rng)
    W_star = rng.standard_normal((p, q))
    x0 = check_x0(x0, (p, q))
    params = dict(shape=(p, q), outer=(m, r), cond=cond, seed=seed)
    return MatrixLeastSquares(A, B, A @ W_star @ B, W_star, params=params,
                              x0=np.zeros((p, q)) if x0 is None else x0)
