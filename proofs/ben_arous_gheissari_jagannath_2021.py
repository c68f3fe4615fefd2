"""Ben Arous, Gheissari & Jagannath (2021): online SGD recovers a planted direction of information exponent
k after of order d^(k-1) samples (k >= 3).

Class: the single-index model y = h_k(<theta*, x>), x ~ N(0, I_d), h_k the normalized Hermite polynomial
(information exponent exactly k), correlation loss -y h_k(<theta, x>), theta on the unit sphere.
Algorithm: one fresh sample per step, theta <- normalize(theta - eta (I - theta theta^T) grad), from a
uniform start, eta = c d^(-k/2): the largest step whose normalization drift eta^2 d m stays below the
signal drift eta m^(k-1) at the start's overlap m ~ d^(-1/2) (derived).
Guarantee: weak recovery (overlap of order one) after n of order d^(k-1) samples for k >= 3 (d log d for
k = 2, d for k = 1), and not with fewer: the escape from the equator costs d^(k-2)/2 / eta steps.
Reference: G. Ben Arous, R. Gheissari, A. Jagannath, "Online stochastic gradient descent on non-convex
losses from high-dimensional inference", JMLR 22 (2021), main theorem (number not confirmed here).

Run ``python -m refopt.proofs.ben_arous_gheissari_jagannath_2021`` to check these claims (minutes).
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, NoThreshold, Source, Threshold

SOURCE = Source("G. Ben Arous, R. Gheissari, A. Jagannath", 2021,
                "Online stochastic gradient descent on non-convex losses from high-dimensional inference",
                "JMLR 22").at("main theorem", confirmed=False)

K, C, RUNS, WEAK_RECOVERY = 3, 0.3, 20, 0.5


def online_sgd(d, k=K, c=C):
    return refopt.spherical_sgd(lr=c / d ** (k / 2))


def hitting_times(d, rng, engine, k=K, runs=RUNS, cap=200):
    """Steps (= samples) until the overlap <theta, theta*>^2 first reaches 1/2, one fresh instance and start
    per run; inf when not within cap d^(k-1) steps."""
    times = []
    for _ in range(runs):
        problem = problems.single_index(d=d, k=k, seed=int(rng.integers(2**31)))
        trace = refopt.run(online_sgd(d, k), problem, int(cap * d ** (k - 1)), record=["dist"],
                           tol=1.0 - WEAK_RECOVERY, tol_metric="dist", seed=int(rng.integers(2**31)), engine=engine)
        times.append(trace.steps if trace.status == "converged" else np.inf)
    return np.asarray(times, dtype=float)


def median_samples(d, rng, engine):
    """n50(d): the median hitting time, the sample size at which half the runs have recovered."""
    times = hitting_times(d, rng, engine)
    if np.sum(np.isinf(times)) >= len(times) / 2:
        raise NoThreshold(f"half the runs did not recover within the cap at d = {d}")
    return float(np.median(times))


online_threshold = Claim(
    id="ben_arous_gheissari_jagannath_2021.online_sgd_threshold",
    source=SOURCE,
    statement="Online SGD on the sphere needs n ~ d^(k-1) samples to recover a direction of information "
              "exponent k >= 3: for k = 3 the median number of samples to overlap^2 = 1/2 grows like d^2.",
    kind="complexity", level="sampled", family="single-index model, Hermite link of information exponent 3",
    algorithm="spherical_sgd",
    check=Threshold(dims=(32, 64, 128, 256), threshold=median_samples, exponent=K - 1.0, slack=0.3,
                    engine="auto",
                    tolerance=f"fitted slope within 0.3 of k - 1 = {K - 1}; {RUNS} runs per dimension, "
                              f"eta = {C} d^(-k/2)"),
    slow=True,
)

CLAIMS = [online_threshold]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
