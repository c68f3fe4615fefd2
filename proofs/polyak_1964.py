"""Polyak (1964): the heavy ball method's optimal rate on quadratics.

Class: quadratics with spectrum in [mu, L], kappa = L/mu.
Algorithm: x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1}) with alpha = 4/(sqrt L + sqrt mu)^2,
beta = ((sqrt kappa - 1)/(sqrt kappa + 1))^2.
Guarantee: the worst asymptotic rate over the class is exactly sqrt(beta) = (sqrt kappa - 1)/(sqrt kappa + 1):
every eigen-component has complex (or double) roots of modulus sqrt(beta). For other (alpha, beta) the
measured rate on an instance is the largest root modulus over its eigenvalues.
Reference: B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. Math. Phys. 4(5) (1964) (the quadratic analysis; theorem number not given here).

Run ``python -m refopt.proofs.polyak_1964`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, ExactRate, FittedRate, Source, spectral_radius

SOURCE = Source("B. T. Polyak", 1964, "Some methods of speeding up the convergence of iteration methods",
                "USSR Comput. Math. Math. Phys. 4(5)")


def _tuning(mu, L):
    root_kappa = np.sqrt(L / mu)
    return float(4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2), float(((root_kappa - 1) / (root_kappa + 1)) ** 2)


def _characteristic(lam, mu, L):
    # on the eigenvalue lam: z^2 = (1 + beta - alpha lam) z - beta
    alpha, beta = _tuning(mu, L)
    return 1 + beta - alpha * lam, -beta + 0.0 * lam


optimal_rate = Claim(
    id="polyak_1964.optimal_rate",
    source=SOURCE,
    statement="With Polyak's tuning, the heavy ball's worst rate over quadratics with spectrum in [mu, L] "
              "equals (sqrt(kappa) - 1)/(sqrt(kappa) + 1).",
    kind="rate", level="exact", family="quadratics, spectrum in [mu, L]", algorithm="heavy_ball",
    check=ExactRate(characteristic=_characteristic,
                    rate=lambda mu, L: (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1),
                    classes=[(1.0, 2.0), (0.1, 1.0), (0.01, 1.0), (1e-4, 1.0), (0.5, 40.0)]),
)


def _instances(rng):
    return [problems.quadratic(dim=10, mu=mu, L=1.0, seed=int(rng.integers(2**31))) for mu in (0.01, 0.001)]


def _algorithms(problem):
    """Polyak's tuning and three stable mis-tuned pairs (alpha, beta)."""
    alpha, beta = _tuning(problem.mu, problem.L)
    return [refopt.heavy_ball(alpha=a, beta=b) for a, b in
            ((alpha, beta), (0.5 * alpha, beta), (1.0 / problem.L, 0.5), (1.0 / problem.L, 0.9))]


def _instance_radius(problem, alg):
    """The largest root modulus over the instance's own eigenvalues."""
    state = alg.init(problem.x0, problem)
    lam = problem.eigenvalues
    return float(np.max(spectral_radius(1 + state.beta - state.alpha * lam, -state.beta + 0.0 * lam)))


measured_rate = Claim(
    id="polyak_1964.measured_rate",
    source=SOURCE,
    statement="On an instance, the heavy ball's measured contraction of ||x_k - x*|| equals the largest "
              "root modulus over the instance's eigenvalues, tuned or not.",
    kind="rate", level="sampled", family="quadratics", algorithm="heavy_ball",
    check=FittedRate(algorithm=_algorithms, instances=_instances, measured="dist", rate=_instance_radius,
                     steps=1500, start=50, rtol=0.02,
                     tolerance="rtol 0.02: over a finite window a double root's factor k and the next "
                               "modes bias the fit by about a percent"),
)

CLAIMS = [optimal_rate, measured_rate]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
