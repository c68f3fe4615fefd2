"""Gower et al. (2019), SGD: general analysis and improved rates: minibatches and the switching step.

Class: f = (1/n) sum_i f_i, f_i convex and L_i-smooth, f mu-strongly convex; L = the smoothness of f,
L_max = max L_i, sigma*_f = (1/n) sum_i ||grad f_i(x*)||^2, kappa = L_max / mu.
Guarantees:
- b-nice minibatches (b distinct indices per step) behave like single samples with the expected
  smoothness L_b = n(b-1)/(b(n-1)) L + (n-b)/(b(n-1)) L_max and the gradient noise
  sigma*_b = (n-b)/(b(n-1)) sigma*_f: with gamma <= 1/(2 L_b),
  E||x_t - x*||^2 <= (1 - gamma mu)^t R^2 + 2 gamma sigma*_b / mu;
- the switching step gamma_t = 1/(2 L_max) for t < 4 ceil(kappa), then (2t+1)/((t+1)^2 mu), gives for
  t >= 4 ceil(kappa): E||x_t - x*||^2 <= 8 sigma*_f / (mu^2 t) + 16 ceil(kappa)^2 R^2 / (e^2 t^2).
Both are restated in the Handbook of Garrigos & Gower (2023); their printed forms were checked
numerically when the catalogue was written, and no theorem numbers are given here.
Reference: R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin and P. Richtarik, "SGD:
general analysis and improved rates", ICML (2019), arXiv 1901.09401.

Run ``python -m refopt.proofs.gower_et_al_2019`` to check these claims.
"""
import math

import numpy as np

import refopt
from refopt import problems
from refopt.algorithms import schedules
from refopt.claims import Claim, Source, StepwiseBound

SOURCE = Source("R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin, P. Richtarik", 2019,
                "SGD: general analysis and improved rates", "ICML, arXiv 1901.09401")

BATCH = 4


def minibatch_constants(problem, b):
    """(L_b, sigma*_b) for b-nice sampling of the problem's n components."""
    n = problem.n
    L_b = n * (b - 1) / (b * (n - 1)) * problem.L + (n - b) / (b * (n - 1)) * problem.L_max
    return L_b, (n - b) / (b * (n - 1)) * problem.sigma_star_sq


def minibatch_instances(rng):
    noise = problems.finite_sum(BATCH, "without_replacement")
    return [problems.least_squares(n=n, d=5, label_noise=1.0, seed=int(rng.integers(2**31)), noise=noise)
            for n in (12, 30)]


def minibatch_sgd(problem):
    return refopt.sgd(lr=1.0 / (2 * minibatch_constants(problem, BATCH)[0]))


def minibatch_bound(k, p, x0):
    L_b, sigma_b = minibatch_constants(p, BATCH)
    gamma = 1.0 / (2 * L_b)
    return (1 - gamma * p.mu) ** k * p.distance(x0) ** 2 + 2 * gamma * sigma_b / p.mu


sgd_minibatch = Claim(
    id="gower_et_al_2019.sgd_minibatch",
    source=SOURCE,
    statement="SGD with b-nice minibatches and gamma = 1/(2 L_b): E||x_t - x*||^2 <= (1 - gamma mu)^t R^2 + "
              "2 gamma sigma*_b / mu, with L_b and sigma*_b as in the module docstring (b = 4).",
    kind="upper_bound", level="sampled", family="finite sum, mu-strongly convex, L_max-smooth components",
    algorithm="sgd",
    check=StepwiseBound(algorithm=minibatch_sgd, instances=minibatch_instances, measured="dist_sq",
                        bound=minibatch_bound, steps=300, runs=200, rtol=1e-12,
                        tolerance="expectation: mean of 200 runs, judged at mean - 3 standard errors; "
                                  "rtol 1e-12 for rounding at k = 0"),
)


def switch_step(problem):
    return 4 * math.ceil(problem.L_max / problem.mu)


def switching_sgd(problem):
    return refopt.sgd(lr=schedules.switching(1.0 / (2 * problem.L_max), problem.mu, switch_step(problem)))


def switching_bound(k, p, x0):
    kappa = math.ceil(p.L_max / p.mu)
    t = np.maximum(k, 1)
    return 8 * p.sigma_star_sq / (p.mu**2 * t) + 16 * kappa**2 * p.distance(x0) ** 2 / (np.e**2 * t**2)


def switching_instances(rng):
    return [problems.least_squares(n=20, d=3, label_noise=1.0, seed=int(rng.integers(2**31)))]


sgd_switching = Claim(
    id="gower_et_al_2019.sgd_switching",
    source=SOURCE,
    statement="SGD with the switching step: for t >= 4 ceil(kappa), E||x_t - x*||^2 <= 8 sigma*_f/(mu^2 t) + "
              "16 ceil(kappa)^2 R^2 / (e^2 t^2).",
    kind="upper_bound", level="sampled", family="finite sum, mu-strongly convex, L_max-smooth components",
    algorithm="sgd",
    check=StepwiseBound(algorithm=switching_sgd, instances=switching_instances, measured="dist_sq",
                        bound=switching_bound, first_k=switch_step, steps=lambda p: 4 * switch_step(p),
                        runs=100, rtol=1e-12, rate=("sublinear", -1.0),
                        tolerance="expectation: mean of 100 runs, judged at mean - 3 standard errors"),
)

CLAIMS = [sgd_minibatch, sgd_switching]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
