"""Polyak's step size and the stochastic Polyak step (SPS)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import Algorithm


class PolyakState(NamedTuple):
    x: np.ndarray
    k: int
    f_star: float


@dataclasses.dataclass(frozen=True, repr=False)
class PolyakStep(Algorithm):
    r"""The subgradient method with Polyak's step size.

    .. math::

        x_{k+1} = x_k - \frac{f(x_k) - f^*}{\|v_k\|^2}\, v_k, \qquad v_k \in \partial f(x_k)

    (the gradient for smooth problems; the step is 0 where v_k = 0). ``f_star``
    defaults to the problem's f*; a wrong value is the user's to pass.

    Source: Polyak (1987), *Introduction to Optimization*, Optimization
    Software (the step of Polyak 1969, "Minimization of unsmooth functionals",
    USSR Comput. Math. Math. Phys. 9(3)).
    """

    name: ClassVar[str] = "polyak_step"
    family: ClassVar[str] = "polyak"
    source: ClassVar[str] = "Polyak (1969); Polyak (1987)"
    kernel: ClassVar[str] = "refopt.algorithms.polyak_kernels"
    problem_defaults: ClassVar[tuple] = ("f_star",)

    f_star: Union[float, None] = None

    def __post_init__(self):
        if self.f_star is not None:
            _checks.real("f_star", self.f_star)

    def defaults(self, problem):
        if problem.f_star is None:
            raise ValueError(f"polyak_step needs f*, which {problem!r} does not know; pass f_star")
        return {"f_star": problem.f_star}

    def init(self, x0, problem):
        return PolyakState(x=x0, k=0, f_star=self.resolve(problem)["f_star"])

    def step(self, state, problem, rng):
        x = state.x
        v = problem.subgrad(x)
        vv = v @ v
        h = (problem.f(x) - state.f_star) / vv if vv > 0 else 0.0
        return PolyakState(x=x - h * v, k=state.k + 1, f_star=state.f_star)


class SPSState(NamedTuple):
    x: np.ndarray
    k: int
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class SPS(Algorithm):
    r"""SGD with the stochastic Polyak step size, SPS_max.

    .. math::

        x_{k+1} = x_k - \gamma_k \nabla f_{S_k}(x_k), \qquad
        \gamma_k = \min\Big\{ \frac{f_{S_k}(x_k) - f_{S_k}^*}{c\, \|\nabla f_{S_k}(x_k)\|^2},\ \gamma_b \Big\}

    on the sample S_k of the problem's stochastic oracle, with
    f*_{S} = inf f_S: the problem's exact value by default
    (``lower_bound=None``), or the number ``lower_bound`` for every sample (0
    for non-negative losses, as optax's ``f_min``). c = 1/2 and gamma_b = inf
    (plain SPS) are the paper's; optax's ``polyak_sgd`` is c = 1 with gamma_b
    its ``max_learning_rate``. The step is 0 where the sampled gradient vanishes.

    Source: Loizou, Vaswani, Laradji & Lacoste-Julien (2021), "Stochastic
    Polyak step-size for SGD: an adaptive learning rate for fast convergence",
    AISTATS (arXiv 2002.10542).
    """

    name: ClassVar[str] = "sps"
    family: ClassVar[str] = "polyak"
    source: ClassVar[str] = "Loizou, Vaswani, Laradji & Lacoste-Julien (2021), arXiv 2002.10542"
    kernel: ClassVar[str] = "refopt.algorithms.polyak_kernels"
    stochastic: ClassVar[bool] = True

    c: float = 0.5
    gamma_b: float = float("inf")
    lower_bound: Union[float, None] = None

    def __post_init__(self):
        _checks.positive("c", self.c)
        if not self.gamma_b > 0:
            raise ValueError(f"gamma_b must be > 0 (inf for plain SPS), got {self.gamma_b}")
        if self.lower_bound is not None:
            _checks.real("lower_bound", self.lower_bound)

    def init(self, x0, problem):
        return SPSState(x=x0, k=0, sampler=None)

    def step(self, state, problem, rng):
        x = state.x
        sample, sampler = problem.draw(rng, state.sampler)
        f_S = problem.stochastic_f(x, sample)
        g = problem.stochastic_grad(x, sample)
        f_S_star = self.lower_bound if self.lower_bound is not None else problem.stochastic_f_star(sample)
        if f_S_star is None:
            raise ValueError(f"sps needs inf f_S, which {problem!r} does not know for its samples; "
                             "pass lower_bound (e.g. 0 for a non-negative loss)")
        gg = g @ g
        gamma = min((f_S - f_S_star) / (self.c * gg), self.gamma_b) if gg > 0 else 0.0
        return SPSState(x=x - gamma * g, k=state.k + 1, sampler=sampler)
