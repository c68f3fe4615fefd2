"""Rate estimators with uncertainty, and step-wise bound checks.

Every estimator takes a sequence of errors e_k (f(x_k) - f*, ||x_k - x*||,
...) indexed by k = 0, 1, ..., or a 2-D array of independent replicates (one
row per run), and returns an `Estimate`: the value, its standard error and a
95% interval. For one sequence the interval comes from the least-squares fit
(Student t); for replicates each row is estimated alone and the interval is a
percentile bootstrap over rows, so that noise between runs is what it
measures.

Errors at the floor of machine precision say nothing about the rate: linear
fits stop at the first error below ``floor`` (by default 1e3 machine epsilons
times the largest error) and skip zeros.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

EPS = np.finfo(float).eps


class Estimate(NamedTuple):
    """An estimated quantity with its uncertainty and the data it was fitted on."""
    value: float
    stderr: float
    low: float          # 95% interval
    high: float
    n: int              # points in the fit (one sequence) or replicates
    window: tuple       # (first k, last k) used

    def __repr__(self):
        return (f"Estimate({self.value:.6g} ± {self.stderr:.2g}, 95% [{self.low:.6g}, {self.high:.6g}], "
                f"n={self.n}, k in {self.window})")


def _as_rows(errors):
    errors = np.asarray(errors, dtype=np.float64)
    if errors.ndim not in (1, 2):
        raise ValueError(f"errors must be a sequence or a 2-D array of replicates, got shape {errors.shape}")
    if errors.shape[-1] < 3:
        raise ValueError("a rate needs at least 3 values")
    return errors


class TooFewPoints(ValueError):
    """Raised when the window above the precision floor holds too few points to fit a rate."""


def _fit_line(x, y):
    """Least-squares slope and intercept with the slope's standard error and 95% half-width."""
    from scipy import stats

    n = x.size
    if n < 3:
        raise TooFewPoints(f"too few usable points to fit a rate ({n}); lengthen the run or lower the floor")
    xm, ym = x.mean(), y.mean()
    sxx = np.sum((x - xm) ** 2)
    slope = np.sum((x - xm) * (y - ym)) / sxx
    intercept = ym - slope * xm
    residual = y - (intercept + slope * x)
    stderr = np.sqrt(np.sum(residual**2) / (n - 2) / sxx)
    return slope, intercept, stderr, stats.t.ppf(0.975, n - 2) * stderr


def _window(e, start, stop, floor):
    """The indices k in [start, stop) with floor < e_k, up to the first error at or below the floor."""
    stop = e.size if stop is None else min(stop, e.size)
    if floor is None:
        finite = e[np.isfinite(e)]
        floor = 1e3 * EPS * (np.max(np.abs(finite)) if finite.size else 0.0)
    k = np.arange(start, stop)
    below = np.nonzero(~(e[start:stop] > floor))[0]
    if below.size:
        k = k[: below[0]]
    return k


def _bootstrap(values, rng_seed=0, draws=2000):
    values = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(rng_seed)
    means = rng.choice(values, size=(draws, values.size)).mean(axis=1)
    stderr = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.inf
    return float(values.mean()), float(stderr), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def _over_rows(estimator, errors, **kwargs):
    errors = _as_rows(errors)
    if errors.ndim == 1:
        return estimator(errors, **kwargs)
    rows = [estimator(row, **kwargs) for row in errors]
    value, stderr, low, high = _bootstrap([r.value for r in rows])
    window = (min(r.window[0] for r in rows), max(r.window[1] for r in rows))
    return Estimate(value, stderr, low, high, len(rows), window)


def contraction_factor(errors, *, start=0, stop=None, floor=None):
    """Linear rate rho in e_k ~ C rho^k, fitted on log e_k over a window above the precision floor.

    Parameters
    ----------
    errors : array_like
        e_0, e_1, ... (or one row per replicate).
    start, stop : int
        The window [start, stop) of k to fit (a transient can be skipped with ``start``).
    floor : float, optional
        Errors at or below it end the window (default 1e3 eps max e).
    """
    def one(e):
        k = _window(e, start, stop, floor)
        slope, _, stderr, half = _fit_line(k.astype(float), np.log(e[k]))
        rho = float(np.exp(slope))
        return Estimate(rho, rho * stderr, float(np.exp(slope - half)), float(np.exp(slope + half)),
                        k.size, (int(k[0]), int(k[-1])))
    return _over_rows(one, errors)


def sublinear_exponent(errors, *, start=1, stop=None, floor=None):
    """Exponent p in e_k ~ C k^p (p < 0 for convergence), the log-log slope over [start, stop).

    The window ends, as for `contraction_factor`, at the first error at or below ``floor``.
    """
    if start < 1:
        raise ValueError("a log-log fit needs k >= 1 (start >= 1)")

    def one(e):
        k = _window(e, start, stop, floor)
        slope, _, stderr, half = _fit_line(np.log(k), np.log(e[k]))
        return Estimate(float(slope), float(stderr), float(slope - half), float(slope + half),
                        k.size, (int(k[0]), int(k[-1])))
    return _over_rows(one, errors)


def iterations_to(errors, eps):
    """The first k with e_k <= eps (None when never reached); ``eps`` may be an array (then an array, -1 = never)."""
    errors = np.asarray(errors, dtype=np.float64)
    eps_array = np.atleast_1d(np.asarray(eps, dtype=np.float64))
    first = np.full(eps_array.shape, -1, dtype=np.int64)
    running_min = np.minimum.accumulate(np.where(np.isnan(errors), np.inf, errors))
    for i, target in enumerate(eps_array):
        hit = np.nonzero(running_min <= target)[0]
        if hit.size:
            first[i] = hit[0]
    if np.ndim(eps) == 0:
        return None if first[0] < 0 else int(first[0])
    return first


def complexity_exponent(parameter, counts):
    """Exponent q in counts ~ C parameter^q: the log-log slope of a cost against 1/eps, d or kappa.

    ``counts`` is one value per parameter, or one row per replicate (then the
    interval is a bootstrap over rows, each row fitted alone).
    """
    x = np.log(np.asarray(parameter, dtype=np.float64))
    counts = np.asarray(counts, dtype=np.float64)
    if np.any(counts <= 0) or np.any(~np.isfinite(counts)):
        raise ValueError("every count must be positive and finite (a target that was never reached?)")
    if counts.ndim == 1:
        slope, _, stderr, half = _fit_line(x, np.log(counts))
        return Estimate(float(slope), float(stderr), float(slope - half), float(slope + half), x.size,
                        (float(np.min(parameter)), float(np.max(parameter))))
    slopes = [_fit_line(x, np.log(row))[0] for row in counts]
    value, stderr, low, high = _bootstrap(slopes)
    return Estimate(value, stderr, low, high, len(slopes), (float(np.min(parameter)), float(np.max(parameter))))


class BoundCheck(NamedTuple):
    """The outcome of comparing a measured sequence with a bound at every step."""
    holds: bool
    worst_ratio: float    # max measured/bound (upper bounds) or min (lower bounds)
    worst_k: int
    violations: np.ndarray


def check_bound(measured, bound, *, lower=False, rtol=0.0, atol=0.0):
    """Check measured_k <= bound_k (or >= for a lower bound) at every k, within rtol and atol.

    Steps where the bound is not finite are skipped; a non-finite measurement
    is a violation.
    """
    measured = np.asarray(measured, dtype=np.float64)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), measured.shape)
    usable = np.isfinite(bound)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(usable & (bound != 0), measured / bound, np.nan)
        if lower:
            bad = usable & ~(measured >= bound * (1 - rtol) - atol)
            worst = np.nanargmin(ratio) if np.any(~np.isnan(ratio)) else 0
        else:
            bad = usable & ~(measured <= bound * (1 + rtol) + atol)
            worst = np.nanargmax(ratio) if np.any(~np.isnan(ratio)) else 0
    violations = np.nonzero(bad)[0]
    return BoundCheck(violations.size == 0, float(ratio[worst]) if ratio.size else np.nan, int(worst), violations)
