"""Adam extensions: AdaBound and AMSBound, AdEMAMix, Grams."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Tuple, Union

import numpy as np

from refopt import _checks

from .adam import AdamState, _check_common, _sign_and_decay
from .base import GradientMap


@dataclasses.dataclass(frozen=True, repr=False)
class AdaBound(GradientMap):
    r"""AdaBound: Adam's per-coordinate step clipped into bounds that close in on a final SGD step.

    .. math::

        \eta_t = \operatorname{clip}\Big(\frac{\eta \sqrt{1 - \beta_2^t}}{(1 - \beta_1^t)(\sqrt{v_t} + \epsilon)},\
        \alpha^*\big(1 - \tfrac{1}{\gamma t + 1}\big),\ \alpha^*\big(1 + \tfrac{1}{\gamma t}\big)\Big), \qquad
        x_t = x_{t-1} - \eta_t \odot m_t,

    with alpha* = ``final_lr`` (times lr/base_lr in the official code, 1 for a
    constant lr). This is the official implementation's form; the paper's
    Algorithm 2 also divides by sqrt(t) and has no bias correction inside the
    clip (not checked against the paper). ``amsbound`` takes the maximum over
    the raw v_t (AMSBound). ``weight_decay`` is coupled, as in the official code.

    Sources: Luo, Xiong, Liu & Sun (2019), "Adaptive gradient methods with
    dynamic bound of learning rate", ICLR (arXiv 1902.09843); the official code
    (Luolc/AdaBound, adabound/adabound.py).
    """

    name: ClassVar[str] = "adabound"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Luo, Xiong, Liu & Sun (2019), arXiv 1902.09843"

    lr: float = 1e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    final_lr: float = 0.1
    gamma: float = 1e-3
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsbound: bool = False
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)
        _checks.positive("final_lr", self.final_lr)
        _checks.positive("gamma", self.gamma)
        _checks.choice("amsbound", self.amsbound, (False, True))

    def init(self, x0, problem=None):
        return AdamState.start(x0)

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2 = self.betas
        x, g = _sign_and_decay(self, params, grad)
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * g * g
        v_max = np.maximum(state.v_max, v) if self.amsbound else state.v_max
        v_used = v_max if self.amsbound else v
        step = self.lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) / (np.sqrt(v_used) + self.eps)
        lower = self.final_lr * (1 - 1 / (self.gamma * t + 1))
        upper = self.final_lr * (1 + 1 / (self.gamma * t))
        x = x - np.clip(step, lower, upper) * m
        return x, state._replace(x=x, k=t, m=m, v=v, v_max=v_max)


@dataclasses.dataclass(frozen=True, repr=False)
class AMSBound(AdaBound):
    r"""AMSBound: AdaBound with AMSGrad's running maximum of the raw second moment.

    .. math::

        \hat v_t = \max(\hat v_{t-1}, v_t), \qquad
        x_t = x_{t-1} - \operatorname{clip}\Big(\frac{\eta \sqrt{1 - \beta_2^t}}{(1 - \beta_1^t)(\sqrt{\hat v_t}
        + \epsilon)}, \eta_l(t), \eta_u(t)\Big) \odot m_t

    Source: Luo, Xiong, Liu & Sun (2019), "Adaptive gradient methods with
    dynamic bound of learning rate", ICLR (arXiv 1902.09843).
    """

    name: ClassVar[str] = "amsbound"

    amsbound: bool = True


class AdEMAMixState(NamedTuple):
    x: np.ndarray
    k: int
    m1: np.ndarray       # fast EMA (beta1), bias-corrected
    m2: np.ndarray       # slow EMA (beta3), not bias-corrected
    nu: np.ndarray       # second moment
    sampler: object


def _half_life(beta):
    """f(beta) = ln(1/2)/ln(beta) - 1."""
    return np.log(0.5) / np.log(beta) - 1


@dataclasses.dataclass(frozen=True, repr=False)
class AdEMAMix(GradientMap):
    r"""AdEMAMix: Adam with a second, slow momentum mixed into the numerator.

    .. math::

        m^{(1)}_t = \beta_1 m^{(1)}_{t-1} + (1 - \beta_1) g_t, \quad
        m^{(2)}_t = \beta_3(t) m^{(2)}_{t-1} + (1 - \beta_3(t)) g_t, \quad
        \nu_t = \beta_2 \nu_{t-1} + (1 - \beta_2) g_t^2,

        x_t = x_{t-1} - \eta\Big(\frac{\hat m^{(1)}_t + \alpha(t)\, m^{(2)}_t}{\sqrt{\hat\nu_t} + \epsilon}
              + \lambda x_{t-1}\Big),

    with m^(2) not bias-corrected. Warm-ups: alpha(t) = alpha min(1, t/T_alpha)
    and beta3(t) = f^{-1}((1 - t/T)f(beta1) + (t/T)f(beta3)) for t < T =
    ``beta3_warmup``, f(beta) = ln(1/2)/ln(beta) - 1 (linear in the half-life);
    none by default. alpha defaults to 5 (optax contrib.ademamix; the official
    torch class uses 2, its README recipe 8); with alpha = 0 this is AdamW.

    Sources: Pagliardini, Ablin & Grangier (2024), "The AdEMAMix optimizer:
    better, faster, older", arXiv 2409.03137; the official code
    (apple/ml-ademamix).
    """

    name: ClassVar[str] = "ademamix"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Pagliardini, Ablin & Grangier (2024), arXiv 2409.03137"

    lr: float = 1e-3
    betas: Tuple[float, float, float] = (0.9, 0.999, 0.9999)
    alpha: float = 5.0
    alpha_warmup: Union[int, None] = None
    beta3_warmup: Union[int, None] = None
    eps: float = 1e-8
    weight_decay: float = 0.0
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)
        if len(self.betas) != 3:
            raise TypeError(f"betas must be (beta1, beta2, beta3), got {self.betas!r}")
        _checks.nonnegative("alpha", self.alpha)
        for name in ("alpha_warmup", "beta3_warmup"):
            if getattr(self, name) is not None:
                _checks.positive_int(name, getattr(self, name))

    def init(self, x0, problem=None):
        zeros = np.zeros_like(x0)
        return AdEMAMixState(x=x0, k=0, m1=zeros, m2=zeros, nu=zeros, sampler=None)

    def alpha_t(self, t):
        return self.alpha if self.alpha_warmup is None else self.alpha * min(1.0, t / self.alpha_warmup)

    def beta3_t(self, t):
        beta1, _, beta3 = self.betas
        if self.beta3_warmup is None or t >= self.beta3_warmup:
            return beta3
        ratio = t / self.beta3_warmup
        return 0.5 ** (1 / ((1 - ratio) * _half_life(beta1) + ratio * _half_life(beta3) + 1))

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2, _ = self.betas
        beta3 = self.beta3_t(t)
        g = -grad if self.maximize else grad
        m1 = beta1 * state.m1 + (1 - beta1) * g
        m2 = beta3 * state.m2 + (1 - beta3) * g
        nu = beta2 * state.nu + (1 - beta2) * g * g
        direction = (m1 / (1 - beta1**t) + self.alpha_t(t) * m2) / (np.sqrt(nu / (1 - beta2**t)) + self.eps)
        x = params - self.lr * (direction + self.weight_decay * params)
        return x, state._replace(x=x, k=t, m1=m1, m2=m2, nu=nu)


@dataclasses.dataclass(frozen=True, repr=False)
class Grams(GradientMap):
    r"""Grams: Adam's step magnitudes with the current gradient's signs.

    .. math::

        u_t = \hat m_t / (\sqrt{\hat v_t} + \epsilon), \qquad
        x_t = x_{t-1} - \eta\big(\operatorname{sign}(g_t) \odot |u_t| + \lambda x_{t-1}\big)

    (sign(0) = 0). At lam = 0 every step is a descent direction for the
    sampled gradient: <g_t, x_t - x_{t-1}> = -eta sum_i |g_i| |u_i| <= 0. The
    update is taken from third-party implementations and not checked against
    the paper.

    Source: Cao, Li & Song (2024), "Grams: gradient descent with adaptive
    momentum scaling", arXiv 2412.17107.
    """

    name: ClassVar[str] = "grams"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Cao, Li & Song (2024), arXiv 2412.17107"

    lr: float = 1e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)

    def init(self, x0, problem=None):
        return AdamState.start(x0)

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2 = self.betas
        g = -grad if self.maximize else grad
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * g * g
        u = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + self.eps)
        x = params - self.lr * (np.sign(g) * np.abs(u) + self.weight_decay * params)
        return x, state._replace(x=x, k=t, m=m, v=v)
