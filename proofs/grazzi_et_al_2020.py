"""Grazzi, Franceschi, Pontil & Salzo (2020): the hypergradient errors of iterative (ITD) and approximate
implicit (AID) differentiation decay linearly in the number of inner steps, at the lower level's rate.

Class: quadratic bilevel problems, g(x, y) = 1/2 y^T A y - y^T B x with mu_g I <= A <= L_g I (the lower
level is a q-contraction for gradient steps of size alpha = 1/L_g, q = 1 - alpha mu_g = 1 - 1/kappa_g),
f(x, y) = 1/2 ||y - b||^2 + (c/2) ||x||^2.
Algorithms: ITD (K unrolled lower steps from y_0 = 0, differentiated in reverse mode), AID with T lower
steps and an exact conjugate-gradient solve, AID with the exact lower solution and a K-term Neumann series.
Guarantee: ||h_K - grad F(x)|| <= (c_1 + c_2 K) q^K for ITD and <= c_1 ||y_T - y*|| + c_2 (solver error)
for AID. On this class the errors are exactly linear in q: from y_0 = 0, y_K = (I - (I - alpha A)^K)
A^{-1} B x, so ITD's error is B^T A^{-1} [-(I - alpha A)^K (2 A^{-1} B x - b) + (I - alpha A)^{2K} A^{-1} B x]
(derived), with rate q and no K factor; the Neumann remainder is v* - v_K = (I - alpha A)^{K+1} v*.
The check fits the contraction factor of the measured error against K and compares it with q.
Reference: R. Grazzi, L. Franceschi, M. Pontil, S. Salzo, "On the iteration complexity of hypergradient
computation", ICML 2020 (arXiv 2006.16218); theorem numbers not confirmed here.

Run ``python -m refopt.proofs.grazzi_et_al_2020`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("R. Grazzi, L. Franceschi, M. Pontil, S. Salzo", 2020,
                "On the iteration complexity of hypergradient computation", "ICML (arXiv 2006.16218)"
                ).at("ITD and AID error bounds", confirmed=False)

KAPPAS = (10.0, 20.0)
FAMILY = "quadratic bilevel, strongly convex lower level (kappa_g = 10, 20), inner step 1/L_g"


def lower_rate(problem, inner_lr):
    """q = 1 - alpha mu_g, the contraction of the lower level's gradient steps."""
    return 1.0 - inner_lr * problem.mu_g


def itd_error(problem, x, K):
    alg = refopt.itd(inner_steps=K, lr=1.0)
    state = alg.step(alg.init(x, problem), problem, None)
    return state.hypergrad


def aid_error_in_T(problem, x, T):
    alg = refopt.aid(inner_steps=T, solver="cg", solver_steps=2 * problem.params["dy"], warm_start=False, lr=1.0)
    return alg.step(alg.init(x, problem), problem, None).hypergrad


def aid_error_in_K(problem, x, K):
    exact = problems.quad_bilevel(**dict(problem.params, y0=problem.y_star(x)))
    alg = refopt.aid(inner_steps=0, solver="neumann", solver_steps=K, warm_start=False, lr=1.0)
    return alg.step(alg.init(x, exact), exact, None).hypergrad


def error_rate(hypergradient, rate=lower_rate, K_max=300, start=40):
    """max over kappa_g of |fitted factor / claimed factor - 1|, the factor fitted on ||h_K - grad F(x)||, K <= K_max."""
    def compute(rng, engine):
        worst, notes, label, curve = -1.0, [], "", None
        for kappa in KAPPAS:
            seed = int(rng.integers(2**31))
            problem = problems.quad_bilevel(dx=5, dy=10, mu_g=1.0 / kappa, L_g=1.0, c=0.1, seed=seed)
            x = np.random.default_rng(seed).standard_normal(problem.shape)
            exact = problem.grad(x)
            e = np.array([np.linalg.norm(hypergradient(problem, x, K) - exact) for K in range(K_max + 1)])
            fitted = rates.contraction_factor(e, start=start).value
            claimed = rate(problem, 1.0 / problem.L_g)
            mismatch = abs(fitted / claimed - 1)
            notes.append(f"kappa_g = {kappa:g}: fitted {fitted:.6f} vs {claimed:.6f}")
            if mismatch > worst:
                worst, label = mismatch, f"{problem!r} at a random x"
                curve = dict(x=np.arange(K_max + 1), measured=e, theory=e[start] * claimed ** (np.arange(K_max + 1) - start),
                             xlabel="inner steps", ylabel="hypergradient error")
        return Measurement(worst, len(KAPPAS), label, "; ".join(notes), curve)
    return compute


def _claim(name, algorithm, what, hypergradient):
    return Claim(
        id=f"grazzi_et_al_2020.{name}",
        source=SOURCE,
        statement=f"{what}: the hypergradient error decays linearly at the lower level's rate q = 1 - alpha mu_g.",
        kind="rate", level="sampled", family=FAMILY, algorithm=algorithm,
        check=Statistic(compute=error_rate(hypergradient), bound=0.01, quantity="|fitted / q - 1|",
                        tolerance="fitted factor within 1% of q = 1 - mu_g / L_g"),
    )


itd_rate = _claim("itd_rate", "itd", "ITD with K unrolled steps from y_0 = 0, against K", itd_error)
aid_inner_rate = _claim("aid_inner_rate", "aid", "AID with T lower steps and an exact CG solve, against T",
                        aid_error_in_T)
aid_neumann_rate = _claim("aid_neumann_rate", "aid",
                          "AID at the exact lower solution with a K-term Neumann series, against K", aid_error_in_K)

CLAIMS = [itd_rate, aid_inner_rate, aid_neumann_rate]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
