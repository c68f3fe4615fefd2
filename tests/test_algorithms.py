"""The classical first-order family: update rules, variants and the basic guarantees."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refopt
from helpers import contraction_violations, rounding_floor
from refopt import problems
from refopt.algorithms import schedules

seeds = st.integers(0, 2**31 - 1)


@st.composite
def quadratics(draw, max_kappa=1e4):
    dim = draw(st.integers(2, 20))
    kappa = draw(st.floats(1.0, max_kappa))
    L = draw(st.floats(0.1, 10.0))
    spectrum = draw(st.sampled_from(["uniform", "geometric", "clusters"]))
    return problems.quadratic(dim=dim, mu=L / kappa, L=L, spectrum=spectrum, rotate=draw(st.booleans()),
                              seed=draw(seeds))


class TestGradientDescent:
    @given(quadratics())
    def test_step_one_over_L_contracts_the_squared_distance(self, problem):
        trace = refopt.run(refopt.gradient_descent(), problem, steps=60)
        floor = rounding_floor(problem, trace.dist[0])
        assert contraction_violations(trace.dist, 1 - problem.mu / problem.L, floor=floor).size == 0

    @given(st.floats(10.0, 1e3), seeds)
    def test_a_wrong_contraction_factor_is_rejected(self, kappa, seed):
        # along the eigenvector of mu each step contracts the squared distance by exactly (1 - 1/kappa)^2
        problem = problems.quadratic(dim=6, mu=1.0 / kappa, L=1.0, seed=seed)
        x0 = problem.x_star + problem.Q[:, 0]
        trace = refopt.run(refopt.gradient_descent(), problem, steps=20, x0=x0)
        assert contraction_violations(trace.dist, (1 - 1 / kappa) ** 2, rtol=1e-9).size == 0
        assert contraction_violations(trace.dist, 1 - 2 / kappa).size == 20

    @pytest.mark.parametrize("N", [1, 5, 20, 100])
    def test_huber_instance_attains_the_tight_bound(self, N):
        problem = problems.huber_worst_case(horizon=N, L=2.0, R=1.5)
        trace = refopt.run(refopt.gradient_descent(), problem, steps=N)
        bound = 2.0 * 1.5**2 / (4 * N + 2)
        assert trace.f_gap[-1] == pytest.approx(bound, rel=1e-13)
        assert trace.f_gap[-1] > 2.0 * 1.5**2 / (4 * N + 4)  # the wrong, smaller bound fails

    @pytest.mark.parametrize("kappa", [4.0, 50.0])
    def test_exact_line_search_attains_its_worst_case_factor(self, kappa):
        # 1/2 (mu x1^2 + L x2^2) from x* + (1/mu, 1/L): every step contracts f - f* by ((kappa-1)/(kappa+1))^2
        mu, L = 1.0, kappa
        problem = problems.quadratic(spectrum=[mu, L], rotate=False)
        x0 = problem.x_star + np.array([1 / mu, 1 / L])
        trace = refopt.run(refopt.gradient_descent(line_search="exact"), problem, steps=10, x0=x0)
        ratios = trace.f_gap[1:] / trace.f_gap[:-1]
        np.testing.assert_allclose(ratios, ((kappa - 1) / (kappa + 1)) ** 2, rtol=1e-9)

    def test_exact_line_search_needs_a_quadratic(self):
        with pytest.raises(ValueError, match="only on quadratics"):
            refopt.run(refopt.gradient_descent(line_search="exact"), problems.logistic(), steps=1)

    @pytest.mark.parametrize("restart", ["cold", "warm"])
    def test_armijo_backtracking(self, restart):
        problem = problems.rosenbrock(dim=2)
        alg = refopt.gradient_descent(line_search="armijo", restart=restart)
        state, steps = alg.init(problem.x0, problem), []
        for _ in range(200):
            x, g = state.x, problem.grad(state.x)
            state = alg.step(state, problem, None)
            assert problem.f(state.x) <= problem.f(x) - alg.c * state.h * (g @ g)
            steps.append(state.h)
        if restart == "warm":
            assert np.all(np.diff(steps) <= 0)
        else:
            assert max(steps) > min(steps)
        trace = refopt.run(alg, problem, steps=50)
        assert trace.oracle_calls["f"][-1] > 50  # trial evaluations are oracle calls

    def test_schedule(self):
        problem = problems.quadratic(dim=3, mu=1.0, L=1.0, rotate=False)
        alg = refopt.gradient_descent(lr=schedules.power(0.5, 1.0))
        trace = refopt.run(alg, problem, steps=3, keep_iterates=True)
        d = trace.iterates - problem.x_star
        np.testing.assert_allclose(d[3], d[0] * (1 - 0.5) * (1 - 0.25) * (1 - 0.5 / 3))


class TestMomentum:
    @given(st.sampled_from([1e2, 1e3, 1e4]), st.integers(5, 30), seeds)
    def test_nesterov_beats_gradient_descent_when_ill_conditioned(self, kappa, dim, seed):
        problem = problems.quadratic(dim=dim, mu=1 / kappa, L=1.0, seed=seed)
        gd = refopt.run(refopt.gradient_descent(), problem, steps=300)
        agd = refopt.run(refopt.nesterov(), problem, steps=300)
        assert agd.f_gap[-1] < gd.f_gap[-1]
        k = np.arange(1, 301)
        assert np.all(agd.f_gap[1:] <= 2 * problem.L * agd.dist[0] ** 2 / (k + 1) ** 2)

    @pytest.mark.parametrize("kappa", [100.0, 1000.0])
    def test_heavy_ball_contracts_at_the_optimal_rate(self, kappa):
        problem = problems.quadratic(dim=20, mu=1 / kappa, L=1.0, seed=1)
        trace = refopt.run(refopt.heavy_ball(), problem, steps=3000, tol=1e-24, tol_metric="f_gap")
        rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
        k1, k2 = 50, trace.steps
        measured = (trace.dist[k2] / trace.dist[k1]) ** (1 / (k2 - k1))
        # every eigen-component has modulus exactly sqrt(beta); the double roots at mu and L add a factor k
        assert measured == pytest.approx(rate, rel=0.02)
        assert measured < 1 - 1 / kappa

    def test_strongly_convex_momentum(self):
        problem = problems.quadratic(dim=10, mu=0.01, L=1.0)
        state = refopt.nesterov(momentum="strongly_convex").init(problem.x0, problem)
        assert state.beta == pytest.approx(0.9 / 1.1)
        trace = refopt.run(refopt.nesterov(momentum="strongly_convex"), problem, steps=400)
        assert trace.f_gap[-1] < 1e-12

    def test_k_over_k_plus_3_momentum(self):
        alg = refopt.nesterov(lr=1.0, momentum="k/(k+3)")
        state = alg.init(np.zeros(1), None)
        betas = []
        for _ in range(3):
            betas.append(alg.momentum_coefficient(state)[0])
            _, state = alg.update(state.y, np.ones(1), state)
        assert betas == [0.0, 0.25, 0.4]

    def test_fista_without_a_prox_is_nesterov(self):
        problem = problems.logistic(n=50, d=5)
        a = refopt.run(refopt.fista(), problem, steps=50, keep_iterates=True)
        b = refopt.run(refopt.nesterov(), problem, steps=50, keep_iterates=True)
        np.testing.assert_array_equal(a.iterates, b.iterates)


class TestProximal:
    def test_one_ista_step_solves_an_orthogonal_lasso(self):
        problem = problems.lasso(n=30, d=10, lam=0.1, seed=4)
        trace = refopt.run(refopt.ista(lr=1.0), problem, steps=1)
        np.testing.assert_allclose(trace.x, problem.x_star, atol=1e-14)

    def test_ista_and_fista_rates_on_a_gaussian_lasso(self):
        problem = problems.lasso(n=60, d=20, lam=0.05, design="gaussian", seed=2)
        R2, L, k = problem.distance(problem.x0) ** 2, problem.L, np.arange(1, 201)
        ista = refopt.run(refopt.ista(), problem, steps=200)
        fista = refopt.run(refopt.fista(), problem, steps=200)
        assert np.all(ista.f_gap[1:] <= L * R2 / (2 * k))
        assert np.all(fista.f_gap[1:] <= 2 * L * R2 / (k + 1) ** 2)

    def test_subgradient_oscillates_where_the_prox_is_exact(self):
        """1/2 (x - a)^2 + lam |x| with |a| < lam: x* = 0; the subgradient method hovers at about eta lam / 2."""
        eta, means = 0.01, []
        for lam in (1.0, 2.0, 4.0, 8.0):
            problem = problems.lasso(data=([[1.0]], [0.3 * lam]), lam=lam, x0=[1.0])
            trace = refopt.run(refopt.subgradient(lr=eta), problem, steps=3000, keep_iterates=True)
            means.append(np.mean(np.abs(trace.iterates[1000:])))
            assert 0.5 * eta * lam / 2 < means[-1] < 2 * eta * lam / 2
            assert refopt.run(refopt.ista(lr=eta), problem, steps=3000).x[0] == 0.0
        assert np.all(np.diff(means) > 0)

    @pytest.mark.parametrize("point", ["average", "best"])
    def test_subgradient_outputs(self, point):
        problem = problems.lasso(n=40, d=10, lam=0.1, design="gaussian", seed=3)
        alg = refopt.subgradient(lr=schedules.power(0.1, 0.5), output_point=point)
        state = alg.init(problem.x0, problem)
        points, steps = [problem.x0], []
        for _ in range(30):
            steps.append(schedules.power(0.1, 0.5)(state.k))
            state = alg.step(state, problem, None)
            points.append(state.x)
        if point == "best":
            best = min(points, key=problem.f)
            np.testing.assert_array_equal(alg.output(state), best)
        else:
            h = np.array(steps)
            np.testing.assert_allclose(alg.output(state), (h[:, None] * np.array(points[:-1])).sum(0) / h.sum())


class TestSGD:
    def test_full_cyclic_batch_is_gradient_descent_bit_for_bit(self):
        problem = problems.least_squares(n=20, d=5, label_noise=0.5,
                                         noise=problems.finite_sum(20, "cyclic"))
        sgd = refopt.run(refopt.sgd(lr=0.1), problem, steps=30, keep_iterates=True)
        gd = refopt.run(refopt.gradient_descent(lr=0.1), problem, steps=30, keep_iterates=True)
        np.testing.assert_array_equal(sgd.iterates, gd.iterates)

    def test_exact_oracle_sgd_is_gradient_descent(self):
        problem = problems.quadratic(dim=5)
        a = refopt.run(refopt.sgd(lr=0.5), problem, steps=20, keep_iterates=True)
        b = refopt.run(refopt.gradient_descent(lr=0.5), problem, steps=20, keep_iterates=True)
        np.testing.assert_array_equal(a.iterates, b.iterates)

    @pytest.mark.parametrize("hyper, expected", [
        # worked by hand from the update rule, gradients 1 then 2, lr 1, momentum 0.9
        (dict(momentum=0.9, dampening=0.5, buffer_init="gradient"), [-1.0, -2.9]),   # b1 = g1; b2 = .9 + .5*2
        (dict(momentum=0.9, dampening=0.5, buffer_init="zero"), [-0.5, -1.95]),      # b1 = .5 g1; b2 = .45 + 1
        (dict(momentum=0.9, nesterov=True), [-1.9, -6.51]),                          # d1 = 1 + .9; d2 = 2 + .9*2.9
        (dict(momentum=0.0, weight_decay=0.1), [-1.0, -2.9]),                         # g2 = 2 + .1*(-1)
    ])
    def test_update_variants(self, hyper, expected):
        alg = refopt.sgd(lr=1.0, **hyper)
        state = alg.init(np.zeros(1), None)
        x = np.zeros(1)
        got = []
        for g in (1.0, 2.0):
            x, state = alg.update(x, np.array([g]), state)
            got.append(x[0])
        np.testing.assert_allclose(got, expected, rtol=1e-15)

    def test_interpolation_gives_linear_convergence(self):
        problem = problems.least_squares(n=50, d=10)
        trace = refopt.run(refopt.sgd(), problem, steps=4000, seed=3)
        assert trace.f_gap[-1] < 1e-20

    def test_default_steps_follow_the_oracle(self):
        lsq = problems.least_squares(n=50, d=10)
        assert refopt.sgd().resolve(lsq)["lr"] == 1 / (2 * lsq.L_max)
        quad = problems.quadratic(L=2.0, noise=problems.affine_variance(0.1, 1.0))
        assert refopt.sgd().resolve(quad)["lr"] == 1 / (2.0 * 2.0)
        assert refopt.sgd().resolve(quad.with_noise(None))["lr"] == 0.5


class TestPolyak:
    def test_sps_with_c_one_and_an_exact_oracle_is_the_polyak_step(self):
        problem = problems.logistic(n=40, d=4, noise=None)
        a = refopt.run(refopt.sps(c=1.0), problem, steps=30, keep_iterates=True)
        b = refopt.run(refopt.polyak_step(), problem, steps=30, keep_iterates=True)
        np.testing.assert_allclose(a.iterates, b.iterates, rtol=1e-13, atol=1e-15)

    def test_sps_converges_without_a_floor_under_interpolation(self):
        problem = problems.least_squares(n=40, d=8, noise=problems.finite_sum(2))
        trace = refopt.run(refopt.sps(), problem, steps=3000, seed=1)
        assert trace.f_gap[-1] < 1e-20

    def test_sps_is_invariant_to_scaling_the_objective(self):
        base = problems.least_squares(n=30, d=5, label_noise=0.3)
        scaled = problems.least_squares(data=(np.sqrt(1e3) * base.A, np.sqrt(1e3) * base.b))
        a = refopt.run(refopt.sps(), base, steps=100, seed=2, keep_iterates=True)
        b = refopt.run(refopt.sps(), scaled, steps=100, seed=2, keep_iterates=True)
        np.testing.assert_allclose(a.iterates, b.iterates, rtol=1e-9, atol=1e-12)

    def test_sps_needs_the_sample_minimum(self):
        with pytest.raises(ValueError, match="lower_bound"):
            refopt.run(refopt.sps(), problems.logistic(), steps=2)
        assert refopt.run(refopt.sps(lower_bound=0.0), problems.logistic(), steps=2).status == "max_steps"

    def test_polyak_step_on_a_nonsmooth_problem(self):
        problem = problems.lasso(n=30, d=10, lam=0.1, design="gaussian", seed=1)
        trace = refopt.run(refopt.polyak_step(), problem, steps=500)
        k = np.arange(501)
        G = max(np.linalg.norm(problem.subgrad(x)) for x in (problem.x0, problem.x_star))
        best = np.minimum.accumulate(trace.f_gap)
        assert best[-1] < 1e-3 * best[0]
        assert np.all(best <= 3 * G * trace.dist[0] / np.sqrt(k + 1))


class TestAdaGradNorm:
    def test_first_step(self):
        alg = refopt.adagrad_norm(lr=0.5, b0=2.0)
        x, state = alg.update(np.zeros(2), np.array([3.0, 4.0]), alg.init(np.zeros(2), None))
        np.testing.assert_allclose(x, -0.5 * np.array([3.0, 4.0]) / np.sqrt(4.0 + 25.0))
        alg = refopt.adagrad_norm(lr=1.0, b0=1.0, accumulator="coordinate")
        x, state = alg.update(np.zeros(2), np.array([3.0, 4.0]), alg.init(np.zeros(2), None))
        np.testing.assert_allclose(x, -np.array([3.0 / np.sqrt(10.0), 4.0 / np.sqrt(17.0)]))

    def test_the_same_hyperparameters_work_across_scales_of_L(self):
        gaps = []
        for L in (1e-3, 1.0, 1e3):
            problem = problems.quadratic(dim=10, mu=L / 100, L=L, seed=1)
            trace = refopt.run(refopt.adagrad_norm(), problem, steps=2000)
            gaps.append(trace.f_gap[-1] / trace.f_gap[0])
        assert max(gaps) < 1e-6
