"""Xu, Shen, Chi & Ma (2023): ScaledGD(lambda) is free of the condition number; gradient descent is not.

Class: low-rank PSD matrix sensing, f(X) = 1/4 ||A(X X^T) - y||^2, M* of rank r* and condition number
kappa, Gaussian design with m = 40 n r* measurements (RIP with high probability), small random start.
Algorithm: X_{t+1} = X_t - eta grad f(X_t) (X_t^T X_t + lambda I)^{-1}, lambda = sigma_min(M*), eta = 0.2.
Guarantee: relative error eps after O(log kappa log(kappa n) + log(1/eps)) iterations, a linear rate
after the first phase that does not depend on kappa; vanilla gradient descent needs a number of
iterations polynomial in kappa. The theorem's constants (RIP level, eta, lambda window, alpha) are
not encoded: only the orders and the contrast are checked.
Reference: X. Xu, Y. Shen, Y. Chi, C. Ma, "The power of preconditioning in overparameterized low-rank
matrix sensing", ICML 2023 (arXiv 2302.01186), main theorem (number not confirmed here).

Run ``python -m refopt.proofs.xu_shen_chi_ma_2023`` to check these claims.
"""
import numpy as np

import refopt
from refopt import problems, rates
from refopt.claims import Claim, Complexity, Counterexample, Measurement, Source, Statistic

SOURCE = Source("X. Xu, Y. Shen, Y. Chi, C. Ma", 2023,
                "The power of preconditioning in overparameterized low-rank matrix sensing",
                "ICML 2023 (arXiv 2302.01186)").at("main theorem", confirmed=False)

INIT_SCALE = 1e-8  # alpha: the theorem asks log(||M*||/alpha) large against log(kappa) log(kappa n) / eta


def sensing(kappa, rng, r_fit=None):
    """n = 20, r* = 2, Gaussian design with m = 40 n r*, the small start alpha G."""
    return problems.matrix_sensing(n=20, r_true=2, r_fit=r_fit, kappa=kappa, design="gaussian",
                                   init_scale=INIT_SCALE, seed=int(rng.integers(2**31)))


def relative_target(eps):
    return lambda problem, e0: eps * float(np.linalg.norm(problem.M_star))


iterations = Claim(
    id="xu_shen_chi_ma_2023.kappa_free_iterations",
    source=SOURCE,
    statement="ScaledGD(lambda) from a small random start reaches relative error eps in "
              "O(log kappa log(kappa n) + log(1/eps)) iterations: logarithmic, not polynomial, in kappa.",
    kind="complexity", level="sampled", family="low-rank PSD matrix sensing, Gaussian design (RIP)",
    algorithm="scaled_gd",
    check=Complexity(parameter="kappa", values=(1.0, 10.0, 100.0, 1000.0), instance=sensing,
                     algorithm=lambda p: refopt.scaled_gd(), measured="dist", target=relative_target(1e-6),
                     exponent=0.0, max_steps=3000, slack=0.3,
                     tolerance="fitted slope <= 0.3: log factors in kappa, no power"),
)

gd_contrast = Claim(
    id="xu_shen_chi_ma_2023.gd_polynomial_in_kappa",
    source=SOURCE,
    statement="Vanilla gradient descent on the factor (eta = 0.25 / sigma_1(M*)) needs a number of iterations "
              "that grows polynomially in kappa (about linearly) on the same instances.",
    kind="complexity", level="sampled", family="low-rank PSD matrix sensing, Gaussian design (RIP)",
    algorithm="gradient_descent",
    check=Complexity(parameter="kappa", values=(1.0, 10.0, 100.0), instance=sensing,
                     algorithm=lambda p: refopt.gradient_descent(lr=0.25 / float(p.sigma[0])), measured="dist",
                     target=relative_target(1e-6), exponent=1.0, max_steps=30_000, slack=0.5, lower=True,
                     tolerance="fitted slope >= 0.5 (the contrast: clearly polynomial)"),
)


def linear_phase_factor(trace, problem, high=1e-4, low=1e-6):
    """The contraction factor of the relative error fitted between ``high`` and ``low`` (None if not reached)."""
    e = trace.dist / float(np.linalg.norm(problem.M_star))
    first, last = rates.iterations_to(e, high), rates.iterations_to(e, low)
    if first is None or last is None or last - first < 3:
        return None
    return rates.contraction_factor(e[first:last + 1]).value


def rate_spread(algorithm, kappas=(1.0, 10.0, 100.0), steps=20_000):
    """A `Statistic` computation: max - min of the linear-phase factor across kappa."""
    def compute(rng, engine):
        factors, label = [], ""
        for kappa in kappas:
            problem = sensing(kappa, rng)
            alg = algorithm(problem)
            trace = refopt.run(alg, problem, steps, engine=engine, record=["dist"],
                               seed=int(rng.integers(2**31)))
            factor = linear_phase_factor(trace, problem)
            label = f"{alg!r} on {problem!r}"
            if factor is None:
                return Measurement(np.nan, len(factors) + 1, label, "",
                                   invalid=f"relative error 1e-6 not reached in {steps} steps at kappa = {kappa:g}")
            factors.append(factor)
        message = ", ".join(f"factor {f:.4f} at kappa = {k:g}" for f, k in zip(factors, kappas))
        curve = dict(x=np.asarray(kappas), measured=np.asarray(factors), theory=None, xlabel="kappa",
                     ylabel="linear-phase factor", logx=True)
        return Measurement(float(np.ptp(factors)), len(factors), label, message, curve)
    return compute


linear_rate = Claim(
    id="xu_shen_chi_ma_2023.kappa_free_linear_rate",
    source=SOURCE,
    statement="After the first phase ScaledGD(lambda) converges linearly at a rate that does not depend on "
              "kappa: the factor fitted between relative errors 1e-4 and 1e-6 is the same for kappa = 1, 10, 100.",
    kind="rate", level="sampled", family="low-rank PSD matrix sensing, Gaussian design (RIP)",
    algorithm="scaled_gd",
    check=Statistic(compute=rate_spread(lambda p: refopt.scaled_gd()), bound=0.05,
                    quantity="spread of the factor across kappa",
                    tolerance="spread <= 0.05 (gradient descent's factor tends to 1 as kappa grows)"),
)


def _diverged(trace, problem):
    return trace.status == "diverged", float(trace.steps), f"status {trace.status} after {trace.steps} steps"


undamped = Claim(
    id="xu_shen_chi_ma_2023.undamped_diverges",
    source=SOURCE,
    statement="The damping is needed: with lambda = 0, over-parameterized (r = n) from the small start, "
              "X^T X is nearly singular and the preconditioned iteration blows up.",
    kind="counterexample", level="sampled", family="low-rank PSD matrix sensing, over-parameterized",
    algorithm="scaled_gd",
    check=Counterexample(algorithm=lambda p: refopt.scaled_gd(damping=0.0),
                         instance=lambda: sensing(100.0, np.random.default_rng(2023), r_fit=20),
                         x0=None, failure=_diverged, steps=200, measure="steps to divergence"),
)

CLAIMS = [iterations, gd_contrast, linear_rate, undamped]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
