"""Garrigos & Gower (2023), Handbook of Convergence Theorems for (Stochastic) Gradient Methods.

The handbook's bounds for gradient descent, SGD and proximal gradient, with the constants of
shared/catalogue/01-first-order.md. The handbook's section bodies could not be read when these were
encoded, so no theorem numbers are given; each bound is the standard one it restates (and was checked
numerically when the catalogue was written).

Notation: gamma the step, R = ||x_0 - x*||, f_i L_i-smooth with L_max = max L_i,
sigma*_f = (1/n) sum_i ||grad f_i(x*)||^2.
Reference: G. Garrigos and R. M. Gower, "Handbook of Convergence Theorems for (Stochastic) Gradient
Methods", arXiv 2301.11235 (v3, 2024).

Run ``python -m refopt.proofs.garrigos_gower_2023`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, PerStepRate, Source, StepwiseBound

from . import families

SOURCE = Source("G. Garrigos, R. M. Gower", 2023,
                "Handbook of convergence theorems for (stochastic) gradient methods", "arXiv 2301.11235")


def gd(problem):
    return refopt.gradient_descent(lr=1.0 / problem.L)


gd_convex = Claim(
    id="garrigos_gower_2023.gd_convex",
    source=SOURCE,
    statement="Gradient descent with gamma <= 1/L on a convex L-smooth f: f(x_t) - f* <= R^2 / (2 gamma t); "
              "checked at gamma = 1/L.",
    kind="upper_bound", level="sampled", family="convex, L-smooth", algorithm="gradient_descent",
    check=StepwiseBound(algorithm=gd, instances=families.smooth_convex, measured="f_gap",
                        bound=lambda k, p, x0: p.L * p.distance(x0) ** 2 / (2 * k), first_k=1, steps=200,
                        rtol=1e-9, atol=1e-14, rate=("sublinear", -1.0),
                        tolerance="rtol 1e-9, atol 1e-14: rounding near f*"),
)

gd_strongly_convex = Claim(
    id="garrigos_gower_2023.gd_strongly_convex",
    source=SOURCE,
    statement="Gradient descent with gamma <= 1/L on a mu-strongly convex L-smooth f: "
              "||x_{t+1} - x*||^2 <= (1 - gamma mu) ||x_t - x*||^2 at every step; checked at gamma = 1/L.",
    kind="rate", level="sampled", family="mu-strongly convex, L-smooth", algorithm="gradient_descent",
    check=PerStepRate(algorithm=gd, instances=families.smooth_strongly_convex, measured="dist_sq",
                      factor=lambda p: 1 - p.mu / p.L, steps=200),
)


def pl_instances(rng):
    return [problems.pl_toy(dim=d) for d in (1, 1, 3, 5)]


gd_pl = Claim(
    id="garrigos_gower_2023.gd_pl",
    source=SOURCE,
    statement="Gradient descent with gamma <= 1/L on an L-smooth mu-PL f: f(x_{t+1}) - f* <= "
              "(1 - gamma mu)(f(x_t) - f*); checked on x^2 + 3 sin^2 x (L = 8, mu = 1/32) at gamma = 1/L.",
    kind="rate", level="sampled", family="L-smooth, Polyak-Lojasiewicz", algorithm="gradient_descent",
    check=PerStepRate(algorithm=gd, instances=pl_instances, measured="f_gap",
                      factor=lambda p: 1 - p.mu_pl / p.L, steps=200,
                      x0=lambda p, rng: rng.uniform(-10, 10, size=p.shape)),
)


def sgd_instances(rng):
    return [problems.least_squares(n=30, d=5, label_noise=0.5, seed=int(rng.integers(2**31))),
            problems.least_squares(n=20, d=4, label_noise=1.0, seed=int(rng.integers(2**31)))]


def sgd_constant_floor(k, p, x0):
    gamma = 1.0 / (2 * p.L_max)
    return (1 - gamma * p.mu) ** k * p.distance(x0) ** 2 + 2 * gamma * p.sigma_star_sq / p.mu


sgd_strongly_convex = Claim(
    id="garrigos_gower_2023.sgd_strongly_convex",
    source=SOURCE,
    statement="SGD (one f_i sampled uniformly per step) with gamma <= 1/(2 L_max) on a finite sum of convex "
              "L_i-smooth f_i whose mean is mu-strongly convex: E||x_t - x*||^2 <= (1 - gamma mu)^t R^2 + "
              "2 gamma sigma*_f / mu; checked at gamma = 1/(2 L_max).",
    kind="upper_bound", level="sampled", family="finite sum, mu-strongly convex, L_max-smooth components",
    algorithm="sgd",
    check=StepwiseBound(algorithm=lambda p: refopt.sgd(lr=1.0 / (2 * p.L_max)), instances=sgd_instances,
                        measured="dist_sq", bound=sgd_constant_floor, steps=300, runs=200, rtol=1e-12,
                        tolerance="expectation: mean of 200 runs, judged at mean - 3 standard errors; "
                                  "rtol 1e-12 for rounding at k = 0"),
)


def prox_instances(rng):
    return [p for p in families.composite(rng) if p.mu > 0]


prox_gd_strongly_convex = Claim(
    id="garrigos_gower_2023.prox_gd_strongly_convex",
    source=SOURCE,
    statement="Proximal gradient with gamma <= 1/L on F = f + r, f mu-strongly convex and L-smooth, r convex: "
              "||x_{t+1} - x*||^2 <= (1 - gamma mu) ||x_t - x*||^2; checked at gamma = 1/L on the LASSO.",
    kind="rate", level="sampled", family="f mu-strongly convex L-smooth plus r convex", algorithm="ista",
    check=PerStepRate(algorithm=lambda p: refopt.ista(lr=1.0 / p.L), instances=prox_instances,
                      measured="dist_sq", factor=lambda p: 1 - p.mu / p.L, steps=200),
)

CLAIMS = [gd_convex, gd_strongly_convex, gd_pl, sgd_strongly_convex, prox_gd_strongly_convex]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
