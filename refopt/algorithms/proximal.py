"""Proximal gradient methods for composite objectives F = f + r: ISTA and FISTA."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import Algorithm, required_constant
from .momentum import t_next


class ProximalState(NamedTuple):
    x: np.ndarray
    k: int
    lr: float


@dataclasses.dataclass(frozen=True, repr=False)
class ProximalGradient(Algorithm):
    r"""Proximal gradient descent (ISTA for r = lam ||.||_1).

    .. math::

        x_{k+1} = \operatorname{prox}_{h r}\big(x_k - h \nabla f(x_k)\big),

    with h = lr (default 1/L, L the smoothness of f) and the problem's prox
    (soft-thresholding S_{h lam} for the LASSO; the identity when r = 0, where
    this is gradient descent).

    Sources: Combettes & Wajs (2005), "Signal recovery by proximal
    forward-backward splitting", Multiscale Model. Simul. 4(4); Beck & Teboulle
    (2009), "A fast iterative shrinkage-thresholding algorithm for linear
    inverse problems", SIAM J. Imaging Sci. 2(1) (ISTA).
    """

    name: ClassVar[str] = "ista"
    family: ClassVar[str] = "proximal"
    source: ClassVar[str] = "Combettes & Wajs (2005); Beck & Teboulle (2009)"
    kernel: ClassVar[str] = "refopt.algorithms.proximal_kernels"
    problem_defaults: ClassVar[tuple] = ("lr",)

    lr: Union[float, None] = None

    def __post_init__(self):
        _checks.optional_positive("lr", self.lr)

    def defaults(self, problem):
        return {"lr": 1.0 / required_constant(problem, "L", f"{self.name}'s default lr = 1/L")}

    def init(self, x0, problem):
        return ProximalState(x=x0, k=0, lr=self.resolve(problem)["lr"])

    def step(self, state, problem, rng):
        h = state.lr
        x_next = problem.prox(state.x - h * problem.grad(state.x), h)
        return state._replace(x=x_next, k=state.k + 1)


class FISTAState(NamedTuple):
    x: np.ndarray
    y: np.ndarray
    t: float
    k: int
    lr: float


@dataclasses.dataclass(frozen=True, repr=False)
class FISTA(ProximalGradient):
    r"""FISTA: proximal gradient at an extrapolated point.

    .. math::

        x_k = \operatorname{prox}_{h r}\big(y_k - h \nabla f(y_k)\big), \quad
        t_{k+1} = \frac{1 + \sqrt{1 + 4 t_k^2}}{2}, \quad
        y_{k+1} = x_k + \frac{t_k - 1}{t_{k+1}} (x_k - x_{k-1}),

    with y_1 = x_0, t_1 = 1 and h = lr (default 1/L). With r = 0 it is
    Nesterov's method with the t_k momentum, iterate for iterate. The paper's
    rate: F(x_k) - F* <= 2 L ||x_0 - x*||^2 / (k+1)^2.

    Source: Beck & Teboulle (2009), "A fast iterative shrinkage-thresholding
    algorithm for linear inverse problems", SIAM J. Imaging Sci. 2(1) (FISTA
    with constant step).
    """

    name: ClassVar[str] = "fista"
    family: ClassVar[str] = "proximal"
    source: ClassVar[str] = "Beck & Teboulle (2009), SIAM J. Imaging Sci. 2(1)"

    def init(self, x0, problem):
        return FISTAState(x=x0, y=x0, t=1.0, k=0, lr=self.resolve(problem)["lr"])

    def step(self, state, problem, rng):
        h, y = state.lr, state.y
        x = problem.prox(y - h * problem.grad(y), h)
        t = t_next(state.t)
        y_next = x + ((state.t - 1.0) / t) * (x - state.x)
        return FISTAState(x=x, y=y_next, t=t, k=state.k + 1, lr=h)
