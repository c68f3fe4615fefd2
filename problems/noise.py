"""Stochastic oracles: the named noise models a problem's `stochastic_grad` draws from.

A noise model splits a stochastic gradient into two parts:

* ``draw_many(problem, rng, sampler, steps) -> (samples, sampler)`` takes every
  random number the next ``steps`` steps need from the user's Generator (row
  indices, Gaussian vectors), in a fixed order, in bulk; ``draw`` is
  ``draw_many`` for one step, so that drawing step by step (the reference) and
  in blocks (the numba engine) give the same samples;
* ``grad(problem, x, sample)`` and ``value(problem, x, sample)`` evaluate the
  oracle on that sample, deterministically.

Splitting them lets an algorithm evaluate several quantities on one sample (SPS
needs f_i(x) and grad f_i(x) of the same i) and lets a faster engine pre-draw
the samples and reproduce the reference trace exactly.

``sampler`` is the small state that sampling without replacement across epochs
needs (the current permutation and the position in it); stateless models pass
``None`` through.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from refopt import _checks
from refopt._named import Named


class Sampler(NamedTuple):
    """Position in the stream of indices: ``order`` is the current epoch's order."""
    order: np.ndarray
    position: int


class NoiseModel(Named):
    """Base class: a named stochastic oracle with its parameters."""

    name = "noise"

    def check(self, problem):
        """Raise if this model cannot be attached to ``problem``."""

    def draw(self, problem, rng, sampler=None):
        """The sample of one step: ``draw_many`` for one step."""
        samples, sampler = self.draw_many(problem, rng, sampler, 1)
        return samples[0], sampler

    def draw_many(self, problem, rng, sampler, steps):
        raise NotImplementedError

    def grad(self, problem, x, sample):
        raise NotImplementedError

    def value(self, problem, x, sample):
        raise NotImplementedError

    def value_star(self, problem, sample):
        """The infimum of the sampled function (SPS uses it); None when unknown."""
        return None


SAMPLINGS = ("with_replacement", "without_replacement", "reshuffle", "single_shuffle", "cyclic")


class FiniteSum(NoiseModel):
    r"""Minibatch sampling of a finite sum f = (1/n) \sum_i f_i.

    The stochastic gradient is (1/b) \sum_{i \in B} \nabla f_i(x) with |B| = b.

    ``sampling`` names how B is drawn:

    * ``"with_replacement"``: b indices i.i.d. uniform on {0, ..., n-1};
    * ``"without_replacement"``: b distinct indices, drawn afresh at every step
      ("b-nice" sampling of Gower et al. 2019);
    * ``"reshuffle"``: random reshuffling: the indices are taken in the order
      of a permutation, a new one drawn at the start of every epoch;
    * ``"single_shuffle"``: one permutation, drawn once, reused every epoch;
    * ``"cyclic"``: the order 0, 1, ..., n-1, no randomness.

    For the last three the stream of indices is the concatenation of the
    epochs' orders, and a batch takes the next b entries of it (a batch may
    straddle two epochs when b does not divide n).
    """

    name = "finite_sum"

    def __init__(self, batch_size=1, sampling="with_replacement"):
        self.batch_size = _checks.positive_int("batch_size", batch_size)
        self.sampling = _checks.choice("sampling", sampling, SAMPLINGS)

    def params(self):
        return {"batch_size": self.batch_size, "sampling": self.sampling}

    def check(self, problem):
        if not hasattr(problem, "component_grad"):
            raise TypeError(f"problem {problem.name!r} is not a finite sum; "
                            "use additive_gaussian or affine_variance noise instead")
        if self.sampling == "without_replacement" and self.batch_size > problem.n:
            raise ValueError(f"batch_size={self.batch_size} exceeds n={problem.n} "
                             "for sampling without replacement")

    def draw_many(self, problem, rng, sampler, steps):
        """Index batches for ``steps`` steps, shape (steps, b), drawn in bulk.

        Every scheme consumes the Generator in a way that does not depend on
        how the steps are grouped: b uniforms per step (with or without
        replacement), or one permutation per epoch (the shuffled orders).
        """
        n, b = problem.n, self.batch_size
        if self.sampling == "with_replacement":
            return np.minimum((rng.random((steps, b)) * n).astype(np.int64), n - 1), None
        if self.sampling == "without_replacement":
            return self._floyd(rng.random((steps, b)), n), None
        if sampler is None:
            sampler = Sampler(self._epoch_order(n, rng, None), 0)
        pieces, need, order, position = [], steps * b, sampler.order, sampler.position
        while need > 0:
            if position == n:
                order, position = self._epoch_order(n, rng, order), 0
            take = min(need, n - position)
            pieces.append(order[position:position + take])
            position, need = position + take, need - take
        stream = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
        return stream.reshape(steps, b).astype(np.int64), Sampler(order, position)

    @staticmethod
    def _floyd(uniforms, n):
        """Floyd's algorithm on each row: b distinct indices from b uniforms (a uniform b-subset)."""
        steps, b = uniforms.shape
        batch = np.empty((steps, b), dtype=np.int64)
        for j in range(b):
            top = n - b + j  # draw t uniformly in [0, top]; if taken, take top itself
            t = np.minimum((uniforms[:, j] * (top + 1)).astype(np.int64), top)
            taken = np.any(batch[:, :j] == t[:, None], axis=1)
            batch[:, j] = np.where(taken, top, t)
        return batch

    def _epoch_order(self, n, rng, previous):
        if self.sampling == "cyclic":
            return np.arange(n)
        if self.sampling == "single_shuffle" and previous is not None:
            return previous
        return rng.permutation(n)

    def grad(self, problem, x, sample):
        return problem.component_grad(x, sample)

    def value(self, problem, x, sample):
        return problem.component_f(x, sample)

    def value_star(self, problem, sample):
        return problem.component_f_star(sample)


class AffineVariance(NoiseModel):
    r"""Gradient noise whose variance grows affinely with the gradient norm.

    g = \nabla f(x) + s_1 \|\nabla f(x)\| \xi + s_0 \zeta, with \xi, \zeta
    independent N(0, I/d) (d the number of entries of x), so that exactly

        E g = \nabla f(x),   E\|g - \nabla f(x)\|^2 = s_0^2 + s_1^2 \|\nabla f(x)\|^2,

    the affine-variance assumption of Attia & Koren (2023) and of Bottou,
    Curtis & Nocedal (2018, Assumption 4.3 with M = s_0^2, M_V = s_1^2) with
    equality. Function values are exact: the noise is on the gradient only.
    """

    name = "affine_variance"

    def __init__(self, s0=0.0, s1=0.0):
        self.s0 = _checks.nonnegative("s0", s0)
        self.s1 = _checks.nonnegative("s1", s1)

    def params(self):
        return {"s0": self.s0, "s1": self.s1}

    def draw_many(self, problem, rng, sampler, steps):
        """(xi, zeta) for each step, shape (steps, 2, *shape), N(0, I/d) entries."""
        scale = 1.0 / np.sqrt(np.prod(problem.shape))
        return rng.standard_normal((steps, 2) + problem.shape) * scale, None

    def grad(self, problem, x, sample):
        xi, zeta = sample
        g = problem.grad(x)
        return g + self.s1 * np.linalg.norm(g) * xi + self.s0 * zeta

    def value(self, problem, x, sample):
        return problem.stochastic_f(x, None)

    def value_star(self, problem, sample):
        # f_star is the infimum of the sampled (smooth) function only without a non-smooth part
        return None if problem.is_composite else problem.f_star


class AdditiveGaussian(AffineVariance):
    r"""g = \nabla f(x) + \sigma \zeta, \zeta ~ N(0, I/d): E\|g - \nabla f\|^2 = \sigma^2 exactly."""

    name = "additive_gaussian"

    def __init__(self, sigma):
        super().__init__(s0=_checks.nonnegative("sigma", sigma), s1=0.0)

    def params(self):
        return {"sigma": self.s0}


def finite_sum(batch_size=1, sampling="with_replacement"):
    """Minibatch sampling of a finite-sum problem's components (see `FiniteSum`)."""
    return FiniteSum(batch_size, sampling)


def additive_gaussian(sigma):
    """Additive Gaussian gradient noise of total variance sigma^2 (see `AdditiveGaussian`)."""
    return AdditiveGaussian(sigma)


def affine_variance(s0, s1):
    """Affine-variance gradient noise, E||g - grad f||^2 = s0^2 + s1^2 ||grad f||^2."""
    return AffineVariance(s0, s1)
