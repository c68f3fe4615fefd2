"""The algorithm contract.

An algorithm is a frozen dataclass of named hyperparameters with

* ``init(x0, problem) -> state``: the starting state (an immutable NamedTuple
  holding at least the iterate ``x`` and the step counter ``k``);
* ``step(state, problem, rng) -> state``: one iteration in plain NumPy, the
  reference that reads like the paper;
* ``update(params, grad, state) -> (params, state)``: for methods that only
  consume a gradient, the pure transition that parity checks compare against;
  ``params`` is the point the gradient was taken at (the extrapolated point of
  Nesterov's method, for instance), and the returned params the next such point.

Hyperparameters whose default depends on the problem (``lr = 1/L``) are None in
the dataclass and resolved by `Algorithm.resolve` when a run starts.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, ClassVar, NamedTuple

import numpy as np


class NoKernel(ValueError):
    """This configuration of an algorithm (or this problem) has no numba kernel."""


class KernelSpec(NamedTuple):
    """Where an algorithm's jitted step lives and how its reference state maps onto kernel arrays.

    The numba engine copies the functions named here from ``module`` into a
    generated module, where the oracle names they use (``grad``, ``f``, ...)
    are the problem's kernels; see refopt.numba_engine.
    """
    module: str
    step: str                 # step(k, x, S, c, hyper, data, noise, sample, calls)
    pack: Callable            # (alg, state, problem) -> (S, c, hyper); raises NoKernel when unsupported
    oracles: Callable         # alg -> the problem kernels the step calls
    output: str = "last_iterate"   # or the name of output(x, S, c, hyper) returning the recorded point
    helpers: tuple = ()


@dataclasses.dataclass(frozen=True)
class Algorithm:
    name: ClassVar[str] = "algorithm"
    family: ClassVar[str] = ""
    source: ClassVar[str] = ""
    stochastic: ClassVar[bool] = False
    """True when the algorithm draws from the problem's stochastic oracle."""
    problem_defaults: ClassVar[tuple] = ()
    """The hyperparameters whose default (when None) comes from the problem, through `defaults`."""
    kernel: ClassVar[str] = ""
    """The module of this algorithm's numba kernel, whose ``SPECS[name]`` is its `KernelSpec` ("" if none)."""
    entrywise: ClassVar[bool] = True
    """Whether the update acts entry by entry, so that rounding scales with each entry's own step (False for
    matrix methods, whose products spread rounding across entries: parity then scales it by the largest)."""

    # -- hyperparameters -------------------------------------------------------------
    @property
    def hyperparameters(self):
        """The hyperparameters as given (None where a problem-dependent default applies)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def defaults(self, problem):
        """Problem-dependent defaults, for the hyperparameters left as None."""
        return {}

    def resolve(self, problem):
        """The hyperparameters with every problem-dependent default filled in."""
        hyper = self.hyperparameters
        missing = [k for k in self.problem_defaults if hyper[k] is None]
        if missing:
            if problem is None:
                raise ValueError(f"{self.name}: {', '.join(missing)} default(s) depend on the problem; "
                                 "pass them explicitly to use update() without a problem")
            hyper.update({k: v for k, v in self.defaults(problem).items() if hyper.get(k) is None})
        return hyper

    def __repr__(self):
        # numpy scalars are shown as the plain numbers they are
        args = ", ".join(f"{k}={v.item() if isinstance(v, np.generic) else v!r}"
                         for k, v in self.hyperparameters.items())
        return f"{self.name}({args})"

    # -- the iteration ------------------------------------------------------------------
    def init(self, x0, problem):
        raise NotImplementedError

    def step(self, state, problem, rng):
        raise NotImplementedError

    def output(self, state):
        """The point the trace records (the last iterate unless a variant says otherwise)."""
        return state.x

    @property
    def is_gradient_map(self):
        """Whether this configuration is a pure gradient map with an `update`."""
        return False

    def update(self, params, grad, state):
        raise TypeError(f"{self!r} is not a gradient map (it needs more than a gradient per step); "
                        "use step(state, problem, rng)")


@dataclasses.dataclass(frozen=True, repr=False)
class GradientMap(Algorithm):
    """An algorithm that consumes only a gradient: one step draws from the problem's stochastic oracle
    (the exact gradient when it has no noise model) and applies `update`. Its states carry ``x``, ``k``
    and the oracle's ``sampler``."""

    stochastic: ClassVar[bool] = True

    @property
    def is_gradient_map(self):
        return True

    def step(self, state, problem, rng):
        sample, sampler = problem.draw(rng, state.sampler)
        g = problem.stochastic_grad(state.x, sample)
        return self.update(state.x, g, state._replace(sampler=sampler))[1]


def required_constant(problem, name, why):
    """A problem constant a default needs; a clear error when the problem lacks it."""
    value = getattr(problem, name, None)
    if value is None or (name == "mu" and value <= 0):
        raise ValueError(f"{why} needs the problem's {name}, which {problem!r} does not provide; "
                         "pass the hyperparameter explicitly")
    return value

