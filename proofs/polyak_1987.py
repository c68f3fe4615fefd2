"""Polyak (1987), Introduction to Optimization: the subgradient method and Polyak's step size.

Both bounds below are derived from the one-step inequality of the subgradient method (stated with each
claim), as in Polyak's book; Hazan & Kakade (2019, arXiv 1905.00313) state bounds of the same shape
for the Polyak step. No theorem numbers are given: the derivations are in the statements.

Reference: B. T. Polyak, *Introduction to Optimization*, Optimization Software (1987).

Run ``python -m refopt.proofs.polyak_1987`` to check these claims.
"""
import numpy as np

import refopt
from refopt.algorithms import schedules
from refopt.claims import Claim, PerStepRate, Source, StepwiseBound

from . import families

SOURCE = Source("B. T. Polyak", 1987, "Introduction to Optimization", "Optimization Software")


def best_before(trace, problem):
    """min_{i < k} f(x_i) - f* (infinite at k = 0)."""
    best = np.minimum.accumulate(trace.f_gap)
    return np.concatenate([[np.inf], best[:-1]])


polyak_step_lipschitz = Claim(
    id="polyak_1987.polyak_step_lipschitz",
    source=SOURCE,
    statement="Polyak's step on a convex G-Lipschitz f: min_{i<=k} f(x_i) - f* <= G R / sqrt(k + 1). "
              "Derived from ||x_{i+1} - x*||^2 <= ||x_i - x*||^2 - (f(x_i) - f*)^2 / ||g_i||^2 and ||g_i|| <= G.",
    kind="upper_bound", level="sampled", family="convex, G-Lipschitz", algorithm="polyak_step",
    check=StepwiseBound(algorithm=lambda p: refopt.polyak_step(), instances=families.lipschitz_convex,
                        measured="best_f_gap", bound=lambda k, p, x0: p.G * p.distance(x0) / np.sqrt(k + 1),
                        steps=300, rtol=1e-9, atol=1e-14, rate=("sublinear", -0.5),
                        tolerance="rtol 1e-9, atol 1e-14: rounding near f*"),
)

polyak_step_smooth = Claim(
    id="polyak_1987.polyak_step_smooth",
    source=SOURCE,
    statement="Polyak's step on a convex L-smooth f: min_{i<k} f(x_i) - f* <= 2 L R^2 / k. Derived from the "
              "same inequality with ||g||^2 <= 2 L (f - f*).",
    kind="upper_bound", level="sampled", family="convex, L-smooth", algorithm="polyak_step",
    check=StepwiseBound(algorithm=lambda p: refopt.polyak_step(), instances=families.smooth_convex,
                        measured=best_before, bound=lambda k, p, x0: 2 * p.L * p.distance(x0) ** 2 / k,
                        first_k=1, steps=300, rtol=1e-9, atol=1e-14, rate=("sublinear", -1.0),
                        tolerance="rtol 1e-9, atol 1e-14: rounding near f*"),
)

polyak_step_strongly_convex = Claim(
    id="polyak_1987.polyak_step_strongly_convex",
    source=SOURCE,
    statement="Polyak's step on a mu-strongly convex L-smooth f: ||x_{k+1} - x*||^2 <= (1 - mu/(4L)) "
              "||x_k - x*||^2 at every step, using also f - f* >= (mu/2) ||x - x*||^2.",
    kind="rate", level="sampled", family="mu-strongly convex, L-smooth", algorithm="polyak_step",
    check=PerStepRate(algorithm=lambda p: refopt.polyak_step(), instances=families.smooth_strongly_convex,
                      measured="dist_sq", factor=lambda p: 1 - p.mu / (4 * p.L), steps=200),
)


def subgradient_anytime(problem):
    """h_i = R / (G sqrt(i + 1))."""
    return refopt.subgradient(lr=schedules.power(problem.distance(problem.x0) / problem.G, 0.5))


def subgradient_bound_value(k, problem, x0):
    """(R^2 + G^2 sum_{i<=k} h_i^2) / (2 sum_{i<=k} h_i) with h_i = R / (G sqrt(i + 1))."""
    R, G = problem.distance(x0), problem.G
    h = R / (G * np.sqrt(np.arange(np.max(k) + 1) + 1))
    return (R**2 + G**2 * np.cumsum(h**2)[k]) / (2 * np.cumsum(h)[k])


subgradient_bound = Claim(
    id="polyak_1987.subgradient_bound",
    source=SOURCE,
    statement="The subgradient method with steps h_i on a convex f whose subgradients have norm <= G: "
              "min_{i<=k} f(x_i) - f* <= (R^2 + G^2 sum_{i<=k} h_i^2) / (2 sum_{i<=k} h_i), from "
              "||x_{i+1} - x*||^2 <= ||x_i - x*||^2 - 2 h_i (f(x_i) - f*) + h_i^2 G^2; checked with the "
              "anytime steps h_i = R / (G sqrt(i + 1)).",
    kind="upper_bound", level="sampled", family="convex, G-Lipschitz", algorithm="subgradient",
    check=StepwiseBound(algorithm=subgradient_anytime, instances=families.lipschitz_convex,
                        measured="best_f_gap", bound=subgradient_bound_value, steps=500, rtol=1e-9,
                        rate=("sublinear", -0.5), tolerance="rtol 1e-9: rounding"),
)

CLAIMS = [polyak_step_lipschitz, polyak_step_smooth, polyak_step_strongly_convex, subgradient_bound]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
