"""Planted-direction problems on the sphere: spiked tensor PCA and the single-index model."""
from __future__ import annotations

import math

import numpy as np

from refopt import _checks

from .base import Problem, check_x0, problem_factory
from .noise import NoiseModel


def _generator(seed):
    """The instance's generator: independent of a run's generator even when both come from the same seed
    (a run from seed s draws N(0, 1) vectors, and theta* drawn from the same stream would be its first
    sample)."""
    return np.random.default_rng([seed, 1])


def _unit(rng, d):
    v = rng.standard_normal(d)
    return v / np.linalg.norm(v)


def _contract(T, theta, skip):
    """T contracted with theta in every mode but ``skip``: a vector."""
    k = T.ndim
    result = np.moveaxis(T, skip, 0)
    for _ in range(k - 1):
        result = result @ theta
    return result


class PlantedDirection(Problem):
    """A problem with a planted unit direction theta*: success is measured by the overlap with it."""

    def overlap(self, theta):
        """<theta, theta*>^2 / ||theta||^2."""
        return float((theta @ self.theta_star) ** 2 / (theta @ theta))

    def distance(self, x):
        return 1.0 - self.overlap(x)


class TensorPCA(PlantedDirection):
    r"""Spiked tensor PCA: L(theta) = -<T, theta^{(x)k}> on the unit sphere, T = theta*^{(x)k} + Z / sqrt(n).

    T is the mean of n samples theta*^{(x)k} + Z_i with Z_i i.i.d. N(0, 1)
    entries, drawn directly (it is sufficient and exact in law), so n is a
    continuous knob at O(d^k) cost. For unit theta, <T - theta*^{(x)k},
    theta^{(x)k}> ~ N(0, 1/n); the population loss is -<theta, theta*>^k
    (exact). ``distance`` is 1 - <theta, theta*>^2 (one minus the overlap).
    """

    name = "tensor_pca"

    def __init__(self, T, theta_star, k, *, params, x0):
        super().__init__(params=params, x0=x0)
        self.T, self.theta_star, self.k = T, theta_star, k
        self.set_constant("x_star", theta_star, "exact", "the planted direction (the truth, up to sign for even k)")
        self.set_constant("information_exponent", k, "exact")

    kernel = ("refopt.problems.planted_kernels", "tensor_pca")

    def kernel_data(self):
        return (np.ascontiguousarray(self.T).ravel(), self.T.shape[0], self.k, self.theta_star)

    def _f(self, x, xp):
        value = self.T
        for _ in range(self.k):
            value = value @ x
        return -value

    def grad(self, x):
        return -sum(_contract(self.T, x, j) for j in range(self.k))

    def population_loss(self, theta):
        """-<theta, theta*>^k for unit theta (exact)."""
        return -float(theta @ self.theta_star) ** self.k

@problem_factory(family="planted", source="Richard & Montanari (2014); Ben Arous, Gheissari & Jagannath (2021), JMLR")
def tensor_pca(d=16, k=3, n=100.0, *, seed=0, x0=None):
    """Spiked tensor PCA of order k with n samples: T = theta*^{(x)k} + Z/sqrt(n); overlap <theta, theta*>^2.

    Parameters
    ----------
    d : int
        Dimension of theta.
    k : int
        Order of the tensor (the information exponent).
    n : float
        Number of samples (continuous: T is drawn as the exact mean); in the
        lambda v^{(x)k} + W convention, lambda = sqrt(n).
    seed : int
        Seeds theta*, the noise and the default start (uniform on the sphere).
    """
    seed = _checks.seed(seed)
    d, k = _checks.positive_int("d", d), _checks.positive_int("k", k, minimum=2)
    n = _checks.positive("n", n)
    if d**k > 50_000_000:
        raise ValueError(f"d^k = {d**k} entries is too large for a dense tensor")
    rng = _generator(seed)
    theta_star = _unit(rng, d)
    signal = theta_star
    for _ in range(k - 1):
        signal = np.multiply.outer(signal, theta_star)
    T = signal + rng.standard_normal((d,) * k) / np.sqrt(n)
    x0 = check_x0(x0, (d,))
    return TensorPCA(T, theta_star, k, params=dict(d=d, k=k, n=n, seed=seed), x0=_unit(rng, d) if x0 is None else x0)


def hermite(k, z):
    """The normalized probabilists' Hermite polynomial He_k(z)/sqrt(k!) (He_0 = 1, He_1 = z)."""
    previous, current = np.ones_like(z), z
    if k == 0:
        return previous
    for j in range(1, k):
        previous, current = current, z * current - j * previous
    return current / math.sqrt(math.factorial(k))


def hermite_derivative(k, z):
    """d/dz of He_k(z)/sqrt(k!) = sqrt(k) He_{k-1}(z)/sqrt((k-1)!)."""
    return math.sqrt(k) * hermite(k - 1, z)


class OnlineSamples(NoiseModel):
    """Fresh samples (x, y) each step: x ~ N(0, I_d), y = h_k(<theta*, x>) + noise. The sample is (x, y)."""

    name = "online_samples"

    def check(self, problem):
        if not isinstance(problem, SingleIndex):
            raise TypeError("online_samples draws from a single-index model")

    def draw_many(self, problem, rng, sampler, steps):
        # one draw per step, x and the label noise together, so that a block of steps draws the same
        # stream as steps drawn one at a time
        z = rng.standard_normal((steps, problem.dim + 1))
        x = z[:, :-1]
        y = hermite(problem.k, x @ problem.theta_star) + problem.label_noise * z[:, -1]
        return np.concatenate([x, y[:, None]], axis=1), None

    def grad(self, problem, x, sample):
        return problem.sample_grad(x, sample[:-1], sample[-1])

    def value(self, problem, x, sample):
        return -float(sample[-1] * hermite(problem.k, sample[:-1] @ x))


class SingleIndex(PlantedDirection):
    r"""Single-index model with the correlation loss: L(theta) = -E[y h_k(<theta, x>)] = -<theta, theta*>^k.

    x ~ N(0, I_d), y = h_k(<theta*, x>) + noise with h_k = He_k / sqrt(k!), so
    the information exponent is exactly k (Hermite orthogonality). The
    population loss is f (exact); the stochastic oracle draws one fresh sample
    per step, with gradient -y h_k'(<theta, x>) x.
    """

    name = "single_index"

    def __init__(self, theta_star, k, label_noise, *, params, x0):
        self.theta_star, self.k, self.label_noise = theta_star, k, label_noise
        super().__init__(params=params, x0=x0, noise=OnlineSamples())
        self.set_constant("x_star", theta_star, "exact", "the planted direction")
        self.set_constant("information_exponent", k, "exact")

    kernel = ("refopt.problems.planted_kernels", "single_index")

    def kernel_data(self):
        return (self.theta_star, self.k)

    def _f(self, x, xp):
        return -xp.dot(x, self.theta_star) ** self.k

    def grad(self, x):
        return -self.k * float(x @ self.theta_star) ** (self.k - 1) * self.theta_star

    def sample_grad(self, theta, x, y):
        """Gradient of -y h_k(<theta, x>) for one sample."""
        return -y * hermite_derivative(self.k, x @ theta) * x

@problem_factory(family="planted", source="Ben Arous, Gheissari & Jagannath (2021), Online stochastic gradient "
                                          "descent on non-convex losses from high-dimensional inference, JMLR")
def single_index(d=32, k=3, *, label_noise=0.0, seed=0, x0=None):
    """Single-index model y = h_k(<theta*, x>) with information exponent k; fresh samples each step.

    Parameters
    ----------
    d : int
        Dimension.
    k : int
        Information exponent (the link is the normalized Hermite polynomial h_k).
    label_noise : float
        Standard deviation of additive noise on y.
    seed : int
        Seeds theta* and the default start (uniform on the sphere).
    """
    seed = _checks.seed(seed)
    d, k = _checks.positive_int("d", d), _checks.positive_int("k", k)
    label_noise = _checks.nonnegative("label_noise", label_noise)
    rng = _generator(seed)
    theta_star = _unit(rng, d)
    x0 = check_x0(x0, (d,))
    return SingleIndex(theta_star, k, label_noise, params=dict(d=d, k=k, label_noise=label_noise, seed=seed),
                       x0=_unit(rng, d) if x0 is None else x0)
