"""Lessard, Recht & Packard (2016): heavy ball, tuned for quadratics, can cycle on a smooth
strongly convex function.

Class: mu-strongly convex, L-smooth functions, here mu = 1, L = 25.
Algorithm: heavy ball with Polyak's quadratic tuning for (mu, L), x_{-1} = x_0.
Claim (counterexample): on the piecewise quadratic with f'(x) = 25x (x < 1), x + 24 (1 <= x < 2),
25x - 24 (x >= 2), started at x_0 = 3.3, the iterates settle on a 3-cycle (about 0.6465, -1.8024,
2.1159) and never converge, while from 0.5, 1.5, -2 and 10 they converge.
Reference: L. Lessard, B. Recht and A. Packard, "Analysis and design of optimization algorithms via
integral quadratic constraints", SIAM J. Optim. 26(1) (2016), arXiv 1408.3595 (the example of its
heavy-ball section; section number not given here).

Run ``python -m refopt.proofs.lessard_recht_packard_2016`` to check this claim.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, Counterexample, Source

SOURCE = Source("L. Lessard, B. Recht, A. Packard", 2016,
                "Analysis and design of optimization algorithms via integral quadratic constraints",
                "SIAM J. Optim. 26(1), arXiv 1408.3595")

TAIL = 1000


def tuned_heavy_ball(problem):
    root_kappa = np.sqrt(problem.L / problem.mu)
    return refopt.heavy_ball(alpha=4.0 / (np.sqrt(problem.L) + np.sqrt(problem.mu)) ** 2,
                             beta=((root_kappa - 1) / (root_kappa + 1)) ** 2)


def cycles(trace, problem):
    """Failure: over the last TAIL steps the iterates repeat with period 3 and stay away from x* = 0."""
    x = trace.iterates[-TAIL:, 0]
    period_gap = float(np.max(np.abs(x[3:] - x[:-3])))
    distance = float(np.min(np.abs(x)))
    failed = period_gap < 1e-9 and distance > 0.5
    return failed, distance, (f"last {TAIL} steps: |x_(k+3) - x_k| <= {period_gap:.1e}, |x_k - x*| >= "
                              f"{distance:.4f}, cycle {np.round(x[-3:], 4).tolist()}")


heavy_ball_cycle = Claim(
    id="lessard_recht_packard_2016.heavy_ball_cycle",
    source=SOURCE,
    statement="Heavy ball tuned for mu = 1, L = 25 cycles with period 3 on this strongly convex piecewise "
              "quadratic from x_0 = 3.3, and converges from 0.5, 1.5, -2 and 10.",
    kind="counterexample", level="tight", family="mu-strongly convex, L-smooth", algorithm="heavy_ball",
    check=Counterexample(algorithm=tuned_heavy_ball, instance=problems.hb_cycle, x0=[3.3], failure=cycles,
                         steps=10_000, controls=([0.5], [1.5], [-2.0], [10.0]), measure="tail distance"),
)

CLAIMS = [heavy_ball_cycle]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
