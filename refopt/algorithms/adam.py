"""Adam and its close kin: AdamW, AMSGrad, Adamax, NAdam, RAdam."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Tuple, Union

import numpy as np

from refopt import _checks

from .base import GradientMap


class AdamState(NamedTuple):
    x: np.ndarray
    k: int
    m: np.ndarray        # first moment
    v: np.ndarray        # second moment
    v_max: np.ndarray    # running maximum for AMSGrad (raw or bias-corrected, by variant)
    sampler: object

    @classmethod
    def start(cls, x0):
        """The state before the first step: zero moments."""
        zeros = np.zeros_like(x0)
        return cls(x=x0, k=0, m=zeros, v=zeros, v_max=zeros, sampler=None)


def _check_betas(betas, count=2):
    if not isinstance(betas, tuple) or len(betas) != count:
        raise TypeError(f"betas must be a tuple of {count} numbers, got {betas!r}")
    for i, beta in enumerate(betas):
        _checks.real(f"betas[{i}]", beta, low=0.0, high=1.0, high_open=True)


def _sign_and_decay(alg, params, grad):
    """(x, g) after the steps the Adam family shares: maximize negates g; then a coupled decay adds lam x to
    g, a decoupled one shrinks x by lr lam (or by lam with ``decay_scaling="none"``) before the step."""
    g = -grad if alg.maximize else grad
    if alg.weight_decay == 0:
        return params, g
    if getattr(alg, "decoupled_weight_decay", False):
        shrink = alg.lr * alg.weight_decay if getattr(alg, "decay_scaling", "lr") == "lr" else alg.weight_decay
        return params * (1 - shrink), g
    return params, g + alg.weight_decay * params


def _check_common(alg):
    _checks.positive("lr", alg.lr)
    _check_betas(alg.betas, len(alg.betas) if isinstance(alg.betas, tuple) else 2)
    _checks.nonnegative("eps", alg.eps)
    _checks.nonnegative("weight_decay", alg.weight_decay)
    _checks.choice("maximize", alg.maximize, (False, True))


@dataclasses.dataclass(frozen=True, repr=False)
class Adam(GradientMap):
    r"""Adam: bias-corrected moment estimates of the gradient and its square.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,

        \hat m_t = m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t), \qquad
        x_t = x_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    (Algorithm 1 of the paper). The variants libraries disagree on are named:

    * ``eps_placement``: ``"after_bc"`` m_hat/(sqrt(v_hat) + eps), the paper's
      Algorithm 1 (torch Adam/AdamW, optax adam); ``"before_bc"``
      eta sqrt(1 - beta2^t)/(1 - beta1^t) m/(sqrt(v) + eps), the paper's
      efficient form of Section 2; ``eps_root`` adds a constant inside the
      root, m_hat/(sqrt(v_hat + eps_root) + eps) (optax's eps_root);
    * ``weight_decay`` with ``decoupled_weight_decay``: False adds lam x to the
      gradient (torch Adam, coupled L2); True shrinks x <- x (1 - eta lam)
      before the step (torch AdamW; optax adamw's -eta (u + lam x) is the
      same update); ``decay_scaling="none"`` shrinks by lam alone, the
      AdamW paper's x <- x - s_t lam x with a constant schedule s_t = 1;
    * ``amsgrad``: False, ``"raw"`` (the maximum over v_t, divided by the
      bias correction afterwards: torch's amsgrad=True and the AMSGrad paper)
      or ``"bias_corrected"`` (the maximum over v_hat_t: optax.amsgrad);
    * ``bias_correction`` (False: m and v used as they are) and ``maximize``
      (torch: the gradient is negated first).

    Source: Kingma & Ba (2015), "Adam: a method for stochastic optimization",
    ICLR (arXiv 1412.6980), Algorithm 1 and Section 2.
    """

    name: ClassVar[str] = "adam"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Kingma & Ba (2015), arXiv 1412.6980"
    kernel: ClassVar[str] = "refopt.algorithms.adam_kernels"

    lr: float = 1e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    eps_root: float = 0.0
    eps_placement: str = "after_bc"
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False
    decay_scaling: str = "lr"
    amsgrad: Union[bool, str] = False
    bias_correction: bool = True
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)
        _checks.nonnegative("eps_root", self.eps_root)
        _checks.choice("eps_placement", self.eps_placement, ("after_bc", "before_bc"))
        _checks.choice("decoupled_weight_decay", self.decoupled_weight_decay, (False, True))
        _checks.choice("decay_scaling", self.decay_scaling, ("lr", "none"))
        _checks.choice("amsgrad", self.amsgrad, (False, True, "raw", "bias_corrected"))
        _checks.choice("bias_correction", self.bias_correction, (False, True))
        if self.eps_placement == "before_bc" and (self.eps_root != 0 or self.amsgrad == "bias_corrected"):
            raise ValueError("eps_root and amsgrad='bias_corrected' apply to the after_bc placement only")

    @property
    def amsgrad_mode(self):
        return "raw" if self.amsgrad is True else self.amsgrad

    def init(self, x0, problem=None):
        return AdamState.start(x0)

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2 = self.betas
        x, g = _sign_and_decay(self, params, grad)
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * g * g
        bc1 = 1 - beta1**t if self.bias_correction else 1.0
        bc2 = 1 - beta2**t if self.bias_correction else 1.0
        v_max, v_used = state.v_max, v
        if self.amsgrad_mode == "raw":
            v_max = v_used = np.maximum(state.v_max, v)
        if self.eps_placement == "after_bc":
            m_hat, v_hat = m / bc1, v_used / bc2
            if self.amsgrad_mode == "bias_corrected":
                v_max = v_hat = np.maximum(state.v_max, v_hat)
            x = x - self.lr * m_hat / (np.sqrt(v_hat + self.eps_root) + self.eps)
        else:
            x = x - self.lr * np.sqrt(bc2) / bc1 * m / (np.sqrt(v_used) + self.eps)
        return x, state._replace(x=x, k=t, m=m, v=v, v_max=v_max)


@dataclasses.dataclass(frozen=True, repr=False)
class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, x <- x (1 - eta lam) before the Adam step.

    .. math::

        x_t = x_{t-1} - \eta\,\big(\hat m_t / (\sqrt{\hat v_t} + \epsilon) + \lambda x_{t-1}\big)

    The libraries scale the decay by the learning rate (``decay_scaling="lr"``,
    refopt's default, with torch's lam = 1e-2; optax adamw defaults to
    lam = 1e-4). The paper's Algorithm 2 scales it by the schedule multiplier
    s_t only, not by alpha (``decay_scaling="none"`` for a constant schedule).
    All of `Adam`'s variants apply.

    Source: Loshchilov & Hutter (2019), "Decoupled weight decay
    regularization", ICLR (arXiv 1711.05101), Algorithm 2.
    """

    name: ClassVar[str] = "adamw"
    source: ClassVar[str] = "Loshchilov & Hutter (2019), arXiv 1711.05101"

    weight_decay: float = 1e-2
    decoupled_weight_decay: bool = True


@dataclasses.dataclass(frozen=True, repr=False)
class AMSGrad(Adam):
    r"""AMSGrad: Adam whose denominator uses the running maximum of the second moment.

    .. math::

        \hat v_t = \max(\hat v_{t-1}, v_t), \qquad x_t = x_{t-1} - \eta_t\, m_t / \sqrt{\hat v_t}

    The paper's Algorithm 2 has no bias correction and no epsilon, with
    eta_t = alpha / sqrt(t): ``amsgrad(bias_correction=False, eps=0)`` with
    that step. Libraries keep Adam's bias correction and epsilon: torch
    (``amsgrad="raw"``, refopt's default) takes the maximum over the raw v_t
    and divides by sqrt(1 - beta2^t) afterwards; optax.amsgrad takes it over
    the bias-corrected v_t (``amsgrad="bias_corrected"``): different iterates.

    Source: Reddi, Kale & Kumar (2018), "On the convergence of Adam and
    beyond", ICLR (arXiv 1904.09237), Algorithm 2.
    """

    name: ClassVar[str] = "amsgrad"
    source: ClassVar[str] = "Reddi, Kale & Kumar (2018), arXiv 1904.09237"

    amsgrad: Union[bool, str] = "raw"


class AdamaxState(NamedTuple):
    x: np.ndarray
    k: int
    m: np.ndarray
    u: np.ndarray        # exponentially weighted infinity norm
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class Adamax(GradientMap):
    r"""Adamax: Adam with the infinity norm in place of the root mean square.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad u_t = \max(\beta_2 u_{t-1}, |g_t|), \qquad
        x_t = x_{t-1} - \frac{\eta}{1 - \beta_1^t} \frac{m_t}{u_t}

    The paper has no epsilon; torch and optax add it inside the maximum,
    u_t = max(beta2 u_{t-1}, |g_t| + eps) (``eps_in_max=True``, refopt's
    default with eps 1e-8, so that u_t > 0); with ``eps_in_max=False`` the
    paper's form is exact and a zero gradient history divides by zero.
    ``weight_decay`` is coupled (torch), ``maximize`` negates the gradient.

    Source: Kingma & Ba (2015), "Adam: a method for stochastic optimization",
    ICLR (arXiv 1412.6980), Section 7.1, Algorithm 2.
    """

    name: ClassVar[str] = "adamax"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Kingma & Ba (2015), arXiv 1412.6980, Algorithm 2"

    lr: float = 2e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    eps_in_max: bool = True
    weight_decay: float = 0.0
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)
        _checks.choice("eps_in_max", self.eps_in_max, (False, True))

    def init(self, x0, problem=None):
        zeros = np.zeros_like(x0)
        return AdamaxState(x=x0, k=0, m=zeros, u=zeros, sampler=None)

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2 = self.betas
        x, g = _sign_and_decay(self, params, grad)
        m = beta1 * state.m + (1 - beta1) * g
        u = np.maximum(beta2 * state.u, np.abs(g) + self.eps if self.eps_in_max else np.abs(g))
        x = x - self.lr / (1 - beta1**t) * m / u
        return x, state._replace(x=x, k=t, m=m, u=u)


class NAdamState(NamedTuple):
    x: np.ndarray
    k: int
    m: np.ndarray
    v: np.ndarray
    mu_product: float    # prod_{i <= t} mu_i of the momentum schedule
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class NAdam(GradientMap):
    r"""NAdam: Adam with Nesterov momentum.

    With ``momentum_schedule="dozat"`` (torch.optim.NAdam, refopt's default),
    mu_t = beta1 (1 - 0.96^{t psi} / 2) and Pi_t = prod_{i <= t} mu_i:

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \quad
        d_t = \sqrt{v_t / (1 - \beta_2^t)} + \epsilon,

        x_t = x_{t-1} - \eta \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{d_t}
              - \eta \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d_t}.

    With ``"constant"`` (optax.nadam, adam with nesterov=True) beta1 is
    constant: x_t = x_{t-1} - eta (beta1 m_t/(1 - beta1^{t+1}) + (1 - beta1) g_t/(1 - beta1^t))
    / (sqrt(v_hat_t) + eps). psi = ``momentum_decay`` = 4e-3 gives the schedule
    0.96^{t/250} attributed to the paper (not checked against it); at psi = 0
    torch's mu is beta1 / 2, not optax's. ``decoupled_weight_decay`` gives
    NAdamW; ``weight_decay`` is coupled otherwise.

    Source: Dozat (2016), "Incorporating Nesterov momentum into Adam", ICLR
    workshop; the update as torch.optim.NAdam computes it.
    """

    name: ClassVar[str] = "nadam"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Dozat (2016), ICLR workshop"

    lr: float = 2e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    momentum_decay: float = 4e-3
    momentum_schedule: str = "dozat"
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)
        _checks.nonnegative("momentum_decay", self.momentum_decay)
        _checks.choice("momentum_schedule", self.momentum_schedule, ("dozat", "constant"))
        _checks.choice("decoupled_weight_decay", self.decoupled_weight_decay, (False, True))

    def init(self, x0, problem=None):
        zeros = np.zeros_like(x0)
        return NAdamState(x=x0, k=0, m=zeros, v=zeros, mu_product=1.0, sampler=None)

    def mu(self, t):
        """mu_t of the Dozat schedule."""
        return self.betas[0] * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2 = self.betas
        x, g = _sign_and_decay(self, params, grad)
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * g * g
        if self.momentum_schedule == "dozat":
            mu, mu_next = self.mu(t), self.mu(t + 1)
            mu_product = state.mu_product * mu
            d = np.sqrt(v / (1 - beta2**t)) + self.eps
            x = x - self.lr * (1 - mu) / (1 - mu_product) * g / d \
                - self.lr * mu_next / (1 - mu_product * mu_next) * m / d
        else:
            mu_product = state.mu_product
            m_nesterov = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1**t)
            x = x - self.lr * m_nesterov / (np.sqrt(v / (1 - beta2**t)) + self.eps)
        return x, state._replace(x=x, k=t, m=m, v=v, mu_product=mu_product)


@dataclasses.dataclass(frozen=True, repr=False)
class RAdam(GradientMap):
    r"""RAdam: Adam whose adaptive step is switched on and rectified once its variance is tractable.

    With rho_inf = 2/(1 - beta2) - 1 and rho_t = rho_inf - 2 t beta2^t/(1 - beta2^t):

    .. math::

        x_t = x_{t-1} - \eta\, r_t \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
        \ \text{ if } \rho_t > \text{threshold}, \qquad
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}},

    and x_t = x_{t-1} - eta m_hat_t otherwise (``degenerate="sgd"``;
    ``"skip"`` makes no update, the official code's default). Variants: the
    paper's ``threshold`` 4 (refopt's default) against 5 in torch, optax and
    the official code; the ``comparison`` ">" (paper, torch) or ">=" (optax,
    official code); ``eps_placement`` "after_bc" (paper, optax) or
    "before_bc" eta r_t sqrt(1 - beta2^t) m_hat/(sqrt(v) + eps) (torch,
    official code); coupled or decoupled ``weight_decay``.

    Source: Liu et al. (2020), "On the variance of the adaptive learning rate
    and beyond", ICLR (arXiv 1908.03265), Algorithm 2.
    """

    name: ClassVar[str] = "radam"
    family: ClassVar[str] = "adam"
    source: ClassVar[str] = "Liu et al. (2020), arXiv 1908.03265"

    lr: float = 1e-3
    betas: Tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    threshold: float = 4.0
    comparison: str = ">"
    eps_placement: str = "after_bc"
    degenerate: str = "sgd"
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False
    maximize: bool = False

    def __post_init__(self):
        _check_common(self)
        # r_t's radicand (rho_t - 4)(rho_t - 2) is negative for 2 < rho_t < 4: a lower threshold gives NaN steps
        _checks.real("threshold", self.threshold, low=4.0)
        _checks.choice("comparison", self.comparison, (">", ">="))
        _checks.choice("eps_placement", self.eps_placement, ("after_bc", "before_bc"))
        _checks.choice("degenerate", self.degenerate, ("sgd", "skip"))
        _checks.choice("decoupled_weight_decay", self.decoupled_weight_decay, (False, True))

    def init(self, x0, problem=None):
        return AdamState.start(x0)

    def update(self, params, grad, state):
        t = state.k + 1
        beta1, beta2 = self.betas
        x, g = _sign_and_decay(self, params, grad)
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * g * g
        bc1, bc2 = 1 - beta1**t, 1 - beta2**t
        m_hat = m / bc1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bc2
        rectify = rho_t > self.threshold if self.comparison == ">" else rho_t >= self.threshold
        if rectify:
            r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            if self.eps_placement == "after_bc":
                x = x - self.lr * r * m_hat / (np.sqrt(v / bc2) + self.eps)
            else:
                x = x - self.lr * r * np.sqrt(bc2) * m_hat / (np.sqrt(v) + self.eps)
        elif self.degenerate == "sgd":
            x = x - self.lr * m_hat
        return x, state._replace(x=x, k=t, m=m, v=v)
