"""run_many on the numba engine: 1000 seeds x 1000 steps of SGD at d = 50, on 1 thread and on 2.

SGD (one row sampled with replacement per step, step 1/(2 L_max)) on least squares with n = 500 rows
and d = 50 unknowns; f(x_k) - f* recorded for every seed and step. Both timings are warm (the kernels
are compiled first) and taken in the same process, best of 3. The time includes drawing the samples
in Python (per seed, in blocks, from each seed's own Generator), which does not run in parallel.

Usage: python benchmarks/run_many_threads.py [--seeds 1000] [--steps 1000]
"""
import argparse
import time

import numba

import refopt
from refopt import problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    problem = problems.least_squares(n=500, d=50, label_noise=0.5, seed=0)
    alg = refopt.sgd()
    refopt.run_many(alg, problem, 5, seeds=4, engine="numba", record=["f_gap"])
    times = {}
    for threads in (1, 2):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            batch = refopt.run_many(alg, problem, args.steps, seeds=args.seeds, engine="numba", threads=threads,
                                    record=["f_gap"])
            runs.append(time.perf_counter() - start)
        times[threads] = min(runs)
    print(f"{args.seeds} seeds x {args.steps} steps of SGD at d = {problem.dim} (numba has "
          f"{numba.config.NUMBA_NUM_THREADS} threads available)")
    print(f"  1 thread : {times[1]:.3f} s")
    print(f"  2 threads: {times[2]:.3f} s")
    print(f"  speed-up : {times[1] / times[2]:.2f}x")
    print(f"  mean final f - f*: {batch.f_gap[:, -1].mean():.3e}")


if __name__ == "__main__":
    main()
