"""Bilevel toys (exact hypergradients) and the bilevel algorithms run against them."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import refopt
from refopt import problems
from refopt.claims import Statistic

seeds = st.integers(0, 2**31 - 1)


def point(shape, seed, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape)


def toys(seed=0):
    """One instance of every bilevel family (x and y drawn away from kinks)."""
    return [problems.quad_bilevel(dx=3, dy=4, mu_g=0.2, L_g=2.0, c=0.3, seed=seed),
            problems.ridge_hpo(n_tr=12, n_val=9, d=4, seed=seed),
            problems.ridge_hpo(n_tr=12, n_val=9, d=4, per_feature=False, seed=seed),
            problems.nonsingleton_toy(n=2),
            problems.unbounded_smooth_bilevel(dx=3, dy=4, seed=seed),
            problems.constrained_bilevel(a=0.7, c=1.3, dim=3),
            problems.constrained_bilevel(c=1.3, coupled=True, dim=3),
            problems.sine_bilevel()]


def finite_difference(fn, x, h=1e-6):
    return np.array([(fn(x + h * e) - fn(x - h * e)) / (2 * h) for e in np.eye(x.size)])


class TestOracles:
    """Every hand-written partial derivative against autograd of the very expression f or g evaluates."""

    @given(seeds)
    @settings(max_examples=10, deadline=None)
    @pytest.mark.filterwarnings("ignore:Output seems independent of input")
    def test_partials_match_autograd(self, seed):
        for problem in toys(seed % 1000):
            x, y, v = point(problem.shape, seed), point(problem.y_shape, seed + 1), point(problem.y_shape, seed + 2)
            for level, fn in (("upper", problem._upper), ("lower", problem._lower)):
                gx = autograd.grad(lambda a, b: fn(a, b, anp), 0)(x, y)
                gy = autograd.grad(lambda a, b: fn(a, b, anp), 1)(x, y)
                hyy = autograd.jacobian(autograd.grad(lambda a, b: fn(a, b, anp), 1), 1)(x, y)
                hxy = autograd.jacobian(autograd.grad(lambda a, b: fn(a, b, anp), 1), 0)(x, y)  # d(grad_y)/dx
                np.testing.assert_allclose(getattr(problem, f"{level}_grad_x")(x, y), gx, atol=1e-10)
                np.testing.assert_allclose(getattr(problem, f"{level}_grad_y")(x, y), gy, atol=1e-10)
                np.testing.assert_allclose(getattr(problem, f"{level}_hvp")(x, y, v), hyy @ v, atol=1e-10)
                np.testing.assert_allclose(getattr(problem, f"{level}_jvp")(x, y, v), hxy.T @ v, atol=1e-10)

    def test_a_wrong_cross_product_is_caught(self):
        """The autograd comparison sees a transposed/sign-flipped cross derivative."""
        problem = problems.quad_bilevel(dx=3, dy=4, seed=1)
        x, y, v = point(3, 1), point(4, 2), point(4, 3)
        hxy = autograd.jacobian(autograd.grad(lambda a, b: problem._lower(a, b, anp), 1), 0)(x, y)
        assert not np.allclose(problem.B.T @ v, hxy.T @ v)

    @given(seeds)
    @settings(max_examples=10, deadline=None)
    def test_y_star_solves_the_lower_level(self, seed):
        for problem in toys(seed % 1000):
            x = point(problem.shape, seed)
            y = problem.y_star(x)
            if isinstance(problem, type(problems.constrained_bilevel())):
                # KKT of min 1/2 ||y - x||^2 s.t. y <= bound: y = min(x, bound)
                np.testing.assert_allclose(y, np.minimum(x, problem.bound(x)))
            else:
                np.testing.assert_allclose(problem.lower_grad_y(x, y), 0.0, atol=1e-9)

    @given(seeds)
    @settings(max_examples=10, deadline=None)
    def test_hypergradient_matches_finite_differences(self, seed):
        for problem in toys(seed % 1000):
            x = point(problem.shape, seed, scale=0.5)
            if isinstance(problem, type(problems.constrained_bilevel())):
                x = x + 0.05 * np.sign(x - problem.bound(x))   # stay off the kink of min(x, bound)
            if isinstance(problem, type(problems.sine_bilevel())):
                x = 1.0 + 0.2 * x                              # inside one branch (switches at x = -0.43, 5.85)
            np.testing.assert_allclose(problem.grad(x), finite_difference(problem.f, x), rtol=1e-6, atol=1e-6)

    def test_the_optimistic_choice_on_the_non_singleton_toy(self):
        """Every y with y_1 = x solves the lower level; y* = (x, x) minimizes f over them."""
        problem = problems.nonsingleton_toy()
        x = np.array([0.3])
        for y2 in np.linspace(-2, 2, 9):
            y = np.array([0.3, y2])
            assert problem.lower(x, y) == pytest.approx(problem.lower(x, problem.y_star(x)))
            assert problem.upper(x, y) >= problem.upper(x, problem.y_star(x))
        assert problem.f(x) == pytest.approx(0.5 * 0.7**2)


class TestSolutions:
    @given(seeds)
    @settings(max_examples=10, deadline=None)
    def test_quadratic_x_star_is_stationary_and_hessian_exact(self, seed):
        problem = problems.quad_bilevel(dx=4, dy=6, seed=seed)
        np.testing.assert_allclose(problem.grad(problem.x_star), 0.0, atol=1e-10)
        x = point(4, seed)
        H = np.array([(problem.grad(x + 1e-5 * e) - problem.grad(x - 1e-5 * e)) / 2e-5 for e in np.eye(4)])
        np.testing.assert_allclose(H, problem.hess(x), rtol=1e-6, atol=1e-8)
        assert problem.L == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-6)

    @pytest.mark.parametrize("a, c, coupled", [(1.0, 1.0, False), (0.3, 1.0, False), (0.0, -2.0, False),
                                               (1.0, 1.0, True), (1.0, -1.0, True)])
    def test_constrained_solution_by_enumeration(self, a, c, coupled):
        problem = problems.constrained_bilevel(a=a, c=c, coupled=coupled)
        grid = np.linspace(-3, 3, 600_001)
        values = 0.5 * (np.minimum(grid, 0.5 * grid if coupled else a) - c) ** 2 + 0.5 * grid**2
        assert problem.x_star[0] == pytest.approx(grid[np.argmin(values)], abs=2e-5)
        assert problem.f_star == pytest.approx(values.min(), abs=1e-9)

    def test_penalty_closed_form(self):
        """y_lam minimizes f + lam g; L*_lam and its gradient by finite differences; the bias decays as 1/lam."""
        problem = problems.quad_bilevel(dx=3, dy=5, seed=3)
        x = point(3, 4)
        biases = []
        for lam in (1e3, 1e4, 1e5, 1e6):
            value, grad, y_lam = problem.penalty(x, lam)
            np.testing.assert_allclose(problem.upper_grad_y(x, y_lam) + lam * problem.lower_grad_y(x, y_lam), 0.0,
                                       atol=1e-8 * lam)
            if lam <= 1e3:   # beyond, lam (g - g*) cancels too many digits for a finite difference
                fd = finite_difference(lambda z: problem.penalty(z, lam)[0], x, h=1e-5)
                np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)
            biases.append(np.linalg.norm(grad - problem.grad(x)))
        slopes = np.diff(np.log(biases)) / np.log(10)
        np.testing.assert_allclose(slopes[1:], -1.0, atol=0.01)


class TestNoise:
    def test_moments(self):
        problem = problems.quad_bilevel(dx=3, dy=4, noise=problems.bilevel_noise(upper=0.5, lower=0.2, relative=0.1))
        x, y = point(3, 1), point(4, 2)
        rng = np.random.default_rng(0)
        exact = problem.lower_grad_y(x, y)
        draws = np.array([problem.lower_grad_y(x, y, rng) for _ in range(20000)])
        np.testing.assert_allclose(draws.mean(axis=0), exact, atol=0.01)
        variance = np.mean(np.sum((draws - exact) ** 2, axis=1))
        assert variance == pytest.approx(0.2**2 + 0.1**2 * np.sum(exact**2), rel=0.03)

    def test_a_quiet_level_is_exact_and_draws_nothing(self):
        problem = problems.quad_bilevel(dx=3, dy=4, noise=problems.bilevel_noise(upper=0.5))
        rng = np.random.default_rng(0)
        state = rng.bit_generator.state
        x, y = point(3, 1), point(4, 2)
        np.testing.assert_array_equal(problem.lower_grad_y(x, y, rng), problem.lower_grad_y(x, y))
        assert rng.bit_generator.state == state

    def test_bad_noise(self):
        with pytest.raises(TypeError, match="bilevel problem"):
            problems.quadratic(dim=3, noise=problems.bilevel_noise(upper=1.0))
        with pytest.raises(ValueError, match="upper"):
            problems.bilevel_noise(upper=-1.0)
        noisy = problems.quad_bilevel(noise=problems.bilevel_noise(upper=1.0))
        with pytest.raises(TypeError, match="stochastic partial oracles"):
            refopt.run(refopt.sgd(lr=0.1), noisy, 3)


class TestBadInput:
    def test_factories(self):
        with pytest.raises(ValueError, match="mu_g"):
            problems.quad_bilevel(mu_g=2.0, L_g=1.0)
        with pytest.raises(ValueError, match="a must be"):
            problems.constrained_bilevel(a=-1.0)
        with pytest.raises(ValueError, match="x0 has shape"):
            problems.quad_bilevel(dx=3, x0=np.zeros(4))

    def test_algorithms(self):
        with pytest.raises(ValueError, match="lr"):
            refopt.aid(lr=-1.0)
        with pytest.raises(ValueError, match="solver"):
            refopt.aid(solver="lu")
        with pytest.raises(TypeError, match="bilevel problem"):
            refopt.run(refopt.aid(lr=0.1, inner_lr=0.1), problems.quadratic(dim=3), 2)
        with pytest.raises(ValueError, match="L_g"):
            refopt.run(refopt.itd(lr=0.1), problems.ridge_hpo(), 2)


class TestHypergradientMethods:
    def test_itd_is_the_exact_gradient_of_the_unrolled_objective(self):
        """ITD differentiates F_K(x) = f(x, y_K(x)): compare with finite differences of F_K."""
        problem = problems.quad_bilevel(dx=3, dy=5, seed=2)
        alg = refopt.itd(inner_steps=7, lr=1.0)
        hyper = alg.resolve(problem)
        x = point(3, 5)

        def F_K(z):
            return problem.upper(z, alg.hypergradient(problem, z, problem.y0, hyper, None)[0])

        np.testing.assert_allclose(alg.hypergradient(problem, x, problem.y0, hyper, None)[1],
                                   finite_difference(F_K, x), rtol=1e-7, atol=1e-8)

    def test_bda_with_zero_weight_is_itd(self):
        problem = problems.ridge_hpo(n_tr=10, n_val=8, d=3, seed=1)
        itd = refopt.run(refopt.itd(lr=0.01, inner_lr=0.01, inner_steps=5), problem, 20)
        bda = refopt.run(refopt.bda(lr=0.01, inner_lr=0.01, upper_lr=0.01, inner_steps=5, alpha0=0.0), problem, 20)
        np.testing.assert_array_equal(itd.x, bda.x)

    def test_neumann_remainder_identity(self):
        """v* - v_K = (I - alpha A)^{K+1} v*, to rounding."""
        problem = problems.quad_bilevel(dx=3, dy=6, seed=5)
        x = point(3, 1)
        y = problem.y_star(x)
        alg = refopt.aid(solver="neumann", solver_steps=12)
        b = problem.upper_grad_y(x, y)
        v = alg.linear_solve(problem, x, y, b, np.zeros(6), 1.0 / problem.L_g, None)
        v_star = np.linalg.solve(problem.A, b)
        M = np.eye(6) - problem.A / problem.L_g
        np.testing.assert_allclose(v_star - v, np.linalg.matrix_power(M, 13) @ v_star, atol=1e-14)

    @pytest.mark.parametrize("make", [lambda: refopt.aid(), lambda: refopt.aid(solver="neumann", solver_steps=60),
                                      lambda: refopt.itd(inner_steps=80)])
    def test_converges_to_x_star_and_records_errors(self, make):
        problem = problems.quad_bilevel(dx=4, dy=6, mu_g=0.2, c=2.0, seed=7)
        trace = refopt.run(make(), problem, 400)
        assert trace.dist[-1] < 1e-6 * trace.dist[0]
        assert np.isnan(trace.metrics["hypergrad_error"][0])
        assert trace.metrics["hypergrad_error"][-1] < 1e-5
        assert trace.metrics["lower_dist"][-1] < 1e-5
        assert "lower_hvp" in trace.oracle_calls

    def test_oracle_counts(self):
        problem = problems.quad_bilevel(dx=2, dy=3)
        trace = refopt.run(refopt.aid(inner_steps=4, solver="neumann", solver_steps=6), problem, 5)
        calls = {k: int(v[-1]) for k, v in trace.oracle_calls.items()}
        assert calls["lower_grad_y"] == 20 and calls["lower_hvp"] == 30 and calls["lower_jvp"] == 5
        assert calls["upper_grad_x"] == calls["upper_grad_y"] == 5

    @pytest.mark.parametrize("name", ["nonsingleton_toy", "constrained_bilevel", "sine_bilevel", "ridge_hpo",
                                      "unbounded_smooth_bilevel"])
    def test_every_toy_has_a_stochastic_version(self, name):
        problem = refopt.registry.problem(name, noise=problems.bilevel_noise(upper=0.1, lower=0.1))
        x, y = problem.x0, problem.y0
        rng = np.random.default_rng(0)
        assert not np.array_equal(problem.lower_grad_y(x, y, rng), problem.lower_grad_y(x, y))
        assert not np.array_equal(problem.upper_grad_y(x, y, rng), problem.upper_grad_y(x, y))

    def test_same_seed_same_trace_with_noise(self):
        problem = problems.quad_bilevel(noise=problems.bilevel_noise(upper=0.1, lower=0.1))
        a, b = (refopt.run(refopt.aid(), problem, 30, seed=4) for _ in range(2))
        np.testing.assert_array_equal(a.metrics["f_gap"], b.metrics["f_gap"])
        c = refopt.run(refopt.aid(), problem, 30, seed=5)
        assert not np.array_equal(a.metrics["f_gap"], c.metrics["f_gap"])


class TestClaims:
    def test_a_wrong_lower_rate_is_rejected(self):
        from refopt.proofs import grazzi_et_al_2020 as g
        for hypergradient in (g.itd_error, g.aid_error_in_K):
            wrong = Statistic(compute=g.error_rate(hypergradient, rate=lambda p, a: 1 - 2 * a * p.mu_g),
                              bound=0.01, quantity="")
            assert not wrong.evaluate(np.random.default_rng(0), "numpy").passed
        # the accelerated rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1) is not what gradient steps give
        accelerated = Statistic(compute=g.error_rate(g.itd_error, rate=lambda p, a: 1 - 2 / (np.sqrt(p.L_g / p.mu_g) + 1)),
                                bound=0.01, quantity="")
        assert not accelerated.evaluate(np.random.default_rng(0), "numpy").passed

    def test_naive_unrolling_claim_fails_with_a_short_inner_step(self):
        """With inner step 1/2 and K = 1, y_1 = x/2 and x ends at 0.4, not 1/2: the check must see it."""
        from refopt.proofs import liu_mu_yuan_zeng_zhang_2020 as liu
        m = liu.naive_stall(inner_steps=(1,), inner_lr=0.5)(np.random.default_rng(0), "numpy")
        assert m.value == pytest.approx(0.1, abs=1e-6)

    def test_bda_claim_fails_for_naive_unrolling(self):
        from refopt.proofs import liu_mu_yuan_zeng_zhang_2020 as liu
        naive = refopt.bda(lr=liu.OUTER_LR, inner_lr=1.0, upper_lr=1.0, alpha0=0.0)
        check = Statistic(compute=liu.bda_limit(alg=naive), bound=1e-2, quantity="")
        assert not check.evaluate(np.random.default_rng(0), "numpy").passed


class TestPenaltyMethods:
    def test_f2sa_with_constant_schedules_is_the_penalty_method(self):
        """F2SA at lam = 1/sigma, no decay and no growth, takes the penalty method's steps (y-step alpha = sigma gamma)."""
        problem = problems.quad_bilevel(dx=3, dy=4, seed=2)
        sigma, gamma, lr = 0.1, 0.5, 0.05
        f2sa = refopt.f2sa(lr_y=sigma * gamma, lr_z=1.0, lr_x=lr, decay_y=0, decay_z=0, decay_x=0, lam0=1 / sigma,
                           lam_increment=0.0, inner_steps=7)
        penalty = refopt.penalty(sigma=sigma, lr=lr, inner_lr=1.0, inner_lr_y=gamma, inner_steps=7)
        a, b = refopt.run(f2sa, problem, 25, keep_iterates=True), refopt.run(penalty, problem, 25, keep_iterates=True)
        np.testing.assert_allclose(a.iterates, b.iterates, rtol=1e-12, atol=1e-14)

    def test_penalty_direction_is_the_closed_form_gradient(self):
        problem = problems.quad_bilevel(dx=3, dy=4, mu_g=0.5, seed=4)
        x, sigma = point(3, 1), 0.05
        alg = refopt.penalty(sigma=sigma, inner_steps=2000)
        _, _, d = alg.direction(problem, x, problem.y0, problem.y0, alg.resolve(problem), None)
        np.testing.assert_allclose(d, problem.penalty(x, 1 / sigma)[1], atol=1e-9)

    def test_penalty_converges_near_x_star_and_projects(self):
        # x* = min(c/2, a) = a sits at the kink of y*(x) = min(x, a): a constant step oscillates within O(lr)
        problem = problems.constrained_bilevel(a=0.3, c=1.0, dim=2)
        trace = refopt.run(refopt.penalty(sigma=1e-3, lr=0.02, inner_steps=20), problem, 600)
        assert np.max(trace.dist[-20:]) < 0.02
        unprojected = problems.constrained_bilevel(a=10.0, c=1.0, dim=2)   # the bound never binds: x* = c/2
        assert refopt.run(refopt.penalty(sigma=1e-3, lr=0.02, inner_steps=20), unprojected, 600).x[0] > 0.49

    def test_f2sa_schedule_and_bad_input(self):
        alg = refopt.f2sa(lr_y=1.0, decay_y=0.5, lam_increment=2.0, decay_lam=1.0)
        assert alg.schedule(3)[0] == pytest.approx(0.5) and alg.schedule(3)[3] == pytest.approx(0.5)
        with pytest.raises(ValueError, match="decay_x"):
            refopt.f2sa(decay_x=-1.0)
        with pytest.raises(ValueError, match="sigma"):
            refopt.penalty(sigma=0.0)


class TestPenaltyClaims:
    def test_wrong_bias_exponents_are_rejected(self):
        from refopt.proofs import kwon_kwon_wright_nowak_2023 as f2sa
        from refopt.proofs import kwon_kwon_wright_nowak_2024 as pen
        rng = np.random.default_rng(0)
        assert f2sa.penalty_bias_slope(exponent=-2.0)(rng, "numpy").value > 0.5
        assert pen.gap_slope("gradient", exponent=2.0)(rng, "numpy").value > 0.5
        assert pen.nonsingleton_direction(exponent=2.0)(rng, "numpy").value > 0.5

    def test_fitting_the_gradient_norm_instead_of_its_square_is_rejected(self):
        """The theorem counts iterations to ||grad F||^2 <= eps; in ||grad F|| the exponent doubles."""
        from refopt.proofs import kwon_kwon_wright_nowak_2023 as f2sa
        claim = f2sa.deterministic_complexity
        wrong = claim.with_check(measured=lambda trace, p: np.minimum.accumulate(trace.grad_norm))
        assert claim.verify().passed and not wrong.verify().passed

    def test_a_too_small_noisy_exponent_is_rejected(self):
        from refopt.proofs import kwon_kwon_wright_nowak_2023 as f2sa
        assert not f2sa.upper_noise_complexity.with_check(exponent=0.2).verify().passed

    def test_first_order_invariant_rejects_aid(self):
        from refopt.proofs import kwon_kwon_wright_nowak_2023 as f2sa
        wrong = f2sa.first_order.with_check(algorithm=lambda p: refopt.aid())
        assert not wrong.verify().passed


class TestSingleLoopMethods:
    def test_bo_rep_without_refinement_and_period_one_is_normalized_momentum(self):
        """I = 1, one lower step, no refinement: the plain single-loop normalized-momentum bilevel method."""
        problem = problems.quad_bilevel(dx=3, dy=4, seed=3)
        eta, beta, alpha, nu = 0.05, 0.8, 0.5, 0.3
        trace = refopt.run(refopt.bo_rep(lr=eta, beta=beta, period=1, lower_steps=1, inner_lr=alpha, z_lr=nu,
                                         refine_steps=0), problem, 30, x0=np.ones(3), keep_iterates=True)
        x, y, z, m = np.ones(3), problem.y0, np.zeros(4), np.zeros(3)
        for k in range(30):
            y = y - alpha * problem.lower_grad_y(x, y)
            z = z - nu * (problem.lower_hvp(x, y, z) - problem.upper_grad_y(x, y))
            h = problem.upper_grad_x(x, y) - problem.lower_jvp(x, y, z)
            m = beta * m + (1 - beta) * h
            x = x - eta * m / np.linalg.norm(m)
            np.testing.assert_allclose(trace.iterates[k + 1], x, rtol=1e-13, atol=1e-15)

    def test_bo_rep_moves_eta_per_step_and_projects_z(self):
        problem = problems.unbounded_smooth_bilevel(dx=3, dy=4)
        trace = refopt.run(refopt.bo_rep(lr=0.02, z_radius=0.5), problem, 20, x0=np.full(3, 5.0), keep_iterates=True)
        np.testing.assert_allclose(np.linalg.norm(np.diff(trace.iterates, axis=0), axis=1), 0.02, rtol=1e-12)
        alg = refopt.bo_rep(z_radius=0.5)
        state = alg.init(problem.x0, problem)
        for _ in range(5):
            state = alg.step(state, problem, None)
            assert np.linalg.norm(state.z) <= 0.5 + 1e-12

    def test_sl_bamm_schedule_and_exact_line_search(self):
        alg = refopt.sl_bamm(mu0=0.5, p=2.0, tau=0.0, lr=0.1)
        mu, alpha = alg.schedule(3)
        assert mu == pytest.approx(0.25) and alpha == pytest.approx(0.1 * 0.25**3)
        # on a quadratic in v the exact line-search step minimizes along the residual
        problem = problems.quad_bilevel(dx=2, dy=3, seed=1)
        state = alg.step(alg.init(problem.x0, problem), problem, None)
        mu0 = alg.schedule(0)[0]
        H = mu0 * np.eye(3) + (1 - mu0) * problem.A
        b = problem.upper_grad_y(problem.x0, problem.y0)
        r = -b
        np.testing.assert_allclose(state.v, -(r @ r) / (r @ H @ r) * r, rtol=1e-12)

    def test_sl_bamm_without_averaging_never_moves_y2(self):
        from refopt.proofs import liu_liu_yao_zeng_zhang_2023 as bamm
        m = bamm.optimistic_limit(alg=refopt.sl_bamm(mu0=1e-9))(np.random.default_rng(0), "numpy")
        assert m.value > 0.5

    def test_lv_hba_keeps_the_pair_feasible(self):
        problem = problems.constrained_bilevel(c=3.0, coupled=True, dim=2)
        alg = refopt.lv_hba()
        state = alg.init(np.full(2, 2.0), problem)
        for _ in range(200):
            state = alg.step(state, problem, None)
            assert np.all(problem.lower_constraint(state.x, state.y) <= 1e-12)
            assert np.all(state.lam >= 0) and np.all(state.z >= 0)

    def test_lv_hba_claim_fails_when_the_pair_is_not_projected(self):
        """Without the projection g - v_gamma is unbounded below: the iterates run away and the check sees it."""
        from refopt.proofs import yao_yu_zeng_zhang_2024 as lv

        class Unprojected(type(problems.constrained_bilevel())):
            def feasible_project(self, x, y):
                return x, y

        problem = problems.constrained_bilevel(a=0.3)
        problem.__class__ = Unprojected
        trace = refopt.run(refopt.lv_hba(c0=1.0, p=0.45), problem, 5000)
        assert trace.dist[-1] > 1.0
        assert lv.reaches_solution(alg=refopt.lv_hba(c0=1.0, p=0.45), cases=((0.3, 1.0, False),))(
            np.random.default_rng(0), "numpy").value < 2e-2

    def test_lv_hba_needs_a_constraint(self):
        with pytest.raises(TypeError, match="lower-level constraint"):
            refopt.run(refopt.lv_hba(), problems.quad_bilevel(), 2)

    def test_bo_rep_stability_claim_rejects_the_unnormalized_method(self):
        from refopt.proofs import hao_gong_liu_2024 as borep
        m = borep.normalized_vs_raw(normalize=False)(np.random.default_rng(0), "numpy")
        assert not m.value <= 1.0


class TestNonconvexLowerLevel:
    @pytest.mark.parametrize("a, c", [(2.0, 2.0), (3.5, -1.0), (-4.0, 0.5)])
    def test_sine_solution_by_enumeration(self, a, c):
        problem = problems.sine_bilevel(a=a, c=c)
        grid = np.linspace(-10, 10, 2001)
        values = [problem.f(np.array([t])) for t in grid]
        assert problem.x_star[0] == pytest.approx(grid[np.argmin(values)], abs=1e-2)
        assert problem.f_star == pytest.approx(min(values), abs=1e-3)
        if a == c == 2.0:
            assert problem.f_star == pytest.approx(2 * (0.75 * np.pi - 2) ** 2)

    def test_meha_theta_tracks_the_proximal_point(self):
        """At fixed (x, y) the theta-steps converge to argmin g(x, .) + ||. - y||^2 / (2 gamma)."""
        problem = problems.sine_bilevel()
        alg = refopt.meha(lr=1e-300, lower_lr=1e-300)   # freeze x and y
        state = alg.init(problem.x0, problem)
        for _ in range(500):
            state = alg.step(state, problem, None)
        stationarity = problem.lower_grad_y(state.x, state.theta) + (state.theta - state.y) / alg.gamma
        np.testing.assert_allclose(stationarity, 0.0, atol=1e-10)

    def test_meha_claim_fails_without_the_envelope(self):
        """gamma huge: the envelope no longer constrains y, and the run does not reach the solution."""
        from refopt.proofs import liu_liu_yao_zeng_zhang_2024 as meha
        m = meha.reaches_optimistic(alg=refopt.meha(gamma=1e6))(np.random.default_rng(0), "numpy")
        assert m.value > 0.1 or m.invalid
