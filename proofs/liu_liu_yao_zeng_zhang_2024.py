"""Liu, Liu, Yao, Zeng & Zhang (2024): MEHA, a single-loop Hessian-free method for bilevel problems whose
lower level is non-convex (weakly convex).

Class: lower levels that are rho-weakly convex in y, reformulated with the Moreau envelope
v_gamma(x, y) = min_theta g(x, theta) + ||theta - y||^2 / (2 gamma), gamma < 1/(2 rho); checked on the
official code's non-convex toy g(x, y) = sin(x + y - 2), f(x, y) = (x - 2)^2 + (y - 4)^2, whose lower level
has a discrete set of minimizers and whose optimistic solution x* = 3 pi/4, y* = 3 pi/4 + 2 is exact,
from the code's start x_0 = -6, y_0 = 0.
Algorithm: MEHA with c_k = (k+1)^0.45, steps alpha = beta = 0.05 (x, y), eta = 0.1 (theta), gamma = 0.2.
Guarantee: non-asymptotic convergence to stationary points of the penalized reformulation for non-convex
upper and weakly convex lower levels (the rate, in the penalty's exponent p < 1/2, is not encoded: not
confirmed here). Checked: the iterates reach the optimistic solution and the lower-level feasibility
gap g(x, y) - v_gamma(x, y) (estimated with the algorithm's own theta) falls.
Reference: R. Liu, Z. Liu, W. Yao, S. Zeng, J. Zhang, "Moreau envelope for nonconvex bi-level
optimization: a single-loop and Hessian-free solution strategy", ICML 2024 (arXiv 2405.09927); main
theorem (number not confirmed here).

Run ``python -m refopt.proofs.liu_liu_yao_zeng_zhang_2024`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("R. Liu, Z. Liu, W. Yao, S. Zeng, J. Zhang", 2024,
                "Moreau envelope for nonconvex bi-level optimization: a single-loop and Hessian-free solution "
                "strategy", "ICML (arXiv 2405.09927)").at("main theorem", confirmed=False)

STEPS = 20_000


def reaches_optimistic(alg=None):
    """||x_K - x*|| + ||y_K - y*(x_K)|| after K steps; the run must also shrink the feasibility gap."""
    def compute(rng, engine):
        problem = problems.sine_bilevel()
        method = refopt.meha() if alg is None else alg
        state = method.init(problem.x0, problem)
        gaps, errors = [], []
        for k in range(STEPS):
            state = method.step(state, problem, None)
            if (k + 1) % 1000 == 0:
                envelope = (problem.lower(state.x, state.theta)
                            + np.sum((state.theta - state.y) ** 2) / (2 * method.gamma))
                gaps.append(problem.lower(state.x, state.y) - envelope)
                errors.append(float(np.linalg.norm(state.x - problem.x_star)
                                    + np.linalg.norm(state.y - problem.y_star(state.x))))
        invalid = "" if abs(gaps[-1]) < abs(gaps[0]) else f"the feasibility gap did not fall: {gaps[0]:.3g} -> {gaps[-1]:.3g}"
        message = (f"after {STEPS} steps: x = {state.x[0]:.5f} (x* = {problem.x_star[0]:.5f}), "
                   f"g - v_gamma from {gaps[0]:.3g} (k = 1000) to {gaps[-1]:.3g}")
        curve = dict(x=np.arange(1000, STEPS + 1, 1000), measured=np.asarray(errors), theory=None,
                     xlabel="iteration", ylabel="||x - x*|| + ||y - y*(x)||")
        return Measurement(errors[-1], 1, f"{method!r} on {problem!r} from x0 = -6", message, curve, invalid)
    return compute


optimistic = Claim(
    id="liu_liu_yao_zeng_zhang_2024.nonconvex_lower_level",
    source=SOURCE,
    statement="With a non-convex (weakly convex) lower level, MEHA's single loop, using gradients only, reaches "
              "the bilevel solution and drives the Moreau-envelope feasibility gap g - v_gamma toward 0.",
    kind="upper_bound", level="exact", family="bilevel toy with a weakly convex lower level (sin)", algorithm="meha",
    check=Statistic(compute=reaches_optimistic(), bound=0.1, quantity="||x - x*|| + ||y - y*(x)||",
                    tolerance="within 0.1 after 20000 iterations, the gap falling"),
)

CLAIMS = [optimistic]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
