"""Bottou, Curtis & Nocedal (2018): SGD with a fixed and with a diminishing step on a strongly convex
objective under an affine bound on the gradient variance.

Notation of the paper: F is c-strongly convex and L-smooth; the stochastic gradient g satisfies
grad F^T E g >= mu ||grad F||^2, ||E g|| <= mu_G ||grad F|| (mu = mu_G = 1 for an unbiased g) and
V[g] <= M + M_V ||grad F||^2, M_G = M_V + mu_G^2 (Assumption 4.3, eq. 4.9). refopt's affine-variance
oracle has E||g - grad F||^2 = s0^2 + s1^2 ||grad F||^2 exactly, so M = s0^2 and M_V = s1^2. The paper
starts at w_1; refopt's step k is its step k + 1.
Reference: L. Bottou, F. E. Curtis and J. Nocedal, "Optimization methods for large-scale machine
learning", SIAM Review 60(2) (2018), arXiv 1606.04838, Theorems 4.6 and 4.7 (eqs. 4.13-4.14 and
4.20-4.22; checked against the paper).

Run ``python -m refopt.proofs.bottou_curtis_nocedal_2018`` to check these claims.
"""
import refopt
from refopt import problems
from refopt.algorithms import schedules
from refopt.claims import Claim, Source, StepwiseBound

SOURCE = Source("L. Bottou, F. E. Curtis, J. Nocedal", 2018, "Optimization methods for large-scale machine learning",
                "SIAM Review 60(2), arXiv 1606.04838")


def constants(problem):
    """(c, L, M, M_G) of the paper for a quadratic with affine-variance noise (mu = mu_G = 1)."""
    noise = problem.noise
    return problem.mu, problem.L, noise.s0**2, noise.s1**2 + 1.0


def instances(rng):
    return [problems.quadratic(dim=10, mu=mu, L=1.0, seed=int(rng.integers(2**31)),
                               noise=problems.affine_variance(s0, s1))
            for mu, s0, s1 in ((0.1, 0.5, 0.5), (0.2, 1.0, 0.0))]


def fixed_step(problem):
    c, L, M, M_G = constants(problem)
    return refopt.sgd(lr=1.0 / (L * M_G))


def fixed_step_bound(k, p, x0):
    """alpha L M / (2c) + (1 - alpha c)^k (F(x_0) - F* - alpha L M / (2c)) with alpha = 1/(L M_G)."""
    c, L, M, M_G = constants(p)
    alpha = 1.0 / (L * M_G)
    floor = alpha * L * M / (2 * c)
    return floor + (1 - alpha * c) ** k * (p.f(x0) - p.f_star - floor)


sgd_fixed_step = Claim(
    id="bottou_curtis_nocedal_2018.sgd_fixed_step",
    source=SOURCE.at("Thm 4.6"),
    statement="A fixed step 0 < alpha <= mu/(L M_G) gives E[F(w_k) - F*] <= alpha L M/(2 c mu) + "
              "(1 - alpha c mu)^(k-1) (F(w_1) - F* - alpha L M/(2 c mu)); checked at alpha = 1/(L M_G).",
    kind="upper_bound", level="sampled", family="c-strongly convex, L-smooth, affine-variance oracle",
    algorithm="sgd",
    check=StepwiseBound(algorithm=fixed_step, instances=instances, measured="f_gap", bound=fixed_step_bound,
                        steps=300, runs=200, first_k=1, rtol=1e-12,
                        tolerance="expectation: mean of 200 runs, judged at mean - 3 standard errors; "
                                  "rtol 1e-12 for rounding"),
)


def diminishing_parameters(problem):
    """beta = 2/c (> 1/(c mu)) and gamma chosen so that alpha_1 = beta/(gamma + 1) = 1/(L M_G)."""
    c, L, M, M_G = constants(problem)
    beta = 2.0 / c
    return beta, beta * L * M_G - 1.0


def diminishing_step(problem):
    beta, gamma = diminishing_parameters(problem)
    return refopt.sgd(lr=schedules.inverse_time(beta, gamma))


def diminishing_bound(k, p, x0):
    """nu / (gamma + k + 1), nu = max{beta^2 L M / (2 (beta c - 1)), (gamma + 1)(F(x_0) - F*)}."""
    c, L, M, M_G = constants(p)
    beta, gamma = diminishing_parameters(p)
    nu = max(beta**2 * L * M / (2 * (beta * c - 1)), (gamma + 1) * (p.f(x0) - p.f_star))
    return nu / (gamma + k + 1)


sgd_diminishing_step = Claim(
    id="bottou_curtis_nocedal_2018.sgd_diminishing_step",
    source=SOURCE.at("Thm 4.7"),
    statement="Steps alpha_k = beta/(gamma + k) with beta > 1/(c mu), gamma > 0, alpha_1 <= mu/(L M_G) give "
              "E[F(w_k) - F*] <= nu/(gamma + k), nu = max{beta^2 L M/(2(beta c mu - 1)), (gamma+1)(F(w_1) - F*)}; "
              "checked at beta = 2/c with alpha_1 = 1/(L M_G).",
    kind="upper_bound", level="sampled", family="c-strongly convex, L-smooth, affine-variance oracle",
    algorithm="sgd",
    check=StepwiseBound(algorithm=diminishing_step, instances=instances, measured="f_gap",
                        bound=diminishing_bound, steps=400, runs=200, first_k=1, rate=("sublinear", -1.0),
                        tolerance="expectation: mean of 200 runs, judged at mean - 3 standard errors"),
)

CLAIMS = [sgd_fixed_step, sgd_diminishing_step]

if __name__ == "__main__":
    from refopt.claims import main
    main(CLAIMS)
