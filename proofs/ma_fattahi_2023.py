"""Ma & Fattahi (2023): the subgradient method with small initialization recovers a low-rank matrix from
grossly corrupted measurements, over-parameterized or not.

Class: robust matrix sensing, f(U) = (1/m) ||y - A(U U^T)||_1, X* PSD of rank r* with ||X*|| = 1,
A_i = (G_i + G_i^T)/2 Gaussian, m = 20 n r*, a fraction p_out of the y_i replaced by gross outliers at
random positions; U in R^{n x r'} with r' >= r*.
Algorithm: U_{t+1} = U_t - eta_t (1/m) sum_i sign(<A_i, U_t U_t^T> - y_i) (A_i + A_i^T) U_t from
U_0 = alpha B (B Gaussian, unit spectral norm), with a geometric step: constant eta_0 = 0.2 for
T_1 = ceil(2 log(1/alpha) / (eta_0 (1 - p_out) sigma_r*)) steps, long enough to leave the origin, then
eta_t = eta_0 rho^(t - T_1), rho = 0.97 (the paper's constants for eta_0 and rho are not encoded).
Guarantee: ||U_t U_t^T - X*|| decreases linearly, at the rate of the step, down to a floor that small
initialization keeps small even when r' = n (exponentially better than a large start), for outliers of
any magnitude at a constant fraction below 1. Why the step must decay: for Gaussian A_i the subgradient
does not shrink with the error, so a constant step stalls at an error proportional to the step.
Reference: J. Ma, S. Fattahi, "Global convergence of sub-gradient method for robust matrix recovery:
small initialization, noisy measurements, and over-parameterization", JMLR 24 (2023) (arXiv 2202.08788);
main theorems (numbers not confirmed here).

Run ``python -m refopt.proofs.ma_fattahi_2023`` to check these claims.
"""
import math

import numpy as np

import refopt
from refopt import problems, rates
from refopt.algorithms import schedules
from refopt.claims import Claim, Counterexample, Measurement, Source, Statistic

SOURCE = Source("J. Ma, S. Fattahi", 2023,
                "Global convergence of sub-gradient method for robust matrix recovery: small initialization, "
                "noisy measurements, and over-parameterization", "JMLR 24 (arXiv 2202.08788)"
                ).at("main theorems", confirmed=False)

ETA0, RHO, STEPS_AFTER_HOLD = 0.2, 0.97, 600


def hold(problem, eta0=ETA0):
    """T_1: the constant phase that lets alpha grow to the signal's scale at the slowest rate sigma_r*."""
    alpha, p_out = problem.params["init_scale"], problem.params["p_out"]
    return math.ceil(2 * math.log(1 / alpha) / (eta0 * (1 - p_out) * float(np.min(problem.sigma))))


def subgm(problem, rho=RHO):
    return refopt.subgradient(lr=schedules.geometric(ETA0, rho, hold=hold(problem)))


def instance(rng, r_fit=2, p_out=0.0, init_scale=1e-3, out_scale=100.0):
    return problems.robust_matrix_recovery(n=20, r_true=2, r_fit=r_fit, p_out=p_out, out_scale=out_scale,
                                           init_scale=init_scale, seed=int(rng.integers(2**31)))


def relative_errors(problem, alg, engine, steps=None):
    steps = hold(problem) + STEPS_AFTER_HOLD if steps is None else steps
    trace = refopt.run(alg, problem, steps, engine=engine, record=["dist"])
    return trace.dist / float(np.linalg.norm(problem.M_star))


def rate_mismatch(algorithm=subgm, rho=RHO):
    """max over (r', p_out) of |log(fitted factor) / log(rho) - 1|, fitted from 1e-3 to 100 times the floor.

    Above 1e-3 the error still falls faster than the step (the signal is being fitted); at r' = n the
    start is alpha = 1e-5, so that the floor leaves a stretch of a hundred steps to fit.
    """
    def compute(rng, engine):
        worst, notes, label = 0.0, [], ""
        for r_fit, p_out, alpha in ((2, 0.3, 1e-3), (20, 0.0, 1e-5)):
            seed = int(rng.integers(2**31))
            problem = instance(np.random.default_rng(seed), r_fit=r_fit, p_out=p_out, init_scale=alpha)
            alg = algorithm(problem)
            e = relative_errors(problem, alg, engine)
            first, last = rates.iterations_to(e, 1e-3), rates.iterations_to(e, max(1e-7, 100 * e[-1]))
            if first is None or last is None or last - first < 20:
                return Measurement(np.nan, len(notes) + 1, f"{alg!r} on {problem!r}", "",
                                   invalid=f"no linear stretch above the floor (r' = {r_fit}, p_out = {p_out})")
            factor = rates.contraction_factor(e[first:last + 1]).value
            mismatch = abs(np.log(factor) / np.log(rho) - 1)
            notes.append(f"r' = {r_fit}, p_out = {p_out}: factor {factor:.4f} over steps {first}..{last}")
            if mismatch >= worst:
                worst, label = mismatch, f"{alg!r} on {problem!r}"
        return Measurement(worst, len(notes), label, "; ".join(notes) + f"; the step decays at {rho}")
    return compute


linear_rate = Claim(
    id="ma_fattahi_2023.linear_rate",
    source=SOURCE,
    statement="With small initialization and the geometric step, the error decreases linearly at the step's "
              "rate rho before its floor, with r' = r* under 30% outliers and with r' = n (alpha = 1e-5).",
    kind="rate", level="sampled", family="robust low-rank matrix sensing, l1 loss, Gaussian design",
    algorithm="subgradient",
    check=Statistic(compute=rate_mismatch(), bound=0.15, quantity="|log factor / log rho - 1|",
                    tolerance="within 15% of log rho"),
)


def small_over_large(scales=(1e-2, 1e-3, 1e-4)):
    """At r' = n: final error from alpha = 1 over that from alpha = 1e-3; the errors must fall with alpha."""
    def compute(rng, engine):
        seed = int(rng.integers(2**31))
        finals = {}
        for alpha in (1.0,) + tuple(scales):
            problem = instance(np.random.default_rng(seed), r_fit=20, init_scale=alpha)
            finals[alpha] = float(relative_errors(problem, subgm(problem), engine)[-1])
        small = [finals[a] for a in scales]
        invalid = "" if all(b < a for a, b in zip(small, small[1:])) else \
            f"the final error does not decrease with alpha over {list(scales)}: {small}"
        message = ", ".join(f"alpha = {a:g}: {e:.3g}" for a, e in finals.items())
        curve = dict(x=np.asarray(list(finals)), measured=np.asarray(list(finals.values())), theory=None,
                     xlabel="alpha", ylabel="final relative error", logx=True)
        return Measurement(finals[1.0] / finals[1e-3], len(finals), f"r' = 20 = n, seed {seed}", message, curve,
                           invalid)
    return compute


small_initialization = Claim(
    id="ma_fattahi_2023.small_initialization",
    source=SOURCE,
    statement="Over-parameterized (r' = n), the error floor is set by the initial scale alpha: it falls as alpha "
              "does, and a small start ends far below a large one.",
    kind="lower_bound", level="sampled", family="robust low-rank matrix sensing, over-parameterized",
    algorithm="subgradient",
    check=Statistic(compute=small_over_large(), bound=50.0, lower=True,
                    quantity="final error ratio, alpha = 1 over 1e-3",
                    tolerance="ratio >= 50, and monotone over alpha in {1e-2, 1e-3, 1e-4}"),
)


def recovery_spread(vary="out_scale", values=(1e1, 1e2, 1e3, 1e4), p_out=0.3, target=1e-6):
    """max / min over ``values`` of ``vary`` of the steps to relative error ``target``, on one instance draw.

    The error tracks the decaying step down to ~1e-9, so the final error moves by factors of two with a
    shift of twenty steps; the step count to a target is the stable measure of "the same recovery".
    """
    def compute(rng, engine):
        seed = int(rng.integers(2**31))
        counts = []
        for value in values:
            problem = instance(np.random.default_rng(seed), **{"p_out": p_out, vary: value})
            counts.append(rates.iterations_to(relative_errors(problem, subgm(problem), engine), target))
        message = ", ".join(f"{vary} {v:g}: {c} steps" for v, c in zip(values, counts))
        if None in counts:
            return Measurement(np.nan, len(counts), f"seed {seed}", message,
                               invalid=f"relative error {target:g} not reached")
        return Measurement(max(counts) / min(counts), len(counts), f"p_out = {p_out}, seed {seed}", message)
    return compute


outlier_magnitude = Claim(
    id="ma_fattahi_2023.outlier_magnitude",
    source=SOURCE,
    statement="The recovery does not depend on how large the outliers are: at 30% corrupted measurements the "
              "steps to relative error 1e-6 are the same for outliers from 10 to 10^4 times ||X*||.",
    kind="invariant", level="sampled", family="robust low-rank matrix sensing, gross outliers",
    algorithm="subgradient",
    check=Statistic(compute=recovery_spread(), bound=1.1, quantity="max/min steps to 1e-6 over out_scale",
                    tolerance="ratio <= 1.1 over three decades of outlier size"),
)


def constant_step_floor(steps=(0.005, 0.01, 0.02, 0.04), window=200, length=3000, exponent=1.0):
    """|s - exponent|, s the log-log slope of the plateau (mean error over the last steps) against a
    constant step."""
    def compute(rng, engine):
        seed = int(rng.integers(2**31))
        plateaus = []
        for eta in steps:
            problem = instance(np.random.default_rng(seed))
            plateaus.append(float(np.mean(relative_errors(problem, refopt.subgradient(lr=eta), engine,
                                                          length)[-window:])))
        slope = rates.complexity_exponent(steps, plateaus)
        message = (", ".join(f"eta {s:g}: {e:.3g}" for s, e in zip(steps, plateaus))
                   + f"; slope {slope.value:.3f}")
        curve = dict(x=np.asarray(steps), measured=np.asarray(plateaus),
                     theory=plateaus[0] * (np.asarray(steps) / steps[0]) ** exponent, xlabel="constant step",
                     ylabel="plateau of the relative error", logx=True)
        return Measurement(abs(slope.value - exponent), len(steps), f"seed {seed}", message, curve)
    return compute


constant_step = Claim(
    id="ma_fattahi_2023.constant_step_plateau",
    source=SOURCE,
    statement="With a constant step the subgradient does not shrink with the error: the method stalls at an "
              "error proportional to the step (which is why the step must decay geometrically).",
    kind="lower_bound", level="sampled", family="robust low-rank matrix sensing, l1 loss, Gaussian design",
    algorithm="subgradient",
    check=Statistic(compute=constant_step_floor(), bound=0.2, quantity="|plateau slope in eta - 1|",
                    tolerance="plateau proportional to eta: log-log slope within 0.2 of 1"),
)


def _stuck(trace, problem):
    error = float(trace.dist[-1] / np.linalg.norm(problem.M_star))
    return error > 0.5, error, f"relative error {error:.3g} after {trace.steps} steps"


no_hold = Claim(
    id="ma_fattahi_2023.decay_without_hold",
    source=SOURCE,
    statement="A step that decays from the first iteration (rho = 0.9, no constant phase) never leaves the "
              "small initialization: the step budget eta_0 / (1 - rho) must cover the escape from alpha.",
    kind="counterexample", level="sampled", family="robust low-rank matrix sensing, small initialization",
    algorithm="subgradient",
    check=Counterexample(algorithm=lambda p: refopt.subgradient(lr=schedules.geometric(ETA0, 0.9)),
                         instance=lambda: instance(np.random.default_rng(2023)), x0=None, failure=_stuck,
                         steps=600, measure="final relative error"),
)

CLAIMS = [linear_rate, small_initialization, outlier_magnitude, constant_step, no_hold]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
