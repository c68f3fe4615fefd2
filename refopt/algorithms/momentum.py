"""Momentum methods: Polyak's heavy ball and Nesterov's accelerated gradient."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import Algorithm, required_constant


class HeavyBallState(NamedTuple):
    x: np.ndarray
    x_prev: np.ndarray
    k: int
    alpha: float
    beta: float


@dataclasses.dataclass(frozen=True, repr=False)
class HeavyBall(Algorithm):
    r"""Polyak's heavy ball method.

    .. math::

        x_{k+1} = x_k - \alpha \nabla f(x_k) + \beta (x_k - x_{k-1}), \qquad x_{-1} = x_0.

    Defaults are Polyak's tuning for quadratics with spectrum in [mu, L]:
    alpha = 4 / (sqrt(L) + sqrt(mu))^2, beta = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2,
    for which the iteration contracts at the optimal rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1)
    on every such quadratic (and may cycle on other smooth strongly convex
    functions: Lessard, Recht & Packard 2016).

    The buffer forms v <- beta v + g, x <- x - alpha v and v <- beta v - alpha g,
    x <- x + v compute the same iterates for a constant alpha (up to rounding),
    so this reference keeps the paper's two-point form.

    Source: Polyak (1964), "Some methods of speeding up the convergence of
    iteration methods", USSR Comput. Math. Math. Phys. 4(5).
    """

    name: ClassVar[str] = "heavy_ball"
    family: ClassVar[str] = "momentum"
    source: ClassVar[str] = "Polyak (1964), USSR Comput. Math. Math. Phys. 4(5)"
    kernel: ClassVar[str] = "refopt.algorithms.momentum_kernels"
    problem_defaults: ClassVar[tuple] = ("alpha", "beta")

    alpha: Union[float, None] = None
    beta: Union[float, None] = None

    def __post_init__(self):
        _checks.optional_positive("alpha", self.alpha)
        if self.beta is not None:
            _checks.real("beta", self.beta, low=0.0, high=1.0, high_open=True)

    def defaults(self, problem):
        why = "heavy_ball's default tuning"
        L, mu = required_constant(problem, "L", why), required_constant(problem, "mu", why)
        root_kappa = np.sqrt(L / mu)
        return {"alpha": 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                "beta": ((root_kappa - 1) / (root_kappa + 1)) ** 2}

    @property
    def is_gradient_map(self):
        return True

    def init(self, x0, problem):
        hyper = self.resolve(problem)
        return HeavyBallState(x=x0, x_prev=x0, k=0, alpha=hyper["alpha"], beta=hyper["beta"])

    def step(self, state, problem, rng):
        g = problem.grad(state.x)
        return self.update(state.x, g, state)[1]

    def update(self, params, grad, state):
        x, x_prev = params, state.x_prev
        x_next = x - state.alpha * grad + state.beta * (x - x_prev)
        return x_next, HeavyBallState(x=x_next, x_prev=x, k=state.k + 1, alpha=state.alpha, beta=state.beta)


MOMENTUM_RULES = ("t_k", "k/(k+3)", "strongly_convex")


class NesterovState(NamedTuple):
    x: np.ndarray   # x_k: the iterate the guarantees are about
    y: np.ndarray   # y_k: the extrapolated point where the gradient is taken
    t: float        # t_k of the t_k rule
    k: int
    lr: float
    beta: float     # the constant momentum (strongly convex rule or a number); nan otherwise


def t_next(t):
    """t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2."""
    return (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0


@dataclasses.dataclass(frozen=True, repr=False)
class Nesterov(Algorithm):
    r"""Nesterov's accelerated gradient method.

    .. math::

        x_{k+1} = y_k - h \nabla f(y_k), \qquad
        y_{k+1} = x_{k+1} + \beta_k (x_{k+1} - x_k), \qquad y_0 = x_0,

    with h = lr (default 1/L) and the momentum ``momentum`` picks:

    * ``"t_k"`` (default): beta_k = (t_k - 1)/t_{k+1}, t_0 = 1,
      t_{k+1} = (1 + sqrt(1 + 4 t_k^2))/2 (Beck & Teboulle 2009 with g = 0:
      f(x_k) - f* <= 2 L ||x_0 - x*||^2 / (k+1)^2);
    * ``"k/(k+3)"``: beta_k = k/(k+3) (Su, Boyd & Candès 2016);
    * ``"strongly_convex"``: beta = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)
      (Nesterov 2004, Sec. 2.2, the constant step scheme for strongly convex functions);
    * a number: that constant beta.

    The trace records x_k; the gradient is taken at y_k. `update` takes
    ``params = y_k`` and returns y_{k+1}: the "look-ahead" iterate that
    torch.optim and optax store in their reformulation b <- mu b + g,
    x <- x - lr (g + mu b).

    Sources: Nesterov (1983), "A method of solving a convex programming problem
    with convergence rate O(1/k^2)", Soviet Math. Dokl. 27; Nesterov (2004),
    *Introductory Lectures on Convex Optimization*, Sec. 2.2; Beck & Teboulle
    (2009), "A fast iterative shrinkage-thresholding algorithm for linear
    inverse problems", SIAM J. Imaging Sci. 2(1).
    """

    name: ClassVar[str] = "nesterov"
    family: ClassVar[str] = "momentum"
    source: ClassVar[str] = "Nesterov (1983); Nesterov (2004) Sec. 2.2; Beck & Teboulle (2009)"
    kernel: ClassVar[str] = "refopt.algorithms.momentum_kernels"
    problem_defaults: ClassVar[tuple] = ("lr",)

    lr: Union[float, None] = None
    momentum: Union[str, float] = "t_k"

    def __post_init__(self):
        _checks.optional_positive("lr", self.lr)
        if isinstance(self.momentum, str):
            _checks.choice("momentum", self.momentum, MOMENTUM_RULES)
        else:
            _checks.real("momentum", self.momentum, low=0.0, high=1.0, high_open=True)

    def defaults(self, problem):
        return {"lr": 1.0 / required_constant(problem, "L", f"{self.name}'s default lr = 1/L")}

    @property
    def is_gradient_map(self):
        return True

    def init(self, x0, problem):
        hyper = self.resolve(problem)
        if self.momentum == "strongly_convex":
            root_kappa = np.sqrt(required_constant(problem, "L", "momentum='strongly_convex'")
                                 / required_constant(problem, "mu", "momentum='strongly_convex'"))
            beta = (root_kappa - 1) / (root_kappa + 1)
        elif isinstance(self.momentum, str):
            beta = np.nan
        else:
            beta = float(self.momentum)
        return NesterovState(x=x0, y=x0, t=1.0, k=0, lr=hyper["lr"], beta=beta)

    def momentum_coefficient(self, state):
        """beta_k and t_{k+1} for the step from x_k to x_{k+1}."""
        if self.momentum == "t_k":
            t = t_next(state.t)
            return (state.t - 1.0) / t, t
        if self.momentum == "k/(k+3)":
            return state.k / (state.k + 3.0), state.t
        return state.beta, state.t

    def step(self, state, problem, rng):
        g = problem.grad(state.y)
        return self.update(state.y, g, state)[1]

    def update(self, params, grad, state):
        x_next = params - state.lr * grad
        beta, t = self.momentum_coefficient(state)
        y_next = x_next + beta * (x_next - state.x)
        return y_next, state._replace(x=x_next, y=y_next, t=t, k=state.k + 1)
