"""Kwon, Kwon, Wright & Nowak (2024): penalty methods for nonconvex bilevel optimization.

Class: bilevel problems min_x psi(x), psi the (optimistic) hyper-objective, with the penalty
h_sigma = sigma f + g, l(x, sigma) = min_y h_sigma(x, y) and psi_sigma(x) = (l(x, sigma) - l(x, 0)) / sigma.
Checked on the quadratic toy (strongly convex lower level, where psi_sigma = L*_{1/sigma} is closed
form: y_sigma = (sigma I + A)^-1 (sigma b + B x), derived) and on the toy whose lower level has a set of
solutions (phi(x) = 1/2 (x - 1)^2, grad phi = x - 1).
Algorithm: the penalty method's direction grad psi_sigma(x) = grad_x f(x, y_sigma) +
(grad_x g(x, y_sigma) - grad_x g(x, z)) / sigma, with y_sigma and z from inner gradient loops.
Guarantee: |psi_sigma(x) - psi(x)| = O(sigma / mu) and ||grad psi_sigma(x) - grad psi(x)|| = O(sigma / mu^3)
under a proximal error bound with constant mu (constants and the smallness condition on sigma not
encoded), also when the lower level has several solutions; so sigma = O(eps) gives eps-stationarity.
Reference: J. Kwon, D. Kwon, S. Wright, R. Nowak, "On penalty methods for nonconvex bilevel optimization
and first-order stochastic approximation", ICLR 2024 (arXiv 2309.01753); theorem numbers not confirmed.

Run ``python -m refopt.proofs.kwon_kwon_wright_nowak_2024`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, Measurement, Source, Statistic

from .kwon_kwon_wright_nowak_2023 import penalty_gap_slope

SOURCE = Source("J. Kwon, D. Kwon, S. Wright, R. Nowak", 2024,
                "On penalty methods for nonconvex bilevel optimization and first-order stochastic approximation",
                "ICLR (arXiv 2309.01753)").at("penalty approximation theorems", confirmed=False)

SIGMAS = (1e-2, 1e-3, 1e-4, 1e-5)


def gap_slope(which, exponent=1.0, sigmas=SIGMAS):
    """|log-log slope of the value (``which="value"``) or gradient gap in sigma - exponent|, on the quadratic toy
    (psi_sigma = L*_{1/sigma}, the value-function penalty of F2SA)."""
    def gap(problem, x, sigma):
        value, grad, _ = problem.penalty(x, 1.0 / sigma)
        return abs(value - problem.f(x)) if which == "value" else np.linalg.norm(grad - problem.grad(x))
    return penalty_gap_slope(gap, sigmas, exponent, "sigma")


def _gap_claim(which, what):
    return Claim(
        id=f"kwon_kwon_wright_nowak_2024.{which}_gap",
        source=SOURCE,
        statement=f"The penalty function's {what} is O(sigma)-close to the hyper-objective's.",
        kind="upper_bound", level="exact", family="bilevel, strongly convex lower level (quadratic toy)",
        algorithm="penalty",
        check=Statistic(compute=gap_slope(which), bound=0.05, quantity="|log-log slope in sigma - 1|",
                        tolerance="slope 1 within 0.05 over sigma in [1e-5, 1e-2]"),
    )


value_gap = _gap_claim("value", "value psi_sigma")
gradient_gap = _gap_claim("gradient", "gradient grad psi_sigma")


def nonsingleton_direction(exponent=1.0, sigmas=(1e-1, 1e-2, 1e-3), points=(-0.5, 0.3, 2.0)):
    """|slope of ||d_sigma(x) - (x - 1)|| in sigma - exponent|, d_sigma the penalty method's direction."""
    def compute(rng, engine):
        problem = problems.nonsingleton_toy(n=len(points))
        x = np.asarray(points)
        gaps = []
        for sigma in sigmas:
            alg = refopt.penalty(sigma=sigma, inner_steps=int(20 / sigma))
            _, _, d = alg.direction(problem, x, problem.y0, problem.y0, alg.resolve(problem), None)
            gaps.append(float(np.linalg.norm(d - problem.grad(x))))
        slope = rates.complexity_exponent(sigmas, gaps).value
        message = ", ".join(f"sigma = {s:g}: {g:.3g}" for s, g in zip(sigmas, gaps)) + f"; slope {slope:.4f}"
        curve = dict(x=np.asarray(sigmas), measured=np.asarray(gaps), theory=gaps[0] * (np.asarray(sigmas) / sigmas[0]),
                     xlabel="sigma", ylabel="||grad psi_sigma - grad phi||", logx=True)
        return Measurement(abs(slope - exponent), len(sigmas), f"penalty direction on {problem!r}", message, curve)
    return compute


nonsingleton = Claim(
    id="kwon_kwon_wright_nowak_2024.nonsingleton_gradient",
    source=SOURCE,
    statement="When the lower level has a set of solutions, grad psi_sigma still converges to the gradient of "
              "the optimistic hyper-objective (here grad phi = x - 1), at rate O(sigma).",
    kind="upper_bound", level="exact", family="bilevel toy with a non-singleton lower level", algorithm="penalty",
    check=Statistic(compute=nonsingleton_direction(), bound=0.05, quantity="|log-log slope in sigma - 1|",
                    tolerance="the method's direction (inner loops run to convergence) within O(sigma) of x - 1"),
)

CLAIMS = [value_gap, gradient_gap, nonsingleton]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
