"""Stochastic gradient methods: SGD (with momentum) and AdaGrad-Norm.

Both draw their gradient from the problem's stochastic oracle: the noise model
the problem was built with (minibatch sampling of a finite sum, additive
Gaussian or affine-variance noise). A problem without a noise model gives the
exact gradient, so SGD on it is gradient descent.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import GradientMap, required_constant
from .schedules import Schedule, as_schedule, step_size


class SGDState(NamedTuple):
    x: np.ndarray
    k: int
    lr: object           # the resolved schedule
    buffer: np.ndarray   # momentum buffer b_k
    sampler: object      # position in the oracle's sample stream


def default_stochastic_lr(problem, name):
    """1/(2 L_max) for finite sums, 1/(L (1 + s1^2)) under affine variance, 1/L for an exact oracle."""
    noise = problem.noise
    if noise is not None and noise.name == "finite_sum":
        return 1.0 / (2.0 * required_constant(problem, "L_max", f"{name}'s default lr = 1/(2 L_max)"))
    L = required_constant(problem, "L", f"{name}'s default lr")
    s1 = getattr(noise, "s1", 0.0) if noise is not None else 0.0
    return 1.0 / (L * (1.0 + s1**2))


@dataclasses.dataclass(frozen=True, repr=False)
class SGD(GradientMap):
    r"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and coupled weight decay.

    With g_k the stochastic gradient at x_k and lambda the weight decay:

    .. math::

        \hat g_k = g_k + \lambda x_k, \qquad
        b_k = \mu b_{k-1} + (1 - \tau) \hat g_k, \qquad
        d_k = \hat g_k + \mu b_k \ \text{(nesterov)} \ \text{or}\ b_k, \qquad
        x_{k+1} = x_k - h_k d_k

    (with mu = 0: d_k = \hat g_k, plain SGD). ``buffer_init`` names the first
    step, where implementations differ once tau != 0:

    * ``"gradient"`` (torch.optim.SGD): b_0 = \hat g_0, no dampening at the first step;
    * ``"zero"`` (optax's trace, and the textbook b_{-1} = 0): b_0 = (1 - tau) \hat g_0.

    ``lr_in_buffer=True`` is Sutskever et al.'s (2013) velocity form, with the
    step inside the buffer: v_k = mu v_{k-1} - h_k \hat g_k, x_{k+1} = x_k + v_k,
    or x_{k+1} = x_k + mu v_k - h_k \hat g_k with Nesterov momentum (the
    look-ahead point of v <- mu v - h grad f(x + mu v), x <- x + v). It
    computes the same iterates as the buffer form for a constant step and
    differs under a schedule. ``maximize`` (torch) negates the gradient first.

    ``lr`` is a constant or a schedule (e.g. `schedules.inverse_time`). Its
    default is the largest step of the standard analyses: 1/(2 L_max) for a
    finite sum (Garrigos & Gower 2023, arXiv 2301.11235), 1/(L (1 + s1^2))
    under affine-variance noise (Bottou, Curtis & Nocedal 2018, Thm 4.6 with
    mu = mu_G = 1, M_G = 1 + s1^2), 1/L for an exact oracle. torch.optim's own
    default is lr = 1e-3.

    Sources: Robbins & Monro (1951), "A stochastic approximation method", Ann.
    Math. Statist. 22(3); Bottou, Curtis & Nocedal (2018), "Optimization
    methods for large-scale machine learning", SIAM Rev. 60(2) (arXiv
    1606.04838); momentum semantics of torch.optim.SGD.
    """

    name: ClassVar[str] = "sgd"
    family: ClassVar[str] = "stochastic"
    source: ClassVar[str] = "Robbins & Monro (1951); Bottou, Curtis & Nocedal (2018)"
    kernel: ClassVar[str] = "refopt.algorithms.stochastic_kernels"
    problem_defaults: ClassVar[tuple] = ("lr",)

    lr: Union[float, Schedule, None] = None
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    buffer_init: str = "gradient"
    lr_in_buffer: bool = False
    maximize: bool = False

    def __post_init__(self):
        if self.lr is not None:
            as_schedule(self.lr)
        _checks.real("momentum", self.momentum, low=0.0, high=1.0, high_open=True)
        _checks.real("dampening", self.dampening, low=0.0, high=1.0)
        _checks.nonnegative("weight_decay", self.weight_decay)
        _checks.choice("nesterov", self.nesterov, (False, True))
        _checks.choice("buffer_init", self.buffer_init, ("gradient", "zero"))
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires momentum > 0 and dampening = 0")
        _checks.choice("lr_in_buffer", self.lr_in_buffer, (False, True))
        _checks.choice("maximize", self.maximize, (False, True))
        if self.lr_in_buffer and self.dampening != 0:
            raise ValueError("the velocity form (lr_in_buffer=True) has no dampening")

    def defaults(self, problem):
        return {"lr": default_stochastic_lr(problem, self.name)}

    def init(self, x0, problem):
        lr = as_schedule(self.resolve(problem)["lr"])
        return SGDState(x=x0, k=0, lr=lr, buffer=np.zeros_like(x0), sampler=None)

    def update(self, params, grad, state):
        g = -grad if self.maximize else grad
        g = g + self.weight_decay * params
        if self.lr_in_buffer and self.momentum != 0:
            h = step_size(state.lr, state.k)
            v = self.momentum * state.buffer - h * g
            x = params + self.momentum * v - h * g if self.nesterov else params + v
            return x, state._replace(x=x, k=state.k + 1, buffer=v)
        d, b = g, state.buffer
        if self.momentum != 0:
            if state.k == 0 and self.buffer_init == "gradient":
                b = g
            else:
                b = self.momentum * b + (1.0 - self.dampening) * g
            d = g + self.momentum * b if self.nesterov else b
        x = params - step_size(state.lr, state.k) * d
        return x, state._replace(x=x, k=state.k + 1, buffer=b)


class AdaGradNormState(NamedTuple):
    x: np.ndarray
    k: int
    accumulator: object  # sum_{s<=k} ||g_s||^2 (a float), or sum g_s^2 per coordinate
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class AdaGradNorm(GradientMap):
    r"""SGD with AdaGrad-Norm step sizes (AdaSGD).

    .. math::

        x_{t+1} = x_t - \frac{\eta}{\sqrt{b_0^2 + \sum_{s \le t} \|g_s\|^2}}\, g_t

    (the current gradient is inside the sum). ``accumulator="coordinate"``
    takes the sum per coordinate instead (diagonal AdaGrad with initial
    accumulator b_0^2). The paper writes gamma_0 for b_0 and fixes no
    defaults; refopt's lr = 1 and b0 = 1e-8 make the first step a unit step
    along -g_0 / ||g_0||.

    Sources: Attia & Koren (2023), "SGD with AdaGrad stepsizes: full
    adaptivity with high probability to unknown parameters, unbounded
    gradients and affine variance", ICML (arXiv 2302.08783); Ward, Wu & Bottou
    (2019), "AdaGrad stepsizes: sharp convergence over nonconvex landscapes",
    ICML.
    """

    name: ClassVar[str] = "adagrad_norm"
    family: ClassVar[str] = "stochastic"
    source: ClassVar[str] = "Attia & Koren (2023), arXiv 2302.08783; Ward, Wu & Bottou (2019)"
    kernel: ClassVar[str] = "refopt.algorithms.stochastic_kernels"

    lr: float = 1.0
    b0: float = 1e-8
    accumulator: str = "norm"

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.positive("b0", self.b0)
        _checks.choice("accumulator", self.accumulator, ("norm", "coordinate"))

    def init(self, x0, problem):
        accumulator = 0.0 if self.accumulator == "norm" else np.zeros_like(x0)
        return AdaGradNormState(x=x0, k=0, accumulator=accumulator, sampler=None)

    def update(self, params, grad, state):
        if self.accumulator == "norm":
            accumulator = state.accumulator + float(grad.ravel() @ grad.ravel())
        else:
            accumulator = state.accumulator + grad * grad
        x = params - self.lr * grad / np.sqrt(self.b0**2 + accumulator)
        return x, state._replace(x=x, k=state.k + 1, accumulator=accumulator)
