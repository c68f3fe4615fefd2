"""Nesterov (2004), Introductory Lectures on Convex Optimization: rates on quadratics, the
accelerated method, and the lower bound on the chain.

Reference: Y. Nesterov, *Introductory Lectures on Convex Optimization: A Basic Course*, Kluwer
(2004). Theorem numbers below follow the book's numbering as restated in several independent
sources; those not checked against the page are marked unconfirmed.

Run ``python -m refopt.proofs.nesterov_2004`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, Complexity, ExactRate, Invariant, Source, StepwiseBound

from . import families

SOURCE = Source("Y. Nesterov", 2004, "Introductory Lectures on Convex Optimization: A Basic Course",
                "Kluwer Academic Publishers")

CLASSES = [(1.0, 2.0), (0.1, 1.0), (0.01, 1.0), (1e-4, 1.0), (0.5, 40.0)]
"""(mu, L) pairs for the exact checks: kappa from 2 to 10^4."""


def _root_kappa(mu, L):
    return np.sqrt(L / mu)


gd_quadratic_rate = Claim(
    id="nesterov_2004.gd_quadratic_rate",
    source=SOURCE.at("Thm 2.1.15", confirmed=False),
    statement="Gradient descent with step 1/L on quadratics with spectrum in [mu, L] contracts "
              "||x_k - x*|| asymptotically by exactly 1 - mu/L in the worst case (the radius max |1 - lambda/L|).",
    kind="rate", level="exact", family="quadratics, spectrum in [mu, L]", algorithm="gradient_descent",
    check=ExactRate(characteristic=lambda lam, mu, L: (1 - lam / L, 0.0 * lam), rate=lambda mu, L: 1 - mu / L,
                    classes=CLASSES),
)

gd_optimal_step_rate = Claim(
    id="nesterov_2004.gd_optimal_step_rate",
    source=gd_quadratic_rate.source,
    statement="With step 2/(L + mu) the worst rate on the same class is (kappa - 1)/(kappa + 1), the best "
              "any constant step achieves.",
    kind="rate", level="exact", family="quadratics, spectrum in [mu, L]", algorithm="gradient_descent",
    check=ExactRate(characteristic=lambda lam, mu, L: (1 - 2 * lam / (L + mu), 0.0 * lam),
                    rate=lambda mu, L: (L / mu - 1) / (L / mu + 1), classes=CLASSES),
)


def _agd_characteristic(lam, mu, L):
    # y-form: x_{k+1} = (1 - lam/L) [(1 + beta) x_k - beta x_{k-1}] on the eigenvalue lam
    beta = (_root_kappa(mu, L) - 1) / (_root_kappa(mu, L) + 1)
    return (1 + beta) * (1 - lam / L), -beta * (1 - lam / L)


agd_strongly_convex_rate = Claim(
    id="nesterov_2004.agd_strongly_convex_rate",
    source=SOURCE.at("Sec. 2.2.1", confirmed=False),
    statement="Accelerated gradient with step 1/L and momentum (sqrt(kappa) - 1)/(sqrt(kappa) + 1): on "
              "quadratics with spectrum in [mu, L] the worst rate is exactly 1 - 1/sqrt(kappa), attained at "
              "lambda = mu as a double root.",
    kind="rate", level="exact", family="quadratics, spectrum in [mu, L]", algorithm="nesterov",
    check=ExactRate(characteristic=_agd_characteristic, rate=lambda mu, L: 1 - 1 / _root_kappa(mu, L),
                    classes=CLASSES),
)


def agd_strongly_convex(problem):
    return refopt.nesterov(lr=1.0 / problem.L, momentum="strongly_convex")


agd_strongly_convex_bound = Claim(
    id="nesterov_2004.agd_strongly_convex_bound",
    source=SOURCE.at("Thm 2.2.3", confirmed=False),
    statement="On a mu-strongly convex L-smooth f, accelerated gradient with step 1/L and constant momentum "
              "(sqrt(kappa) - 1)/(sqrt(kappa) + 1) gives f(x_k) - f* <= (1 - 1/sqrt(kappa))^k "
              "(f(x_0) - f* + mu/2 R^2).",
    kind="upper_bound", level="sampled", family="mu-strongly convex, L-smooth", algorithm="nesterov",
    check=StepwiseBound(
        algorithm=agd_strongly_convex, instances=families.smooth_strongly_convex, measured="f_gap",
        bound=lambda k, p, x0: (1 - 1 / np.sqrt(p.kappa)) ** k * (
            p.f(x0) - p.f_star + 0.5 * p.mu * p.distance(x0) ** 2),
        steps=150, rtol=1e-9, atol=1e-14, rate=("linear", lambda p: 1 - 1 / np.sqrt(p.kappa)),
        tolerance="rtol 1e-9, atol 1e-14: rounding of f near f*"),
)


def _chain_instances(rng):
    """One chain per horizon k, of length m = 2k + 1 (the theorem's instance depends on k)."""
    return [problems.nesterov_chain(m=2 * k + 1, L=1.0) for k in (1, 2, 3, 5, 10, 20, 39)]


def _span_methods(problem):
    """Methods whose iterates stay in x_0 + span of the past gradients."""
    return [refopt.gradient_descent(lr=1.0 / problem.L), refopt.heavy_ball(alpha=1.0 / problem.L, beta=0.5),
            refopt.nesterov(lr=1.0 / problem.L)]


def _horizon(problem):
    return (problem.m - 1) // 2


chain_lower_bound = Claim(
    id="nesterov_2004.chain_lower_bound",
    source=SOURCE.at("Thm 2.1.7", confirmed=False),
    statement="For 1 <= k <= (n - 1)/2 and any method with x_k in x_0 + span(grad f(x_0), ..., "
              "grad f(x_{k-1})), the chain of length m = 2k + 1 gives f(x_k) - f* >= 3 L R^2 / (32 (k + 1)^2).",
    kind="lower_bound", level="tight", family="convex, L-smooth (worst case)", algorithm="nesterov",
    check=StepwiseBound(algorithm=_span_methods, instances=_chain_instances, measured="f_gap",
                        bound=lambda k, p, x0: 3 * p.L * p.distance(x0) ** 2 / (32 * (k + 1) ** 2),
                        steps=_horizon, first_k=_horizon, lower=True,
                        tolerance="judged at step k on the instance built for k"),
)

chain_lower_bound_distance = Claim(
    id="nesterov_2004.chain_lower_bound_distance",
    source=chain_lower_bound.source,
    statement="On the same instances, ||x_k - x*||^2 >= R^2 / 8.",
    kind="lower_bound", level="tight", family="convex, L-smooth (worst case)", algorithm="nesterov",
    check=StepwiseBound(algorithm=_span_methods, instances=_chain_instances, measured="dist_sq",
                        bound=lambda k, p, x0: p.distance(x0) ** 2 / 8, steps=_horizon, first_k=_horizon,
                        lower=True, tolerance="judged at step k on the instance built for k"),
)


def _krylov(trace, problem):
    """Iterate k is zero beyond its first k coordinates."""
    return np.array([not np.any(x[k:]) for k, x in enumerate(trace.iterates)])


chain_krylov_invariant = Claim(
    id="nesterov_2004.chain_krylov_invariant",
    source=SOURCE.at("Thm 2.1.7 (its proof)", confirmed=False),
    statement="Started at 0 on the chain, a method in the span class has x_k zero beyond coordinate k: "
              "each gradient reaches one coordinate further.",
    kind="invariant", level="sampled", family="Nesterov's chain", algorithm="nesterov",
    check=Invariant(algorithm=_span_methods, instances=lambda rng: [problems.nesterov_chain(m=30, dim=40)],
                    holds=_krylov, steps=35, description="exact zeros, no tolerance"),
)


def _complexity_instance(kappa, rng):
    return problems.quadratic(dim=20, mu=1.0 / kappa, L=1.0, spectrum="uniform", seed=int(rng.integers(2**31)))


KAPPAS = (10.0, 30.0, 100.0, 300.0, 1000.0)

agd_complexity = Claim(
    id="nesterov_2004.agd_complexity",
    source=agd_strongly_convex_bound.source,
    statement="The accelerated method reaches f - f* <= eps (f(x_0) - f*) in O(sqrt(kappa) log(1/eps)) steps: "
              "the steps to a fixed relative accuracy grow like kappa^(1/2).",
    kind="complexity", level="sampled", family="quadratics, spectrum in [mu, L]", algorithm="nesterov",
    check=Complexity(parameter="kappa", values=KAPPAS, instance=_complexity_instance,
                     algorithm=agd_strongly_convex, measured="f_gap", target=lambda p, e0: 1e-8 * e0,
                     exponent=0.5, max_steps=20_000),
)

gd_complexity = Claim(
    id="nesterov_2004.gd_complexity",
    source=gd_quadratic_rate.source,
    statement="Gradient descent with step 1/L needs O(kappa log(1/eps)) steps: the steps to a fixed relative "
              "accuracy grow like kappa.",
    kind="complexity", level="sampled", family="quadratics, spectrum in [mu, L]", algorithm="gradient_descent",
    check=Complexity(parameter="kappa", values=KAPPAS, instance=_complexity_instance,
                     algorithm=lambda p: refopt.gradient_descent(lr=1.0 / p.L), measured="f_gap",
                     target=lambda p, e0: 1e-8 * e0, exponent=1.0, max_steps=20_000),
)

CLAIMS = [gd_quadratic_rate, gd_optimal_step_rate, agd_strongly_convex_rate, agd_strongly_convex_bound,
          chain_lower_bound, chain_lower_bound_distance, chain_krylov_invariant, agd_complexity, gd_complexity]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
