"""Kwon, Kwon, Wright & Nowak (2023): F2SA, a fully first-order method for stochastic bilevel optimization.

Class: bilevel problems with a strongly convex lower level; checked on the quadratic toy
g(x, y) = 1/2 y^T A y - y^T B x, f(x, y) = 1/2 ||y - b||^2 + (c/2) ||x||^2 (kappa_g = 2, c = 1).
Algorithm: F2SA descends the value-function penalty L*_lam(x) = min_y f + lam (g - g*(x)) with lam_k
growing, using gradients of f and g only (z tracks argmin g, y tracks argmin f + lam g).
Guarantee: the penalty's gradient is O(1/lam)-close to the hypergradient, and F2SA reaches
E||grad F(x)||^2 <= eps in O(eps^-3/2) iterations deterministic, O(eps^-5/2) with upper-level noise and
O(eps^-7/2) with noise in both levels (O(1) samples per iteration; the abstract's rates, in the squared
criterion: in ||grad F|| <= eps terms they double). On the quadratic toy the bias is exact:
grad L*_lam = c x + lam B^T (y*(x) - y_lam(x)), y_lam = (I + lam A)^-1 (b + lam B x) (derived).
Schedules (the paper's corollaries are not confirmed here): alpha_k ~ k^-a for y and x, gamma_k ~ k^-c
for z, lam_k = lam_0 + delta_0 sum_i (i+1)^-(1-a+c) ~ k^(a-c), which keeps alpha_k lam_k bounded and makes
the O(1/lam_k) bias decay as the abstract's rate requires: (a, c) = (1/3, 0) deterministic,
(3/5, 2/5) with upper-level noise and (5/7, 4/7) with noise in both levels (lam_k ~ k^1/3, k^1/5,
k^1/7). The stochastic claims average ||grad F(x_k)||^2 over 4 runs before taking the running minimum.
Reference: J. Kwon, D. Kwon, S. Wright, R. Nowak, "A fully first-order method for stochastic bilevel
optimization", ICML 2023 (arXiv 2301.10945); the general theorem and its corollary (numbers not
confirmed here).

Run ``python -m refopt.proofs.kwon_kwon_wright_nowak_2023`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, EpsilonComplexity, Invariant, Measurement, Source, Statistic

SOURCE = Source("J. Kwon, D. Kwon, S. Wright, R. Nowak", 2023,
                "A fully first-order method for stochastic bilevel optimization", "ICML (arXiv 2301.10945)"
                ).at("main theorem and corollary", confirmed=False)

FAMILY = "bilevel, strongly convex lower level (quadratic toy, kappa_g = 2)"
LAMBDAS = (1e2, 1e3, 1e4, 1e5)


def penalty_gap_slope(gap, parameters, exponent, name):
    """|fitted log-log slope of gap(problem, x, p) against p - exponent|, worst over the quadratic toys with
    kappa_g = 2 and 10, each at a random x."""
    def compute(rng, engine):
        worst, notes, label = -1.0, [], ""
        for kappa in (2.0, 10.0):
            seed = int(rng.integers(2**31))
            problem = problems.quad_bilevel(dx=5, dy=10, mu_g=1.0 / kappa, L_g=1.0, c=1.0, seed=seed)
            x = np.random.default_rng(seed).standard_normal(problem.shape)
            slope = rates.complexity_exponent(parameters, [gap(problem, x, p) for p in parameters]).value
            notes.append(f"kappa_g = {kappa:g}: slope {slope:.4f}")
            if abs(slope - exponent) > worst:
                worst, label = abs(slope - exponent), f"{problem!r} at a random x"
        return Measurement(worst, 2, label, "; ".join(notes) + f" over {name} = {list(parameters)}")
    return compute


def gradient_bias(problem, x, lam):
    """||grad L*_lam(x) - grad F(x)||, exact on the quadratic toy."""
    return np.linalg.norm(problem.penalty(x, lam)[1] - problem.grad(x))


def penalty_bias_slope(exponent=-1.0, lambdas=LAMBDAS):
    """|fitted slope of log ||grad L*_lam(x) - grad F(x)|| in log lam - exponent|, worst over instances."""
    return penalty_gap_slope(gradient_bias, lambdas, exponent, "lam")


penalty_bias = Claim(
    id="kwon_kwon_wright_nowak_2023.penalty_bias",
    source=SOURCE,
    statement="The gradient of the value-function penalty L*_lam is O(1/lam)-close to the hypergradient: "
              "||grad L*_lam(x) - grad F(x)|| decays like lam^-1.",
    kind="upper_bound", level="exact", family=FAMILY, algorithm="f2sa",
    check=Statistic(compute=penalty_bias_slope(), bound=0.05, quantity="|log-log slope in lam + 1|",
                    tolerance="slope -1 within 0.05 over lam in [1e2, 1e5]"),
)


def instance(rng):
    return problems.quad_bilevel(dx=5, dy=10, mu_g=0.5, L_g=1.0, c=1.0, seed=int(rng.integers(2**31)))


def deterministic_schedule(problem, lam0=1.0, delta0=3.0):
    """alpha_k ~ k^-1/3 (y and x), gamma constant (z), lam_k ~ k^1/3, with alpha_k lam_k L_g <= 1."""
    alpha0 = 1.0 / ((lam0 + 3 * delta0) * problem.L_g + problem.L_fy)
    return refopt.f2sa(lr_y=alpha0, lr_z=1.0 / problem.L_g, lr_x=0.5 / problem.L, decay_y=1 / 3, decay_z=0.0,
                       decay_x=1 / 3, lam0=lam0, lam_increment=delta0, decay_lam=2 / 3, inner_steps=5)


def best_grad_sq(trace, problem):
    """min_{j <= k} ||grad F(x_j)||^2: the theorem's stationarity measure."""
    return np.minimum.accumulate(trace.grad_norm ** 2)


deterministic_complexity = Claim(
    id="kwon_kwon_wright_nowak_2023.deterministic_complexity",
    source=SOURCE,
    statement="Deterministic F2SA reaches ||grad F(x)||^2 <= eps in O(eps^-3/2) iterations (O(1) oracle calls "
              "each), with lam_k ~ k^1/3.",
    kind="complexity", level="sampled", family=FAMILY, algorithm="f2sa",
    check=EpsilonComplexity(instance=instance, algorithm=deterministic_schedule, measured=best_grad_sq,
                            epsilons=(1e-2, 3e-3, 1e-3, 3e-4, 1e-4), exponent=1.5, max_steps=30_000),
)


def noisy_schedule(regime):
    """Schedules for noisy oracles: alpha_k ~ k^-a (y, x), gamma_k ~ k^-c (z), lam_k ~ k^(a - c), with
    (a, c) = (3/5, 2/5) for upper-level noise and (5/7, 4/7) for noise in both levels, so that the bias
    1/lam_k^2 decays like k^-2/5 and k^-2/7: the abstract's eps^-5/2 and eps^-7/2."""
    a, c = {"upper": (3 / 5, 2 / 5), "both": (5 / 7, 4 / 7)}[regime]

    def make(problem, lam0=1.0, delta0=3.0):
        alpha0 = 1.0 / ((lam0 + delta0 / (a - c)) * problem.L_g + problem.L_fy)
        return refopt.f2sa(lr_y=alpha0, lr_z=1.0 / problem.L_g, lr_x=0.5 / problem.L, decay_y=a, decay_z=c,
                           decay_x=a, lam0=lam0, lam_increment=delta0, decay_lam=1 - (a - c), inner_steps=5)
    return make


def noisy_instance(regime, sigma):
    def make(rng):
        noise = problems.bilevel_noise(upper=sigma, lower=sigma if regime == "both" else 0.0)
        return problems.quad_bilevel(dx=5, dy=10, mu_g=0.5, L_g=1.0, c=1.0, seed=int(rng.integers(2**31)),
                                     noise=noise)
    return make


def grad_sq(trace, problem):
    """||grad F(x_k)||^2; averaged over runs, then its running minimum: min_j E||grad F(x_j)||^2."""
    return trace.grad_norm ** 2


upper_noise_complexity = Claim(
    id="kwon_kwon_wright_nowak_2023.upper_noise_complexity",
    source=SOURCE,
    statement="With noise in the upper level's oracles only, F2SA reaches E||grad F(x)||^2 <= eps in "
              "O(eps^-5/2) iterations (lam_k ~ k^1/5).",
    kind="complexity", level="sampled", family=FAMILY + ", upper-level oracle noise of variance 0.5^2",
    algorithm="f2sa",
    check=EpsilonComplexity(instance=noisy_instance("upper", 0.5), algorithm=noisy_schedule("upper"),
                            measured=grad_sq, epsilons=(3e-1, 1e-1, 3e-2, 1e-2, 3e-3), exponent=2.5,
                            max_steps=4000, runs=4),
)

both_noise_complexity = Claim(
    id="kwon_kwon_wright_nowak_2023.both_noise_complexity",
    source=SOURCE,
    statement="With noise in both levels' oracles, F2SA reaches E||grad F(x)||^2 <= eps in O(eps^-7/2) "
              "iterations (lam_k ~ k^1/7).",
    kind="complexity", level="sampled", family=FAMILY + ", oracle noise of variance 0.1^2 at both levels",
    algorithm="f2sa",
    check=EpsilonComplexity(instance=noisy_instance("both", 0.1), algorithm=noisy_schedule("both"),
                            measured=grad_sq, epsilons=(1.0, 3e-1, 1e-1, 3e-2), exponent=3.5,
                            max_steps=8000, runs=4),
)


def _first_order(trace, problem):
    return not any(name in trace.oracle_calls for name in ("upper_hvp", "lower_hvp", "upper_jvp", "lower_jvp"))


first_order = Claim(
    id="kwon_kwon_wright_nowak_2023.first_order",
    source=SOURCE,
    statement="F2SA uses gradients of f and g only: no Hessian-vector or Jacobian-vector product is ever called.",
    kind="invariant", level="sampled", family=FAMILY, algorithm="f2sa",
    check=Invariant(algorithm=deterministic_schedule, instances=lambda rng: [instance(rng)], holds=_first_order,
                    steps=50, description="oracle counter: zero second-order calls"),
)

CLAIMS = [penalty_bias, deterministic_complexity, upper_noise_complexity, both_noise_complexity, first_order]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
