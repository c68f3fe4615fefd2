"""Liu, Mu, Yuan, Zeng & Zhang (2020): bilevel descent aggregation (BDA) reaches the optimistic solution
when the lower level has several minimizers, where naive unrolling does not.

Class: the toy with a non-singleton lower level, g(x, y) = 1/2 y_1^2 - x y_1 (y_2 free),
f(x, y) = 1/2 (x - y_2)^2 + 1/2 (y_1 - 1)^2; argmin_y g(x, .) = {y_1 = x}, the optimistic value is
phi(x) = 1/2 (x - 1)^2, x* = 1, F* = 0 (exact).
Algorithms: ITD (K lower gradient steps of size 1 from y = 0, differentiated; the "naive" method) and BDA
(the same K steps aggregating alpha_t grad_y f + (1 - alpha_t) grad_y g, alpha_t = 0.5 / (t + 1), steps 1),
each with 100 outer gradient steps of size 1/2 on f(x, y_K(x)).
Guarantee: BDA's solutions converge to the optimistic solution as K grows (no rate is claimed). Naive
unrolling never moves y_2 (grad_{y_2} g = 0): from y_2 = 0, one step gives y_1 = x, so it minimizes
1/2 x^2 + 1/2 (x - 1)^2 and stops at x = 1/2, f = 1/4, for every K >= 1 (exact).
Reference: R. Liu, P. Mu, X. Yuan, S. Zeng, J. Zhang, "A generic first-order algorithmic framework for
bi-level programming beyond lower-level singleton", ICML 2020 (arXiv 2006.04045); convergence theorem
(number not confirmed here).

Run ``python -m refopt.proofs.liu_mu_yuan_zeng_zhang_2020`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("R. Liu, P. Mu, X. Yuan, S. Zeng, J. Zhang", 2020,
                "A generic first-order algorithmic framework for bi-level programming beyond lower-level singleton",
                "ICML (arXiv 2006.04045)").at("convergence theorem", confirmed=False)

FAMILY = "bilevel toy with a non-singleton lower level (optimistic x* = 1, F* = 0)"
OUTER_STEPS, OUTER_LR = 100, 0.5


def solve(alg, K):
    """Run ``alg`` with K inner steps on the toy; the final x and f(x, y_K(x)) at it."""
    problem = problems.nonsingleton_toy()
    alg = type(alg)(**dict(alg.hyperparameters, inner_steps=K))
    trace = refopt.run(alg, problem, OUTER_STEPS, record=[])
    y_K, _ = alg.hypergradient(problem, trace.x, problem.y0, alg.resolve(problem), None)
    return float(trace.x[0]), problem.upper(trace.x, y_K)


def bda_limit(inner_steps=(16, 64, 256), alg=None):
    """f(x, y_K) at the largest K; it must fall as K grows."""
    def compute(rng, engine):
        method = refopt.bda(lr=OUTER_LR, inner_lr=1.0, upper_lr=1.0, alpha0=0.5) if alg is None else alg
        solutions = [solve(method, K) for K in inner_steps]
        values = [v for _, v in solutions]
        invalid = "" if all(b < a for a, b in zip(values, values[1:])) else \
            f"f(x, y_K) does not fall as K grows: {values}"
        slope = rates.complexity_exponent(inner_steps, values).value if min(values) > 0 else np.nan
        message = ", ".join(f"K = {K}: x = {x:.5f}, f = {v:.3g}" for K, (x, v) in zip(inner_steps, solutions))
        curve = dict(x=np.asarray(inner_steps, dtype=float), measured=np.asarray(values), theory=None,
                     xlabel="inner steps K", ylabel="f(x, y_K)", logx=True)
        return Measurement(values[-1], len(inner_steps), f"{method!r} on {problems.nonsingleton_toy()!r}",
                           message + f"; log-log slope {slope:.2f}", curve, invalid)
    return compute


bda_optimistic = Claim(
    id="liu_mu_yuan_zeng_zhang_2020.bda_optimistic",
    source=SOURCE,
    statement="Without a unique lower-level solution, BDA converges to the optimistic solution as the number of "
              "inner steps K grows: f(x, y_K) -> F* = 0 and x -> x* = 1.",
    kind="upper_bound", level="exact", family=FAMILY, algorithm="bda",
    check=Statistic(compute=bda_limit(), bound=1e-2, quantity="f(x, y_K) at K = 256",
                    tolerance="f(x, y_K) <= 1e-2 at K = 256, falling in K"),
)


def naive_stall(inner_steps=(1, 16, 256), inner_lr=1.0):
    """max over K of |x - 1/2|: naive unrolling's limit is x = 1/2 for every K."""
    def compute(rng, engine):
        alg = refopt.itd(lr=OUTER_LR, inner_lr=inner_lr)
        solutions = [solve(alg, K) for K in inner_steps]
        gap = max(abs(x - 0.5) for x, _ in solutions)
        message = ", ".join(f"K = {K}: x = {x:.8f}, f = {v:.6f}" for K, (x, v) in zip(inner_steps, solutions))
        return Measurement(gap, len(inner_steps), f"{alg!r} on {problems.nonsingleton_toy()!r}", message)
    return compute


naive_unrolling = Claim(
    id="liu_mu_yuan_zeng_zhang_2020.naive_unrolling_stalls",
    source=SOURCE,
    statement="Naive unrolling (ITD, the aggregation weight alpha = 0) never moves y_2 and stops at x = 1/2, "
              "f = 1/4, for every number of inner steps K, far from x* = 1.",
    kind="counterexample", level="exact", family=FAMILY, algorithm="itd",
    check=Statistic(compute=naive_stall(), bound=1e-6, quantity="max_K |x - 1/2|",
                    tolerance="x = 1/2 to 1e-6 for K = 1, 16, 256"),
)

CLAIMS = [bda_optimistic, naive_unrolling]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
