"""Engines against the floor and against torch.optim, measured in one run.

For each problem (a quadratic, dense up to d = 1000 and diagonal at d = 100000; L2-regularized logistic
regression with n = 100 samples) and each method (gradient descent with step 1/L, heavy ball with
Polyak's tuning, Adam with lr 1e-3), the same number of steps timed five ways, best of three:

  floor    a jitted loop that only evaluates the gradient, as many times, at x* (at d = 100000 this
           is the memory-bandwidth floor: one pass over the data per step)
  numba    refopt.run(engine="numba", record=()): the jitted trajectory, no metric recorded
  +metrics the same recording f, f - f*, ||grad||, ||x - x*|| at every step
  numpy    refopt.run(engine="numpy", record=()): the reference loop
  torch    torch.optim.SGD (Adam) on CPU in float64, the gradient computed in torch and assigned to .grad

Every library runs on one thread (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)), so that the
ratios compare the engines, not the thread counts. Compilation happens before the timings.

Usage: python benchmarks/engines.py [--steps 10000] [--dims 10 100 1000 100000]
(If OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set for an old OpenBLAS, unset both for this script:
 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/engines.py)
"""
import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numba  # noqa: E402
import numpy as np  # noqa: E402

import refopt  # noqa: E402
from refopt import problems  # noqa: E402


@numba.njit
def quadratic_floor(H, c, x, steps):
    g = np.empty_like(x)
    for _ in range(steps):
        g[:] = H @ (x - c)
    return g


@numba.njit
def diagonal_floor(lam, c, x, steps):
    g = np.empty_like(x)
    for _ in range(steps):
        for i in range(x.size):
            g[i] = lam[i] * (x[i] - c[i])
    return g


@numba.njit
def logistic_floor(A, y, lam, x, steps):
    g = np.empty_like(x)
    for _ in range(steps):
        margins = y * (A @ x)
        g[:] = -((y * 0.5 * (1.0 + np.tanh(-0.5 * margins))) @ A) / A.shape[0] + lam * x
    return g


def floor(problem, steps):
    # at a point the runs pass through: the cost of tanh depends on its argument (it is cheapest at 0)
    x = problem.x_star.copy()
    if problem.name == "logistic":
        return lambda: logistic_floor(problem.A, problem.y, problem.lam, x, steps)
    if problem.H is None:
        return lambda: diagonal_floor(problem.eigenvalues, problem.center, x, steps)
    return lambda: quadratic_floor(problem.H, problem.center, x, steps)


def torch_loop(problem, alg, steps):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    x = torch.tensor(problem.x0, dtype=torch.float64)
    if problem.name == "logistic":
        A, y = torch.tensor(problem.A), torch.tensor(problem.y)
        lam, n = problem.lam, problem.A.shape[0]

        def gradient(x):
            return -(A.T @ (y * torch.sigmoid(-y * (A @ x)))) / n + lam * x
    elif problem.H is None:
        lam, c = torch.tensor(problem.eigenvalues), torch.tensor(problem.center)

        def gradient(x):
            return lam * (x - c)
    else:
        H, c = torch.tensor(problem.H), torch.tensor(problem.center)

        def gradient(x):
            return H @ (x - c)
    hyper = alg.resolve(problem)
    if alg.name == "gradient_descent":
        make = lambda p: torch.optim.SGD([p], lr=hyper["lr"])  # noqa: E731
    elif alg.name == "adam":
        make = lambda p: torch.optim.Adam([p], lr=hyper["lr"])  # noqa: E731
    else:  # heavy ball is SGD's momentum with a constant step: v <- beta v + g, x <- x - alpha v
        make = lambda p: torch.optim.SGD([p], lr=hyper["alpha"], momentum=hyper["beta"])  # noqa: E731

    def loop():
        p = torch.nn.Parameter(x.clone(), requires_grad=False)
        optimizer = make(p)
        with torch.no_grad():
            for _ in range(steps):
                p.grad = gradient(p)
                optimizer.step()
        return p
    return loop


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def instances(dims):
    for d in dims:
        yield problems.quadratic(dim=d, mu=1e-3, L=1.0, rotate=d <= 1000, seed=0)
        yield problems.logistic(n=100, d=d, lam=1e-2, seed=0, noise=None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--dims", type=int, nargs="+", default=[10, 100, 1000, 100_000])
    args = parser.parse_args()
    header = (f"{'problem':<15}{'d':>7} {'method':<17}{'steps':>6} {'floor':>8} {'numba':>8} {'+metrics':>8} "
              f"{'numpy':>8} {'torch':>8}  {'numba/floor':>11} {'numpy/numba':>11} {'torch/numba':>11}")
    print("seconds per run, best of 3 (1 at d = 100000); one thread everywhere")
    print(header)
    torch_missing = False
    for problem in instances(args.dims):
        # the largest logistic problem reads 80 MB of data per gradient: fewer steps, same ratios
        steps = args.steps if problem.dim * (100 if problem.name == "logistic" else 1) <= 10**6 else \
            max(args.steps // 20, 10)
        repeats = 1 if problem.dim >= 100_000 else 3
        for alg in (refopt.gradient_descent(), refopt.heavy_ball(), refopt.adam()):
            floor_fn = floor(problem, steps)
            floor_fn()
            refopt.run(alg, problem, 2, engine="numba", record=())
            refopt.run(alg, problem, 2, engine="numba")
            t_floor = best(floor_fn, repeats)
            t_numba = best(lambda: refopt.run(alg, problem, steps, engine="numba", record=()), repeats)
            t_metrics = best(lambda: refopt.run(alg, problem, steps, engine="numba"), repeats)
            t_numpy = best(lambda: refopt.run(alg, problem, steps, engine="numpy", record=()), 1)
            loop = torch_loop(problem, alg, steps)
            torch_missing = loop is None
            t_torch = best(loop, repeats) if loop is not None else float("nan")
            name = problem.name + ("(diagonal)" if problem.name == "quadratic" and problem.H is None else "")
            print(f"{name:<15}{problem.dim:>7} {alg.name:<17}{steps:>6} {t_floor:8.4f} {t_numba:8.4f} "
                  f"{t_metrics:8.4f} {t_numpy:8.4f} {t_torch:8.4f}  {t_numba / t_floor:11.2f} "
                  f"{t_numpy / t_numba:11.1f} {t_torch / t_numba:11.1f}", flush=True)
    if torch_missing:
        print("torch is not installed: pip install 'refopt[torch]' for its column")


if __name__ == "__main__":
    main()
