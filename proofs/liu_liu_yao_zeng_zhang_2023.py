"""Liu, Liu, Yao, Zeng & Zhang (2023): sl-BAMM converges without lower-level strong convexity, to the
optimistic solution.

Class: bilevel problems whose lower level is merely convex; checked on the official code's toy,
g(x, y) = 1/2 ||y_1||^2 - x^T y_1 (y_2 free), f(x, y) = 1/2 ||x - y_2||^2 + 1/2 ||y_1 - 1||^2 in n = 100
copies, where argmin_y g(x, .) = {y_1 = x} is a set and the optimistic solution is x* = y_1* = y_2* = 1
(exact), started at x_0 = y_0 = 0.01.
Algorithm: sl-BAMM, single loop, y descending the averaged mu_k f + (1 - mu_k) g with mu_k = 0.9 (k+1)^-1/10,
the multiplier v by an exact line-search step, x with the step 0.1 mu_k^3 (k+1)^-3/80 (the official code's
strategy 3).
Guarantee: convergence to KKT stationary points of the bilevel problem without lower-level strong
convexity (the paper's rate and admissible schedules are not encoded: not confirmed here). On the toy the
limit is the optimistic solution, not an arbitrary lower-level minimizer: y_2 must move from 0.01 to 1,
which plain lower-level descent never does (grad_{y_2} g = 0).
Reference: R. Liu, Y. Liu, W. Yao, S. Zeng, J. Zhang, "Averaged method of multipliers for bi-level
optimization without lower-level strong convexity", ICML 2023 (arXiv 2302.03407); main theorem (number
not confirmed here).

Run ``python -m refopt.proofs.liu_liu_yao_zeng_zhang_2023`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("R. Liu, Y. Liu, W. Yao, S. Zeng, J. Zhang", 2023,
                "Averaged method of multipliers for bi-level optimization without lower-level strong convexity",
                "ICML (arXiv 2302.03407)").at("main theorem", confirmed=False)

N, STEPS = 100, 3000


def toy():
    return problems.nonsingleton_toy(n=N, x0=np.full(N, 0.01), y0=np.full(2 * N, 0.01))


def optimistic_limit(alg=None):
    """max of ||x_K - x*|| / ||x*|| and ||y_K - y*|| / ||y*||, y* = (1, 1) the optimistic lower solution."""
    def compute(rng, engine):
        problem = toy()
        method = refopt.sl_bamm() if alg is None else alg
        trace = refopt.run(method, problem, STEPS, engine=engine, record=["dist", "lower_dist"])
        x_error = float(trace.dist[-1] / np.sqrt(N))
        y_error = float(trace.metrics["lower_dist"][-1] / np.sqrt(2 * N))   # y*(x_K) = (x_K, x_K)
        message = (f"after {STEPS} steps: relative ||x - x*|| = {x_error:.3g}, relative ||y - (x, x)|| = "
                   f"{y_error:.3g}")
        curve = dict(x=np.arange(trace.steps + 1), measured=trace.dist / np.sqrt(N), theory=None,
                     xlabel="iteration", ylabel="relative ||x - x*||")
        return Measurement(max(x_error, y_error), 1, f"{method!r} on {problem!r}", message, curve)
    return compute


optimistic = Claim(
    id="liu_liu_yao_zeng_zhang_2023.optimistic_limit",
    source=SOURCE,
    statement="Without lower-level strong convexity (a set of lower-level solutions), sl-BAMM converges to the "
              "optimistic solution x* = y* = 1 of the toy, single loop, from a start near 0.",
    kind="upper_bound", level="exact", family="bilevel toy with a merely convex lower level (n = 100)",
    algorithm="sl_bamm",
    check=Statistic(compute=optimistic_limit(), bound=1e-2, quantity="relative distance to (x*, y*)",
                    tolerance="within 1% of the optimistic solution after 3000 iterations"),
)

CLAIMS = [optimistic]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
