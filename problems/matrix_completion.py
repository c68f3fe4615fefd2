"""Low-rank matrix completion from a random subset of entries."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory
from .matrix_sensing import _factor, incoherence


def _connected(mask):
    """Whether the bipartite graph of observed (row, column) pairs is connected."""
    n1, n2 = mask.shape
    seen_rows, seen_cols = np.zeros(n1, bool), np.zeros(n2, bool)
    seen_rows[0] = True
    frontier_rows, frontier_cols = np.array([0]), np.array([], dtype=int)
    while frontier_rows.size or frontier_cols.size:
        new_cols = np.nonzero(mask[frontier_rows].any(axis=0) & ~seen_cols)[0] if frontier_rows.size else []
        seen_cols[new_cols] = True
        new_rows = np.nonzero(mask[:, frontier_cols].any(axis=1) & ~seen_rows)[0] if frontier_cols.size else []
        seen_rows[new_rows] = True
        frontier_rows, frontier_cols = np.asarray(new_rows, int), np.asarray(new_cols, int)
    return bool(seen_rows.all() and seen_cols.all())


class MatrixCompletion(Problem):
    r"""f(U, V) = 1/2 ||P_Omega(U V^T - M*)||_F^2 over the stacked factor [U; V] in R^{(n1 + n2) x r}.

    M* = U* diag(sigma) V*^T of rank r; Omega holds each entry independently
    with probability p. f* = 0 (exact). ``distance`` is ||U V^T - M*||_F.
    """

    name = "matrix_completion"

    def __init__(self, M_star, mask, U_star, V_star, sigma, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.M_star, self.mask = M_star, mask
        self.n1 = M_star.shape[0]
        self.set_constant("sigma", sigma, "exact", "singular values of M*")
        self.set_constant("incoherence", max(incoherence(U_star), incoherence(V_star)), "exact",
                          "max of (n/r) max_i ||U_{i,:}||^2 over both factors")
        self.set_constant("observed_fraction", float(mask.mean()), "exact", "|Omega| / (n1 n2)")
        self.set_constant("connected", _connected(mask), "exact",
                          "whether the bipartite graph of Omega is connected (otherwise M* is not determined)")
        X_star = np.vstack([U_star * np.sqrt(sigma), V_star * np.sqrt(sigma)])
        self.set_constant("x_star", X_star, "exact", "one minimizer: the balanced factors of M*")
        self.set_constant("f_star", 0.0, "exact")

    def split(self, x):
        """(U, V) from the stacked factor."""
        return x[: self.n1], x[self.n1:]

    def _f(self, x, xp):
        U, V = x[: self.n1], x[self.n1:]
        residual = self.mask * (U @ V.T - self.M_star)
        return 0.5 * xp.sum(residual * residual)

    def grad(self, x):
        U, V = self.split(x)
        residual = self.mask * (U @ V.T - self.M_star)
        return np.vstack([residual @ V, residual.T @ U])

    def distance(self, x):
        U, V = self.split(x)
        return float(np.linalg.norm(U @ V.T - self.M_star))

    def relative_error(self, x):
        """||U V^T - M*||_F / ||M*||_F."""
        return self.distance(x) / float(np.linalg.norm(self.M_star))


@problem_factory(family="matrix_completion",
                 source="Jain, Netrapalli & Sanghavi (2013), Low-rank matrix completion using alternating "
                        "minimization, STOC")
def matrix_completion(n1=100, n2=None, r=3, *, p=None, C=3.0, kappa=1.0, factors="random", seed=0, x0=None):
    """Matrix completion: recover a rank-r M* from entries observed with probability p; f* = 0 exact.

    Parameters
    ----------
    n1, n2 : int
        M* is n1 x n2 (n2 defaults to n1).
    r : int
        Rank of M*; its factors come from QR of Gaussian matrices (incoherence
        computed exactly).
    p : float, optional
        Observation probability (default C r log(n) / n with n = max(n1, n2), capped at 1).
    kappa : float
        Condition number of M* (singular values geometric from 1 to 1/kappa).
    factors : {"random", "spiky"}
        Orthonormal factors from QR of Gaussian matrices (incoherent: mu of
        order log n), or columns of the identity (mu = n/r, the coherent case
        no sampling at this rate can complete: most of M* is zero).
    seed : int
        Seeds M*, Omega and the default start.
    """
    seed = _checks.seed(seed)
    n1 = _checks.positive_int("n1", n1)
    n2 = n1 if n2 is None else _checks.positive_int("n2", n2)
    r = _checks.positive_int("r", r)
    if r > min(n1, n2):
        raise ValueError(f"r must be <= min(n1, n2), got r={r}")
    kappa = _checks.real("kappa", kappa, low=1.0)
    n = max(n1, n2)
    if p is None:
        p = min(1.0, _checks.positive("C", C) * r * np.log(n) / n)
    p = _checks.real("p", p, low=0.0, high=1.0, low_open=True)
    _checks.choice("factors", factors, ("random", "spiky"))
    rng = np.random.default_rng(seed)
    U, V = _factor(n1, r, factors, rng), _factor(n2, r, factors, rng)
    sigma = np.geomspace(1.0, 1.0 / kappa, r)
    M_star = (U * sigma) @ V.T
    mask = (rng.random((n1, n2)) < p).astype(float)
    start = 1e-3 * rng.standard_normal((n1 + n2, r))
    x0 = check_x0(x0, (n1 + n2, r))
    params = dict(n1=n1, n2=n2, r=r, p=float(p), kappa=kappa, factors=factors, seed=seed)
    return MatrixCompletion(M_star, mask, U, V, sigma, params=params, x0=start if x0 is None else x0)
