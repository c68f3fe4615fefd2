"""Gradient descent and the subgradient method."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import Algorithm, required_constant
from .schedules import Schedule, as_schedule, step_size

Step = Union[float, Schedule, None]


class GDState(NamedTuple):
    x: np.ndarray
    k: int
    lr: object  # the resolved schedule
    h: float    # the last step taken (where a warm Armijo search restarts)


@dataclasses.dataclass(frozen=True, repr=False)
class GradientDescent(Algorithm):
    r"""Gradient descent with a constant step, a schedule, exact line search or Armijo backtracking.

    .. math::

        x_{k+1} = x_k - h_k \nabla f(x_k)

    The step h_k is chosen by ``line_search``:

    * ``None``: h_k = lr(k), a constant (default 1/L) or a schedule;
    * ``"exact"``: h_k = argmin_h f(x_k - h g_k) = g_k^T g_k / g_k^T H g_k, the
      closed form on a quadratic (any other problem is refused);
    * ``"armijo"``: backtracking from h = lr (default 1): h <- rho h until
      f(x_k - h g_k) <= f(x_k) - c h ||g_k||^2. With ``restart="cold"`` each
      search starts from lr; with ``"warm"`` from the previous accepted step
      (so the steps never increase). Every trial evaluation of f is an
      oracle call.

    Sources: Cauchy (1847), "Méthode générale pour la résolution des systèmes
    d'équations simultanées"; Nesterov (2004), *Introductory Lectures on Convex
    Optimization*, Ch. 1 and 2; Armijo (1966), "Minimization of
    functions having Lipschitz continuous first partial derivatives", Pacific
    J. Math. 16.
    """

    name: ClassVar[str] = "gradient_descent"
    family: ClassVar[str] = "gradient"
    source: ClassVar[str] = "Cauchy (1847); Nesterov (2004); Armijo (1966)"
    kernel: ClassVar[str] = "refopt.algorithms.gradient_kernels"
    problem_defaults: ClassVar[tuple] = ("lr",)

    lr: Step = None
    line_search: Union[str, None] = None
    c: float = 1e-4
    rho: float = 0.5
    restart: str = "cold"

    def __post_init__(self):
        _checks.choice("line_search", self.line_search, (None, "exact", "armijo"))
        if self.lr is not None:
            as_schedule(self.lr)
            if self.line_search == "armijo" and not isinstance(self.lr, (int, float)):
                raise TypeError("with line_search='armijo', lr is the initial trial step: a number")
        _checks.real("c", self.c, low=0.0, high=1.0, low_open=True, high_open=True)
        _checks.real("rho", self.rho, low=0.0, high=1.0, low_open=True, high_open=True)
        _checks.choice("restart", self.restart, ("cold", "warm"))

    def defaults(self, problem):
        if self.line_search == "armijo":
            return {"lr": 1.0}
        if self.line_search == "exact":
            return {"lr": 0.0}  # unused: the exact step is computed at every iteration
        return {"lr": 1.0 / required_constant(problem, "L", "gradient_descent's default lr = 1/L")}

    @property
    def is_gradient_map(self):
        return self.line_search is None

    def init(self, x0, problem):
        hyper = self.resolve(problem)
        if self.line_search == "exact" and not getattr(problem, "is_quadratic", False):
            raise ValueError(f"exact line search has a closed form only on quadratics, not on {problem!r}")
        lr = as_schedule(hyper["lr"]) if self.line_search is None else hyper["lr"]
        return GDState(x=x0, k=0, lr=lr, h=hyper["lr"] if self.line_search == "armijo" else np.nan)

    def step(self, state, problem, rng):
        x, k = state.x, state.k
        g = problem.grad(x)
        if self.line_search is None:
            h = step_size(state.lr, k)
        elif self.line_search == "exact":
            gg = g @ g
            h = gg / (g @ problem.hvp(x, g)) if gg > 0 else 0.0
        else:
            h = self._armijo(x, g, problem, state.lr if self.restart == "cold" else state.h)
        return GDState(x=x - h * g, k=k + 1, lr=state.lr, h=h)

    def _armijo(self, x, g, problem, h):
        fx, gg = problem.f(x), g @ g
        # 1100 halvings take any finite trial step below the smallest double
        for _ in range(1100):
            if problem.f(x - h * g) <= fx - self.c * h * gg:
                return h
            h = self.rho * h
        return 0.0

    def update(self, params, grad, state):
        if self.line_search is not None:
            return super().update(params, grad, state)
        h = step_size(state.lr, state.k)
        x = params - h * grad
        return x, GDState(x=x, k=state.k + 1, lr=state.lr, h=h)


class SubgradientState(NamedTuple):
    x: np.ndarray
    k: int
    lr: object
    x_average: np.ndarray  # step-weighted average of x_0 .. x_{k-1}
    weight: float          # sum of the steps h_0 .. h_{k-1}
    x_best: np.ndarray
    f_best: float


@dataclasses.dataclass(frozen=True, repr=False)
class Subgradient(Algorithm):
    r"""The (projected) subgradient method.

    .. math::

        x_{k+1} = \Pi_X(x_k - h_k v_k), \qquad v_k \in \partial f(x_k)

    with the problem's subgradient (sign(0) = 0 at the kinks of |.|) and its
    projection (the identity when unconstrained). ``lr`` is a constant step
    or a schedule, e.g. ``schedules.power(R / G, 0.5)`` for h_k = R/(G sqrt(k+1)).

    ``output`` names the point the trace records:

    * ``"last"``: x_k;
    * ``"average"``: the step-weighted average sum_{i<k} h_i x_i / sum_{i<k} h_i,
      the point the classical bound (R^2 + G^2 sum h_i^2)/(2 sum h_i) holds for;
    * ``"best"``: the x_i (i <= k) with the smallest f (one extra f call per step).

    Sources: Shor (1962); Polyak (1987), *Introduction to Optimization*.
    """

    name: ClassVar[str] = "subgradient"
    family: ClassVar[str] = "gradient"
    source: ClassVar[str] = "Shor (1962); Polyak (1987)"
    kernel: ClassVar[str] = "refopt.algorithms.gradient_kernels"

    lr: Step = None
    output_point: str = "last"

    def __post_init__(self):
        if self.lr is None:
            raise TypeError("subgradient needs lr (a constant step or a schedule); it has no default")
        as_schedule(self.lr)
        _checks.choice("output_point", self.output_point, ("last", "average", "best"))

    def init(self, x0, problem):
        f0 = problem.f(x0) if self.output_point == "best" else np.nan
        return SubgradientState(x=x0, k=0, lr=as_schedule(self.lr), x_average=x0, weight=0.0,
                                x_best=x0, f_best=f0)

    def step(self, state, problem, rng):
        x, k = state.x, state.k
        v = problem.subgrad(x)
        h = step_size(state.lr, k)
        x_next = problem.project(x - h * v)
        weight = state.weight + h
        x_average = state.x_average + (h / weight) * (x - state.x_average) if weight > 0 else x
        x_best, f_best = state.x_best, state.f_best
        if self.output_point == "best":
            f_next = problem.f(x_next)
            if f_next < f_best:
                x_best, f_best = x_next, f_next
        return SubgradientState(x=x_next, k=k + 1, lr=state.lr, x_average=x_average, weight=weight,
                                x_best=x_best, f_best=f_best)

    def output(self, state):
        if self.output_point == "average":
            return state.x_average
        if self.output_point == "best":
            return state.x_best
        return state.x
