"""Alternating minimization for matrix completion: exact (JNS) and with inexact row solves (robust AltMin)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import numpy as np

from refopt import _checks

from .base import Algorithm


class AltMinState(NamedTuple):
    x: np.ndarray            # the stacked factor [U; V]
    k: int
    solve_error: float       # largest relative residual of the last half-step's row solves
    parts: np.ndarray        # the part of Omega each entry belongs to (resampling; drawn at the first step), or None


def _require_completion(problem):
    if not hasattr(problem, "mask"):
        raise TypeError(f"alternating minimization needs a matrix completion problem, got {problem!r}")


def _row_systems(observed, mask, F):
    """For each row i: G_i = sum_{j in Omega_i} f_j f_j^T and b_i = sum_{j in Omega_i} M_ij f_j."""
    return np.einsum("ij,jk,jl->ikl", mask, F, F), (observed * mask) @ F


@dataclasses.dataclass(frozen=True, repr=False)
class AltMin(Algorithm):
    r"""Alternating minimization for matrix completion: exact least squares in U, then in V.

    .. math::

        U_{t+1} = \arg\min_U \|P_\Omega(U V_t^T - M)\|_F^2, \qquad
        V_{t+1} = \arg\min_V \|P_\Omega(U_{t+1} V^T - M)\|_F^2,

    one r x r least-squares solve per row, (V_{Omega_i}^T V_{Omega_i})^+ V_{Omega_i}^T m_{Omega_i}.
    Start (``init="svd"``): the top-r SVD of P_Omega(M)/p, split evenly between
    the factors. ``resample=True`` splits Omega into ``parts`` random disjoint
    pieces (drawn from the run's seed) and uses a fresh piece for each
    half-step, cyclically (the analysis's sample splitting). Only the observed
    entries of M are read.

    Source: Jain, Netrapalli & Sanghavi (2013), "Low-rank matrix completion
    using alternating minimization", STOC.
    """

    name: ClassVar[str] = "altmin"
    family: ClassVar[str] = "completion"
    source: ClassVar[str] = "Jain, Netrapalli & Sanghavi (2013), STOC"
    entrywise: ClassVar[bool] = False

    init_from: str = "svd"
    resample: bool = False
    parts: int = 10

    def __post_init__(self):
        _checks.choice("init_from", self.init_from, ("svd", "x0"))
        _checks.choice("resample", self.resample, (False, True))
        _checks.positive_int("parts", self.parts, minimum=2)

    def init(self, x0, problem):
        _require_completion(problem)
        x = x0
        if self.init_from == "svd":
            r = x0.shape[1]
            p = problem.mask.mean()
            U, s, Vt = np.linalg.svd(problem.mask * problem.M_star / p, full_matrices=False)
            x = np.vstack([U[:, :r] * np.sqrt(s[:r]), Vt[:r].T * np.sqrt(s[:r])])
        return AltMinState(x=x, k=0, solve_error=0.0, parts=None)

    def masks(self, state, problem):
        """The observation masks of the two half-steps of this iteration."""
        if state.parts is None:
            return problem.mask, problem.mask
        first, second = (2 * state.k) % self.parts, (2 * state.k + 1) % self.parts
        return problem.mask * (state.parts == first), problem.mask * (state.parts == second)

    def solve(self, G, b, previous, rng):
        """The rows' least-squares solutions (exact: the pseudo-inverse) and the largest relative residual."""
        solution = np.einsum("ikl,il->ik", np.linalg.pinv(G), b)
        return solution, 0.0

    def step(self, state, problem, rng):
        if self.resample and state.parts is None:
            state = state._replace(parts=rng.integers(0, self.parts, size=problem.mask.shape))
        U, V = problem.split(state.x)
        observed = problem.mask * problem.M_star
        mask_u, mask_v = self.masks(state, problem)
        U, error_u = self.solve(*_row_systems(observed, mask_u, V), U, rng)
        V, error_v = self.solve(*_row_systems(observed.T, mask_v.T, U), V, rng)
        return state._replace(x=np.vstack([U, V]), k=state.k + 1, solve_error=max(error_u, error_v))


@dataclasses.dataclass(frozen=True, repr=False)
class RobustAltMin(AltMin):
    r"""Alternating minimization whose row least-squares solves are inexact.

    .. math::

        u_i \leftarrow \mathrm{CG}_{T}\big(G_i u = b_i;\ u_i^{\mathrm{prev}}\big)
        + \tau\, \|u_i - u_i^{\mathrm{prev}}\|\, \xi_i / \|\xi_i\|, \qquad
        G_i = V_{\Omega_i}^T V_{\Omega_i},\ b_i = V_{\Omega_i}^T m_{\Omega_i},\ \xi_i \sim N(0, I)

    Each row's normal equations are solved by T = ``inner_steps``
    conjugate-gradient iterations warm-started at the previous row (in place
    of the paper's sketching-based regression solver, which is not
    reproduced); ``perturb`` = tau adds an error of relative size tau to
    every row's update, the kind of error a solver with a relative accuracy
    guarantee makes (it shrinks as the iterates converge). The largest
    relative residual of the solves is recorded in the state. CG on an r x r
    system is exact after r steps: with perturb = 0 and inner_steps >= r it is
    exact AltMin.

    Source: Gu, Song, Yin & Zhang (2024), "Low rank matrix completion via
    robust alternating minimization in nearly linear time", ICLR (arXiv 2302.11068).
    """

    name: ClassVar[str] = "robust_altmin"
    source: ClassVar[str] = "Gu, Song, Yin & Zhang (2024), arXiv 2302.11068"
    stochastic: ClassVar[bool] = True

    inner_steps: int = 5
    perturb: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        _checks.positive_int("inner_steps", self.inner_steps, minimum=0)
        _checks.nonnegative("perturb", self.perturb)

    def solve(self, G, b, previous, rng):
        u = previous.copy()
        residual = b - np.einsum("ikl,il->ik", G, u)
        direction = residual.copy()
        for _ in range(self.inner_steps):
            Gd = np.einsum("ikl,il->ik", G, direction)
            curvature = np.sum(direction * Gd, axis=1)
            rr = np.sum(residual * residual, axis=1)
            alpha = np.where(curvature > 0, rr / np.where(curvature > 0, curvature, 1.0), 0.0)
            u = u + alpha[:, None] * direction
            residual_next = residual - alpha[:, None] * Gd
            beta = np.where(rr > 0, np.sum(residual_next**2, axis=1) / np.where(rr > 0, rr, 1.0), 0.0)
            direction = residual_next + beta[:, None] * direction
            residual = residual_next
        if self.perturb > 0:
            xi = rng.standard_normal(u.shape)
            step = np.linalg.norm(u - previous, axis=1, keepdims=True)
            u = u + self.perturb * step * xi / np.linalg.norm(xi, axis=1, keepdims=True)
        scale = np.maximum(np.linalg.norm(b, axis=1), np.finfo(float).tiny)
        relative = np.linalg.norm(b - np.einsum("ikl,il->ik", G, u), axis=1) / scale
        return u, float(np.max(relative))
