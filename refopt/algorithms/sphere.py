"""Methods on the unit sphere for planted-direction problems: online SGD, smoothed SGD, tensor power
iteration, and Langevin dynamics with iterate averaging."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import Algorithm


def normalize(v):
    return v / np.linalg.norm(v)


def tangent(theta, g):
    """(I - theta theta^T) g: the component of g tangent to the sphere at unit theta."""
    return g - (theta @ g) * theta


class SphereState(NamedTuple):
    x: np.ndarray
    k: int
    average: np.ndarray      # running sum of the iterates in the averaging window
    count: int
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class SphericalSGD(Algorithm):
    r"""Online SGD on the unit sphere: one fresh sample per step, a tangent step, then normalization.

    .. math::

        \theta_{t+1} = \frac{\theta_t - \eta (I - \theta_t\theta_t^T) g_t}{\|\theta_t - \eta (I - \theta_t\theta_t^T) g_t\|}

    g_t the stochastic gradient of the problem's oracle at theta_t. With
    ``smoothing`` lambda > 0 it is the smoothed-landscape SGD of Damian et al.:
    the gradient is that of L(normalize(theta + lambda z)) for ``directions``
    draws of z uniform on the unit sphere of theta's orthogonal complement,
    g = mean over z of (I - u u^T) grad L(u) / ||theta + lambda z||, u =
    normalize(theta + lambda z); lambda = d^{1/4} is the choice that reaches
    n ~ d^{k*/2}. With lambda = 0 it is online SGD exactly, on the same sample
    stream.

    Sources: Ben Arous, Gheissari & Jagannath (2021), "Online stochastic
    gradient descent on non-convex losses from high-dimensional inference",
    JMLR; Damian, Nichani, Ge & Lee (2023), "Smoothing the landscape boosts the
    signal for SGD", NeurIPS.
    """

    name: ClassVar[str] = "spherical_sgd"
    family: ClassVar[str] = "sphere"
    source: ClassVar[str] = "Ben Arous, Gheissari & Jagannath (2021), JMLR; Damian et al. (2023), NeurIPS"
    stochastic: ClassVar[bool] = True
    kernel: ClassVar[str] = "refopt.algorithms.sphere_kernels"

    lr: float = 1e-2
    smoothing: float = 0.0
    directions: int = 1

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        _checks.nonnegative("smoothing", self.smoothing)
        _checks.positive_int("directions", self.directions)

    def init(self, x0, problem):
        theta = normalize(x0)
        return SphereState(x=theta, k=0, average=np.zeros_like(theta), count=0, sampler=None)

    def gradient(self, theta, problem, sample, rng):
        if self.smoothing == 0:
            return problem.stochastic_grad(theta, sample)
        total = np.zeros_like(theta)
        for _ in range(self.directions):
            z = normalize(tangent(theta, rng.standard_normal(theta.shape)))
            shifted = theta + self.smoothing * z
            u = normalize(shifted)
            total += tangent(u, problem.stochastic_grad(u, sample)) / np.linalg.norm(shifted)
        return total / self.directions

    def step(self, state, problem, rng):
        theta = state.x
        sample, sampler = problem.draw(rng, state.sampler)
        g = self.gradient(theta, problem, sample, rng)
        theta = normalize(theta - self.lr * tangent(theta, g))
        return state._replace(x=theta, k=state.k + 1, sampler=sampler)


@dataclasses.dataclass(frozen=True, repr=False)
class TensorPowerIteration(Algorithm):
    r"""Tensor power iteration: theta <- normalize(T(., theta, ..., theta)).

    .. math::

        \theta_{t+1} = \frac{\sum_{j} T(\theta_t, \dots, \underset{j}{\cdot}, \dots, \theta_t)}
                             {\big\|\sum_{j} T(\theta_t, \dots, \underset{j}{\cdot}, \dots, \theta_t)\big\|}

    For a non-symmetric T the contraction is symmetrized over the modes, that
    is theta <- normalize(-grad L(theta)) for L = -<T, theta^{(x)k}>.
    ``init="unfolding"`` starts from the top singular vector of the most
    balanced unfolding of T (for k = 4, the d^2 x d^2 unfolding's top singular
    vector reshaped to d x d, then its top eigenvector; for k = 3, the left
    singular vector of the d x d^2 unfolding), which needs n of order d^{k/2}
    instead of d^{k-1} from a random start.

    Source: the classical method; thresholds as in Richard & Montanari (2014),
    "A statistical model for tensor PCA", NeurIPS.
    """

    name: ClassVar[str] = "tensor_power_iteration"
    family: ClassVar[str] = "sphere"
    source: ClassVar[str] = "Richard & Montanari (2014), NeurIPS"

    init_from: str = "x0"

    def __post_init__(self):
        _checks.choice("init_from", self.init_from, ("x0", "unfolding"))

    def init(self, x0, problem):
        theta = normalize(x0)
        if self.init_from == "unfolding":
            T, d = problem.T, problem.dim
            k = T.ndim
            rows = d ** (k // 2)
            u = np.linalg.svd(T.reshape(rows, -1), full_matrices=False)[0][:, 0]
            if k // 2 > 1:
                M = u.reshape(d, -1)
                if M.shape[0] == M.shape[1]:
                    # the eigenvalue of largest modulus: u's sign is arbitrary, so M may be -theta theta^T
                    values, vectors = np.linalg.eigh((M + M.T) / 2)
                    u = vectors[:, np.argmax(np.abs(values))]
                else:
                    u = np.linalg.svd(M)[0][:, 0]
            theta = normalize(u)
        return SphereState(x=theta, k=0, average=np.zeros_like(theta), count=0, sampler=None)

    def step(self, state, problem, rng):
        return state._replace(x=normalize(-problem.grad(state.x)), k=state.k + 1)


@dataclasses.dataclass(frozen=True, repr=False)
class SphericalLangevin(Algorithm):
    r"""Langevin dynamics on the sphere with iterate averaging, on the fixed empirical loss.

    .. math::

        \theta_{t+1} = \operatorname{normalize}\Big(\theta_t - \eta (I - \theta_t\theta_t^T)\nabla L_n(\theta_t)
        + \sqrt{2\eta/\beta}\,(I - \theta_t\theta_t^T)\xi_t\Big), \qquad \xi_t \sim N(0, I_d),

    and the estimator is the normalized mean of theta_t over t >= ``average_from``
    (the recorded point; the last iterate before the window). With beta = inf
    and no averaging window it is projected gradient descent on L_n. The
    discretization (a retraction by normalization), beta and the window are
    this reference's reading: not checked against the paper's algorithm. For
    even k the loss is even in theta, so a window in which the iterate crosses
    between the hemispheres averages towards zero; the paper's claimed
    threshold is not a claim here (examples/tensor_pca_thresholds.py measures
    why).

    Source: Wei, Damian & Lee (2026), "Improved high-dimensional estimation
    with Langevin dynamics and stochastic weight averaging", ICLR (arXiv 2603.06028).
    """

    name: ClassVar[str] = "spherical_langevin"
    family: ClassVar[str] = "sphere"
    source: ClassVar[str] = "Wei, Damian & Lee (2026), arXiv 2603.06028"
    stochastic: ClassVar[bool] = True

    lr: float = 1e-3
    beta: float = float("inf")
    average_from: Union[int, None] = None

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        if not self.beta > 0:
            raise ValueError(f"beta must be > 0 (inf: no noise), got {self.beta}")
        if self.average_from is not None:
            _checks.positive_int("average_from", self.average_from, minimum=0)

    def init(self, x0, problem):
        theta = normalize(x0)
        return SphereState(x=theta, k=0, average=np.zeros_like(theta), count=0, sampler=None)

    def step(self, state, problem, rng):
        theta = state.x
        g = tangent(theta, problem.grad(theta))
        moved = theta - self.lr * g
        if np.isfinite(self.beta):
            moved = moved + np.sqrt(2 * self.lr / self.beta) * tangent(theta, rng.standard_normal(theta.shape))
        theta = normalize(moved)
        k = state.k + 1
        average, count = state.average, state.count
        if self.average_from is not None and k >= self.average_from:
            average, count = average + theta, count + 1
        return state._replace(x=theta, k=k, average=average, count=count)

    def output(self, state):
        return normalize(state.average) if state.count else state.x
