"""The problem contract shared by every problem family.

A problem is built by a factory with explicit parameters and a seed and is
fully deterministic given them. Its data are plain NumPy arrays and floats, so
that a jitted kernel can use them as they are.

Every constant a problem reports is recorded in ``problem.constants`` as a
`Constant` with a kind that says how far it can be trusted:

``exact``        closed form (up to the rounding of evaluating it);
``computed``     obtained by a numerical method (a linear solve, an eigensolver,
                 Newton's method); the note says which and how accurate;
``upper_bound``  a valid upper bound (e.g. L = ||A||^2/(4n) + lambda for logistic loss);
``lower_bound``  a valid lower bound (e.g. mu = lambda for the same).

An unknown quantity is ``None``, never a guess.
"""
from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np

from refopt import _checks

from .noise import NoiseModel

CONSTANT_KINDS = ("exact", "computed", "upper_bound", "lower_bound")


class Constant(NamedTuple):
    """A problem constant, how it was obtained (`CONSTANT_KINDS`) and a note."""
    value: object
    kind: str
    note: str = ""


def problem_factory(*, family, source):
    """Mark a function as a registered problem factory and attach its metadata."""
    def mark(factory):
        factory.family = family
        factory.source = source
        factory.summary = (factory.__doc__ or "").strip().splitlines()[0]
        return factory
    return mark


class Problem:
    """Base class of the analytic test problems.

    Subclasses set the data and constants in ``__init__`` (through
    `set_constant`) and implement ``_f(x, xp)`` (the smooth part of the
    objective written against the array module ``xp``, so that autograd can
    differentiate the very expression that `f` evaluates) and `grad`.
    """

    name = "problem"
    is_quadratic = False
    is_composite = False
    is_smooth = True
    """False when the objective has no gradient everywhere (then only `subgrad` is offered)."""

    def __init__(self, *, params, x0, noise=None):
        self.params = dict(params)
        self.x0 = np.array(x0, dtype=np.float64)
        self.constants = {}
        self.x_star = None
        self.f_star = None
        self.L = None
        self.mu = None
        self.noise = None
        self._attach(noise)

    # -- constants -----------------------------------------------------------------
    def set_constant(self, name, value, kind, note=""):
        if kind not in CONSTANT_KINDS:
            raise ValueError(f"unknown constant kind {kind!r}")
        setattr(self, name, value)
        if value is None:
            self.constants.pop(name, None)
        else:
            self.constants[name] = Constant(value, kind, note)

    @property
    def shape(self):
        return self.x0.shape

    @property
    def dim(self):
        return self.x0.size

    @property
    def kappa(self):
        """L / mu when both are known and mu > 0, else None."""
        if self.L is None or self.mu is None or self.mu <= 0:
            return None
        return self.L / self.mu

    # -- deterministic oracle ----------------------------------------------------------
    def _f(self, x, xp):
        raise NotImplementedError

    def f(self, x):
        """The objective value (for composite problems, the smooth part plus `r`)."""
        return float(self._f(x, np)) + self.r(x)

    def grad(self, x):
        """The gradient of the smooth part of the objective."""
        raise NotImplementedError

    def hess(self, x):
        raise NotImplementedError(f"problem {self.name!r} has no Hessian")

    def hvp(self, x, v):
        """Hessian-vector product of the smooth part."""
        return self.hess(x) @ v

    # -- composite part: r = 0 unless a subclass says otherwise -----------------------
    def r(self, x):
        """The non-smooth part of the objective (zero for smooth problems)."""
        return 0.0

    def prox(self, v, h):
        """prox_{h r}(v) = argmin_u h r(u) + ||u - v||^2 / 2 (the identity when r = 0)."""
        return v

    def project(self, x):
        """Projection onto the feasible set (the identity: problems are unconstrained unless they say)."""
        return x

    def subgrad(self, x):
        """A subgradient of the whole objective (sign(0) = 0 at the kinks of |.|)."""
        return self.grad(x)

    # -- the solution set --------------------------------------------------------------
    def distance(self, x):
        """Distance from x to the solution set (None when the set is unknown)."""
        if self.x_star is None:
            return None
        return float(np.linalg.norm(x - self.x_star))

    # -- stochastic oracle -------------------------------------------------------------
    def _attach(self, noise):
        if noise is not None:
            if not isinstance(noise, NoiseModel):
                raise TypeError(f"noise must be a noise model (finite_sum, additive_gaussian, "
                                f"affine_variance) or None, got {noise!r}")
            noise.check(self)
        self.noise = noise

    def with_noise(self, noise):
        """A copy of this problem whose stochastic oracle is ``noise`` (None: exact)."""
        other = copy.copy(self)
        other.params = dict(self.params, noise=noise)
        other._attach(noise)
        return other

    def draw(self, rng, sampler=None):
        """Draw the random sample of one stochastic oracle call: ``(sample, sampler)``.

        With no noise model the oracle is exact: nothing is drawn and the sample is None.
        """
        if self.noise is None:
            return None, None
        return self.noise.draw(self, rng, sampler)

    def stochastic_grad(self, x, sample):
        """The stochastic gradient at x on a sample from `draw` (the exact gradient if None)."""
        if sample is None:
            return self.grad(x)
        return self.noise.grad(self, x, sample)

    def stochastic_f(self, x, sample):
        """The sampled function value at x (the exact smooth value if the sample is None)."""
        if sample is None:
            return float(self._f(x, np))
        return self.noise.value(self, x, sample)

    def stochastic_f_star(self, sample):
        """Infimum of the sampled function, or None when it is not known."""
        if sample is None:
            return self.f_star
        return self.noise.value_star(self, sample)

    # -- numba kernels -----------------------------------------------------------------
    kernel = None
    """(module, prefix) of this problem's jitted oracle kernels, or None (see refopt.numba_engine)."""

    def kernel_data(self):
        """The plain arrays and numbers the kernels read (their layout is the kernel module's)."""
        raise NotImplementedError(f"problem {self.name!r} has no numba kernels")

    # -- description -------------------------------------------------------------------
    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"

    def describe(self):
        """A few lines: the problem, then each constant with its kind."""
        lines = [repr(self)]
        for key, c in self.constants.items():
            value = c.value
            if isinstance(value, np.ndarray):
                shown = f"array{value.shape}"
            elif isinstance(value, float):
                shown = f"{value:.6g}"
            else:
                shown = repr(value)
            lines.append(f"  {key} = {shown}  [{c.kind}]" + (f"  {c.note}" if c.note else ""))
        return "\n".join(lines)


class FiniteSumProblem(Problem):
    """A problem f = (1/n) sum_i f_i whose components can be sampled.

    Subclasses implement ``_component_f(x, idx, xp)`` (mean of f_i over the index
    array ``idx``) and `component_grad`.
    """

    n = 0

    def _component_f(self, x, idx, xp):
        raise NotImplementedError

    def component_f(self, x, idx):
        """(1/|idx|) sum_{i in idx} f_i(x)."""
        return float(self._component_f(x, np.asarray(idx), np))

    def component_grad(self, x, idx):
        """(1/|idx|) sum_{i in idx} grad f_i(x)."""
        raise NotImplementedError

    def component_f_star(self, idx):
        """inf_x of (1/|idx|) sum_{i in idx} f_i(x), or None when unknown."""
        return None


def check_x0(x0, shape):
    """The user's starting point, or None for the problem's default."""
    if x0 is None:
        return None
    return _checks.real_array("x0", x0, shape=shape)


def random_orthogonal(dim, rng):
    """A Haar-distributed orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))
