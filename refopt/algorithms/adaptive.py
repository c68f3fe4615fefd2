"""Adaptive diagonal preconditioners: AdaGrad and RMSprop."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import numpy as np

from refopt import _checks

from .base import GradientMap


class AdaGradState(NamedTuple):
    x: np.ndarray
    k: int
    G: np.ndarray        # sum of squared gradients (plus the initial accumulator)
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class AdaGrad(GradientMap):
    r"""AdaGrad: per-coordinate steps scaled by the root of the summed squared gradients.

    .. math::

        G_t = G_{t-1} + g_t^2, \qquad
        x_{t+1} = x_t - \eta_t \frac{g_t}{\sqrt{G_t} + \epsilon}, \qquad
        \eta_t = \frac{\eta}{1 + (t - 1)\,\text{lr\_decay}}

    with G_0 = ``initial_accumulator_value`` and g_t the gradient plus the
    coupled decay lam x_t. ``eps_placement`` names where epsilon sits:
    ``"outside"`` the root (torch.optim.Adagrad; the paper's delta I added to
    diag(G)^{1/2}) or ``"inside"`` it, g/sqrt(G + eps) (optax.adagrad, whose
    defaults are initial_accumulator_value 0.1 and eps 1e-7; refopt's are
    torch's, 0 and 1e-10). optax returns 0 where G = 0; so does this form.

    Source: Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for
    online learning and stochastic optimization", JMLR 12 (the diagonal form).
    """

    name: ClassVar[str] = "adagrad"
    family: ClassVar[str] = "adaptive"
    source: ClassVar[str] = "Duchi, Hazan & Singer (2011), JMLR 12"

    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10
    eps_placement: str = "outside"
    maximize: bool = False

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.nonnegative("lr_decay", self.lr_decay)
        _checks.nonnegative("weight_decay", self.weight_decay)
        _checks.nonnegative("initial_accumulator_value", self.initial_accumulator_value)
        _checks.nonnegative("eps", self.eps)
        _checks.choice("eps_placement", self.eps_placement, ("outside", "inside"))
        _checks.choice("maximize", self.maximize, (False, True))

    def init(self, x0, problem=None):
        return AdaGradState(x=x0, k=0, G=np.full_like(x0, self.initial_accumulator_value), sampler=None)

    def update(self, params, grad, state):
        t = state.k + 1
        g = -grad if self.maximize else grad
        g = g + self.weight_decay * params
        lr_t = self.lr / (1 + (t - 1) * self.lr_decay)
        G = state.G + g * g
        if self.eps_placement == "outside":
            x = params - lr_t * g / (np.sqrt(G) + self.eps)
        else:
            scale = np.where(G > 0, 1.0 / np.sqrt(np.where(G > 0, G, 1.0) + self.eps), 0.0)
            x = params - lr_t * scale * g
        return x, state._replace(x=x, k=t, G=G)


class RMSpropState(NamedTuple):
    x: np.ndarray
    k: int
    v: np.ndarray        # moving average of g^2
    g_avg: np.ndarray    # moving average of g (centered form)
    buffer: np.ndarray   # momentum buffer
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class RMSprop(GradientMap):
    r"""RMSprop: steps scaled by a moving root mean square of the gradients; centered and momentum forms.

    .. math::

        v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2, \qquad
        d_t = \frac{g_t}{\sqrt{v_t} + \epsilon}
        \ \Big(\text{centered: } \frac{g_t}{\sqrt{v_t - \bar g_t^2} + \epsilon},\
        \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t\Big),

    then x_{t+1} = x_t - eta d_t, or with momentum b_t = mu b_{t-1} + d_t,
    x_{t+1} = x_t - eta b_t. Variants: ``eps_placement`` (``"outside"``:
    torch; ``"inside"``: sqrt(v + eps), optax's default ``eps_in_sqrt=True``
    and the TF/Graves convention), ``bias_correction`` of both averages (optax
    only), ``initial_scale`` v_0 (optax), ``lr_in_buffer`` (optax's momentum
    trace accumulates eta d_t, torch's accumulates d_t: the same iterates at a
    constant step), coupled ``weight_decay`` and ``maximize`` (torch). Defaults
    are torch's: lr 1e-2, alpha 0.99, eps 1e-8; optax decays with 0.9.

    Sources: Tieleman & Hinton (2012), "Lecture 6.5 - rmsprop", COURSERA:
    Neural Networks for Machine Learning; Graves (2013), "Generating sequences
    with recurrent neural networks", arXiv 1308.0850 (the centered form).
    """

    name: ClassVar[str] = "rmsprop"
    family: ClassVar[str] = "adaptive"
    source: ClassVar[str] = "Tieleman & Hinton (2012); Graves (2013), arXiv 1308.0850"

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    momentum: float = 0.0
    centered: bool = False
    weight_decay: float = 0.0
    eps_placement: str = "outside"
    bias_correction: bool = False
    initial_scale: float = 0.0
    lr_in_buffer: bool = False
    maximize: bool = False

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.real("alpha", self.alpha, low=0.0, high=1.0, high_open=True)
        _checks.nonnegative("eps", self.eps)
        _checks.real("momentum", self.momentum, low=0.0, high=1.0, high_open=True)
        _checks.nonnegative("weight_decay", self.weight_decay)
        _checks.choice("eps_placement", self.eps_placement, ("outside", "inside"))
        _checks.nonnegative("initial_scale", self.initial_scale)
        for flag in ("centered", "bias_correction", "lr_in_buffer", "maximize"):
            _checks.choice(flag, getattr(self, flag), (False, True))

    def init(self, x0, problem=None):
        zeros = np.zeros_like(x0)
        return RMSpropState(x=x0, k=0, v=np.full_like(x0, self.initial_scale), g_avg=zeros, buffer=zeros,
                            sampler=None)

    def update(self, params, grad, state):
        t = state.k + 1
        g = -grad if self.maximize else grad
        g = g + self.weight_decay * params
        v = self.alpha * state.v + (1 - self.alpha) * g * g
        g_avg = self.alpha * state.g_avg + (1 - self.alpha) * g
        v_hat, g_hat = v, g_avg
        if self.bias_correction:
            v_hat, g_hat = v / (1 - self.alpha**t), g_avg / (1 - self.alpha**t)
        second = v_hat - g_hat * g_hat if self.centered else v_hat
        if self.eps_placement == "outside":
            d = g / (np.sqrt(second) + self.eps)
        else:
            d = g / np.sqrt(second + self.eps)
        if self.momentum == 0:
            x, b = params - self.lr * d, state.buffer
        elif self.lr_in_buffer:
            b = self.momentum * state.buffer + self.lr * d
            x = params - b
        else:
            b = self.momentum * state.buffer + d
            x = params - self.lr * b
        return x, state._replace(x=x, k=t, v=v, g_avg=g_avg, buffer=b)
