"""The run loop: `run` one algorithm on one problem, `run_many` over seeds."""
from __future__ import annotations

import platform
from collections import Counter

import numpy as np

import refopt
from refopt import _checks, registry
from refopt.algorithms import Algorithm
from refopt.problems import Problem

from .trace import Trace, TraceBatch, jsonable

ENGINES = ("numpy", "numba", "auto")

# the oracle methods whose calls by an algorithm are counted
ORACLES = ("f", "grad", "hess", "hvp", "subgrad", "prox", "project", "stochastic_f", "stochastic_grad")


class CountingProblem:
    """The problem as an algorithm sees it during a run: every oracle call is counted."""

    def __init__(self, problem):
        self._problem = problem
        self.calls = Counter()
        for name in ORACLES + getattr(problem, "extra_oracles", ()):
            if hasattr(problem, name):
                setattr(self, name, self._counted(name, getattr(problem, name)))

    def _counted(self, name, method):
        def counted(*args, **kwargs):
            self.calls[name] += 1
            return method(*args, **kwargs)
        return counted

    def __getattr__(self, name):
        return getattr(self._problem, name)

    def __repr__(self):
        return repr(self._problem)


def _resolve_inputs(alg, problem):
    if isinstance(alg, str):
        alg = registry.algorithm(alg)
    if isinstance(problem, str):
        problem = registry.problem(problem)
    if not isinstance(alg, Algorithm):
        raise TypeError(f"alg must be a refopt algorithm (e.g. refopt.gradient_descent()) or its name, got {alg!r}")
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a refopt problem (e.g. refopt.problems.quadratic()) or its name, "
                        f"got {problem!r}")
    return alg, problem


def _engine(engine, alg, problem):
    """The engine that will run: "numba" where its kernels exist (for "auto"), with a clear error otherwise."""
    _checks.choice("engine", engine, ENGINES)
    if engine == "numpy":
        return "numpy"
    from refopt import numba_engine

    reason = numba_engine.support(alg, problem)
    if reason is None:
        return "numba"
    if engine == "numba":
        raise ValueError(f"no numba kernel for algorithm {alg.name!r} on problem {problem.name!r} ({reason}); "
                         "engines available for this pair: numpy")
    return "numpy"


def _recorders(problem):
    """The metrics this problem can compute, as functions of x; bilevel problems add two of the state (`_state_recorders`)."""
    recorders = {"f": problem.f}
    if problem.f_star is not None:
        f_star = problem.f_star
        recorders["f_gap"] = lambda x: problem.f(x) - f_star
    if problem.is_smooth and not problem.is_composite:
        recorders["grad_norm"] = lambda x: float(np.linalg.norm(problem.grad(x)))
    if problem.x_star is not None:
        recorders["dist"] = problem.distance
    return recorders


def _state_recorders(alg, problem):
    """Metrics of a bilevel algorithm's state: ``upper_value`` = f(x_k, y_k) (the upper objective at the
    algorithm's own pair), ``lower_dist`` = ||y_k - y*(x_k)|| (the lower iterate's distance to the lower
    solution, the optimistic one when there are several) and ``hypergrad_error`` =
    ||h_k - grad F(x)|| (the last hypergradient estimate against the exact one at the point it was formed;
    absent at step 0, recorded as NaN)."""
    if not (getattr(problem, "is_bilevel", False) and getattr(alg, "bilevel", False)):
        return {}

    def lower_dist(state):
        return float(np.linalg.norm(alg.lower_estimate(state) - problem.y_star(alg.output(state))))

    def hypergrad_error(state):
        if state.hypergrad is None:
            return None
        return float(np.linalg.norm(state.hypergrad - problem.grad(state.hypergrad_at)))

    def upper_value(state):
        return problem.upper(alg.output(state), alg.lower_estimate(state))

    recorders = {"upper_value": upper_value, "lower_dist": lower_dist}
    if alg.estimates_hypergradient:
        recorders["hypergrad_error"] = hypergrad_error
    for fn in recorders.values():
        fn.of_state = True   # the run loop passes these the state, not the recorded point
    return recorders


def provenance(alg, problem, *, seed, steps, engine, x0_given):
    return {
        "algorithm": {"name": alg.name, "hyperparameters": jsonable(alg.hyperparameters),
                      "resolved": jsonable(alg.resolve(problem))},
        "problem": {"name": problem.name, "params": jsonable(problem.params)},
        "seed": seed,
        "steps": steps,
        "x0": "given" if x0_given else "problem default",
        "engine": engine,
        "versions": {"refopt": refopt.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
    }


def _validate(alg, problem, x0, record, tol, tol_metric):
    """The start, the recorders and the tolerance's metric, checked before any engine runs."""
    start = problem.x0 if x0 is None else _checks.real_array("x0", x0, shape=problem.shape)
    recorders = dict(_recorders(problem), **_state_recorders(alg, problem))
    if record is not None:
        record = [record] if isinstance(record, str) else list(record)
        for name in record:
            if name not in recorders:
                raise ValueError(f"cannot record {name!r} on {problem!r}; available: {', '.join(recorders)}")
        recorders = {name: recorders[name] for name in record}
    if tol is not None:
        _checks.nonnegative("tol", tol)
        if tol_metric is None:
            tol_metric = "f_gap" if "f_gap" in recorders else "grad_norm"
        if tol_metric not in recorders:
            raise ValueError(f"tol_metric {tol_metric!r} is not recorded for {problem!r}; "
                             f"recorded: {', '.join(recorders)}")
    return start, recorders, tol_metric


def run(alg, problem, steps, *, x0=None, seed=0, engine="numpy", tol=None, tol_metric=None,
        record=None, keep_iterates=False):
    """Run ``alg`` on ``problem`` for up to ``steps`` steps and return a `Trace`.

    Parameters
    ----------
    alg : Algorithm or str
        An algorithm (``refopt.nesterov(lr=0.5)``) or a registered name (default hyperparameters).
    problem : Problem or str
        A problem (``refopt.problems.quadratic(dim=50)``) or a registered name.
    steps : int
        Maximum number of steps.
    x0 : array_like, optional
        Starting point; the problem's default if omitted.
    seed : int
        Seeds the one Generator every random draw of the run comes from.
    engine : {"numpy", "numba", "auto"}
        ``"numpy"`` loops over the reference ``step``; ``"numba"`` runs the jitted
        kernels (an error names the pair when they do not exist); ``"auto"`` takes
        numba where its kernels exist, numpy elsewhere.
    tol : float, optional
        Stop with status ``"converged"`` once ``tol_metric`` <= tol.
    tol_metric : str, optional
        The recorded metric ``tol`` applies to (default ``"f_gap"`` when f* is known,
        else ``"grad_norm"``).
    record : sequence of str, optional
        The metrics to record (default: every one the problem can compute among
        ``f``, ``f_gap``, ``grad_norm``, ``dist``, and for a bilevel algorithm on a
        bilevel problem ``upper_value``, ``lower_dist`` and ``hypergrad_error``); fewer metrics, less
        work per step; an empty sequence records none (the status and oracle counts remain).
    keep_iterates : bool
        Record every point (memory O(steps x dim)).

    The run stops with status ``"diverged"`` at the first step whose point or
    recorded metrics are not finite; floating-point warnings inside the run are
    silenced, since that status reports them.
    """
    alg, problem = _resolve_inputs(alg, problem)
    steps = _checks.positive_int("steps", steps, minimum=0)
    seed = _checks.seed(seed)
    start, recorders, tol_metric = _validate(alg, problem, x0, record, tol, tol_metric)
    engine = _engine(engine, alg, problem)
    if engine == "numba":
        from refopt import numba_engine
        return numba_engine.run(alg, problem, steps, x0=start, seed=seed, record=list(recorders), tol=tol,
                                tol_metric=tol_metric, keep_iterates=keep_iterates, x0_given=x0 is not None)

    rng = np.random.default_rng(seed)
    counted = CountingProblem(problem)
    of_state = {name for name, fn in recorders.items() if getattr(fn, "of_state", False)}
    recorded = {name: [] for name in recorders}
    calls = []
    iterates = [] if keep_iterates else None
    status, message = "max_steps", f"reached the step limit {steps}"
    with np.errstate(all="ignore"):
        state = alg.init(start.copy(), counted)
        for k in range(steps + 1):
            if k > 0:
                state = alg.step(state, counted, rng)
            x = alg.output(state)
            values = {name: fn(state) if name in of_state else fn(x) for name, fn in recorders.items()}
            for name, value in values.items():
                recorded[name].append(np.nan if value is None else value)
            values = {name: value for name, value in values.items() if value is not None}
            calls.append(dict(counted.calls))
            if iterates is not None:
                iterates.append(np.array(x, copy=True))
            if not (np.all(np.isfinite(x)) and all(np.isfinite(v) for v in values.values())):
                status, message = "diverged", f"non-finite value at step {k}"
                break
            if tol is not None and values.get(tol_metric, np.inf) <= tol:
                status, message = "converged", f"{tol_metric} <= {tol:g} at step {k}"
                break

    oracle_names = sorted({name for c in calls for name in c})
    return Trace(
        steps=len(calls) - 1,
        metrics={name: np.array(v, dtype=np.float64) for name, v in recorded.items()},
        oracle_calls={name: np.array([c.get(name, 0) for c in calls], dtype=np.int64) for name in oracle_names},
        status=status, message=message, x=np.array(x, copy=True),
        iterates=None if iterates is None else np.stack(iterates),
        provenance=provenance(alg, problem, seed=seed, steps=steps, engine=engine, x0_given=x0 is not None),
    )


def run_many(alg, problem, steps, *, seeds=10, x0=None, engine="numpy", tol=None, tol_metric=None, record=None,
             keep_iterates=False, threads=None):
    """Run once per seed and stack the metrics into a `TraceBatch`.

    ``seeds`` is a count n (the seeds 0, ..., n-1) or a sequence of seeds; run i
    is ``run(alg, problem, steps, seed=seeds[i], ...)``, on the same engine. On
    the numba engine the runs go in parallel threads (``threads``, default all
    that numba has); memory is O(steps x seeds) for the metrics, iterates only
    with ``keep_iterates``.
    """
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = range(_checks.positive_int("seeds", seeds))
    seeds = [_checks.seed(s) for s in seeds]
    if not seeds:
        raise ValueError("run_many needs at least one seed")
    if threads is not None:
        _checks.positive_int("threads", threads)
    alg, problem = _resolve_inputs(alg, problem)
    steps = _checks.positive_int("steps", steps, minimum=0)
    start, recorders, tol_metric = _validate(alg, problem, x0, record, tol, tol_metric)
    if _engine(engine, alg, problem) == "numba":
        from refopt import numba_engine
        return numba_engine.run_many(alg, problem, steps, seeds=seeds, x0=start, record=list(recorders), tol=tol,
                                     tol_metric=tol_metric, keep_iterates=keep_iterates, threads=threads,
                                     x0_given=x0 is not None)
    return TraceBatch.from_traces([run(alg, problem, steps, seed=s, x0=x0, engine="numpy", tol=tol,
                                       tol_metric=tol_metric, record=record, keep_iterates=keep_iterates)
                                   for s in seeds], steps)
