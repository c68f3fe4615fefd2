"""Assertion helpers in the manner of numpy.testing: they raise AssertionError with a message a person
can act on (the first bad step, the values there, the variant the candidate is closest to)."""
from __future__ import annotations

import numpy as np

from refopt import _checks, rates
from refopt.algorithms import Algorithm
from refopt.claims import Claim
from refopt.trace import Trace


def _values(trace_or_values, metric):
    if isinstance(trace_or_values, Trace):
        if metric not in trace_or_values.metrics:
            raise ValueError(f"the trace has no metric {metric!r}; recorded: {', '.join(trace_or_values.metrics)}")
        return trace_or_values.metrics[metric]
    values = np.asarray(trace_or_values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"expected a Trace or a 1-D sequence of values, got shape {values.shape}")
    return values


def _family_of(reference):
    from refopt.parity.identify import FAMILIES
    for family, (cls, _, _) in FAMILIES.items():
        if type(reference) is cls:
            return family
    return None


def assert_matches_reference(candidate, reference, problem=None, steps=50, *, mode="teacher_forced",
                             dtype=np.float64, seed=0, rtol=None, atol=None):
    """Assert that ``candidate`` computes ``reference``'s iterates, step by step (`refopt.parity.check`).

    Parameters
    ----------
    candidate : refopt.parity.Candidate, (init, update) or Algorithm
        The optimizer under test: ``parity.from_torch(torch.optim.Adam, lr=1e-3)``,
        ``parity.from_optax(...)``, ``parity.from_callable(init, update)`` or the
        pair ``(init, update)`` itself.
    reference : Algorithm or str
        The reference with the same hyperparameters, e.g. ``refopt.adam(lr=1e-3)``
        (a registered name gives the defaults).
    problem : Problem or GradientProbe, optional
        Where the gradients come from (default: a `refopt.parity.GradientProbe`,
        whose gradients span 16 orders of magnitude, with exact zeros, to
        separate the variants).
    steps, mode, dtype, seed, rtol, atol
        As for `refopt.parity.check` (the tolerance is a few ulps of the
        iterate and of the step unless rtol/atol are given).

    On failure the message names the first bad step, the entry and the two
    values there, and, for a family refopt knows the variants of (SGD, Adam,
    RMSprop, ...), the reference variant the candidate does match or is closest to.
    """
    from refopt import parity, registry

    if isinstance(reference, str):
        reference = registry.algorithm(reference)
    if not isinstance(reference, Algorithm):
        raise TypeError(f"reference must be a refopt algorithm (e.g. refopt.adam(lr=1e-3)) or its name, got {reference!r}")
    if isinstance(candidate, tuple) and len(candidate) == 2 and all(callable(f) for f in candidate):
        candidate = parity.from_callable(*candidate)
    probe = parity.GradientProbe() if problem is None else problem
    report = parity.check(reference, candidate, probe, steps, mode=mode, dtype=dtype, seed=seed, rtol=rtol, atol=atol)
    if report.ok:
        return report
    message = [str(report)]
    family = _family_of(reference)
    if family is not None and not isinstance(candidate, Algorithm):
        found = parity.identify(candidate, family, dtype=dtype, hyper=reference.hyperparameters)
        if found.ok:
            message.append(f"it matches another variant: {found.variant}")
        else:
            message.append(f"closest reference variant: {str(found).split('; the closest, ', 1)[-1]}")
    raise AssertionError("\n".join(message))


def assert_bound(trace, bound, *, metric="f_gap", rtol=1e-12, atol=0.0):
    """Assert metric_k <= bound_k at every step k.

    ``bound`` is an array (one value per step), a number, or a callable
    ``k -> value`` evaluated on the step numbers 0..K. Steps where the bound is
    not finite are skipped; rtol and atol allow rounding.
    """
    values = _values(trace, metric)
    k = np.arange(values.size)
    bound_values = np.asarray(bound(k) if callable(bound) else bound, dtype=np.float64)
    outcome = rates.check_bound(values, np.broadcast_to(bound_values, values.shape), rtol=rtol, atol=atol)
    if not outcome.holds:
        first = int(outcome.violations[0])
        b = np.broadcast_to(bound_values, values.shape)
        raise AssertionError(f"{metric} exceeds the bound at {outcome.violations.size} of {values.size} steps; first "
                             f"at step {first}: {float(values[first])!r} > {float(b[first])!r} (worst ratio "
                             f"{outcome.worst_ratio:.6g} at step {outcome.worst_k})")
    return outcome


def assert_descends(trace, *, metric="f", rtol=1e-12, atol=0.0):
    """Assert that ``metric`` never increases: v_{k+1} <= v_k (1 + rtol) + atol at every step."""
    values = _values(trace, metric)
    rises = np.nonzero(~(values[1:] <= values[:-1] + rtol * np.abs(values[:-1]) + atol))[0]
    if rises.size:
        k = int(rises[0])
        raise AssertionError(f"{metric} increases at {rises.size} of {values.size - 1} steps; first from step {k} to "
                             f"{k + 1}: {float(values[k])!r} -> {float(values[k + 1])!r} (+{values[k + 1] - values[k]:.3e})")


def assert_rate(trace, rate, *, metric="f_gap", kind="linear", rtol=0.05, slack=0.15, start=0, seed=0):
    """Assert that a run converges at least as fast as ``rate``, or that a claim holds.

    ``kind="linear"``: the contraction factor fitted on the metric (above the
    precision floor, from ``start``) is at most rate (1 + rtol).
    ``kind="sublinear"``: the fitted exponent p in metric_k ~ C k^p is at most
    rate + slack (rate = -1 for O(1/k)).
    ``rate`` may also be a `refopt.claims.Claim` (then ``trace`` must be None):
    the claim is verified with ``seed`` and must hold.
    """
    if isinstance(rate, Claim):
        if trace is not None:
            raise ValueError("a claim runs its own instances: pass trace=None with a claim")
        result = rate.verify(seed=seed)
        if not result.passed:
            raise AssertionError(f"claim {rate.id} does not hold ({result.verdict}): measured {result.measured:.6g}, "
                                 f"claimed {result.claimed or result.theory}; {result.message}")
        return result
    _checks.choice("kind", kind, ("linear", "sublinear"))
    values = _values(trace, metric)
    if kind == "linear":
        fitted = rates.contraction_factor(values, start=start)
        if not fitted.value <= rate * (1 + rtol):
            raise AssertionError(f"{metric} contracts by {fitted.value:.6g} per step (95% interval {fitted.low:.6g} to "
                                 f"{fitted.high:.6g}, steps {fitted.window[0]}..{fitted.window[1]}), slower than the "
                                 f"claimed {rate:.6g} (rtol {rtol:g})")
        return fitted
    fitted = rates.sublinear_exponent(values, start=max(start, 1))
    if not fitted.value <= rate + slack:
        raise AssertionError(f"{metric} decays like k^{fitted.value:.4g} (95% interval {fitted.low:.4g} to "
                             f"{fitted.high:.4g}), slower than the claimed k^{rate:.4g} (slack {slack:g})")
    return fitted
