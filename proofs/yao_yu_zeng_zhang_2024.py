"""Yao, Yu, Zeng & Zhang (2024): LV-HBA, a Hessian-free method for bilevel problems whose lower level has
constraints, coupled ones included.

Class: lower levels with constraints G(x, y) <= 0 and no strong convexity assumed; checked on the
constrained toy g(x, y) = 1/2 (y - x)^2 s.t. y <= a (or the coupled y <= x/2), f = 1/2 (y - c)^2 + 1/2 x^2,
whose solution is exact: x* = y* = min(c/2, a) for a >= 0; coupled, x* = 2c/5, y* = c/5 (c >= 0).
Algorithm: LV-HBA, one projected descent-ascent step on the proximal Lagrangian's (theta, lam), then one
step on (x, y, z) for f / c_k + g - v_gamma, (x, y) kept feasible; penalty c_k = (k+1)^0.45 (an exponent
below 1/2, between the official code's 0.3 for its toy and 0.5 for its SVM experiments: at 0.3 from
c_0 = 1 the bound-active case is still 1.6e-2 away after 20000 steps), steps alpha = 0.008,
beta = 0.02, eta = 0.01, gamma = 10 (the code's toy values).
Guarantee: non-asymptotic convergence to stationary points of the penalized reformulation, without
lower-level strong convexity, with coupled constraints allowed (the rate depends on the penalty's
exponent; it is not encoded: not confirmed here). Checked: the iterates reach the exact solution.
Reference: W. Yao, H. Yu, S. Zeng, J. Zhang, "Constrained bi-level optimization: proximal Lagrangian value
function approach and Hessian-free algorithm", ICLR 2024 (arXiv 2401.16164); main theorem (number not
confirmed here).

Run ``python -m refopt.proofs.yao_yu_zeng_zhang_2024`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("W. Yao, H. Yu, S. Zeng, J. Zhang", 2024,
                "Constrained bi-level optimization: proximal Lagrangian value function approach and Hessian-free "
                "algorithm", "ICLR (arXiv 2401.16164)").at("main theorem", confirmed=False)

STEPS = 20_000
CASES = ((1.0, 1.0, False), (0.3, 1.0, False), (1.0, 1.0, True))


def reaches_solution(alg=None, cases=CASES):
    """Worst final ||x_K - x*|| + ||y_K - y*(x_K)|| over the cases (interior, active bound, coupled)."""
    def compute(rng, engine):
        method = refopt.lv_hba(c0=1.0, p=0.45) if alg is None else alg
        worst, notes, label, curve = -1.0, [], "", None
        for a, c, coupled in cases:
            problem = problems.constrained_bilevel(a=a, c=c, coupled=coupled)
            trace = refopt.run(method, problem, STEPS, engine=engine, record=["dist", "lower_dist"])
            error = float(trace.dist[-1] + trace.metrics["lower_dist"][-1])
            window = np.arange(1000, STEPS + 1)
            slope = rates.complexity_exponent(window[::1000], np.maximum(trace.dist[window[::1000]], 1e-300)).value
            notes.append(f"{problem!r}: error {error:.3g} (log-log slope of ||x - x*|| {slope:.2f})")
            if error > worst:
                worst, label = error, f"{method!r} on {problem!r}"
                curve = dict(x=np.arange(trace.steps + 1), measured=trace.dist, theory=None, xlabel="iteration",
                             ylabel="||x - x*||")
        return Measurement(worst, len(cases), label, "; ".join(notes), curve)
    return compute


solution = Claim(
    id="yao_yu_zeng_zhang_2024.reaches_solution",
    source=SOURCE,
    statement="With a constrained lower level (the bound inactive, active, or coupling x and y), LV-HBA's "
              "iterates converge to the exact bilevel solution, using gradients only.",
    kind="upper_bound", level="exact", family="bilevel toy with a (coupled) lower-level constraint",
    algorithm="lv_hba",
    check=Statistic(compute=reaches_solution(), bound=2e-2, quantity="||x - x*|| + ||y - y*(x)||",
                    tolerance="within 2e-2 after 20000 iterations"),
)

CLAIMS = [solution]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
