"""Recovery on order-4 tensor PCA at small d: gradient descent, Langevin's last iterate and its average.

An exploration, not a claim. The theory predicts n ~ d^(k-1) = d^3 samples for gradient descent and
for Langevin's last iterate from a random start (Ben Arous, Gheissari & Jagannath 2020), and
n ~ d^(k/2) = d^2 for Langevin's averaged iterate (Wei, Damian & Lee 2026, abstract). This script
measures, for each method and each d, the success rate (overlap^2 >= 1/2) on a grid n = c d^2, the
sample size n50 at which half the runs succeed (log-linear interpolation), and the log-log slope of
n50 against d. Every method sees the same instances and the same injected noise (common seeds).

    python examples/tensor_pca_thresholds.py                  # d = 8, 12, 16, 20; about 15 minutes
    python examples/tensor_pca_thresholds.py --dims 8,12 --runs 10
"""
import argparse
import time

import numpy as np

import refopt
from refopt import problems

K, LR, GRID = 4, 1e-2, (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2)


def methods(d, steps):
    """The three estimators; beta = 4d is hot enough to leave the equator's traps at these d."""
    return {
        "gradient descent": refopt.spherical_langevin(lr=LR),
        "Langevin, last iterate": refopt.spherical_langevin(lr=LR, beta=4.0 * d),
        "Langevin, averaged": refopt.spherical_langevin(lr=LR, beta=4.0 * d, average_from=steps // 2),
    }


def success_rates(d, runs, steps):
    """{method: success rate at each n = c d^2 of GRID}."""
    algorithms = methods(d, steps)
    rates = {name: [] for name in algorithms}
    for c in GRID:
        wins = dict.fromkeys(rates, 0)
        for run in range(runs):
            problem = problems.tensor_pca(d=d, k=K, n=c * d**2, seed=1000 * d + run)
            for name, alg in algorithms.items():
                trace = refopt.run(alg, problem, steps, seed=7 + run, engine="auto", record=["dist"])
                wins[name] += float(trace.x @ problem.theta_star) ** 2 >= 0.5
        for name in rates:
            rates[name].append(wins[name] / runs)
    return rates


def n50(d, rates):
    """The n at which the success rate first crosses 1/2, interpolated in log n; NaN if it never does."""
    log_n = np.log(np.asarray(GRID) * d**2)
    rates = np.asarray(rates)
    above = np.flatnonzero(rates >= 0.5)
    if above.size == 0 or above[0] == 0:
        return np.nan
    i = above[0]
    return float(np.exp(log_n[i - 1] + (0.5 - rates[i - 1]) / (rates[i] - rates[i - 1]) * (log_n[i] - log_n[i - 1])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", default="8,12,16,20", help="comma-separated dimensions")
    parser.add_argument("--runs", type=int, default=20, help="runs per (d, n)")
    parser.add_argument("--steps", type=int, default=4000, help="steps per run (lr = 1e-2)")
    args = parser.parse_args(argv)
    dims = [int(d) for d in args.dims.split(",")]
    start = time.perf_counter()
    thresholds = {}
    print(f"tensor PCA, k = {K}; success rate (overlap^2 >= 1/2) at n = c d^2, c in {[f'{c:g}' for c in GRID]}")
    for d in dims:
        rates = success_rates(d, args.runs, args.steps)
        for name, row in rates.items():
            thresholds.setdefault(name, []).append(n50(d, row))
            print(f"d = {d:3d}  {name:24s} {' '.join(f'{r:4.2f}' for r in row)}   n50 = {thresholds[name][-1]:8.1f}"
                  f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    for name, values in thresholds.items():
        values = np.asarray(values)
        finite = np.isfinite(values)
        if finite.sum() >= 2:
            x, y = np.log(np.asarray(dims)[finite]), np.log(values[finite])
            if finite.sum() >= 4:   # with three points one residual degree of freedom makes the error meaningless
                (slope, _), cov = np.polyfit(x, y, 1, cov=True)
                spread = f" +- {np.sqrt(cov[0, 0]):.2f} (standard error of the fit)"
            else:
                slope, spread = np.polyfit(x, y, 1)[0], ""
            print(f"{name:24s} n50 slope in d: {slope:.2f}{spread}; theory: "
                  f"{'2' if name.endswith('averaged') else '3'} as d grows")
        else:
            print(f"{name:24s} n50 slope in d: fewer than two finite n50")


if __name__ == "__main__":
    main()
