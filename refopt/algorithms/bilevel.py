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


@dataclasses.dataclass(frozen=True, repr=False)
class BilevelAlgorithm(Algorithm):
    """An algorithm for a bilevel problem: its state has ``x`` and ``y`` (see the module docstring)."""

    family: ClassVar[str] = "bilevel"
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
    source: ClassVar[str] = "Pedregosa (2016); Ghadimi & Wang (2018); Ji, Yang & Liang (2021)"
    problem_defaults: ClassVar[tuple] = ("lr", "inner_lr")

    lr: float = None
    inner_steps: int = 10
    inner_lr: float = None
    solver: str = "cg"
    solver_steps: int = 20
    warm_start: bool = True

    def __post_init__(self):
        _checks.optional_positive("lr", self.lr)
        _checks.optional_positive("inner_lr", self.inner_lr)
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
    source: ClassVar[str] = "Franceschi et al. (2017); Grazzi et al. (2020); Ji, Yang & Liang (2021)"
    problem_defaults: ClassVar[tuple] = ("lr", "inner_lr")

    lr: float = None
    inner_steps: int = 20
    inner_lr: float = None
    warm_start: bool = False

    def __post_init__(self):
        _checks.optional_positive("lr", self.lr)
        _checks.optional_positive("inner_lr", self.inner_lr)
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
    The weights alpha_t = alpha_0 / (t + 1), decreasing to 0, are this reference's
    choice; the official code (vis-opt-group/BDA) scales its upper term by
    gamma 0.9^(k-1) instead, and its two weights need not sum to one.
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
        _checks.optional_positive("upper_lr", self.upper_lr)
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
            _checks.optional_positive(name, getattr(self, name))
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


class BOREPState(NamedTuple):
    x: np.ndarray
    k: int
    y: np.ndarray              # the lower iterate, moved only at refinement and periodic updates
    z: np.ndarray              # the linear-system variable, z ~ [grad^2_yy g]^{-1} grad_y f
    m: np.ndarray              # the momentum of the hypergradient estimates
    hypergrad: np.ndarray
    hypergrad_at: np.ndarray


@dataclasses.dataclass(frozen=True, repr=False)
class BOREP(BilevelAlgorithm):
    r"""BO-REP: normalized momentum on the upper level, with initialization refinement and periodic updates.

    Before the first step y is refined by ``refine_steps`` gradient steps on g(x_0, .).
    Iteration k (stochastic oracles when the problem has noise):

    .. math::

        &\text{if } k \bmod I = 0: \quad y \leftarrow y - \alpha \nabla_y g(x_k, y) \quad (N \text{ times}), \\
        &z_{k+1} = \Pi_R\big(z_k - \nu [\nabla^2_{yy} g(x_k, y) z_k - \nabla_y f(x_k, y)]\big), \\
        &h_k = \nabla_x f(x_k, y) - \nabla^2_{xy} g(x_k, y)\, z_{k+1}, \\
        &m_{k+1} = \beta m_k + (1 - \beta) h_k, \qquad x_{k+1} = x_k - \eta\, m_{k+1} / \|m_{k+1}\|,

    Pi_R the projection onto the ball of radius ``z_radius`` (none by default). The
    normalized step keeps ||x_{k+1} - x_k|| = eta whatever the gradient's size,
    which is what an upper level with unbounded smoothness ((L0, L1)-smooth) needs;
    ``normalize=False`` takes x_{k+1} = x_k - eta m_{k+1}, the unnormalized baseline.
    Hyperparameters: ``lr`` = eta, ``beta``, ``period`` = I, ``lower_steps`` = N,
    ``inner_lr`` = alpha and ``z_lr`` = nu (default 1/L_g both), ``refine_steps``.
    The theorem's eps-dependent choices of beta, eta, I and N are not encoded. The order
    (z first, then the hypergradient at the new z) and the absence of a projection by
    default are the official code's; its experiments use beta = 0.9, nu = 1e-2, N = 3 to 10
    lower steps every I = 2 or 3 iterations, and start z at random rather than at 0.

    Source: Hao, Gong & Liu (2024), "Bilevel optimization under unbounded
    smoothness: a new algorithm and convergence analysis", ICLR (arXiv 2401.09587);
    official code MingruiLiu-ML-Lab/Bilevel-Optimization-under-Unbounded-Smoothness.
    """

    name: ClassVar[str] = "bo_rep"
    source: ClassVar[str] = "Hao, Gong & Liu (2024), ICLR"
    problem_defaults: ClassVar[tuple] = ("inner_lr", "z_lr")

    lr: float = 1e-2
    beta: float = 0.9
    period: int = 10
    lower_steps: int = 10
    inner_lr: float = None
    z_lr: float = None
    refine_steps: int = 1000
    z_radius: float = None
    normalize: bool = True

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.real("beta", self.beta, low=0.0, high=1.0, high_open=True)
        _checks.positive_int("period", self.period)
        _checks.positive_int("lower_steps", self.lower_steps, minimum=0)
        _checks.positive_int("refine_steps", self.refine_steps, minimum=0)
        _checks.choice("normalize", self.normalize, (False, True))
        for name in ("inner_lr", "z_lr", "z_radius"):
            _checks.optional_positive(name, getattr(self, name))

    def defaults(self, problem):
        step = 1.0 / required_constant(problem, "L_g", f"{self.name}'s default inner_lr and z_lr = 1/L_g")
        return {"inner_lr": step, "z_lr": step}

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return BOREPState(x=x0, k=0, y=problem.y0.copy(), z=np.zeros(problem.y_shape), m=np.zeros(problem.shape),
                          hypergrad=None, hypergrad_at=None)

    def step(self, state, problem, rng):
        hyper = self.resolve(problem)
        x, y, z = state.x, state.y, state.z
        if state.k == 0:
            y = _lower_gd(problem, x, y, self.refine_steps, hyper["inner_lr"], rng)
        if state.k % self.period == 0:
            y = _lower_gd(problem, x, y, self.lower_steps, hyper["inner_lr"], rng)
        z = z - hyper["z_lr"] * (problem.lower_hvp(x, y, z, rng) - problem.upper_grad_y(x, y, rng))
        if self.z_radius is not None and np.linalg.norm(z) > self.z_radius:
            z = z * (self.z_radius / np.linalg.norm(z))
        h = problem.upper_grad_x(x, y, rng) - problem.lower_jvp(x, y, z, rng)
        m = self.beta * state.m + (1 - self.beta) * h
        norm = np.linalg.norm(m) if self.normalize else 1.0
        x_new = x - self.lr * m / norm if norm > 0 else x
        return BOREPState(x=x_new, k=state.k + 1, y=y, z=z, m=m, hypergrad=h, hypergrad_at=x)


class BAMMState(NamedTuple):
    x: np.ndarray
    k: int
    y: np.ndarray
    v: np.ndarray              # the multiplier of the lower level's stationarity condition
    hypergrad: np.ndarray
    hypergrad_at: np.ndarray


@dataclasses.dataclass(frozen=True, repr=False)
class SLBAMM(BilevelAlgorithm):
    r"""sl-BAMM, the single-loop bilevel averaged method of multipliers (no lower-level strong convexity).

    With the averaged objective phi_mu = mu f + (1 - mu) g and mu_k = mu_0 (k+1)^{-1/p},
    iteration k, every derivative at (x_k, y_k):

    .. math::

        y_{k+1} &= y_k - s\, \nabla_y \varphi_{\mu_k}(x_k, y_k), \\
        v_{k+1} &= v_k - \eta_k [\nabla^2_{yy} \varphi_{\mu_k} v_k - \nabla_y f], \\
        x_{k+1} &= x_k - \alpha_k [\nabla_x f - \nabla^2_{xy} \varphi_{\mu_k} v_k],
        \qquad \alpha_k = s\, \mu_k^3 (k+1)^{-3\tau/2},

    with eta_k the exact line-search step of the quadratic in v,
    ||r||^2 / <r, grad^2_yy phi r> for the residual r = grad^2_yy phi v - grad_y f.
    Averaging with the upper objective makes y track the upper level's preferred
    lower-level solution (as in BDA); v is the multiplier of the stationarity
    constraint. Hyperparameters and defaults (the official code's strategy 3:
    mu_0 = 0.9, p = 10, tau = 1/40, s = 0.1); the admissible schedules of the
    paper's theorem are not confirmed here.

    Source: Liu, Liu, Yao, Zeng & Zhang (2023), "Averaged method of multipliers
    for bi-level optimization without lower-level strong convexity", ICML
    (arXiv 2302.03407); update order and defaults from the official code
    (vis-opt-group/sl-BAMM, merely_convex/strategy3.py).
    """

    name: ClassVar[str] = "sl_bamm"
    source: ClassVar[str] = "Liu, Liu, Yao, Zeng & Zhang (2023), ICML"

    lr: float = 0.1
    mu0: float = 0.9
    p: float = 10.0
    tau: float = 1 / 40

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.real("mu0", self.mu0, low=0.0, high=1.0, low_open=True)
        _checks.positive("p", self.p)
        _checks.nonnegative("tau", self.tau)

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return BAMMState(x=x0, k=0, y=problem.y0.copy(), v=np.zeros(problem.y_shape), hypergrad=None,
                         hypergrad_at=None)

    def schedule(self, k):
        """(mu_k, alpha_k): the averaging weight and the x-step at iteration k."""
        mu = self.mu0 / (k + 1) ** (1 / self.p)
        return mu, self.lr * mu ** 3 * (k + 1) ** (-1.5 * self.tau)

    def step(self, state, problem, rng):
        mu, alpha = self.schedule(state.k)
        x, y, v = state.x, state.y, state.v

        def hvp(u):
            return mu * problem.upper_hvp(x, y, u, rng) + (1 - mu) * problem.lower_hvp(x, y, u, rng)

        fy = problem.upper_grad_y(x, y, rng)
        y_new = y - self.lr * (mu * fy + (1 - mu) * problem.lower_grad_y(x, y, rng))
        r = hvp(v) - fy
        curvature = r @ hvp(r)
        v_new = v - (r @ r / curvature) * r if curvature > 0 else v
        h = problem.upper_grad_x(x, y, rng) - (mu * problem.upper_jvp(x, y, v, rng)
                                              + (1 - mu) * problem.lower_jvp(x, y, v, rng))
        return BAMMState(x=x - alpha * h, k=state.k + 1, y=y_new, v=v_new, hypergrad=h, hypergrad_at=x)


class LVHBAState(NamedTuple):
    x: np.ndarray
    k: int
    y: np.ndarray
    z: np.ndarray              # the proximal centre of the multiplier
    theta: np.ndarray          # the inner minimizer of the proximal Lagrangian
    lam: np.ndarray            # the multiplier of the lower-level constraint G(x, theta) <= 0


@dataclasses.dataclass(frozen=True, repr=False)
class LVHBA(BilevelAlgorithm):
    r"""LV-HBA, the Hessian-free proximal Lagrangian value-function method for constrained lower levels.

    For min f(x, y) s.t. y in argmin {g(x, y) : G(x, y) <= 0}, with the proximal Lagrangian value
    function v_gamma(x, y, z) = min_theta max_{lam >= 0} g(x, theta) + lam^T G(x, theta)
    + ||theta - y||^2 / (2 gamma_1) - ||lam - z||^2 / (2 gamma_2), iteration k:

    .. math::

        \theta_{k+1} &= \theta_k - \eta [\nabla_y g(x_k, \theta_k) + \nabla_y G(x_k, \theta_k)^T \lambda_k
                         + (\theta_k - y_k)/\gamma_1], \\
        \lambda_{k+1} &= \Pi_{[0, R]}\big(\lambda_k + \eta [G(x_k, \theta_k) - (\lambda_k - z_k)/\gamma_2]\big), \\
        x_{k+1} &= x_k - \alpha [\nabla_x f / c_k + \nabla_x g(x_k, y_k) - \nabla_x g(x_k, \theta_{k+1})
                   - \nabla_x G(x_k, \theta_{k+1})^T \lambda_{k+1}], \\
        y_{k+1} &= y_k - \alpha [\nabla_y f / c_k + \nabla_y g(x_k, y_k) - (y_k - \theta_{k+1})/\gamma_1], \\
        (x_{k+1}, y_{k+1}) &\leftarrow \Pi_{\{G \le 0\}}(x_{k+1}, y_{k+1}), \\
        z_{k+1} &= \Pi_{[0, R]}\big(z_k - \beta (z_k - \lambda_{k+1})/\gamma_2\big),

    with the penalty c_k = c_0 (k+1)^p, f's gradients at (x_k, y_k). Only gradients: no Hessians.
    Defaults are the official code's toy settings (alpha = 0.008, beta = 0.02, eta = 0.01,
    gamma_1 = gamma_2 = 10, c_0 = 0.025, p = 0.3, R = 1000), with lam_0 = z_0 = 1; the
    theorem's step-size conditions are not confirmed here. Needs a problem with a lower-level
    constraint (``lower_constraint``, its products and ``feasible_project``): the pair (x, y) is
    kept feasible, without which g - v_gamma is unbounded below.

    Source: Yao, Yu, Zeng & Zhang (2024), "Constrained bi-level optimization: proximal Lagrangian
    value function approach and Hessian-free algorithm", ICLR (arXiv 2401.16164); update order from
    the official code (SUSTech-Optimization/LV-HBA, Toy-example).
    """

    name: ClassVar[str] = "lv_hba"
    source: ClassVar[str] = "Yao, Yu, Zeng & Zhang (2024), ICLR"
    estimates_hypergradient: ClassVar[bool] = False

    lr: float = 0.008
    z_lr: float = 0.02
    inner_lr: float = 0.01
    gamma1: float = 10.0
    gamma2: float = 10.0
    c0: float = 0.025
    p: float = 0.3
    lam0: float = 1.0
    bound: float = 1000.0

    def __post_init__(self):
        for name in ("lr", "z_lr", "inner_lr", "gamma1", "gamma2", "c0", "bound"):
            _checks.positive(name, getattr(self, name))
        _checks.nonnegative("p", self.p)
        _checks.real("lam0", self.lam0, low=0.0, high=self.bound)

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        if not hasattr(problem, "feasible_project"):
            raise TypeError(f"lv_hba needs a lower-level constraint G(x, y) <= 0 (e.g. constrained_bilevel); "
                            f"{problem!r} has none")
        m = np.shape(problem.lower_constraint(x0, problem.y0))
        return LVHBAState(x=x0, k=0, y=problem.y0.copy(), z=np.full(m, self.lam0), theta=problem.y0.copy(),
                          lam=np.full(m, self.lam0))

    def step(self, state, problem, rng):
        x, y, z, theta, lam = state.x, state.y, state.z, state.theta, state.lam
        c = self.c0 * (state.k + 1) ** self.p
        d_theta = (problem.lower_grad_y(x, theta, rng) + problem.lower_constraint_vjp_y(x, theta, lam)
                   + (theta - y) / self.gamma1)
        d_lam = -problem.lower_constraint(x, theta) + (lam - z) / self.gamma2
        theta, lam = theta - self.inner_lr * d_theta, np.clip(lam - self.inner_lr * d_lam, 0.0, self.bound)
        d_x = (problem.upper_grad_x(x, y, rng) / c + problem.lower_grad_x(x, y, rng)
               - problem.lower_grad_x(x, theta, rng) - problem.lower_constraint_vjp_x(x, theta, lam))
        d_y = problem.upper_grad_y(x, y, rng) / c + problem.lower_grad_y(x, y, rng) - (y - theta) / self.gamma1
        z = np.clip(z - self.z_lr * (z - lam) / self.gamma2, 0.0, self.bound)
        x, y = problem.feasible_project(x - self.lr * d_x, y - self.lr * d_y)
        return LVHBAState(x=x, k=state.k + 1, y=y, z=z, theta=theta, lam=lam)


class MEHAState(NamedTuple):
    x: np.ndarray
    k: int
    y: np.ndarray
    theta: np.ndarray          # the proximal point of the lower objective's Moreau envelope at y


@dataclasses.dataclass(frozen=True, repr=False)
class MEHA(BilevelAlgorithm):
    r"""MEHA, the Moreau-envelope-based Hessian-free algorithm (lower levels that are only weakly convex).

    The lower level is the constraint g(x, y) - v_gamma(x, y) <= 0 with the Moreau envelope
    v_gamma(x, y) = min_theta g(x, theta) + ||theta - y||^2 / (2 gamma); with c_k = c_0 (k+1)^p,
    iteration k is one step on theta, then on x, then on y (at the new x):

    .. math::

        \theta_{k+1} &= \theta_k - \eta [\nabla_y g(x_k, \theta_k) + (\theta_k - y_k)/\gamma], \\
        x_{k+1} &= x_k - \alpha [\nabla_x f(x_k, y_k) / c_k + \nabla_x g(x_k, y_k) - \nabla_x g(x_k, \theta_{k+1})], \\
        y_{k+1} &= y_k - \beta [\nabla_y f(x_{k+1}, y_k) / c_k + \nabla_y g(x_{k+1}, y_k) - (y_k - \theta_{k+1})/\gamma],

    gradients only (a prox step replaces the theta- and y-steps' gradient of a non-smooth part of g,
    which the toys here do not have). gamma must be below 1/(2 rho_g) for a rho_g-weakly convex g.
    The defaults (alpha = beta = 0.05, eta = 0.1, gamma = 0.2, c_0 = 1, p = 0.45) are this reference's,
    for the non-convex toy: the official code's toy settings mix conventions (c_k multiplying f).

    Source: Liu, Liu, Yao, Zeng & Zhang (2024), "Moreau envelope for nonconvex bi-level optimization:
    a single-loop and Hessian-free solution strategy", ICML (arXiv 2405.09927); update order from the
    official code (LiuZhu-CV/MEHA) and its restatement in later work.
    """

    name: ClassVar[str] = "meha"
    source: ClassVar[str] = "Liu, Liu, Yao, Zeng & Zhang (2024), ICML"
    estimates_hypergradient: ClassVar[bool] = False

    lr: float = 0.05
    lower_lr: float = 0.05
    inner_lr: float = 0.1
    gamma: float = 0.2
    c0: float = 1.0
    p: float = 0.45

    def __post_init__(self):
        for name in ("lr", "lower_lr", "inner_lr", "gamma", "c0"):
            _checks.positive(name, getattr(self, name))
        _checks.nonnegative("p", self.p)

    def init(self, x0, problem):
        self.require_bilevel(problem, self.name)
        return MEHAState(x=x0, k=0, y=problem.y0.copy(), theta=problem.y0.copy())

    def step(self, state, problem, rng):
        x, y, theta = state.x, state.y, state.theta
        c = self.c0 * (state.k + 1) ** self.p
        theta = theta - self.inner_lr * (problem.lower_grad_y(x, theta, rng) + (theta - y) / self.gamma)
        x_new = x - self.lr * (problem.upper_grad_x(x, y, rng) / c + problem.lower_grad_x(x, y, rng)
                               - problem.lower_grad_x(x, theta, rng))
        y_new = y - self.lower_lr * (problem.upper_grad_y(x_new, y, rng) / c + problem.lower_grad_y(x_new, y, rng)
                                     - (y - theta) / self.gamma)
        return MEHAState(x=x_new, k=state.k + 1, y=y_new, theta=theta)
