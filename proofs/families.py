"""The problem classes the claims are checked on: small, varied, seeded instances of each."""
from __future__ import annotations

from refopt import problems


def _seed(rng):
    return int(rng.integers(2**31))


def strongly_convex_quadratics(rng, kappas=(2.0, 10.0, 100.0, 1e3)):
    """Quadratics with every spectrum shape, rotated, kappa from 2 to 1000."""
    shapes = ("uniform", "geometric", "clusters")
    return [problems.quadratic(dim=12, mu=1.0 / kappa, L=1.0 + i % 2, spectrum=shapes[i % 3], seed=_seed(rng))
            for i, kappa in enumerate(kappas)]


def smooth_strongly_convex(rng):
    """mu-strongly convex, L-smooth: quadratics, logistic regression, over-determined least squares."""
    return strongly_convex_quadratics(rng) + [
        problems.logistic(n=60, d=6, lam=0.05, seed=_seed(rng), noise=None),
        problems.least_squares(n=40, d=8, label_noise=0.3, seed=_seed(rng), noise=None),
    ]


def smooth_convex(rng):
    """Convex, L-smooth, not strongly convex: merely convex quadratics, under-determined least squares,
    Huber functions, Nesterov's chain; and a strongly convex one (logistic), which the class contains."""
    return [
        problems.quadratic(dim=12, mu=0.0, L=1.0, seed=_seed(rng)),
        problems.quadratic(dim=12, mu=0.0, L=2.0, spectrum="clusters", seed=_seed(rng)),
        problems.least_squares(n=5, d=12, seed=_seed(rng), noise=None),
        problems.huber_worst_case(horizon=20, L=1.0, R=2.0),
        problems.nesterov_chain(m=25, L=1.0),
        problems.logistic(n=60, d=6, lam=0.01, seed=_seed(rng), noise=None),
    ]


def lipschitz_convex(rng):
    """Convex, G-Lipschitz (G an upper bound), non-smooth: least absolute deviations."""
    return [problems.l1_regression(n=n, d=d, seed=_seed(rng)) for n, d in ((20, 5), (40, 10), (60, 3))]


def composite(rng):
    """F = f + lam ||.||_1 with f convex L-smooth: LASSO with orthogonal and Gaussian designs."""
    return [
        problems.lasso(n=40, d=12, lam=0.1, design="orthogonal", seed=_seed(rng)),
        problems.lasso(n=40, d=12, lam=0.05, design="gaussian", seed=_seed(rng)),
        problems.lasso(n=80, d=20, lam=0.02, design="gaussian", seed=_seed(rng)),
    ]
