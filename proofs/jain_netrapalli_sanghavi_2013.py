"""Jain, Netrapalli & Sanghavi (2013): alternating minimization completes an incoherent low-rank matrix,
linearly, from about n r log n random entries.

Class: M* = U* diag(sigma) V*^T of rank r, n x n, incoherent factors (QR of Gaussians), each entry observed
independently with probability p = C r log(n) / n.
Algorithm: U <- argmin_U ||P_Omega(U V^T - M*)||_F, then V likewise (exact row least squares), from the
top-r SVD of P_Omega(M*)/p. The analysis splits Omega into fresh pieces per half-step; these claims use all
of Omega at every step, as the method is run in practice.
Guarantee: with |Omega| of order kappa^a mu^2 r^4.5 n log n log(r ||M*||_F / eps) the error
||U_t V_t^T - M*||_F decreases geometrically (the theorem's powers are an upper bound, not encoded). Below
the coupon-collector order n r log n no method can complete M* (Candes & Tao 2010); a coherent (spiky) M*
needs nearly every entry.
Reference: P. Jain, P. Netrapalli, S. Sanghavi, "Low-rank matrix completion using alternating
minimization", STOC 2013 (arXiv 1212.0467), main theorem (number not confirmed here).

Run ``python -m refopt.proofs.jain_netrapalli_sanghavi_2013`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, Measurement, Source, Statistic

SOURCE = Source("P. Jain, P. Netrapalli, S. Sanghavi", 2013,
                "Low-rank matrix completion using alternating minimization", "STOC 2013 (arXiv 1212.0467)"
                ).at("main theorem", confirmed=False)

N, RANK, ITERATIONS, SUCCESS = 100, 3, 30, 1e-6


def completion(C, seed, factors="random"):
    return problems.matrix_completion(n1=N, r=RANK, C=C, factors=factors, seed=seed)


def relative_errors(problem, alg, engine, steps=ITERATIONS, seed=0):
    trace = refopt.run(alg, problem, steps, engine=engine, record=["dist"], seed=seed)
    return trace.dist / float(np.linalg.norm(problem.M_star))


def linear_fit(C=3.0, instances=5, floor=1e-12):
    """The smallest R^2 of a line through log error against the iteration, from the start to ``floor``."""
    def compute(rng, engine):
        worst, label, notes = 1.0, "", []
        for _ in range(instances):
            problem = completion(C, int(rng.integers(2**31)))
            e = relative_errors(problem, refopt.altmin(), engine)
            last = rates.iterations_to(e, floor)
            if last is None or last < 4:
                return Measurement(np.nan, len(notes) + 1, repr(problem), "",
                                   invalid=f"relative error {floor:g} not reached in {ITERATIONS} iterations "
                                           f"(final {e[-1]:.3g})")
            k, log_e = np.arange(last + 1), np.log(e[:last + 1])
            slope, intercept = np.polyfit(k, log_e, 1)
            r2 = 1 - np.sum((log_e - (slope * k + intercept)) ** 2) / np.sum((log_e - log_e.mean()) ** 2)
            notes.append(f"factor {np.exp(slope):.3f}, R^2 {r2:.4f}")
            if r2 <= worst:
                worst, label = r2, repr(problem)
        return Measurement(worst, instances, label, "; ".join(notes))
    return compute


linear_convergence = Claim(
    id="jain_netrapalli_sanghavi_2013.linear_convergence",
    source=SOURCE,
    statement="Above the sample threshold (p = 3 r log(n)/n, n = 100, r = 3), alternating minimization's "
              "relative error decreases geometrically to 1e-12: log error is linear in the iteration.",
    kind="rate", level="sampled", family="matrix completion, incoherent rank-r M*, Bernoulli sampling",
    algorithm="altmin",
    check=Statistic(compute=linear_fit(), bound=0.98, lower=True, quantity="R^2 of log error against t",
                    tolerance="R^2 >= 0.98 on every instance, down to 1e-12"),
)


def success_rate(C, rng, engine, runs, factors="random"):
    hits = [relative_errors(completion(C, int(rng.integers(2**31)), factors), refopt.altmin(), engine)[-1]
            < SUCCESS for _ in range(runs)]
    return float(np.mean(hits))


def threshold_gap(values=(0.75, 1.5, 3.0), runs=20):
    """Success rate at the largest C minus at the smallest; the rates must not fall as C grows."""
    def compute(rng, engine):
        found = [success_rate(C, rng, engine, runs) for C in values]
        # a drop larger than the Monte Carlo error of two rates over `runs` runs (about 2 se) breaks monotony
        allowed = 2 * np.sqrt(0.5 / runs)
        drops = [f"{a:.2f} -> {b:.2f}" for a, b in zip(found, found[1:]) if b < a - allowed]
        message = ", ".join(f"C = {C:g}: {s:.2f}" for C, s in zip(values, found)) + f" ({runs} runs each)"
        curve = dict(x=np.asarray(values), measured=np.asarray(found), theory=None, xlabel="C",
                     ylabel="success rate", logx=True)
        return Measurement(found[-1] - found[0], len(values) * runs, f"n = {N}, r = {RANK}", message, curve,
                           "the success rate falls as C grows: " + ", ".join(drops) if drops else "")
    return compute


sample_threshold = Claim(
    id="jain_netrapalli_sanghavi_2013.sample_threshold",
    source=SOURCE,
    statement="Success (relative error < 1e-6 in 30 iterations) rises with the sampling rate p = C r log(n)/n: "
              "it fails at C = 0.75 and succeeds at C = 3.",
    kind="complexity", level="sampled", family="matrix completion, incoherent rank-r M*, Bernoulli sampling",
    algorithm="altmin",
    check=Statistic(compute=threshold_gap(), bound=0.8, lower=True, quantity="success rate gap, C = 3 vs 0.75",
                    tolerance="gap >= 0.8 and no drop beyond Monte Carlo error as C grows"),
)


def coherence_gap(C=3.0, runs=20):
    def compute(rng, engine):
        incoherent = success_rate(C, rng, engine, runs)
        spiky = success_rate(C, rng, engine, runs, factors="spiky")
        return Measurement(incoherent - spiky, 2 * runs, f"C = {C:g}, n = {N}, r = {RANK}",
                           f"success {incoherent:.2f} with incoherent factors, {spiky:.2f} with spiky ones")
    return compute


incoherence_needed = Claim(
    id="jain_netrapalli_sanghavi_2013.incoherence_needed",
    source=SOURCE,
    statement="Incoherence is needed: at C = 3, where incoherent M* is completed, a spiky M* (factors from the "
              "identity, mu = n/r) is not: its few nonzero entries are missed.",
    kind="counterexample", level="sampled", family="matrix completion, coherent M*",
    algorithm="altmin",
    check=Statistic(compute=coherence_gap(), bound=0.8, lower=True, quantity="success gap, incoherent - spiky",
                    tolerance="gap >= 0.8 over 20 runs each"),
)

CLAIMS = [linear_convergence, sample_threshold, incoherence_needed]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
