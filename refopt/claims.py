"""Claims: theorems of the literature made executable, and the machinery that checks them.

A `Claim` carries the theorem (source with its number, statement, kind, level,
problem family) and a *check*: one of the check classes below, which says
what is run, what is measured and what it is compared with. The claims
themselves live in `refopt.proofs`, one module per source; this module holds
the machinery, so that each claim reads like its theorem.

Kinds: ``upper_bound``, ``lower_bound``, ``rate``, ``complexity``,
``invariant``, ``counterexample``. Levels (DESIGN.md): ``sampled`` (the bound
at every step on drawn instances, and the fitted rate), ``exact`` (the worst
rate over the whole class of quadratics with spectrum in [mu, L], computed),
``tight`` (a worst-case instance attains the bound).

Every check can fail: tests/test_claims.py gives each kind a deliberately
wrong claim that must be reported false.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import time
import zlib
from typing import Callable, NamedTuple, Optional, Sequence, Union

import numpy as np

from refopt import rates
from refopt.runner import run, run_many

KINDS = ("upper_bound", "lower_bound", "rate", "complexity", "invariant", "counterexample")
LEVELS = ("sampled", "exact", "tight")
VERDICTS = ("pass", "fail", "error")


def _surname(name):
    """The name without its initials: "B. T. Polyak" -> "Polyak", "G. Ben Arous" -> "Ben Arous"."""
    return " ".join(word for word in name.split() if not word.endswith(".")) or name


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a claim comes from. ``confirmed=False`` marks a theorem number not checked against the text."""
    authors: str
    year: int
    title: str
    where: str
    theorem: str = ""
    confirmed: bool = True

    def at(self, theorem, confirmed=True):
        """The same source, at another theorem (``confirmed=False`` when its number is unconfirmed)."""
        return dataclasses.replace(self, theorem=theorem, confirmed=confirmed)

    def short(self):
        names = [_surname(name) for name in self.authors.split(", ")]
        lead = names[0] if len(names) < 3 else names[0] + " et al."
        if len(names) == 2:
            lead = f"{names[0]} & {names[1]}"
        theorem = f" {self.theorem}" + ("" if self.confirmed else "?") if self.theorem else ""
        return f"{lead} {self.year}{theorem}"

    def cite(self):
        theorem = ""
        if self.theorem:
            theorem = f", {self.theorem}" + ("" if self.confirmed else " (number unconfirmed)")
        return f"{self.authors} ({self.year}), \"{self.title}\", {self.where}{theorem}"


@dataclasses.dataclass
class Result:
    """What checking a claim found.

    ``theory`` and ``measured`` are two values of the same ``quantity`` (for a
    bound: 1 and the worst measured/bound ratio; for a rate: the claimed and
    the computed or fitted factor). ``margin`` is positive by how much the
    claim held and negative by how much it failed, in the quantity's units.
    """
    claim: str
    verdict: str
    quantity: str
    theory: float
    measured: float
    margin: float
    instances: int
    worst_instance: str
    seed: int
    seconds: float = 0.0
    message: str = ""
    curve: Optional[dict] = None
    claimed: str = ""

    @property
    def passed(self):
        return self.verdict == "pass"

    def to_dict(self):
        from refopt.trace import jsonable
        return jsonable(dataclasses.asdict(self))



@dataclasses.dataclass
class Finding:
    """What a check measured, before the claim adds its identity, seed and time."""
    passed: bool
    quantity: str
    theory: float
    measured: float
    margin: float
    instances: int
    worst_instance: str
    message: str = ""
    curve: Optional[dict] = None
    claimed: str = ""           # the theory cell of the report, when the quantity's template does not fit


# -- measured quantities --------------------------------------------------------------------
def measure(quantity, trace, problem):
    """A per-step array: a recorded metric by name, ``dist_sq``, ``best_f_gap``, or a callable."""
    if callable(quantity):
        return np.asarray(quantity(trace, problem), dtype=np.float64)
    if quantity == "dist_sq":
        return trace.dist**2
    if quantity == "best_f_gap":
        return np.minimum.accumulate(trace.f_gap)
    return trace.metrics[quantity]


def _recorded(quantity):
    """The metrics a named quantity needs (None: all, for a callable)."""
    return None if callable(quantity) else {"dist_sq": "dist", "best_f_gap": "f_gap"}.get(quantity, quantity)


def _runs(check, problem, alg, steps, x0, rng, engine):
    """The measured quantity of one run, or the mean and standard error over ``check.runs`` runs."""
    record = _recorded(check.measured)
    if check.runs == 1:
        trace = run(alg, problem, steps, x0=x0, seed=int(rng.integers(2**31)), engine=engine, record=record)
        return measure(check.measured, trace, problem), None
    seeds = rng.integers(2**31, size=check.runs).tolist()
    batch = run_many(alg, problem, steps, seeds=seeds, x0=x0, engine=engine, record=record)
    values = np.stack([measure(check.measured, batch[i], problem) for i in range(len(batch))])
    return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(check.runs)


def _as_list(algorithms):
    return list(algorithms) if isinstance(algorithms, (list, tuple)) else [algorithms]


def _steps(steps, problem):
    return steps(problem) if callable(steps) else steps


def _pairs(check, rng):
    """(problem, algorithm) for every drawn instance and every algorithm the check runs on it."""
    for problem in check.instances(rng):
        for alg in _as_list(check.algorithm(problem)):
            yield problem, alg


def _start(check, problem, rng):
    return problem.x0 if check.x0 is None else np.asarray(check.x0(problem, rng), dtype=np.float64)


# -- the checks -----------------------------------------------------------------------------
Z_EXPECTATION = 3.0
"""An expectation is judged violated at step k only when mean_k - 3 se_k exceeds the bound: with
one-sided 3-sigma tests a true bound is refuted by noise at one given step with odds about 1/740."""


@dataclasses.dataclass(frozen=True)
class StepwiseBound:
    """measured_k <= bound(k) (``lower``: >=) at every step k >= first_k on every instance.

    With ``runs > 1`` the measured quantity is an expectation, estimated by the
    mean over independent runs (see `Z_EXPECTATION`). ``rate`` adds the
    sampled level's second test, that the fitted rate is no slower than the
    claimed one: ``("sublinear", p)`` asks the log-log slope to be at most
    p + 0.15, ``("linear", rho)`` (rho a function of the problem) asks the
    fitted factor to satisfy log rho_fit <= 0.85 log rho (at most 15% more
    steps per decade). ``attained`` (tight level) asks the last step to meet
    the bound within ``rtol``.
    """
    algorithm: Callable
    instances: Callable
    measured: Union[str, Callable]
    bound: Callable
    steps: Union[int, Callable]
    lower: bool = False
    first_k: Union[int, Callable] = 0
    runs: int = 1
    rtol: float = 0.0
    atol: float = 0.0
    tolerance: str = "exact arithmetic up to rounding"
    rate: Optional[tuple] = None
    attained: bool = False
    x0: Optional[Callable] = None

    def evaluate(self, rng, engine):
        worst = None
        tried, failures = 0, []
        for problem, alg in _pairs(self, rng):
            tried += 1
            steps = _steps(self.steps, problem)
            x0 = _start(self, problem, rng)
            mean, stderr = _runs(self, problem, alg, steps, x0, rng, engine)
            k = np.arange(mean.size)
            bound = np.asarray(self.bound(k, problem, x0), dtype=np.float64) * np.ones(mean.size)
            first = _steps(self.first_k, problem)
            keep = k >= first
            judged = mean if stderr is None else mean + (Z_EXPECTATION if self.lower else -Z_EXPECTATION) * stderr
            outcome = rates.check_bound(judged[keep], bound[keep], lower=self.lower, rtol=self.rtol, atol=self.atol)
            # measured over the allowed value: <= 1 (upper) or >= 1 (lower) exactly when the bound holds
            allowed = bound[keep] * (1 - self.rtol) - self.atol if self.lower else \
                bound[keep] * (1 + self.rtol) + self.atol
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = mean[keep] / allowed
            shown = np.nanmin(ratio) if self.lower else np.nanmax(ratio)
            label = f"{alg!r} on {problem!r}"
            if not outcome.holds:
                failures.append(f"{label}: bound violated at k = {k[keep][outcome.violations[0]]}")
            if self.rate is not None:
                failures += [f"{label}: {m}" for m in self._rate_failures(mean, problem, first)]
            if self.attained and abs(mean[-1] / bound[-1] - 1) > self.rtol:
                failures.append(f"{label}: measured/bound = {mean[-1] / bound[-1]:.12g} at the last step, not 1")
            worse = worst is None or (shown < worst[0] if self.lower else shown > worst[0])
            if worse:
                worst = (shown, label, dict(x=k, measured=mean, theory=bound, first=first))
        ratio, label, curve = worst
        margin = ratio - 1 if self.lower else 1 - ratio
        quantity = "min ratio to bound" if self.lower else "max ratio to bound"
        return Finding(not failures, quantity, 1.0, float(ratio), float(margin), tried, label,
                       "; ".join(failures[:3]) or self.tolerance, curve)

    def _rate_failures(self, mean, problem, first):
        shape, claimed = self.rate
        start = max(first, 1)
        floor = 1e3 * np.finfo(float).eps * np.max(np.abs(mean[np.isfinite(mean)]))
        try:
            if shape == "sublinear":
                fitted = rates.sublinear_exponent(mean, start=max(start, mean.size // 10), floor=floor)
                if fitted.value > claimed + 0.15:
                    return [f"fitted exponent {fitted.value:.3g} > claimed {claimed:g} + 0.15"]
            else:
                rho = claimed(problem)
                fitted = rates.contraction_factor(mean, start=start, floor=floor)
                if np.log(fitted.value) > 0.85 * np.log(rho):
                    return [f"fitted factor {fitted.value:.6g} slower than claimed {rho:.6g} (beyond 15%)"]
        except rates.TooFewPoints:
            pass  # the errors reached the precision floor first: faster than any rate can be fitted
        return []


@dataclasses.dataclass(frozen=True)
class PerStepRate:
    """e_{k+1} <= factor e_k at every step, on every instance, until rounding takes over.

    Steps whose e_k is below ``floor`` times the largest error are not judged
    (rounding, not the method, decides them), and ``floor`` times the largest
    error is allowed on top of factor e_k for the same reason.
    """
    algorithm: Callable
    instances: Callable
    measured: Union[str, Callable]
    factor: Callable
    steps: Union[int, Callable]
    floor: float = 1e-12
    tolerance: str = "rounding: steps below 1e-12 of the largest error are not judged"
    x0: Optional[Callable] = None
    runs: int = 1

    def evaluate(self, rng, engine):
        worst, tried, failures = None, 0, []
        for problem, alg in _pairs(self, rng):
            tried += 1
            x0 = _start(self, problem, rng)
            e, _ = _runs(self, problem, alg, _steps(self.steps, problem), x0, rng, engine)
            rho = self.factor(problem)
            floor = self.floor * np.max(e)
            judged = e[:-1] > floor
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios = np.where(judged, e[1:] / (rho * e[:-1]), np.nan)
            bad = np.nonzero(judged & ~(e[1:] <= rho * e[:-1] + floor))[0]
            label = f"{alg!r} on {problem!r}"
            if bad.size:
                failures.append(f"{label}: e_(k+1) > {rho:.6g} e_k at k = {bad[0]}")
            shown = np.nanmax(ratios) if np.any(judged) else 0.0
            if worst is None or shown > worst[0]:
                worst = (shown, label, dict(x=np.arange(e.size), measured=e, theory=e[0] * rho ** np.arange(e.size)))
        ratio, label, curve = worst
        return Finding(not failures, "max step ratio/factor", 1.0, float(ratio), float(1 - ratio), tried,
                       label, "; ".join(failures[:3]) or self.tolerance, curve)


DOUBLE_ROOT = 64 * np.finfo(float).eps
"""A discriminant within this fraction of a^2 + 4|b| is rounding of a zero one: a double root."""


def spectral_radius(a, b):
    """max |z| over the roots of z^2 = a z + b, in closed form (no eigensolver).

    Complex roots have |z|^2 = -b exactly and real ones (|a| + sqrt(a^2 + 4b))/2.
    At a double root both an eigensolver and the square root of the discriminant
    turn a rounding error e into an error sqrt(e) ~ 1e-8; a discriminant within
    `DOUBLE_ROOT` of zero is therefore read as zero, and the root as a/2.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    disc = a * a + 4 * b
    double = np.abs(disc) <= DOUBLE_ROOT * (a * a + 4 * np.abs(b))
    real = (np.abs(a) + np.sqrt(np.maximum(disc, 0.0))) / 2
    return np.where(double, np.abs(a) / 2, np.where(disc >= 0, real, np.sqrt(np.maximum(-b, 0.0))))


def worst_radius(characteristic, mu, L, grid=20_001):
    """max over lambda in [mu, L] of the spectral radius of the iteration on the eigenvalue lambda.

    The maximum is taken over the endpoints, the points where the roots turn
    from real to complex (the discriminant is quadratic in lambda when a and b
    are affine in it), a grid of ``grid`` points, and a bounded refinement
    around the best of them. Returns (radius, lambda).
    """
    from scipy.optimize import minimize_scalar

    def radius(lam):
        return spectral_radius(*characteristic(np.asarray(lam, dtype=np.float64), mu, L))

    lam = np.linspace(mu, L, grid)
    a, b = characteristic(lam, mu, L)
    a, b = np.broadcast_to(a, lam.shape), np.broadcast_to(b, lam.shape)
    coefficients = np.polyfit(lam[[0, grid // 2, -1]], (a * a + 4 * b)[[0, grid // 2, -1]], 2)
    turning = [r.real for r in np.roots(coefficients) if abs(r.imag) < 1e-12 and mu <= r.real <= L]
    candidates = np.concatenate([lam, turning])
    values = radius(candidates)
    best = int(np.argmax(values))
    lam_best, value_best = float(candidates[best]), float(values[best])
    step = (L - mu) / (grid - 1)
    if step > 0:
        refined = minimize_scalar(lambda t: -radius(t), bounds=(max(mu, lam_best - step), min(L, lam_best + step)),
                                  method="bounded", options={"xatol": 1e-14 * max(1.0, L)})
        if -refined.fun > value_best:
            lam_best, value_best = float(refined.x), float(-refined.fun)
    return value_best, lam_best


@dataclasses.dataclass(frozen=True)
class ExactRate:
    """On every quadratic with spectrum in [mu, L], the worst asymptotic rate equals ``rate(mu, L)``.

    ``characteristic(lam, mu, L) -> (a, b)``: on the eigenvalue lam the
    iteration is the linear recurrence with characteristic polynomial
    z^2 = a z + b (b = 0 for one-step methods); a and b affine in lam. The
    worst rate is `worst_radius`, computed for each (mu, L) in ``classes``.
    """
    characteristic: Callable
    rate: Callable
    classes: Sequence[tuple]
    rtol: float = 1e-12
    tolerance: str = "closed-form root moduli: exact to rounding"

    def evaluate(self, rng, engine):
        worst, failures = None, []
        for mu, L in self.classes:
            computed, lam = worst_radius(self.characteristic, mu, L)
            theory = self.rate(mu, L)
            error = abs(computed - theory) / theory
            label = f"spectrum in [{mu:g}, {L:g}] (worst at lambda = {lam:.6g})"
            if error > self.rtol:
                failures.append(f"{label}: worst radius {computed:.15g} != claimed {theory:.15g}")
            if worst is None or error > worst[0]:
                grid = np.linspace(mu, L, 400)
                curve = dict(x=grid, measured=spectral_radius(*self.characteristic(grid, mu, L)),
                             theory=np.full(grid.size, theory), xlabel="eigenvalue lambda", ylabel="spectral radius",
                             logy=False)
                worst = (error, theory, computed, label, curve)
        error, theory, computed, label, curve = worst
        return Finding(not failures, "worst radius", float(theory), float(computed),
                       float(self.rtol - error), len(self.classes), label,
                       "; ".join(failures[:3]) or self.tolerance, curve)


@dataclasses.dataclass(frozen=True)
class FittedRate:
    """The contraction factor fitted on the measured sequence equals ``rate(problem, alg)`` within rtol."""
    algorithm: Callable
    instances: Callable
    measured: Union[str, Callable]
    rate: Callable
    steps: Union[int, Callable]
    start: int = 0
    rtol: float = 0.02
    tolerance: str = ""
    x0: Optional[Callable] = None
    runs: int = 1

    def evaluate(self, rng, engine):
        worst, tried, failures = None, 0, []
        for problem, alg in _pairs(self, rng):
            tried += 1
            e, _ = _runs(self, problem, alg, _steps(self.steps, problem), _start(self, problem, rng), rng, engine)
            fitted = rates.contraction_factor(e, start=self.start).value
            theory = self.rate(problem, alg)
            error = abs(fitted / theory - 1)
            label = f"{alg!r} on {problem!r}"
            if error > self.rtol:
                failures.append(f"{label}: fitted {fitted:.6g} vs claimed {theory:.6g}")
            if worst is None or error > worst[0]:
                worst = (error, theory, fitted, label,
                         dict(x=np.arange(e.size), measured=e, theory=e[self.start] * theory ** (
                             np.arange(e.size) - self.start)))
        error, theory, fitted, label, curve = worst
        return Finding(not failures, "fitted factor", float(theory), float(fitted),
                       float(self.rtol - error), tried, label, "; ".join(failures[:3]) or self.tolerance, curve)


@dataclasses.dataclass(frozen=True)
class Complexity:
    """The number of steps to reach ``target`` grows like parameter^exponent or slower.

    The fitted log-log slope of the step counts against the parameter must be
    at most ``exponent + slack`` (the catalogue's rule: slack 0.15). With
    ``lower`` the claim is the opposite one, that the count grows at least
    that fast: the slope must be at least ``exponent - slack`` (a method's
    polynomial dependence, the contrast to one that is free of it).
    """
    parameter: str
    values: Sequence[float]
    instance: Callable          # (value, rng) -> problem
    algorithm: Callable
    measured: Union[str, Callable]
    target: Callable            # (problem, e_0) -> the error to reach
    exponent: float
    max_steps: int
    slack: float = 0.15
    tolerance: str = "fitted slope <= claimed exponent + 0.15"
    lower: bool = False

    def evaluate(self, rng, engine):
        counts, labels = [], []
        claimed = (f"exponent >= {self.exponent:.4g} - {self.slack:g}" if self.lower
                   else f"exponent <= {self.exponent:.4g} + {self.slack:g}")
        for value in self.values:
            problem = self.instance(value, rng)
            alg = self.algorithm(problem)
            trace = run(alg, problem, self.max_steps, seed=int(rng.integers(2**31)), engine=engine,
                        record=_recorded(self.measured))
            e = measure(self.measured, trace, problem)
            reached = rates.iterations_to(e, self.target(problem, e[0]))
            if reached is None:
                return Finding(False, f"exponent in {self.parameter}", self.exponent, np.nan,
                               np.nan, len(counts) + 1, f"{alg!r} on {problem!r}",
                               f"target not reached within {self.max_steps} steps at {self.parameter} = {value:g}",
                               claimed=claimed)
            counts.append(max(reached, 1))
            labels.append(f"{alg!r} on {problem!r}")
        fitted = rates.complexity_exponent(self.values, counts)
        if self.lower:
            margin = fitted.value - (self.exponent - self.slack)
        else:
            margin = self.exponent + self.slack - fitted.value
        curve = dict(x=np.asarray(self.values, dtype=float), measured=np.asarray(counts, dtype=float),
                     theory=counts[0] * (np.asarray(self.values) / self.values[0]) ** self.exponent,
                     xlabel=self.parameter, ylabel="steps to target", logx=True)
        message = f"steps {counts} at {self.parameter} = {list(self.values)}; fitted slope {fitted.value:.3f}"
        return Finding(margin >= 0, f"exponent in {self.parameter}", self.exponent, fitted.value,
                       margin, len(counts), labels[-1], message, curve, claimed=claimed)


@dataclasses.dataclass(frozen=True)
class EpsilonComplexity:
    """The iterations to reach accuracy eps grow like eps^-exponent or slower, fitted across ``epsilons``.

    One trajectory per instance gives every count: the first k where the
    measured sequence (in the theorem's own stationarity measure, e.g. the
    running minimum of ||grad F(x_j)||^2, not its square root: the units
    change the exponent) is at most eps. With ``runs`` > 1 the sequence is the
    mean over that many seeds (an expectation). The log-log slope of the
    counts against 1/eps must be at most ``exponent + slack``.
    """
    instance: Callable          # rng -> problem
    algorithm: Callable
    measured: Union[str, Callable]
    epsilons: Sequence[float]
    exponent: float
    max_steps: int
    slack: float = 0.15
    runs: int = 1
    x0: Optional[Callable] = None

    def evaluate(self, rng, engine):
        problem = self.instance(rng)
        alg = self.algorithm(problem)
        e, _ = _runs(self, problem, alg, self.max_steps, _start(self, problem, rng), rng, engine)
        counts = rates.iterations_to(e, np.asarray(self.epsilons, dtype=float))
        label = f"{alg!r} on {problem!r}"
        claimed = f"exponent <= {self.exponent:.4g} + {self.slack:g}"
        inverse = 1.0 / np.asarray(self.epsilons, dtype=float)
        if np.any(counts < 0):
            missed = [eps for eps, c in zip(self.epsilons, counts) if c < 0]
            return Finding(False, "exponent in 1/eps", self.exponent, np.nan, np.nan, 1, label,
                           f"eps = {missed} not reached within {self.max_steps} steps", claimed=claimed)
        counts = np.maximum(counts, 1)
        fitted = rates.complexity_exponent(inverse, counts)
        margin = self.exponent + self.slack - fitted.value
        curve = dict(x=inverse, measured=counts.astype(float), theory=counts[0] * (inverse / inverse[0]) ** self.exponent,
                     xlabel="1/eps", ylabel="iterations to eps", logx=True)
        message = f"iterations {counts.tolist()} at eps = {list(self.epsilons)}; fitted slope {fitted.value:.3f}"
        return Finding(margin >= 0, "exponent in 1/eps", self.exponent, fitted.value, margin, 1, label, message,
                       curve, claimed=claimed)


class Measurement(NamedTuple):
    """What a `Statistic`'s ``compute`` returns: the statistic and how it was obtained."""
    value: float
    instances: int
    label: str                  # the instance or comparison the value describes
    message: str
    curve: Optional[dict] = None
    invalid: str = ""           # a precondition of the comparison that failed (the claim then fails)


@dataclasses.dataclass(frozen=True)
class Statistic:
    """A statistic of several runs is at most ``bound`` (``lower``: at least).

    For claims that compare runs with each other rather than one trajectory
    with a formula: the spread of fitted contraction factors across condition
    numbers, the ratio of final errors between two initial scales, a gap in
    success rates. ``compute(rng, engine)`` runs what it needs and returns a
    `Measurement`; ``quantity`` names the statistic for the report.
    """
    compute: Callable
    bound: float
    quantity: str
    lower: bool = False
    tolerance: str = ""

    def evaluate(self, rng, engine):
        m = self.compute(rng, engine)
        margin = (m.value - self.bound) if self.lower else (self.bound - m.value)
        passed = bool(np.isfinite(m.value) and margin >= 0 and not m.invalid)
        message = "; ".join(part for part in (m.invalid, m.message, self.tolerance) if part)
        return Finding(passed, self.quantity, float(self.bound), float(m.value), float(margin), m.instances,
                       m.label, message, m.curve, claimed=f"{'>=' if self.lower else '<='} {self.bound:.4g}")


class NoThreshold(Exception):
    """The threshold could not be located (a bracket that does not contain it, runs that never succeed)."""


def bisect_threshold(success, low, high, rng, runs=20, bisections=5):
    """The sample size where the success rate over ``runs`` runs crosses 1/2: bisection on log n.

    ``success(n, seeds)`` returns one boolean per seed; each evaluation draws fresh seeds from ``rng``.
    The rate must be below 1/2 at ``low`` and at least 1/2 at ``high`` (else `NoThreshold`).
    """
    def rate(n):
        return float(np.mean(success(n, rng.integers(2**31, size=runs).tolist())))

    at_low, at_high = rate(low), rate(high)
    if at_low >= 0.5 or at_high < 0.5:
        raise NoThreshold(f"the bracket [{low:g}, {high:g}] does not contain the threshold: success rates "
                          f"{at_low:.2f} and {at_high:.2f}")
    for _ in range(bisections):
        middle = float(np.sqrt(low * high))
        if rate(middle) >= 0.5:
            high = middle
        else:
            low = middle
    return float(np.sqrt(low * high))


@dataclasses.dataclass(frozen=True)
class Threshold:
    """The sample size at which recovery starts to succeed grows like d^exponent.

    ``threshold(d, rng, engine)`` measures n50(d), the sample size at which
    the success rate crosses 1/2 (by `bisect_threshold`, or for an online
    method the median over runs of the step at which it first succeeds, since
    each step is one sample). The log-log slope of n50 against d must lie
    within ``slack`` of ``exponent``. Over a few dimensions within a factor of
    ten, log factors and constants move the slope by tenths: the slack is wide
    on purpose, and the fitted slope is reported with its standard error.
    ``engine="auto"`` runs the Monte Carlo on the jitted kernels (tested step
    for step against the reference) whatever engine `verify` was given.
    """
    dims: Sequence[int]
    threshold: Callable
    exponent: float
    slack: float = 0.3
    tolerance: str = "fitted slope within 0.3 of the claimed exponent"
    engine: Optional[str] = None   # the engine of the runs, whatever verify's (None: verify's)

    def evaluate(self, rng, engine):
        engine = self.engine or engine
        thresholds = []
        claimed = f"exponent {self.exponent:g} ± {self.slack:g}"
        for d in self.dims:
            try:
                thresholds.append(float(self.threshold(d, rng, engine)))
            except NoThreshold as error:
                return Finding(False, "threshold exponent in d", self.exponent, np.nan, np.nan,
                               len(thresholds) + 1, f"d = {d}", f"at d = {d}: {error}", claimed=claimed)
        fitted = rates.complexity_exponent(self.dims, thresholds)
        margin = self.slack - abs(fitted.value - self.exponent)
        dims = np.asarray(self.dims, dtype=float)
        curve = dict(x=dims, measured=np.asarray(thresholds),
                     theory=thresholds[0] * (dims / dims[0]) ** self.exponent,
                     xlabel="d", ylabel="n50 (success rate 1/2)", logx=True)
        message = (", ".join(f"n50({d}) = {n:.4g}" for d, n in zip(self.dims, thresholds))
                   + f"; fitted slope {fitted.value:.3f} ± {fitted.stderr:.2g} (95% [{fitted.low:.3f}, "
                   f"{fitted.high:.3f}])")
        return Finding(margin >= 0, "threshold exponent in d", self.exponent, fitted.value, margin, len(thresholds),
                       f"d = {list(self.dims)}", message, curve, claimed=claimed)


@dataclasses.dataclass(frozen=True)
class Invariant:
    """``holds(trace, problem)`` is true at every step, on every instance."""
    algorithm: Callable
    instances: Callable
    holds: Callable
    steps: Union[int, Callable]
    description: str = ""

    def evaluate(self, rng, engine):
        tried, failures, worst = 0, [], (0, "")
        for problem, alg in _pairs(self, rng):
            tried += 1
            trace = run(alg, problem, _steps(self.steps, problem), seed=int(rng.integers(2**31)),
                        engine=engine, keep_iterates=True)
            ok = np.atleast_1d(self.holds(trace, problem))
            label = f"{alg!r} on {problem!r}"
            bad = np.nonzero(~ok)[0]
            if bad.size:
                failures.append(f"{label}: fails at step {bad[0]}")
            if bad.size > worst[0] or not worst[1]:
                worst = (bad.size, label)
        return Finding(not failures, "failing steps", 0.0, float(worst[0]), float(-worst[0]), tried,
                       worst[1], "; ".join(failures[:3]) or self.description)


@dataclasses.dataclass(frozen=True)
class Counterexample:
    """The algorithm fails on the instance from ``x0``, and succeeds from each start in ``controls``.

    ``failure(trace, problem) -> (failed, value, description)`` judges one run.
    ``x0=None`` starts from the problem's own start (a drawn initialization).
    """
    algorithm: Callable
    instance: Callable          # () -> problem
    x0: Optional[Sequence[float]]
    failure: Callable
    steps: int
    controls: Sequence = ()
    measure: str = "failure measure"   # what the value returned by ``failure`` is

    def evaluate(self, rng, engine):
        problem = self.instance()
        alg = self.algorithm(problem)
        trace = run(alg, problem, self.steps, x0=self.x0, engine=engine, keep_iterates=True)
        failed, value, description = self.failure(trace, problem)
        origin = "the problem's start" if self.x0 is None else f"x0 = {self.x0}"
        messages = [description]
        if not failed:
            messages.insert(0, f"it did not fail from {origin}")
        for start in self.controls:
            other = run(alg, problem, self.steps, x0=start, engine=engine, keep_iterates=True)
            control_failed, _, control_description = self.failure(other, problem)
            if control_failed:
                failed = False
                messages.insert(0, f"it fails from the control start {start} too: {control_description}")
        curve = dict(x=np.arange(trace.steps + 1), measured=trace.dist, theory=None)
        return Finding(bool(failed), f"counterexample: {self.measure}", 0.0, float(value), float(value), 1 + len(self.controls),
                       f"{alg!r} on {problem!r} from {origin}", "; ".join(messages), curve)


# -- claims ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Claim:
    """A theorem of the literature made executable.

    Attributes
    ----------
    id : str
        ``module.name``, unique.
    source : Source
        Authors, year, title, venue and theorem number (marked when unconfirmed).
    statement : str
        The theorem in words and math, with the constants.
    kind : str
        One of `KINDS`.
    level : str
        One of `LEVELS`.
    family : str
        The problem class and its assumptions.
    algorithm : str
        The registered name of the algorithm it is about.
    check : object
        How it is checked: `StepwiseBound`, `PerStepRate`, `ExactRate`,
        `FittedRate`, `Complexity`, `EpsilonComplexity`, `Statistic`, `Threshold`, `Invariant` or
        `Counterexample`.
    slow : bool
        The check takes minutes (Monte Carlo sweeps over dimensions and
        seeds): `verify` skips it unless asked (``refopt verify --slow``).
    """
    id: str
    source: Source
    statement: str
    kind: str
    level: str
    family: str
    algorithm: str
    check: object
    slow: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: unknown kind {self.kind!r}; kinds: {', '.join(KINDS)}")
        if self.level not in LEVELS:
            raise ValueError(f"claim {self.id}: unknown level {self.level!r}; levels: {', '.join(LEVELS)}")

    def with_check(self, **changes):
        """A copy whose check has the given fields replaced (e.g. a deliberately wrong bound)."""
        return dataclasses.replace(self, check=dataclasses.replace(self.check, **changes))

    def rng(self, seed):
        """The claim's Generator: from the user's seed and the claim's id, so claims draw independently."""
        return np.random.default_rng([seed, zlib.crc32(self.id.encode())])

    def verify(self, seed=0, engine="numpy"):
        """Check the claim; a `Result`. An exception inside the check is the verdict "error".

        ``engine`` runs the trajectories: the reference ``"numpy"`` by default; ``"auto"`` takes the
        jitted kernels where they exist (faster for long Monte Carlo runs, after a compile on first use).
        """
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):
                finding = self.check.evaluate(self.rng(seed), engine)
        except Exception as error:  # the report must go on; the verdict says what broke
            return Result(self.id, "error", "", np.nan, np.nan, np.nan, 0, "", seed,
                          time.perf_counter() - start, f"{type(error).__name__}: {error}")
        return Result(self.id, "pass" if finding.passed else "fail", finding.quantity, finding.theory,
                      finding.measured, finding.margin, finding.instances, finding.worst_instance, seed,
                      time.perf_counter() - start, finding.message, finding.curve, finding.claimed)


def select(claims, pattern=None):
    """The claims whose id matches ``pattern`` (a glob, or a substring when it has no wildcard)."""
    if not pattern:
        return list(claims)
    if not any(c in pattern for c in "*?["):
        pattern = f"*{pattern}*"
    return [c for c in claims if fnmatch.fnmatch(c.id, pattern)]


def verify(claims=None, *, pattern=None, seed=0, engine="numpy", slow=False, progress=None):
    """Check claims (default: all of `refopt.proofs`) and return their `Result` list.

    Slow claims (minutes each) are checked only with ``slow=True``.
    ``progress(i, n, claim)`` is called before each claim.
    """
    if claims is None:
        from refopt import proofs
        claims = proofs.all_claims()
    chosen = [c for c in select(claims, pattern) if slow or not c.slow]
    results = []
    for i, claim in enumerate(chosen):
        if progress is not None:
            progress(i, len(chosen), claim)
        results.append(claim.verify(seed=seed, engine=engine))
    return results


def _number(value):
    return "-" if value is None or not np.isfinite(value) else f"{value:.4g}"


CLAIMED = {
    "max ratio to bound": "ratio <= {}",
    "min ratio to bound": "ratio >= {}",
    "max step ratio/factor": "ratio <= {}",
    "worst radius": "radius {}",
    "fitted factor": "factor {}",
    "failing steps": "{} failing",
}


def _claimed(result):
    """The theory cell: the claimed value with what it is ("ratio <= 1", "radius 0.8182", "exponent <= 0.5")."""
    if result.claimed and result.verdict != "error":
        return result.claimed
    template = CLAIMED.get(result.quantity)
    if result.quantity.startswith("counterexample"):
        return "fails"
    if template is None:
        template = "exponent <= {}" if result.quantity.startswith("exponent") else result.quantity + " {}"
    return template.format(_number(result.theory)) if result.verdict != "error" else "-"


def report(results, claims=None, width=120):
    """The results as a table that fits ``width`` columns: claim, source, theory, measured, verdict."""
    sources = {c.id: c.source.short() for c in claims or ()}
    rows = [(r.claim, sources.get(r.claim, ""), _claimed(r), _number(r.measured), r.verdict.upper())
            for r in results]
    header = ("claim", "source", "theory", "measured", "verdict")
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    spare = width - (sum(widths) + 2 * (len(widths) - 1))
    if spare < 0:  # shorten the source first, then the claim id
        for column in (1, 0):
            cut = min(-spare, widths[column] - len(header[column]))
            widths[column] -= cut
            spare += cut
    lines = []
    for row in [header] + rows:
        cells = [cell if len(cell) <= w else cell[: w - 1] + "~" for cell, w in zip(row, widths)]
        lines.append("  ".join(cell.rjust(w) if i == 3 else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(cells, widths))).rstrip())
    failed = [r for r in results if r.verdict != "pass"]
    lines.append(f"{len(results) - len(failed)} of {len(results)} claims hold"
                 + (f"; not holding: {', '.join(r.claim for r in failed)}" if failed else ""))
    for r in failed:
        lines.append(f"  {r.claim}: {r.message}")
    return "\n".join(lines)


def main(claims):
    """Check ``claims`` and print the table (``python -m refopt.proofs.<module>``)."""
    results = verify(claims)
    print(report(results, claims))
    raise SystemExit(0 if all(r.passed for r in results) else 1)
