"""Drori & Teboulle (2014): the exact worst case of gradient descent on smooth convex functions.

Class: f convex and L-smooth, R = dist(x_0, argmin f).
Algorithm: gradient descent with step 1/L.
Guarantee: f(x_N) - f* <= L R^2 / (4N + 2), and the Huber instance attains it.
Reference: Y. Drori and M. Teboulle, "Performance of first-order methods for smooth convex
minimization: a novel approach", Math. Program. 145 (2014), arXiv 1206.3209; the bound is their
Theorem 3.1 and the instance their Theorem 3.2 (numbers not confirmed against the text; bound and
instance checked numerically).

Run ``python -m refopt.proofs.drori_teboulle_2014`` to check these claims.
"""
import refopt
from refopt import problems
from refopt.claims import Claim, Source, StepwiseBound

from . import families

SOURCE = Source("Y. Drori, M. Teboulle", 2014,
                "Performance of first-order methods for smooth convex minimization: a novel approach",
                "Math. Program. 145, arXiv 1206.3209", theorem="Thm 3.1", confirmed=False)


def gd_step_one_over_L(problem):
    return refopt.gradient_descent(lr=1.0 / problem.L)


def bound(k, problem, x0):
    """L R^2 / (4k + 2)."""
    return problem.L * problem.distance(x0) ** 2 / (4 * k + 2)


gd_bound = Claim(
    id="drori_teboulle_2014.gd_bound",
    source=SOURCE,
    statement="Gradient descent with step 1/L on a convex L-smooth f: f(x_k) - f* <= L R^2 / (4k + 2) "
              "for every k, with R the distance from x_0 to the minimizers.",
    kind="upper_bound", level="sampled", family="convex, L-smooth", algorithm="gradient_descent",
    check=StepwiseBound(algorithm=gd_step_one_over_L, instances=families.smooth_convex, measured="f_gap",
                        bound=bound, steps=200, rtol=1e-12, rate=("sublinear", -1.0),
                        tolerance="rtol 1e-12: rounding of f only"),
)

gd_bound_attained = Claim(
    id="drori_teboulle_2014.gd_bound_attained",
    source=SOURCE.at("Thm 3.2", confirmed=False),
    statement="The one-dimensional Huber function built for horizon N attains the bound: after N steps of "
              "gradient descent with step 1/L from x_0 = R, f(x_N) - f* = L R^2 / (4N + 2).",
    kind="upper_bound", level="tight", family="convex, L-smooth (worst case)", algorithm="gradient_descent",
    check=StepwiseBound(algorithm=gd_step_one_over_L,
                        instances=lambda rng: [problems.huber_worst_case(horizon=N, L=L, R=R)
                                               for N, L, R in ((1, 1.0, 1.0), (5, 2.0, 3.0), (20, 1.0, 0.5),
                                                               (100, 4.0, 1.0))],
                        measured="f_gap", bound=bound, steps=lambda p: p.horizon, rtol=1e-12, attained=True,
                        tolerance="rtol 1e-12: the iterates stay on the linear piece, so only rounding differs"),
)

CLAIMS = [gd_bound, gd_bound_attained]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
