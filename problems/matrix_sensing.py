"""Low-rank matrix sensing with factored variables: smooth (squared) and robust (l1) losses."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory

DESIGNS = ("gaussian", "rank_one", "identity")


def _factor(n, r, kind, rng):
    """An n x r orthonormal factor: Gaussian (QR), normalized Hadamard columns, or spiky (standard basis)."""
    if kind == "random":
        return np.linalg.qr(rng.standard_normal((n, r)))[0]
    if kind == "hadamard":
        if n & (n - 1):
            raise ValueError(f"a Hadamard factor needs n a power of two, got n={n}")
        H = np.ones((1, 1))
        while H.shape[0] < n:
            H = np.block([[H, H], [H, -H]])
        return H[:, 1:r + 1] / np.sqrt(n)
    return np.eye(n)[:, :r]


def incoherence(U):
    """mu = (n/r) max_i ||U_{i,:}||^2 of an orthonormal n x r factor (1 to n/r)."""
    n, r = U.shape
    return float(n / r * np.max(np.sum(U * U, axis=1)))


class SensingOperator:
    """The linear map A(M)_i = <A_i, M> with symmetric A_i, stored as the design needs.

    ``gaussian``: A_i = (G_i + G_i^T)/2 with N(0, 1) entries, divided by ``scale``
    (sqrt(m) by default, so that E||A(M)||^2 = ||M||_F^2 for symmetric M); stored
    as an m x n x n array. ``rank_one``: A_i = (a_i b_i^T + b_i a_i^T)/2 with
    Gaussian a_i, b_i, stored as two m x n arrays (O(m n) memory, for large n).
    ``identity``: A(M) = vec(M) (m = n^2; the restricted isometry constant is 0).
    """

    def __init__(self, design, n, m, rng, scale):
        self.design, self.n, self.m, self.scale = design, n, m, scale
        if design == "gaussian":
            G = rng.standard_normal((m, n, n))
            self.A = (G + G.transpose(0, 2, 1)) / 2 / scale
        elif design == "rank_one":
            self.a = rng.standard_normal((m, n)) / np.sqrt(scale)
            self.b = rng.standard_normal((m, n)) / np.sqrt(scale)

    def apply(self, M, xp=np):
        """A(M) as a vector of m numbers (M symmetric)."""
        if self.design == "gaussian":
            return xp.tensordot(self.A, M, axes=([1, 2], [0, 1]))
        if self.design == "rank_one":
            return xp.sum((self.a @ M) * self.b, axis=1)
        return xp.reshape(M, (-1,))

    def adjoint(self, v):
        """A*(v) = sum_i v_i A_i (an n x n symmetric matrix)."""
        if self.design == "gaussian":
            return np.tensordot(v, self.A, axes=(0, 0))
        if self.design == "rank_one":
            P = (self.a * v[:, None]).T @ self.b
            return (P + P.T) / 2
        # the identity's A_i are the unit matrices E_jk, not symmetric: on symmetric matrices the adjoint
        # is the symmetric part (noise makes v.reshape(n, n) asymmetric)
        V = v.reshape(self.n, self.n)
        return (V + V.T) / 2


class MatrixSensing(Problem):
    r"""f(X) = 1/4 ||A(X X^T) - y||^2 over X in R^{n x r_fit}, y = A(M*) + e, M* = U diag(sigma) U^T.

    The gradient is A*(A(X X^T) - y) X. Without noise f* = 0, attained on
    {U diag(sigma)^{1/2} R : R orthogonal} padded with zero columns; ``distance``
    is the error ||X X^T - M*||_F to the ground truth (with noise, the truth is
    not a minimizer and f* is unknown).
    """

    name = "matrix_sensing"

    def __init__(self, operator, y, M_star, X_star, sigma, U, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.operator, self.y, self.M_star = operator, y, M_star
        noiseless = params["noise"] == 0
        self.set_constant("sigma", sigma, "exact", "eigenvalues of M*, geometric from 1 to 1/kappa")
        self.set_constant("kappa_star", float(sigma[0] / sigma[-1]), "exact", "condition number of M*")
        self.set_constant("incoherence", incoherence(U), "exact", "(n/r) max_i ||U_{i,:}||^2")
        self.set_constant("x_star", X_star, "exact",
                          "the planted factor U diag(sigma)^{1/2} (zero-padded); one minimizer without noise"
                          if noiseless else "the planted factor (the ground truth, not a minimizer with noise)")
        self.set_constant("f_star", 0.0 if noiseless else None, "exact")
        if operator.design == "identity":
            self.set_constant("rip_delta", 0.0, "exact", "A = vec is an isometry")

    def _f(self, x, xp):
        residual = self.operator.apply(x @ x.T, xp) - self.y
        return 0.25 * xp.sum(residual * residual)

    def grad(self, x):
        residual = self.operator.apply(x @ x.T) - self.y
        return self.operator.adjoint(residual) @ x

    def distance(self, x):
        return float(np.linalg.norm(x @ x.T - self.M_star))

    def relative_error(self, x):
        """||X X^T - M*||_F / ||M*||_F."""
        return self.distance(x) / float(np.linalg.norm(self.M_star))

    def rip_certificate(self, k=200, rank=None, seed=0):
        """(min, max) of ||A(Z)||^2 / ||Z||_F^2 over k random symmetric matrices of rank 2 r*.

        Any deviation from 1 is a lower bound on the restricted isometry constant
        delta_{2r}: the constant itself cannot be computed.
        """
        rank = 2 * self.params["r_true"] if rank is None else rank
        rng = np.random.default_rng(seed)
        ratios = []
        for _ in range(k):
            B = rng.standard_normal((self.operator.n, rank))
            Z = B @ np.diag(rng.choice([-1.0, 1.0], rank)) @ B.T
            ratios.append(np.sum(self.operator.apply(Z) ** 2) / np.sum(Z * Z))
        return float(min(ratios)), float(max(ratios))


def _planted(n, r_true, kappa, U_kind, rng):
    U = _factor(n, r_true, U_kind, rng)
    sigma = np.geomspace(1.0, 1.0 / kappa, r_true)
    return U, sigma, (U * sigma) @ U.T


@problem_factory(family="matrix_sensing",
                 source="Xu, Shen, Chi & Ma (2023), arXiv 2302.01186 (the sensing model and its scaling)")
def matrix_sensing(n=20, r_true=2, r_fit=None, m=None, *, kappa=10.0, noise=0.0, design="gaussian",
                   U="random", init_scale=1e-3, seed=0, x0=None):
    """Low-rank PSD matrix sensing, factored: f(X) = 1/4 ||A(X X^T) - y||^2 with a planted rank-r* M*.

    Parameters
    ----------
    n : int
        M* is n x n.
    r_true, r_fit : int
        Rank of M* and number of columns of the factor X (r_fit >= r_true
        over-parameterizes; default r_true).
    m : int, optional
        Number of measurements (default 40 n r_true; n^2 for the identity design).
    kappa : float
        Condition number of M* (exact): eigenvalues geometric from 1 to 1/kappa.
    noise : float
        Standard deviation of Gaussian measurement noise.
    design : {"gaussian", "rank_one", "identity"}
        The sensing operator (see `SensingOperator`); ``"identity"`` gives the
        factorization problem 1/4 ||X X^T - M*||_F^2.
    U : {"random", "hadamard", "spiky"}
        The eigenvectors of M*: incoherence computed exactly, from 1 (Hadamard)
        to n / r_true (spiky).
    init_scale : float
        The default start X_0 = init_scale G, G with N(0, 1/n) entries (small
        random initialization).
    seed : int
        Seeds M*, the operator, the noise and X_0.
    """
    seed = _checks.seed(seed)
    n, r_true = _checks.positive_int("n", n), _checks.positive_int("r_true", r_true)
    r_fit = r_true if r_fit is None else _checks.positive_int("r_fit", r_fit)
    if r_true > n or r_fit > n:
        raise ValueError(f"need r_true, r_fit <= n, got r_true={r_true}, r_fit={r_fit}, n={n}")
    _checks.choice("design", design, DESIGNS)
    _checks.choice("U", U, ("random", "hadamard", "spiky"))
    kappa = _checks.real("kappa", kappa, low=1.0)
    noise = _checks.nonnegative("noise", noise)
    init_scale = _checks.positive("init_scale", init_scale)
    if design == "identity":
        m = n * n
    m = 40 * n * r_true if m is None else _checks.positive_int("m", m)
    rng = np.random.default_rng(seed)
    U_star, sigma, M_star = _planted(n, r_true, kappa, U, rng)
    operator = SensingOperator(design, n, m, rng, np.sqrt(m))
    y = operator.apply(M_star) + noise * rng.standard_normal(m)
    X_star = np.zeros((n, r_fit))
    X_star[:, :r_true] = U_star * np.sqrt(sigma)
    start = init_scale * rng.standard_normal((n, r_fit)) / np.sqrt(n)
    x0 = check_x0(x0, (n, r_fit))
    params = dict(n=n, r_true=r_true, r_fit=r_fit, m=m, kappa=kappa, noise=noise, design=design, U=U,
                  init_scale=init_scale, seed=seed)
    return MatrixSensing(operator, y, M_star, X_star, sigma, U_star, params=params,
                         x0=start if x0 is None else x0)


class RobustMatrixRecovery(MatrixSensing):
    r"""f(U) = (1/m) ||y - A(U U^T)||_1 with a fraction of grossly corrupted measurements.

    The subgradient is (1/m) sum_i sign(<A_i, U U^T> - y_i) 2 A_i U (A_i
    symmetric; sign(0) = 0). The truth X* is exposed, but under dense outliers
    it need not minimize f: f* is reported as None.
    """

    name = "robust_matrix_recovery"
    is_smooth = False

    def __init__(self, *args, corrupted, **kwargs):
        super().__init__(*args, **kwargs)
        self.corrupted = corrupted
        self.set_constant("x_star", self.x_star, "exact", "the planted factor, the ground truth; with outliers "
                                                          "it need not minimize f")
        self.set_constant("f_star", None, "exact")
        self.set_constant("outlier_fraction", float(np.mean(corrupted)), "exact", "fraction of corrupted y_i")

    def _f(self, x, xp):
        return xp.sum(xp.abs(self.operator.apply(x @ x.T, xp) - self.y)) / self.operator.m

    def grad(self, x):
        raise TypeError("the l1 loss is not differentiable everywhere; use subgrad")

    def subgrad(self, x):
        signs = np.sign(self.operator.apply(x @ x.T) - self.y)
        return 2.0 * self.operator.adjoint(signs) @ x / self.operator.m


@problem_factory(family="matrix_sensing",
                 source="Ma & Fattahi (2023), Global convergence of sub-gradient method for robust matrix "
                        "recovery, JMLR (arXiv 2202.08788)")
def robust_matrix_recovery(n=20, r_true=2, r_fit=None, m=None, *, kappa=1.0, p_out=0.1, out_scale=100.0,
                           noise=0.0, U="random", init_scale=1e-3, seed=0, x0=None):
    """Robust matrix recovery: l1 loss (1/m)||y - A(U U^T)||_1, a fraction p_out of outliers at random positions.

    Parameters
    ----------
    n, r_true, r_fit, kappa, U, init_scale, seed
        As for `matrix_sensing` (||M*|| = 1).
    m : int, optional
        Number of measurements (default 20 n r_true). The A_i are (G_i + G_i^T)/2
        with N(0, 1) entries, not divided by sqrt(m) (the subgradient method's scaling).
    p_out : float
        Each y_i is corrupted independently with this probability, by
        out_scale times a N(0, 1) draw independent of the A_i.
    noise : float
        Standard deviation of dense Gaussian noise on every y_i.
    """
    seed = _checks.seed(seed)
    n, r_true = _checks.positive_int("n", n), _checks.positive_int("r_true", r_true)
    r_fit = r_true if r_fit is None else _checks.positive_int("r_fit", r_fit)
    kappa = _checks.real("kappa", kappa, low=1.0)
    p_out = _checks.real("p_out", p_out, low=0.0, high=1.0, high_open=True)
    out_scale = _checks.nonnegative("out_scale", out_scale)
    noise = _checks.nonnegative("noise", noise)
    init_scale = _checks.positive("init_scale", init_scale)
    m = 20 * n * r_true if m is None else _checks.positive_int("m", m)
    rng = np.random.default_rng(seed)
    U_star, sigma, M_star = _planted(n, r_true, kappa, U, rng)
    operator = SensingOperator("gaussian", n, m, rng, 1.0)
    corrupted = rng.random(m) < p_out
    y = operator.apply(M_star) + noise * rng.standard_normal(m) + corrupted * out_scale * rng.standard_normal(m)
    X_star = np.zeros((n, r_fit))
    X_star[:, :r_true] = U_star * np.sqrt(sigma)
    B = rng.standard_normal((n, r_fit))
    start = init_scale * B / np.linalg.norm(B, 2)
    x0 = check_x0(x0, (n, r_fit))
    params = dict(n=n, r_true=r_true, r_fit=r_fit, m=m, kappa=kappa, p_out=p_out, out_scale=out_scale,
                  noise=noise, U=U, init_scale=init_scale, seed=seed)
    return RobustMatrixRecovery(operator, y, M_star, X_star, sigma, U_star, params=params,
                                x0=start if x0 is None else x0, corrupted=corrupted)


class AsymmetricMatrixSensing(Problem):
    r"""f(L, R) = 1/2 ||A(L R^T) - y||^2 over the stacked factor [L; R] in R^{(n1 + n2) x r_fit}.

    A(M)_i = <A_i, M> with A_i Gaussian n1 x n2 divided by sqrt(m); M* = U diag(sigma) V^T of rank r*.
    The gradient is [A*(r) R; A*(r)^T L] with r = A(L R^T) - y. Without noise f* = 0; ``distance`` is
    ||L R^T - M*||_F.
    """

    name = "asymmetric_matrix_sensing"

    def __init__(self, A, y, M_star, X_star, sigma, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.A, self.y, self.M_star = A, y, M_star
        self.n1 = M_star.shape[0]
        noiseless = params["noise"] == 0
        self.set_constant("sigma", sigma, "exact", "singular values of M*, geometric from 1 to 1/kappa")
        self.set_constant("kappa_star", float(sigma[0] / sigma[-1]), "exact", "condition number of M*")
        self.set_constant("x_star", X_star, "exact", "the balanced factors [U sigma^{1/2}; V sigma^{1/2}]"
                          + ("" if noiseless else " (the ground truth, not a minimizer with noise)"))
        self.set_constant("f_star", 0.0 if noiseless else None, "exact")

    def split(self, x):
        """(L, R) from the stacked factor."""
        return x[: self.n1], x[self.n1:]

    def _f(self, x, xp):
        L, R = x[: self.n1], x[self.n1:]
        residual = xp.tensordot(self.A, L @ R.T, axes=([1, 2], [0, 1])) - self.y
        return 0.5 * xp.sum(residual * residual)

    def grad(self, x):
        L, R = self.split(x)
        G = np.tensordot(np.tensordot(self.A, L @ R.T, axes=([1, 2], [0, 1])) - self.y, self.A, axes=(0, 0))
        return np.vstack([G @ R, G.T @ L])

    def distance(self, x):
        L, R = self.split(x)
        return float(np.linalg.norm(L @ R.T - self.M_star))

    def relative_error(self, x):
        """||L R^T - M*||_F / ||M*||_F."""
        return self.distance(x) / float(np.linalg.norm(self.M_star))


@problem_factory(family="matrix_sensing",
                 source="Tong, Ma & Chi (2021), Accelerating ill-conditioned low-rank matrix estimation via "
                        "scaled gradient descent, JMLR (the asymmetric model)")
def asymmetric_matrix_sensing(n1=20, n2=None, r_true=2, r_fit=None, m=None, *, kappa=10.0, noise=0.0,
                              init_scale=1e-3, seed=0, x0=None):
    """Asymmetric low-rank matrix sensing with factors (L, R): f = 1/2 ||A(L R^T) - y||^2, M* of rank r*.

    Parameters
    ----------
    n1, n2 : int
        M* is n1 x n2 (n2 defaults to n1).
    r_true, r_fit : int
        Rank of M* and columns of each factor (default r_true).
    m : int, optional
        Number of Gaussian measurements (default 40 max(n1, n2) r_true).
    kappa : float
        Condition number of M* (exact): singular values geometric from 1 to 1/kappa.
    noise : float
        Standard deviation of Gaussian measurement noise.
    init_scale : float
        The default start is init_scale G, G with N(0, 1/n) entries, n = max(n1, n2).
    seed : int
        Seeds M*, the operator, the noise and the start.
    """
    seed = _checks.seed(seed)
    n1 = _checks.positive_int("n1", n1)
    n2 = n1 if n2 is None else _checks.positive_int("n2", n2)
    r_true = _checks.positive_int("r_true", r_true)
    r_fit = r_true if r_fit is None else _checks.positive_int("r_fit", r_fit)
    if max(r_true, r_fit) > min(n1, n2):
        raise ValueError(f"need r_true, r_fit <= min(n1, n2), got r_true={r_true}, r_fit={r_fit}")
    kappa = _checks.real("kappa", kappa, low=1.0)
    noise = _checks.nonnegative("noise", noise)
    init_scale = _checks.positive("init_scale", init_scale)
    m = 40 * max(n1, n2) * r_true if m is None else _checks.positive_int("m", m)
    rng = np.random.default_rng(seed)
    U, V = _factor(n1, r_true, "random", rng), _factor(n2, r_true, "random", rng)
    sigma = np.geomspace(1.0, 1.0 / kappa, r_true)
    M_star = (U * sigma) @ V.T
    A = rng.standard_normal((m, n1, n2)) / np.sqrt(m)
    y = np.tensordot(A, M_star, axes=([1, 2], [0, 1])) + noise * rng.standard_normal(m)
    X_star = np.zeros((n1 + n2, r_fit))
    X_star[:, :r_true] = np.vstack([U * np.sqrt(sigma), V * np.sqrt(sigma)])
    start = init_scale * rng.standard_normal((n1 + n2, r_fit)) / np.sqrt(max(n1, n2))
    x0 = check_x0(x0, (n1 + n2, r_fit))
    params = dict(n1=n1, n2=n2, r_true=r_true, r_fit=r_fit, m=m, kappa=kappa, noise=noise, init_scale=init_scale,
                  seed=seed)
    return AsymmetricMatrixSensing(A, y, M_star, X_star, sigma, params=params, x0=start if x0 is None else x0)
