"""Cost of refopt.run's numpy engine against a bare NumPy loop of the same iteration.

Gradient descent on a rotated quadratic, 10^4 steps, for several dimensions. Three timings, taken
in the same process one after the other (best of 3 each):

  bare      x <- x - h H (x - x*)                        the arithmetic alone
  run       refopt.run, recording f, f - f*, ||grad||, ||x - x*|| every step
  ratio     run / bare

Usage: python benchmarks/run_overhead.py [--steps N]
"""
import argparse
import time

import numpy as np

import refopt
from refopt import problems


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_loop(problem, steps):
    H, c, h = problem.H, problem.center, 1.0 / problem.L
    x = problem.x0.copy()
    for _ in range(steps):
        x = x - h * (H @ (x - c))
    return x


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    args = parser.parse_args()
    print(f"gradient descent, {args.steps} steps, best of 3")
    print(f"{'d':>6} {'bare [s]':>10} {'run [s]':>10} {'ratio':>8}")
    for dim in (10, 100, 1000):
        problem = problems.quadratic(dim=dim, mu=1e-3, L=1.0, seed=0)
        alg = refopt.gradient_descent()
        bare = best_of(lambda: bare_loop(problem, args.steps))
        run = best_of(lambda: refopt.run(alg, problem, args.steps))
        print(f"{dim:>6} {bare:>10.4f} {run:>10.4f} {run / bare:>8.1f}")


if __name__ == "__main__":
    main()
