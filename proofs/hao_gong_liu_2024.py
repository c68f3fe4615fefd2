"""Hao, Gong & Liu (2024): BO-REP, bilevel optimization when the upper level's smoothness is unbounded.

Class: upper level (L0, L1)-smooth (||hess|| <= L0 + L1 ||grad||) and nonconvex, lower level strongly
convex; checked on the quartic upper level f = 1/4 sum x_j^4 + 1/2 ||y - b||^2 over the quadratic lower level
(dx = 5, dy = 10, kappa_g = 10), whose hyper-objective has no global Lipschitz gradient, with noisy
oracles (variance 0.1^2 at each level), from the far start x_0 = 20 (all coordinates).
Algorithm: BO-REP: normalized momentum on x (||x_{k+1} - x_k|| = eta), the linear-system variable z
moved one step per iteration, y refined at the start and updated every I = 10 iterations.
Guarantee: O~(eps^-4) iterations to an eps-stationary point in the stochastic setting (not encoded: the
theorem's eps-dependent beta, eta, I and block lengths are not confirmed here). Checked: the reason for
normalization. The curvature at the far start is 3 x^2 = 1200, so a step eta = 0.05 along the raw
(momentum) hypergradient overshoots and diverges, while the normalized step moves eta per iteration
whatever the gradient's size, stays bounded and reaches the region where grad F is small.
Reference: J. Hao, X. Gong, M. Liu, "Bilevel optimization under unbounded smoothness: a new algorithm
and convergence analysis", ICLR 2024 (arXiv 2401.09587); main theorem (number not confirmed here).

Run ``python -m refopt.proofs.hao_gong_liu_2024`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("J. Hao, X. Gong, M. Liu", 2024,
                "Bilevel optimization under unbounded smoothness: a new algorithm and convergence analysis",
                "ICLR (arXiv 2401.09587)").at("main theorem", confirmed=False)

LR, STEPS, START = 0.05, 2000, 20.0


def instance(seed):
    return problems.unbounded_smooth_bilevel(dx=5, dy=10, mu_g=0.1, L_g=1.0, seed=seed,
                                             noise=problems.bilevel_noise(upper=0.1, lower=0.1))


def normalized_vs_raw(normalize=True):
    """BO-REP's largest ||x_k|| over the run, relative to ||x_0||; the unnormalized method must diverge."""
    def compute(rng, engine):
        seed = int(rng.integers(2**31))
        problem = instance(seed)
        x0 = np.full(problem.shape, START)
        trace = refopt.run(refopt.bo_rep(lr=LR, normalize=normalize), problem, STEPS, x0=x0, seed=seed,
                           engine=engine, record=["grad_norm"], keep_iterates=True)
        raw = refopt.run(refopt.bo_rep(lr=LR, normalize=False), problem, 100, x0=x0, seed=seed, engine=engine,
                         record=["grad_norm"])
        growth = float(np.max(np.linalg.norm(trace.iterates, axis=1)) / np.linalg.norm(x0))
        if trace.status == "diverged":
            growth = np.inf
        invalid = "" if raw.status == "diverged" else \
            f"the unnormalized method did not diverge within 100 steps ({raw.message})"
        message = (f"max ||x_k|| / ||x_0|| = {growth:.3g}; ||grad F|| from {trace.grad_norm[0]:.3g} to "
                   f"{trace.grad_norm[-1]:.3g} in {STEPS} steps; the unnormalized method: {raw.message}")
        curve = dict(x=np.arange(trace.steps + 1), measured=trace.grad_norm, theory=None, xlabel="iteration",
                     ylabel="||grad F(x_k)||")
        return Measurement(growth, 2, f"bo_rep(lr={LR}) on {problem!r} from x0 = {START:g}", message, curve, invalid)
    return compute


stability = Claim(
    id="hao_gong_liu_2024.normalized_stability",
    source=SOURCE,
    statement="Under unbounded smoothness, from a far start, BO-REP's normalized steps stay bounded "
              "(||x_k|| <= ||x_0||) where the same step along the unnormalized momentum diverges within 100 "
              "iterations.",
    kind="counterexample", level="sampled", family="bilevel, (L0, L1)-smooth upper level, noisy oracles",
    algorithm="bo_rep",
    check=Statistic(compute=normalized_vs_raw(), bound=1.0, quantity="max_k ||x_k|| / ||x_0||",
                    tolerance="bounded by the start's norm; the unnormalized control must diverge"),
)

CLAIMS = [stability]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
