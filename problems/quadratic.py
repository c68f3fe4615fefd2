"""Quadratics with a prescribed spectrum: strongly convex, merely convex and indefinite."""
from __future__ import annotations

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory, random_orthogonal

SPECTRA = ("uniform", "geometric", "clusters")


class Quadratic(Problem):
    r"""f(x) = 1/2 (x - c)^T H (x - c) with H = Q diag(lambda) Q^T.

    Without a rotation H is diagonal and is kept as its eigenvalues only (``H``
    is None), so that large dimensions cost O(d). When H is positive definite c is the unique minimizer and f* = 0; when H is
    only semidefinite the minimizers are c + null(H); when H is indefinite c is
    a saddle point (``x_critical``) and f is unbounded below.
    """

    name = "quadratic"
    is_quadratic = True

    def __init__(self, eigenvalues, Q, center, *, params, x0, noise):
        super().__init__(params=params, x0=x0, noise=noise)
        self.eigenvalues = eigenvalues
        self.Q = Q
        self.H = None if Q is None else (Q * eigenvalues) @ Q.T
        self.center = center
        lam_min, lam_max = float(eigenvalues.min()), float(eigenvalues.max())
        self.set_constant("L", max(lam_max, -lam_min), "exact", "max |eigenvalue| of H")
        self.set_constant("mu", lam_min, "exact",
                          "smallest eigenvalue of H" + ("; negative: H is indefinite" if lam_min < 0 else ""))
        self.set_constant("x_critical", center, "exact", "the critical point c")
        if lam_min >= 0:
            note = "" if lam_min > 0 else "one minimizer; the solution set is c + null(H)"
            self.set_constant("x_star", center, "exact", note)
            self.set_constant("f_star", 0.0, "exact")
        else:
            self.set_constant("x_star", None, "exact")
            self.set_constant("f_star", None, "exact")

    def _f(self, x, xp):
        d = x - self.center
        if self.H is None:
            return 0.5 * xp.dot(d, self.eigenvalues * d)
        return 0.5 * xp.dot(d, self.H @ d)

    def grad(self, x):
        if self.H is None:
            return self.eigenvalues * (x - self.center)
        return self.H @ (x - self.center)

    def hess(self, x):
        return np.diag(self.eigenvalues) if self.H is None else self.H

    def hvp(self, x, v):
        if self.H is None:
            return self.eigenvalues * v
        return self.H @ v

    @property
    def kernel(self):
        return ("refopt.problems.quadratic_kernels", "quadratic" if self.H is not None else "diagonal_quadratic")

    def kernel_data(self):
        mode = 0 if self.mu > 0 else (1 if self.mu == 0 else 2)
        nonzero = self.eigenvalues != 0
        if self.H is None:
            return (self.eigenvalues, self.center, nonzero, mode)
        return (self.H, self.center, np.ascontiguousarray(self.Q.T), nonzero, mode)

    def distance(self, x):
        if self.x_star is None:
            return None
        d = x - self.center
        if self.mu > 0:
            return float(np.linalg.norm(d))
        coords = d if self.Q is None else self.Q.T @ d
        return float(np.linalg.norm(coords[self.eigenvalues != 0]))


def _spectrum(shape, dim, mu, L, cluster_width):
    if dim == 1:
        if mu != L:
            raise ValueError(f"a 1-dimensional quadratic has one eigenvalue: mu must equal L (got {mu}, {L})")
        return np.array([L])
    if shape == "uniform":
        return np.linspace(mu, L, dim)
    if shape == "geometric":
        if mu <= 0:
            raise ValueError(f"a geometric spectrum needs mu > 0, got mu={mu}")
        return np.geomspace(mu, L, dim)
    low = dim // 2
    width = cluster_width * (L - mu)
    # each cluster starts at its end of the interval, so that mu and L are eigenvalues for every dim
    return np.concatenate([np.linspace(mu, mu + width, low), np.linspace(L, L - width, dim - low)[::-1]])


@problem_factory(family="quadratic", source="classical test problem; spectra as in Nesterov (2004), Sec. 2.1")
def quadratic(dim=None, mu=0.01, L=1.0, *, spectrum="uniform", rotate=True, cluster_width=0.1,
              seed=0, x0=None, noise=None):
    """Quadratic 1/2 (x - x*)^T H (x - x*) with eigenvalues in [mu, L]: exact L, mu, x*, f*.

    Parameters
    ----------
    dim : int
        Dimension d (default 10, or the length of an explicit ``spectrum``).
    mu, L : float
        Smallest and largest eigenvalue of H. ``mu = 0`` gives a merely convex
        quadratic (the minimizers form an affine set), ``mu < 0`` an indefinite
        one with a saddle at ``x_critical``. Both eigenvalues are always in the
        spectrum (for d >= 2), so L and mu are exact.
    spectrum : {"uniform", "geometric", "clusters"} or array_like
        How the d eigenvalues fill [mu, L]: evenly spaced, log-spaced, or two
        clusters of relative width ``cluster_width`` at each end. An array
        gives the eigenvalues themselves (then mu and L are read from it and
        need not be passed).
    rotate : bool
        H = Q diag(lambda) Q^T with a Haar-random rotation Q; ``False`` keeps H diagonal.
    seed : int
        Seeds the rotation and the minimizer x* ~ N(0, I).
    x0 : array_like, optional
        Default starting point; zero if omitted.
    noise : NoiseModel, optional
        Stochastic oracle (``additive_gaussian`` or ``affine_variance``).
    """
    seed = _checks.seed(seed)
    if isinstance(spectrum, str):
        dim = 10 if dim is None else _checks.positive_int("dim", dim)
        _checks.choice("spectrum", spectrum, SPECTRA)
        mu = _checks.real("mu", mu)
        L = _checks.positive("L", L)
        if mu > L:
            raise ValueError(f"mu must be <= L, got mu={mu}, L={L}")
        cluster_width = _checks.real("cluster_width", cluster_width, low=0.0, high=0.5)
        eigenvalues = _spectrum(spectrum, dim, mu, L, cluster_width)
        spectrum_param = spectrum
    else:
        eigenvalues = _checks.real_array("spectrum", spectrum)
        if eigenvalues.ndim != 1 or eigenvalues.size == 0:
            raise ValueError(f"spectrum must be a non-empty 1-D array, got shape {eigenvalues.shape}")
        if dim is not None and _checks.positive_int("dim", dim) != eigenvalues.size:
            raise ValueError(f"spectrum has {eigenvalues.size} eigenvalues but dim={dim}")
        dim = eigenvalues.size
        mu, L = float(eigenvalues.min()), float(eigenvalues.max())
        if max(L, -mu) == 0:
            raise ValueError("spectrum is identically zero")
        spectrum_param = eigenvalues.tolist()
    rng = np.random.default_rng(seed)
    Q = random_orthogonal(dim, rng) if rotate else None
    center = rng.standard_normal(dim)
    x0 = check_x0(x0, (dim,))
    params = dict(dim=dim, mu=mu, L=L, spectrum=spectrum_param, rotate=bool(rotate),
                  cluster_width=cluster_width, seed=seed, noise=noise)
    return Quadratic(eigenvalues, Q, center, params=params,
                     x0=np.zeros(dim) if x0 is None else x0, noise=noise)
