"""The Monte Carlo behind the recovery-threshold claims, timed on both engines in one run.

Online SGD on the sphere (spherical_sgd) on the single-index model (k = 3), one fresh sample per step:
`runs` independent runs of `steps` steps, timed four ways (best of three; compilation before timing):

  numpy        refopt.run(engine="numpy") per run: the reference loop
  numba        refopt.run(engine="numba") per run
  numba batch  refopt.run_many(engine="numba"): the runs in parallel threads (prange)
  draws        drawing the samples alone (problem.noise.draw_many), the part both engines share

The numpy column is measured on a tenth of the steps and scaled, since the reference costs tens of
microseconds a step.

Usage: python benchmarks/online_sgd.py [--d 64] [--steps 20000] [--runs 20]
(If OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set for an old OpenBLAS, unset both for this script:
 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/online_sgd.py)
"""
import argparse
import time

import numpy as np

import refopt
from refopt import problems


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    problem = problems.single_index(d=args.d, k=3, seed=0)
    alg = refopt.spherical_sgd(lr=0.3 / args.d**1.5)
    seeds = list(range(args.runs))
    refopt.run_many(alg, problem, 10, seeds=seeds[:2], engine="numba", record=["dist"])  # compile
    refopt.run(alg, problem, 10, engine="numba", record=["dist"])

    tenth = max(1, args.steps // 10)
    numpy_time = best_of(3, lambda: refopt.run(alg, problem, tenth, seed=1, record=["dist"])) \
        * args.steps / tenth * args.runs
    numba_time = best_of(3, lambda: [refopt.run(alg, problem, args.steps, seed=s, record=["dist"], engine="numba")
                                     for s in seeds])
    batch_time = best_of(3, lambda: refopt.run_many(alg, problem, args.steps, seeds=seeds, record=["dist"],
                                                    engine="numba"))
    draw_time = best_of(3, lambda: [problem.noise.draw_many(problem, np.random.default_rng(s), None, args.steps)
                                    for s in seeds])
    print(f"online SGD, single-index k = 3, d = {args.d}: {args.runs} runs x {args.steps} steps")
    print(f"  numpy        {numpy_time:8.3f} s   (scaled from {tenth} steps)")
    print(f"  numba        {numba_time:8.3f} s   numpy/numba {numpy_time / numba_time:6.1f}")
    print(f"  numba batch  {batch_time:8.3f} s   numpy/batch {numpy_time / batch_time:6.1f}, "
          f"numba/batch {numba_time / batch_time:4.2f}")
    print(f"  draws alone  {draw_time:8.3f} s   ({100 * draw_time / numba_time:.0f}% of the numba time)")


if __name__ == "__main__":
    main()
