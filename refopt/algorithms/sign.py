"""Sign methods: signSGD, Signum and Lion."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Tuple

import numpy as np

from refopt import _checks

from .adam import _check_betas
from .base import GradientMap


class SignState(NamedTuple):
    x: np.ndarray
    k: int
    m: np.ndarray        # momentum (Signum, Lion)
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class SignSGD(GradientMap):
    r"""signSGD: a step of fixed size along the sign of every gradient coordinate.

    .. math::

        x_{t+1} = x_t - \eta\, \operatorname{sign}(g_t) \qquad (\operatorname{sign}(0) = 0)

    optax.sign_sgd computes the same (scale_by_sign, then -lr).

    Source: Bernstein, Wang, Azizzadenesheli & Anandkumar (2018), "signSGD:
    compressed optimisation for non-convex problems", ICML (arXiv 1802.04434).
    """

    name: ClassVar[str] = "sign_sgd"
    family: ClassVar[str] = "sign"
    source: ClassVar[str] = "Bernstein et al. (2018), arXiv 1802.04434"

    lr: float = 1e-3

    def __post_init__(self):
        _checks.positive("lr", self.lr)

    def init(self, x0, problem=None):
        return SignState(x=x0, k=0, m=np.zeros_like(x0), sampler=None)

    def update(self, params, grad, state):
        x = params - self.lr * np.sign(grad)
        return x, state._replace(x=x, k=state.k + 1)


@dataclasses.dataclass(frozen=True, repr=False)
class Signum(GradientMap):
    r"""Signum: signSGD on an exponential moving average of the gradients.

    .. math::

        m_t = \beta m_{t-1} + (1 - \beta) g_t, \qquad x_{t+1} = x_t - \eta\, \operatorname{sign}(m_t)

    (m_0 = 0, not bias-corrected; sign(0) = 0), as optax.signum.

    Source: Bernstein, Wang, Azizzadenesheli & Anandkumar (2018), "signSGD:
    compressed optimisation for non-convex problems", ICML (arXiv 1802.04434).
    """

    name: ClassVar[str] = "signum"
    family: ClassVar[str] = "sign"
    source: ClassVar[str] = "Bernstein et al. (2018), arXiv 1802.04434"

    lr: float = 1e-3
    beta: float = 0.9

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.real("beta", self.beta, low=0.0, high=1.0, high_open=True)

    def init(self, x0, problem=None):
        return SignState(x=x0, k=0, m=np.zeros_like(x0), sampler=None)

    def update(self, params, grad, state):
        m = self.beta * state.m + (1 - self.beta) * grad
        x = params - self.lr * np.sign(m)
        return x, state._replace(x=x, k=state.k + 1, m=m)


@dataclasses.dataclass(frozen=True, repr=False)
class Lion(GradientMap):
    r"""Lion: the sign of an interpolation between momentum and gradient, with decoupled decay.

    .. math::

        c_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        x_t = x_{t-1} - \eta\big(\operatorname{sign}(c_t) + \lambda x_{t-1}\big), \qquad
        m_t = \beta_2 m_{t-1} + (1 - \beta_2) g_t.

    Defaults are the official code's: lr 1e-4, betas (0.9, 0.99), lam = 0
    (optax.lion decays by 1e-3). If eta lam <= 1 and ||x_0||_inf <= 1/lam,
    every iterate stays in that box. ``mode`` replaces sign by Lion-kappa's
    tanh(smooth_beta c) (``"smooth"``) or clip(c, -1, 1) (``"refined"``), as
    optax's scale_by_lion modes.

    Sources: Chen et al. (2023), "Symbolic discovery of optimization
    algorithms", NeurIPS (arXiv 2302.06675); Chen, Liu, Liang & Liu
    (2024), "Lion secretly solves constrained optimization: as Lyapunov
    predicts", ICLR (arXiv 2310.05898).
    """

    name: ClassVar[str] = "lion"
    family: ClassVar[str] = "sign"
    source: ClassVar[str] = "Chen et al. (2023), arXiv 2302.06675"

    lr: float = 1e-4
    betas: Tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.0
    mode: str = "hard"
    smooth_beta: float = 1.0

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _check_betas(self.betas)
        _checks.nonnegative("weight_decay", self.weight_decay)
        _checks.choice("mode", self.mode, ("hard", "smooth", "refined"))
        _checks.positive("smooth_beta", self.smooth_beta)

    def init(self, x0, problem=None):
        return SignState(x=x0, k=0, m=np.zeros_like(x0), sampler=None)

    def direction(self, c):
        if self.mode == "smooth":
            return np.tanh(self.smooth_beta * c)
        if self.mode == "refined":
            return np.clip(c, -1.0, 1.0)
        return np.sign(c)

    def update(self, params, grad, state):
        beta1, beta2 = self.betas
        c = beta1 * state.m + (1 - beta1) * grad
        x = params - self.lr * (self.direction(c) + self.weight_decay * params)
        m = beta2 * state.m + (1 - beta2) * grad
        return x, state._replace(x=x, k=state.k + 1, m=m)
