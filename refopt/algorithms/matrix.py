"""Methods for matrix-shaped parameters: Muon (orthogonalized momentum) and Shampoo (Kronecker
preconditioning)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Tuple

import numpy as np

from refopt import _checks

from .base import GradientMap

NS5 = (3.4445, -4.7750, 2.0315)
"""The quintic Newton-Schulz coefficients of Jordan et al.'s code, torch.optim.Muon and optax."""


def _require_matrix(name, x):
    if np.ndim(x) != 2:
        raise ValueError(f"{name} updates matrix parameters; got an array of shape {np.shape(x)}")


def newton_schulz(M, coefficients=NS5, steps=5, eps=1e-7, normalization="max"):
    r"""The Newton-Schulz map that approximates the polar factor U V^T of M = U S V^T.

    X_0 = M / max(||M||_F, eps) (``normalization="max"``, torch) or
    M / (||M||_F + eps) (``"plus"``, Jordan et al.'s code and optax), with
    the wide orientation (M transposed when it has more rows than columns);
    then ``steps`` times A = X X^T, X <- a X + (b A + c A^2) X. Its singular
    values are p(...p(sigma)) with p(s) = a s + b s^3 + c s^5: for the quintic
    coefficients they land near, not at, 1.
    """
    a, b, c = coefficients
    X = M.T if M.shape[0] > M.shape[1] else M
    norm = np.linalg.norm(X)
    X = X / max(norm, eps) if normalization == "max" else X / (norm + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if M.shape[0] > M.shape[1] else X


def polar_factor(M):
    """U V^T from the SVD M = U S V^T: the exact orthogonalization."""
    U, _, Vt = np.linalg.svd(M, full_matrices=False)
    return U @ Vt


class MuonState(NamedTuple):
    x: np.ndarray
    k: int
    B: np.ndarray        # momentum buffer
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class Muon(GradientMap):
    r"""Muon: momentum orthogonalized by Newton-Schulz, for matrix parameters.

    .. math::

        B_t = \mu B_{t-1} + (1 - \mu) G_t, \qquad M_t = (1 - \mu) G_t + \mu B_t \ \text{(Nesterov) or } B_t,

        O_t = \operatorname{orth}(M_t), \qquad W_t = W_{t-1}(1 - \eta\lambda) - \eta\, s(\text{shape})\, O_t.

    Variants, named:

    * ``momentum_form``: ``"ema"`` as above (torch's lerp, Jordan et al.'s
      code); ``"bias_corrected"`` (optax): B_t bias-corrected, Nesterov
      M_t = mu B_t/(1 - mu^{t+1}) + (1 - mu) G_t/(1 - mu^t);
    * ``orthogonalizer``: ``"newton_schulz"`` (`newton_schulz` with
      ``ns_coefficients`` and ``ns_steps``; (1.5, -0.5, 0) is the cubic
      iteration) or ``"svd"``, the exact polar factor U V^T;
    * ``normalization`` of the Newton-Schulz start: ``"max"`` (torch) or
      ``"plus"`` (Jordan et al.'s code, optax), with ``eps`` (torch 1e-7,
      optax 1e-8);
    * ``shape_scaling`` s: ``"rows_over_cols"`` sqrt(max(1, rows/cols))
      (torch's and Jordan et al.'s 'original', weights out x in);
      ``"cols_over_rows"`` sqrt(max(1, cols/rows)) (optax, kernels in x out);
      ``"match_rms_adamw"`` 0.2 sqrt(max(rows, cols)); ``"none"``.

    The decay multiplies the unadjusted lr (torch and optax alike). Defaults
    are Jordan et al.'s: lr 0.02, momentum 0.95, Nesterov, five quintic steps,
    no decay (torch.optim.Muon: lr 1e-3, weight_decay 0.1; it also runs the
    iteration in bfloat16, which this float64 reference does not).

    Sources: Jordan et al. (2024), "Muon: an optimizer for hidden layers in
    neural networks" (blog post and KellerJordan/Muon); Liu et al. (2025),
    "Muon is scalable for LLM training", arXiv 2502.16982.
    """

    name: ClassVar[str] = "muon"
    family: ClassVar[str] = "matrix"
    source: ClassVar[str] = "Jordan et al. (2024), Muon; Liu et al. (2025), arXiv 2502.16982"
    entrywise: ClassVar[bool] = False

    lr: float = 0.02
    momentum: float = 0.95
    nesterov: bool = True
    momentum_form: str = "ema"
    orthogonalizer: str = "newton_schulz"
    ns_coefficients: Tuple[float, float, float] = NS5
    ns_steps: int = 5
    eps: float = 1e-7
    normalization: str = "plus"
    shape_scaling: str = "rows_over_cols"
    weight_decay: float = 0.0

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.real("momentum", self.momentum, low=0.0, high=1.0, high_open=True)
        _checks.choice("nesterov", self.nesterov, (False, True))
        _checks.choice("momentum_form", self.momentum_form, ("ema", "bias_corrected"))
        _checks.choice("orthogonalizer", self.orthogonalizer, ("newton_schulz", "svd"))
        if not (isinstance(self.ns_coefficients, tuple) and len(self.ns_coefficients) == 3):
            raise TypeError(f"ns_coefficients must be a tuple (a, b, c), got {self.ns_coefficients!r}")
        _checks.positive_int("ns_steps", self.ns_steps, minimum=0)
        _checks.nonnegative("eps", self.eps)
        _checks.choice("normalization", self.normalization, ("max", "plus"))
        _checks.choice("shape_scaling", self.shape_scaling,
                       ("rows_over_cols", "cols_over_rows", "match_rms_adamw", "none"))
        _checks.nonnegative("weight_decay", self.weight_decay)

    def init(self, x0, problem=None):
        _require_matrix("muon", x0)
        return MuonState(x=x0, k=0, B=np.zeros_like(x0), sampler=None)

    def scale(self, shape):
        rows, cols = shape
        return {"rows_over_cols": np.sqrt(max(1.0, rows / cols)), "cols_over_rows": np.sqrt(max(1.0, cols / rows)),
                "match_rms_adamw": 0.2 * np.sqrt(max(rows, cols)), "none": 1.0}[self.shape_scaling]

    def orthogonalize(self, M):
        if self.orthogonalizer == "svd":
            return polar_factor(M)
        return newton_schulz(M, self.ns_coefficients, self.ns_steps, self.eps, self.normalization)

    def update(self, params, grad, state):
        t = state.k + 1
        mu = self.momentum
        B = mu * state.B + (1 - mu) * grad
        if self.momentum_form == "ema":
            M = (1 - mu) * grad + mu * B if self.nesterov else B
        else:
            M = mu * B / (1 - mu ** (t + 1)) + (1 - mu) * grad / (1 - mu**t) if self.nesterov else B / (1 - mu**t)
        O = self.orthogonalize(M)
        W = params * (1 - self.lr * self.weight_decay) - self.lr * self.scale(params.shape) * O
        return W, state._replace(x=W, k=t, B=B)


class ShampooState(NamedTuple):
    x: np.ndarray
    k: int
    L: np.ndarray        # left statistics, eps I + sum G G^T
    R: np.ndarray        # right statistics, eps I + sum G^T G
    sampler: object


def inverse_root(S, p):
    """S^{-1/p} of a symmetric positive definite S, exactly (eigendecomposition)."""
    eigenvalues, Q = np.linalg.eigh(S)
    return (Q * eigenvalues ** (-1.0 / p)) @ Q.T


@dataclasses.dataclass(frozen=True, repr=False)
class Shampoo(GradientMap):
    r"""Shampoo for a matrix parameter, with exact inverse fourth roots.

    .. math::

        L_t = L_{t-1} + G_t G_t^T, \qquad R_t = R_{t-1} + G_t^T G_t, \qquad
        W_{t+1} = W_t - \eta\, L_t^{-1/4} G_t R_t^{-1/4},

    with L_0 = eps I, R_0 = eps I. The roots are computed by an
    eigendecomposition (the practical variants' EMA statistics, refresh
    periods, grafting and coupled Newton roots are not this reference). The
    paper leaves eps free; 1e-4 is refopt's choice.

    Source: Gupta, Koren & Singer (2018), "Shampoo: preconditioned stochastic
    tensor optimization", ICML (arXiv 1802.09568), Algorithm 1.
    """

    name: ClassVar[str] = "shampoo"
    family: ClassVar[str] = "matrix"
    source: ClassVar[str] = "Gupta, Koren & Singer (2018), arXiv 1802.09568"
    entrywise: ClassVar[bool] = False

    lr: float = 1.0
    eps: float = 1e-4

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.positive("eps", self.eps)

    def init(self, x0, problem=None):
        _require_matrix("shampoo", x0)
        rows, cols = x0.shape
        return ShampooState(x=x0, k=0, L=self.eps * np.eye(rows), R=self.eps * np.eye(cols), sampler=None)

    def update(self, params, grad, state):
        L = state.L + grad @ grad.T
        R = state.R + grad.T @ grad
        W = params - self.lr * inverse_root(L, 4) @ grad @ inverse_root(R, 4)
        return W, state._replace(x=W, k=state.k + 1, L=L, R=R)
