"""Gu, Song, Yin & Zhang (2024): alternating minimization tolerates inexact row solves.

Class: matrix completion as in `jain_netrapalli_sanghavi_2013` (n = 100, r = 3, p = 3 r log(n)/n).
Algorithm: alternating minimization whose row least-squares solves are approximate: warm-started
conjugate gradient, and an injected error of relative size tau in every row's update
(u <- u + tau ||u - u_prev|| xi/||xi||), the kind of error a solver with a relative accuracy guarantee
makes: it shrinks as the iterates converge. (The paper's sketching-based solver is not reproduced.)
Guarantee: linear convergence survives solve errors below a threshold, so that each half-step can be
solved in time nearly linear in |Omega| r. The theorem's threshold is not encoded: the claims check
that small relative errors leave the rate unchanged and that errors as large as the update itself
destroy convergence.
Reference: Y. Gu, Z. Song, J. Yin, L. Zhang, "Low rank matrix completion via robust alternating
minimization in nearly linear time", ICLR 2024 (arXiv 2302.11068), main theorem (number not confirmed here).

Run ``python -m refopt.proofs.gu_song_yin_zhang_2024`` to check these claims.
"""
import numpy as np

import refopt
from refopt import rates
from refopt.claims import Claim, Counterexample, Measurement, Source, Statistic
from refopt.proofs.jain_netrapalli_sanghavi_2013 import completion, relative_errors

SOURCE = Source("Y. Gu, Z. Song, J. Yin, L. Zhang", 2024,
                "Low rank matrix completion via robust alternating minimization in nearly linear time",
                "ICLR 2024 (arXiv 2302.11068)").at("main theorem", confirmed=False)

FLOOR = 1e-10


def factor(e):
    last = rates.iterations_to(e, FLOOR)
    return None if last is None or last < 4 else rates.contraction_factor(e[1:last + 1]).value


def rate_change(taus=(1e-3, 1e-2), instances=3):
    """max over instances and tau of |log(factor with errors) / log(exact factor) - 1|."""
    def compute(rng, engine):
        worst, label, notes = 0.0, "", []
        for _ in range(instances):
            problem = completion(3.0, int(rng.integers(2**31)))
            exact = factor(relative_errors(problem, refopt.altmin(), engine))
            if exact is None:
                return Measurement(np.nan, len(notes) + 1, repr(problem), "",
                                   invalid=f"exact alternating minimization does not reach {FLOOR:g}")
            for tau in taus:
                alg = refopt.robust_altmin(perturb=tau)
                inexact = factor(relative_errors(problem, alg, engine, seed=int(rng.integers(2**31))))
                if inexact is None:
                    return Measurement(np.nan, len(notes) + 1, f"{alg!r} on {problem!r}", "",
                                       invalid=f"with tau = {tau:g} the error does not reach {FLOOR:g}")
                change = abs(np.log(inexact) / np.log(exact) - 1)
                notes.append(f"tau {tau:g}: factor {inexact:.4f} against {exact:.4f}")
                if change >= worst:
                    worst, label = change, f"{alg!r} on {problem!r}"
        return Measurement(worst, instances * len(taus), label, "; ".join(notes))
    return compute


inexact_linear = Claim(
    id="gu_song_yin_zhang_2024.inexact_updates_linear",
    source=SOURCE,
    statement="With row solves accurate to a relative error tau <= 1e-2 (warm-started conjugate gradient plus "
              "an injected error), alternating minimization still converges linearly, at the exact method's rate.",
    kind="rate", level="sampled", family="matrix completion, incoherent rank-r M*, Bernoulli sampling",
    algorithm="robust_altmin",
    check=Statistic(compute=rate_change(), bound=0.2, quantity="|log factor / log exact factor - 1|",
                    tolerance="within 20% of the exact method's rate, down to 1e-10"),
)


def _stalls(trace, problem):
    e = trace.dist / float(np.linalg.norm(problem.M_star))
    return bool(e[-1] > 1e-2), float(e[-1]), f"relative error {e[0]:.3g} at the start, {e[-1]:.3g} at the end"


large_errors = Claim(
    id="gu_song_yin_zhang_2024.large_errors_stall",
    source=SOURCE,
    statement="The tolerance has a threshold: solve errors as large as the update itself (tau = 1) stop the "
              "convergence.",
    kind="counterexample", level="sampled", family="matrix completion, incoherent rank-r M*",
    algorithm="robust_altmin",
    check=Counterexample(algorithm=lambda p: refopt.robust_altmin(perturb=1.0),
                         instance=lambda: completion(3.0, 2024), x0=None, failure=_stalls, steps=40,
                         measure="final relative error"),
)

CLAIMS = [inexact_linear, large_errors]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
