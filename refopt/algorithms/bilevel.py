r"""Bilevel algorithms: hypergradient baselines (AID, ITD), BDA, and the first-order penalty methods.

Each solves min_x F(x) = f(x, y*(x)), y*(x) in argmin_y g(x, y), through the
oracles of a `refopt.problems.BilevelProblem` (partial gradients, Hessian- and
cross products of f and g at (x, y)); it never reads y*(x) or the exact
hypergradient. The state carries the upper iterate ``x``, the lower iterate
``y`` (the run records ||y_k - y*(x_k)|| as ``lower_dist``) and, for the
methods that form a hypergradient estimate, ``hypergrad`` and the point
``hypergrad_at`` it was formed at (recorded as ``hypergrad_error``).
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import numpy as np

from refopt import _checks

from .base import Algorithm, required_constant


def _optional_positive(name, value):
    if value is not None:
        _checks.positive(name, value)


@dataclasses.dataclass(frozen=True, repr=False)
class BilevelAlgorithm(Algorithm):
    """An algorithm for a bilevel problem: its state has ``x`` and ``y`` (see the module docstring)."""

    bilevel: ClassVar[bool] = True
    estimates_hypergradient: ClassVar[bool] = True
    stochastic: ClassVar[bool] = True
    """Stochastic when the problem has a `bilevel_noise`: every oracle call is given the run's Generator."""

    def lower_estimate(self, state):
        """The lower iterate the run compares with y*(x)."""
        return state.y

    @staticmethod
    def require_bilevel(problem, name):
        if not getattr(problem, "is_bilevel", False):
            raise TypeError(f"{name} needs a bilevel problem (refopt.problems.quad_bilevel, ...), got {problem!r}")


class HypergradientState(NamedTuple):
    x: np.ndarray
    k: int
    y: np.ndarray              # the lower iterate (warm start of the next inner loop)
    v: np.ndarray              # AID's linear-system solution (warm start of the next solve), else None
    hypergrad: np.ndarray      # the last hypergradient estimate (None before the first step)
    hypergrad_at: np.ndarray   # the x it was formed at


def _lower_gd(problem, x, y, steps, lr, rng):
    """``steps`` gradient steps y <- P_Y(y - lr grad_y g(x, y)) on the lower objective."""
    for _ in range(steps):
        y = problem.lower_project(x, y - lr * problem.lower_grad_y(x, y, rng))
    return y


def _inner_defaults(alg, problem):
    defaults = {}
    if alg.inner_lr is None:
        defaults["inner_lr"] = 1.0 / required_constant(problem, "L_g", f"{alg.name}'s default inner_lr = 1/L_g")
    if alg.lr is None:
        defaults["lr"] = 1.0 / required_constant(problem, "L", f"{alg.name}'s default lr = 1/L_F")
    return defaults


@dataclasses.dataclass(frozen=True, repr=False)
class AID(BilevelAlgorithm):
    r"""Approximate implicit differentiation: T lower steps, a linear solve, then a hypergradient step.

    .. math::

        y_{t+1} &= y_t - \alpha \nabla_y g(x_k, y_t), \quad t < T \quad (\text{from } y_0 = y_k), \\
        v &\approx [\nabla^2_{yy} g(x_k, y_T)]^{-1} \nabla_y f(x_k, y_T), \\
        h_k &= \nabla_x f(x_k, y_T) - \nabla^2_{xy} g(x_k, y_T)\, v, \\
        x_{k+1} &= x_k - \beta h_k.

    ``solver="cg"``: v by K conjugate-gradient steps (from the last v when
    ``warm_start``, else from 0). ``solver="neumann"``: the truncated Neumann
    series v_K = alpha sum_{j=0}^{K} (I - alpha grad^2_yy g)^j grad_y f, so
    that v* - v_K = (I - alpha grad^2_yy g)^{K+1} v* exactly. Hyperparameters:
    ``lr`` = beta (default 1/L_F), ``inner_steps`` = T, ``inner_lr`` = alpha
    (default 1/L_g), ``solver_steps`` = K; ``warm_start=False`` restarts y from
    the problem's y0 at every outer step.

    Sources: Pedregosa (2016), "Hyperparameter optimization with approximate
    gradient", ICML; Ghadimi & Wang (2018), "Approximation methods for bilevel
    programming", arXiv 1802.02246; Grazzi, Franceschi, Pontil & Salzo (2020),
    "On the iteration complexity of hypergradient computation", ICML; Ji, Yang
    & Liang (2021), "Bilevel optimization: convergence analysis and enhanced
    design", ICML (AID-BiO).
    """

    name: ClassVar[str] = "aid"
    family: ClassVar[str] = "bilevel"
    source: ClassVar[str] = "Pedregosa (2016); Ghadimi & Wang (2018); Ji, Yang & Liang (2021)"
    problem_defaults: ClassVar[tuple] = ("lr", "inner_lr")

    lr: float = None
    inner_steps: int = 10
    inner_lr: float = None
    solver: str = "cg"
    solver_steps: int = 20
    warm_start: bool = True

    def __post_init__(self):
        _optional_positive("lr", self.lr)
        _optional_positive("inner_lr", self.inner_lr)
        _checks.positive_int("inner_steps", self.inner_steps, minimum=0)
        _checks.choice("solver", self.solver, ("cg", "neumann"))
        _checks.positive_int("solver_steps", self.solver_steps, minimum=0)
        _checks.choice("warm_start", self.warm_start, (False, True))

    def defaults(self, problem):
        return _inner_defaults(self, problem)

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return HypergradientState(x=x0, k=0, y=problem.y0.copy(), v=np.zeros(problem.y_shape), hypergrad=None,
                                  hypergrad_at=None)

    def linear_solve(self, problem, x, y, b, v, alpha, rng):
        """v ~ [grad^2_yy g(x, y)]^{-1} b by K steps of CG (from v) or the Neumann series."""
        if self.solver == "neumann":
            term = alpha * b
            v = term
            for _ in range(self.solver_steps):
                term = term - alpha * problem.lower_hvp(x, y, term, rng)
                v = v + term
            return v
        r = b - problem.lower_hvp(x, y, v, rng)
        p, rr = r, r @ r
        for _ in range(self.solver_steps):
            if rr == 0.0:
                break
            Hp = problem.lower_hvp(x, y, p, rng)
            step = rr / (p @ Hp)
            v, r = v + step * p, r - step * Hp
            rr, rr_old = r @ r, rr
            p = r + (rr / rr_old) * p
        return v

    def step(self, state, problem, rng):
        hyper = self.resolve(problem)
        x = state.x
        y = _lower_gd(problem, x, state.y if self.warm_start else problem.y0, self.inner_steps,
                      hyper["inner_lr"], rng)
        v0 = state.v if self.warm_start else np.zeros(problem.y_shape)
        v = self.linear_solve(problem, x, y, problem.upper_grad_y(x, y, rng), v0, hyper["inner_lr"], rng)
        h = problem.upper_grad_x(x, y, rng) - problem.lower_jvp(x, y, v, rng)
        return HypergradientState(x=x - hyper["lr"] * h, k=state.k + 1, y=y, v=v, hypergrad=h, hypergrad_at=x)


@dataclasses.dataclass(frozen=True, repr=False)
class ITD(BilevelAlgorithm):
    r"""Iterative differentiation: differentiate f(x, y_K(x)) through K unrolled lower gradient steps.

    .. math::

        y_{t+1} = y_t - \alpha \nabla_y g(x_k, y_t), \quad t < K, \qquad
        h_k = \frac{d}{dx} f(x, y_K(x))\Big|_{x_k}, \qquad x_{k+1} = x_k - \beta h_k,

    with h_k accumulated in reverse mode: p_K = grad_y f(x, y_K), h = grad_x f(x, y_K), and for
    t = K-1, ..., 0: h <- h - alpha grad^2_xy g(x, y_t) p_{t+1}, p_t = p_{t+1} - alpha grad^2_yy g(x, y_t) p_{t+1}.
    The unroll starts from the problem's y0 at every outer step (``warm_start=False``,
    the fixed-start analysis of Franceschi et al.) or from the last y_K (ITD-BiO).

    Sources: Maclaurin, Duvenaud & Adams (2015); Franceschi, Donini, Frasconi &
    Pontil (2017), "Forward and reverse gradient-based hyperparameter
    optimization", ICML; Grazzi et al. (2020); Ji, Yang & Liang (2021) (ITD-BiO).
    """

    name: ClassVar[str] = "itd"
    family: ClassVar[str] = "bilevel"
    source: ClassVar[str] = "Franceschi et al. (2017); Grazzi et al. (2020); Ji, Yang & Liang (2021)"
    problem_defaults: ClassVar[tuple] = ("lr", "inner_lr")

    lr: float = None
    inner_steps: int = 20
    inner_lr: float = None
    warm_start: bool = False

    def __post_init__(self):
        _optional_positive("lr", self.lr)
        _optional_positive("inner_lr", self.inner_lr)
        _checks.positive_int("inner_steps", self.inner_steps, minimum=0)
        _checks.choice("warm_start", self.warm_start, (False, True))

    def defaults(self, problem):
        return _inner_defaults(self, problem)

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return HypergradientState(x=x0, k=0, y=problem.y0.copy(), v=None, hypergrad=None, hypergrad_at=None)

    def inner_map(self, problem, x, y, t, hyper, rng):
        """One unrolled lower step y_{t+1} = Phi_t(x, y_t)."""
        return y - hyper["inner_lr"] * problem.lower_grad_y(x, y, rng)

    def inner_map_vjp(self, problem, x, y, t, p, hyper, rng):
        """(d Phi_t / dx)^T p and (d Phi_t / dy)^T p at (x, y_t)."""
        a = hyper["inner_lr"]
        return -a * problem.lower_jvp(x, y, p, rng), p - a * problem.lower_hvp(x, y, p, rng)

    def hypergradient(self, problem, x, y0, hyper, rng):
        """y_K and d f(x, y_K(x)) / dx, by the forward unroll and the reverse sweep."""
        ys = [y0]
        for t in range(self.inner_steps):
            ys.append(self.inner_map(problem, x, ys[-1], t, hyper, rng))
        y = ys[-1]
        h, p = problem.upper_grad_x(x, y, rng), problem.upper_grad_y(x, y, rng)
        for t in reversed(range(self.inner_steps)):
            dx, p = self.inner_map_vjp(problem, x, ys[t], t, p, hyper, rng)
            h = h + dx
        return y, h

    def step(self, state, problem, rng):
        hyper = self.resolve(problem)
        x = state.x
        y, h = self.hypergradient(problem, x, state.y if self.warm_start else problem.y0, hyper, rng)
        return state._replace(x=x - hyper["lr"] * h, k=state.k + 1, y=y, hypergrad=h, hypergrad_at=x)


@dataclasses.dataclass(frozen=True, repr=False)
class BDA(ITD):
    r"""Bilevel descent aggregation: unroll K steps that aggregate the upper and lower gradients.

    .. math::

        y_{t+1} = y_t - \big[\alpha_t s_u \nabla_y f(x, y_t) + (1 - \alpha_t) s_l \nabla_y g(x, y_t)\big],
        \qquad \alpha_t = \frac{\alpha_0}{t + 1},

    then x_{k+1} = x_k - beta d f(x, y_K(x)) / dx, differentiated through the K
    aggregated steps as in `ITD` (which is the case alpha_0 = 0, s_l = inner_lr).
    Pulling y toward the upper level's preference among the lower solutions is
    what lets BDA reach the optimistic solution when the lower level has
    several minimizers. Hyperparameters: ``lr`` = beta (default 1/L_F),
    ``inner_steps`` = K, ``inner_lr`` = s_l and ``upper_lr`` = s_u (default
    1/L_g both), ``alpha0`` = alpha_0.

    Source: Liu, Mu, Yuan, Zeng & Zhang (2020), "A generic first-order
    algorithmic framework for bi-level programming beyond lower-level
    singleton", ICML.
    """

    name: ClassVar[str] = "bda"
    source: ClassVar[str] = "Liu, Mu, Yuan, Zeng & Zhang (2020), ICML"
    problem_defaults: ClassVar[tuple] = ("lr", "inner_lr", "upper_lr")

    upper_lr: float = None
    alpha0: float = 0.5

    def __post_init__(self):
        super().__post_init__()
        _optional_positive("upper_lr", self.upper_lr)
        _checks.real("alpha0", self.alpha0, low=0.0, high=1.0)

    def defaults(self, problem):
        defaults = _inner_defaults(self, problem)
        if self.upper_lr is None:
            defaults["upper_lr"] = defaults.get("inner_lr", self.inner_lr)
        return defaults

    def weight(self, t):
        """alpha_t = alpha_0 / (t + 1), the upper level's share at unrolled step t."""
        return self.alpha0 / (t + 1)

    def inner_map(self, problem, x, y, t, hyper, rng):
        a = self.weight(t)
        return y - (a * hyper["upper_lr"] * problem.upper_grad_y(x, y, rng)
                    + (1 - a) * hyper["inner_lr"] * problem.lower_grad_y(x, y, rng))

    def inner_map_vjp(self, problem, x, y, t, p, hyper, rng):
        a = self.weight(t)
        su, sl = a * hyper["upper_lr"], (1 - a) * hyper["inner_lr"]
        dx = -(su * problem.upper_jvp(x, y, p, rng) + sl * problem.lower_jvp(x, y, p, rng))
        dy = p - (su * problem.upper_hvp(x, y, p, rng) + sl * problem.lower_hvp(x, y, p, rng))
        return dx, dy


class PenaltyState(NamedTuple):
    x: np.ndarray
    k: int
    y: np.ndarray              # minimizes the penalized lower objective (f/sigma + g, i.e. f + lam g)
    z: np.ndarray              # minimizes g alone: the value function's argument
    lam: float                 # the current multiplier lam_k (1/sigma for the penalty method)
    hypergrad: np.ndarray      # the last x-direction
    hypergrad_at: np.ndarray


def _penalty_direction(problem, x, y, z, lam, rng):
    """grad_x f(x, y) + lam (grad_x g(x, y) - grad_x g(x, z)): the gradient of the value-function penalty
    L*_lam(x) = min_y f + lam (g - min_z g) when y and z are the two minimizers (Danskin)."""
    return problem.upper_grad_x(x, y, rng) + lam * (problem.lower_grad_x(x, y, rng) - problem.lower_grad_x(x, z, rng))


@dataclasses.dataclass(frozen=True, repr=False)
class F2SA(BilevelAlgorithm):
    r"""F2SA, the fully first-order stochastic approximation: descend the value-function penalty, lam_k growing.

    With L_lam(x, y) = f(x, y) + lam (g(x, y) - g*(x)), g*(x) = min_z g(x, z), iteration k is

    .. math::

        z &\leftarrow z - \gamma_k \nabla_y g(x_k, z), \qquad
        y \leftarrow y - \alpha_k [\nabla_y f(x_k, y) + \lambda_k \nabla_y g(x_k, y)]
        \qquad (T \text{ times, warm-started}), \\
        x_{k+1} &= x_k - \beta_k [\nabla_x f(x_k, y) + \lambda_k (\nabla_x g(x_k, y) - \nabla_x g(x_k, z))], \\
        \lambda_{k+1} &= \lambda_k + \delta_k,

    each oracle call on a fresh sample, with polynomial schedules
    alpha_k = lr_y (k+1)^{-decay_y}, gamma_k = lr_z (k+1)^{-decay_z},
    beta_k = lr_x (k+1)^{-decay_x}, delta_k = lam_increment (k+1)^{-decay_lam}.
    Only gradients of f and g are used: no Hessian- or cross products.

    The defaults are those of the benchopt bilevel benchmark's F2SA (read:
    step 0.01 for the three variables, exponents 5/7, 4/7, 4/7 and 1/7 for
    y, z, x and the multiplier's increment, lam_0 = 1, increment 0.1, T = 10);
    note that its multiplier then grows like k^{6/7}. The schedules of the
    paper's corollaries (one per noise regime) are not encoded as defaults:
    they are not confirmed here. With all decays 0 and lam_increment = 0 the
    method is the double-loop penalty method at sigma = 1/lam_0 (`penalty`).

    Source: Kwon, Kwon, Wright & Nowak (2023), "A fully first-order method
    for stochastic bilevel optimization", ICML (arXiv 2301.10945), Algorithm 1.
    """

    name: ClassVar[str] = "f2sa"
    family: ClassVar[str] = "bilevel"
    source: ClassVar[str] = "Kwon, Kwon, Wright & Nowak (2023), ICML"

    lr_y: float = 0.01
    lr_z: float = 0.01
    lr_x: float = 0.01
    decay_y: float = 5 / 7
    decay_z: float = 4 / 7
    decay_x: float = 4 / 7
    lam0: float = 1.0
    lam_increment: float = 0.1
    decay_lam: float = 1 / 7
    inner_steps: int = 10

    def __post_init__(self):
        for name in ("lr_y", "lr_z", "lr_x", "lam0"):
            _checks.positive(name, getattr(self, name))
        for name in ("decay_y", "decay_z", "decay_x", "lam_increment", "decay_lam"):
            _checks.nonnegative(name, getattr(self, name))
        _checks.positive_int("inner_steps", self.inner_steps)

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return PenaltyState(x=x0, k=0, y=problem.y0.copy(), z=problem.y0.copy(), lam=self.lam0, hypergrad=None,
                            hypergrad_at=None)

    def schedule(self, k):
        """(alpha_k, gamma_k, beta_k, delta_k) at iteration k."""
        return (self.lr_y / (k + 1) ** self.decay_y, self.lr_z / (k + 1) ** self.decay_z,
                self.lr_x / (k + 1) ** self.decay_x, self.lam_increment / (k + 1) ** self.decay_lam)

    def step(self, state, problem, rng):
        alpha, gamma, beta, delta = self.schedule(state.k)
        x, y, z, lam = state.x, state.y, state.z, state.lam
        for _ in range(self.inner_steps):
            z = problem.lower_project(x, z - gamma * problem.lower_grad_y(x, z, rng))
            y = problem.lower_project(x, y - alpha * (problem.upper_grad_y(x, y, rng) + lam * problem.lower_grad_y(x, y, rng)))
        h = _penalty_direction(problem, x, y, z, lam, rng)
        return PenaltyState(x=x - beta * h, k=state.k + 1, y=y, z=z, lam=lam + delta, hypergrad=h, hypergrad_at=x)


@dataclasses.dataclass(frozen=True, repr=False)
class Penalty(BilevelAlgorithm):
    r"""The double-loop penalty method: gradient steps on psi_sigma(x) = (l(x, sigma) - l(x, 0)) / sigma.

    With h_sigma = sigma f + g and l(x, sigma) = min_{y in Y} h_sigma(x, y), psi_sigma
    is the value-function penalty at multiplier 1/sigma, and by Danskin's theorem

    .. math::

        \nabla\psi_\sigma(x) = \nabla_x f(x, y_\sigma) + \frac{\nabla_x g(x, y_\sigma) - \nabla_x g(x, z)}{\sigma},
        \quad y_\sigma = \arg\min_{y \in Y} h_\sigma(x, y), \quad z = \arg\min_{y \in Y} g(x, y)

    (derived). Iteration k: T projected gradient steps on y for h_sigma (step
    ``inner_lr_y``, default 1/(sigma L_fy + L_g)) and on z for g (step
    ``inner_lr``, default 1/L_g), warm-started, then x_{k+1} = x_k - beta
    grad psi_sigma (``lr`` = beta, default 1/L_F). sigma = O(eps) trades the
    O(sigma) bias of psi_sigma against the conditioning of h_sigma/sigma.

    Source: Kwon, Kwon, Wright & Nowak (2024), "On penalty methods for
    nonconvex bilevel optimization and first-order stochastic approximation",
    ICLR (arXiv 2309.01753); the paper's algorithm box (step sizes, inner
    counts) is not confirmed here: this is the method as the penalty
    formulation defines it.
    """

    name: ClassVar[str] = "penalty"
    family: ClassVar[str] = "bilevel"
    source: ClassVar[str] = "Kwon, Kwon, Wright & Nowak (2024), ICLR"
    problem_defaults: ClassVar[tuple] = ("lr", "inner_lr", "inner_lr_y")

    sigma: float = 1e-2
    lr: float = None
    inner_steps: int = 100
    inner_lr: float = None
    inner_lr_y: float = None

    def __post_init__(self):
        _checks.positive("sigma", self.sigma)
        for name in ("lr", "inner_lr", "inner_lr_y"):
            _optional_positive(name, getattr(self, name))
        _checks.positive_int("inner_steps", self.inner_steps)

    def defaults(self, problem):
        defaults = _inner_defaults(self, problem)
        if self.inner_lr_y is None:
            why = "penalty's default inner_lr_y = 1/(sigma L_fy + L_g)"
            defaults["inner_lr_y"] = 1.0 / (self.sigma * required_constant(problem, "L_fy", why)
                                            + required_constant(problem, "L_g", why))
        return defaults

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return PenaltyState(x=x0, k=0, y=problem.y0.copy(), z=problem.y0.copy(), lam=1.0 / self.sigma,
                            hypergrad=None, hypergrad_at=None)

    def direction(self, problem, x, y, z, hyper, rng):
        """(y_sigma, z, grad psi_sigma(x)) after T inner steps from (y, z)."""
        sigma = self.sigma
        for _ in range(self.inner_steps):
            y = problem.lower_project(x, y - hyper["inner_lr_y"] * (sigma * problem.upper_grad_y(x, y, rng)
                                                                    + problem.lower_grad_y(x, y, rng)))
            z = problem.lower_project(x, z - hyper["inner_lr"] * problem.lower_grad_y(x, z, rng))
        return y, z, _penalty_direction(problem, x, y, z, 1.0 / sigma, rng)

    def step(self, state, problem, rng):
        hyper = self.resolve(problem)
        y, z, h = self.direction(problem, state.x, state.y, state.z, hyper, rng)
        return state._replace(x=state.x - hyper["lr"] * h, k=state.k + 1, y=y, z=z, hypergrad=h,
                              hypergrad_at=state.x)
