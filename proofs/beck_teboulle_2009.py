"""Beck & Teboulle (2009): the O(1/k) rate of ISTA and the O(1/k^2) rate of FISTA.

Class: F = f + r, f convex and L-smooth, r convex, proper, lower semicontinuous (here
lam ||.||_1, or r = 0); R = dist(x_0, argmin F).
Algorithms: proximal gradient (ISTA) and FISTA, both with constant step 1/L.
Guarantees: ISTA F(x_k) - F* <= L R^2 / (2k); FISTA F(x_k) - F* <= 2 L R^2 / (k + 1)^2 (k >= 1).
With r = 0, FISTA is Nesterov's accelerated gradient with the t_k momentum, iterate for iterate.
Reference: A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for linear
inverse problems", SIAM J. Imaging Sci. 2(1) (2009), Theorems 3.1 and 4.4 (numbers not confirmed
against the text).

Run ``python -m refopt.proofs.beck_teboulle_2009`` to check these claims.
"""
import refopt
from refopt.claims import Claim, Source, StepwiseBound

from . import families

SOURCE = Source("A. Beck, M. Teboulle", 2009,
                "A fast iterative shrinkage-thresholding algorithm for linear inverse problems",
                "SIAM J. Imaging Sci. 2(1)")


def composite_and_smooth(rng):
    return families.composite(rng) + families.smooth_convex(rng)


ista_rate = Claim(
    id="beck_teboulle_2009.ista_rate",
    source=SOURCE.at("Thm 3.1", confirmed=False),
    statement="ISTA with step 1/L: F(x_k) - F* <= L R^2 / (2k) for k >= 1.",
    kind="upper_bound", level="sampled", family="f convex L-smooth plus r convex", algorithm="ista",
    check=StepwiseBound(algorithm=lambda p: refopt.ista(lr=1.0 / p.L), instances=composite_and_smooth,
                        measured="f_gap", bound=lambda k, p, x0: p.L * p.distance(x0) ** 2 / (2 * k),
                        first_k=1, steps=200, rtol=1e-9, atol=1e-14, rate=("sublinear", -1.0),
                        tolerance="rtol 1e-9, atol 1e-14: rounding of F near F*"),
)

fista_rate = Claim(
    id="beck_teboulle_2009.fista_rate",
    source=SOURCE.at("Thm 4.4", confirmed=False),
    statement="FISTA with step 1/L: F(x_k) - F* <= 2 L R^2 / (k + 1)^2 for k >= 1.",
    kind="upper_bound", level="sampled", family="f convex L-smooth plus r convex", algorithm="fista",
    check=StepwiseBound(algorithm=lambda p: refopt.fista(lr=1.0 / p.L), instances=composite_and_smooth,
                        measured="f_gap", bound=lambda k, p, x0: 2 * p.L * p.distance(x0) ** 2 / (k + 1) ** 2,
                        first_k=1, steps=200, rtol=1e-9, atol=1e-14, rate=("sublinear", -2.0),
                        tolerance="rtol 1e-9, atol 1e-14: rounding of F near F*"),
)

agd_rate = Claim(
    id="beck_teboulle_2009.agd_rate",
    source=SOURCE.at("Thm 4.4", confirmed=False),
    statement="With r = 0, FISTA is Nesterov's accelerated gradient with the t_k momentum: on a convex L-smooth f "
              "with step 1/L, f(x_k) - f* <= 2 L R^2 / (k + 1)^2 for k >= 1.",
    kind="upper_bound", level="sampled", family="convex, L-smooth", algorithm="nesterov",
    check=StepwiseBound(algorithm=lambda p: refopt.nesterov(lr=1.0 / p.L), instances=families.smooth_convex,
                        measured="f_gap", bound=lambda k, p, x0: 2 * p.L * p.distance(x0) ** 2 / (k + 1) ** 2,
                        first_k=1, steps=300, rtol=1e-9, atol=1e-14, rate=("sublinear", -2.0),
                        tolerance="rtol 1e-9, atol 1e-14: rounding of f near f*"),
)

CLAIMS = [ista_rate, fista_rate, agd_rate]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
