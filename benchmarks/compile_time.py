"""Cold compile time and warm start-up of the numba engine.

Three fresh Python processes run the same script (gradient descent and SGD on least squares, 100
steps each):

  cold   empty kernel caches (REFOPT_CACHE_DIR and NUMBA_CACHE_DIR point to a new folder)
  warm   the caches the cold run left: importing and loading the compiled kernels
  numpy  the same runs on the numpy engine, for comparison

Usage: python benchmarks/compile_time.py
"""
import os
import subprocess
import sys
import tempfile
import time

SCRIPT = """
import time
start = time.perf_counter()
import refopt
from refopt import problems
p = problems.least_squares(n=200, d=20, label_noise=0.5, seed=0)
refopt.run(refopt.gradient_descent(), p, 100, engine="{engine}")
refopt.run(refopt.sgd(), p, 100, engine="{engine}")
print(time.perf_counter() - start)
"""


def timed(engine, cache):
    env = dict(os.environ, REFOPT_CACHE_DIR=cache, NUMBA_CACHE_DIR=os.path.join(cache, "numba"))
    start = time.perf_counter()
    inner = subprocess.run([sys.executable, "-c", SCRIPT.format(engine=engine)], env=env, check=True,
                           capture_output=True, text=True).stdout
    return time.perf_counter() - start, float(inner)


def main():
    with tempfile.TemporaryDirectory() as cache:
        cold = timed("numba", cache)
        warm = timed("numba", cache)
        numpy = timed("numpy", cache)
    print("two trajectories (GD and SGD on least squares, 100 steps each) in a fresh process")
    print(f"{'':8}{'process [s]':>12}{'import + runs [s]':>19}")
    for name, (process, inner) in (("cold", cold), ("warm", warm), ("numpy", numpy)):
        print(f"{name:8}{process:12.2f}{inner:19.2f}")


if __name__ == "__main__":
    main()
