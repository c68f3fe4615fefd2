"""Structured estimation: sensing, completion and planted problems, and the methods written for them."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import refopt
from helpers import assert_gradient_matches_autograd, autograd_gradient
from refopt import problems, rates
from refopt.algorithms.sphere import normalize, tangent
from refopt.problems.planted import hermite

seeds = st.integers(0, 2**31 - 1)


def point(shape, seed, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape)


class TestMatrixSensing:
    @given(st.sampled_from(["gaussian", "rank_one", "identity"]), st.integers(1, 3), st.integers(0, 2), seeds)
    def test_gradient_matches_autograd(self, design, r_true, extra, seed):
        problem = problems.matrix_sensing(n=6, r_true=r_true, r_fit=r_true + extra, m=30, design=design,
                                          noise=0.1, seed=seed)
        assert_gradient_matches_autograd(problem, point(problem.shape, seed))

    @given(st.sampled_from(["gaussian", "rank_one"]), seeds)
    def test_adjoint(self, design, seed):
        """<A(M), v> = <M, A*(v)> for symmetric M: the gradient's correctness rests on it."""
        problem = problems.matrix_sensing(n=5, m=17, design=design, seed=seed)
        B = point((5, 5), seed)
        M, v = B + B.T, point(17, seed + 1)
        assert problem.operator.apply(M) @ v == pytest.approx(np.sum(M * problem.operator.adjoint(v)), rel=1e-10)

    def test_the_rank_one_design_stores_no_dense_operator(self):
        problem = problems.matrix_sensing(n=200, r_true=2, m=4000, design="rank_one")
        assert not hasattr(problem.operator, "A") or problem.operator.A is None
        assert problem.operator.a.shape == (4000, 200)

    def test_planted_solution_and_constants(self):
        problem = problems.matrix_sensing(n=8, r_true=2, r_fit=4, kappa=50.0, seed=3)
        X = problem.x_star
        assert problem.f(X) == pytest.approx(0.0, abs=1e-20) and problem.distance(X) < 1e-12
        assert problem.constants["kappa_star"].value == pytest.approx(50.0)
        assert np.allclose(X @ X.T, problem.M_star) and np.all(X[:, 2:] == 0)

    def test_incoherence_is_exact_at_both_ends(self):
        assert problems.matrix_sensing(n=16, r_true=2, U="hadamard").incoherence == pytest.approx(1.0)
        assert problems.matrix_sensing(n=16, r_true=2, U="spiky").incoherence == pytest.approx(8.0)

    def test_identity_design_is_an_exact_isometry(self):
        problem = problems.matrix_sensing(n=6, design="identity")
        assert problem.constants["rip_delta"].kind == "exact" and problem.rip_delta == 0.0
        low, high = problem.rip_certificate(k=20)
        assert low == pytest.approx(1.0) and high == pytest.approx(1.0)
        gaussian = problems.matrix_sensing(n=6, m=40, seed=1).rip_certificate(k=50)
        assert gaussian[0] < 1 < gaussian[1]  # a few measurements: far from an isometry, and it shows

    def test_robust_subgradient_matches_autograd_away_from_kinks(self):
        problem = problems.robust_matrix_recovery(n=6, r_true=2, r_fit=3, m=50, p_out=0.3, seed=2)
        x = point(problem.shape, 4)
        np.testing.assert_allclose(problem.subgrad(x), autograd_gradient(problem, x), rtol=1e-10, atol=1e-12)
        with pytest.raises(TypeError, match="subgrad"):
            problem.grad(x)

    def test_robust_start_has_the_requested_scale(self):
        for alpha in (1.0, 1e-3):
            problem = problems.robust_matrix_recovery(n=10, r_fit=10, init_scale=alpha, seed=1)
            assert np.linalg.norm(problem.x0, 2) == pytest.approx(alpha)

    @pytest.mark.parametrize("call, match", [
        (lambda: problems.matrix_sensing(n=4, r_true=5), "r_true"),
        (lambda: problems.matrix_sensing(design="sparse"), "design"),
        (lambda: problems.matrix_sensing(kappa=0.5), "kappa"),
        (lambda: problems.robust_matrix_recovery(p_out=1.0), "p_out"),
        (lambda: problems.matrix_sensing(U="hadamard", n=12), "power of two"),
    ])
    def test_bad_input(self, call, match):
        with pytest.raises(ValueError, match=match):
            call()


class TestAsymmetricSensing:
    @given(seeds, st.integers(1, 2), st.integers(0, 2))
    def test_gradient_matches_autograd(self, seed, r_true, extra):
        problem = problems.asymmetric_matrix_sensing(n1=6, n2=4, r_true=r_true, r_fit=r_true + extra, m=30,
                                                     noise=0.1, seed=seed)
        assert_gradient_matches_autograd(problem, point(problem.shape, seed))

    def test_planted_factors(self):
        problem = problems.asymmetric_matrix_sensing(n1=7, n2=5, r_true=2, r_fit=3, kappa=20.0, seed=2)
        assert problem.f(problem.x_star) == pytest.approx(0.0, abs=1e-25) and problem.distance(problem.x_star) < 1e-12

    def test_scaled_gd_preconditions_each_factor_by_the_other(self):
        problem = problems.asymmetric_matrix_sensing(n1=6, n2=4, r_true=2, m=40, seed=3, init_scale=0.5)
        alg = refopt.scaled_gd(lr=0.3, damping=0.01)
        x1 = refopt.run(alg, problem, 1).x
        L, R = problem.split(problem.x0)
        G_L, G_R = problem.split(problem.grad(problem.x0))
        expected_L = L - 0.3 * G_L @ np.linalg.inv(R.T @ R + 0.01 * np.eye(2))
        expected_R = R - 0.3 * G_R @ np.linalg.inv(L.T @ L + 0.01 * np.eye(2))
        np.testing.assert_allclose(x1, np.vstack([expected_L, expected_R]), atol=1e-12)

    def test_scaled_gd_is_free_of_kappa(self):
        counts = []
        for kappa in (1.0, 100.0):
            problem = problems.asymmetric_matrix_sensing(n1=10, n2=8, r_true=2, kappa=kappa, init_scale=1e-8, seed=2)
            trace = refopt.run(refopt.scaled_gd(), problem, 1500, record=["dist"])
            counts.append(rates.iterations_to(trace.dist / np.linalg.norm(problem.M_star), 1e-6))
        assert None not in counts and max(counts) < 2 * min(counts)


class TestMatrixCompletion:
    @given(seeds, st.integers(1, 3))
    def test_gradient_matches_autograd(self, seed, r):
        problem = problems.matrix_completion(n1=9, n2=7, r=r, p=0.5, seed=seed)
        assert_gradient_matches_autograd(problem, point(problem.shape, seed))

    def test_constants(self):
        problem = problems.matrix_completion(n1=40, r=2, p=0.3, seed=1)
        assert problem.observed_fraction == pytest.approx(problem.mask.mean())
        assert problem.connected and problem.f(problem.x_star) == pytest.approx(0.0, abs=1e-25)
        spiky = problems.matrix_completion(n1=40, r=2, p=0.3, factors="spiky", seed=1)
        assert spiky.incoherence == pytest.approx(20.0) and problem.incoherence < spiky.incoherence / 2

    def test_a_disconnected_mask_is_reported(self):
        assert not problems.matrix_completion(n1=30, r=1, p=0.02, seed=0).connected


class TestPlanted:
    @given(st.integers(2, 4), seeds)
    def test_tensor_gradient_matches_autograd(self, k, seed):
        problem = problems.tensor_pca(d=5, k=k, n=3.0, seed=seed)
        assert_gradient_matches_autograd(problem, point(5, seed))

    def test_hermite_polynomials_are_orthonormal(self):
        z, w = np.polynomial.hermite_e.hermegauss(30)
        w = w / w.sum()
        gram = np.array([[np.sum(w * hermite(i, z) * hermite(j, z)) for j in range(6)] for i in range(6)])
        np.testing.assert_allclose(gram, np.eye(6), atol=1e-12)

    @given(st.integers(1, 4), seeds)
    def test_single_index_population_is_the_mean_of_the_samples(self, k, seed):
        """E[-y h_k(<theta, x>)] = -<theta, theta*>^k: Gauss-Hermite quadrature in the plane of (theta, theta*)."""
        problem = problems.single_index(d=4, k=k, seed=seed)
        theta = normalize(point(4, seed))
        m = theta @ problem.theta_star
        z, w = np.polynomial.hermite_e.hermegauss(40)
        w = w / w.sum()
        # <theta, x> = m z* + sqrt(1 - m^2) z' with z*, z' independent standard normals
        mean = sum(wa * wb * hermite(k, za) * hermite(k, m * za + math.sqrt(1 - m * m) * zb)
                   for za, wa in zip(z, w) for zb, wb in zip(z, w))
        assert problem.f(theta) == pytest.approx(-mean, abs=1e-10)

    def test_sample_gradient_matches_autograd(self):
        import autograd
        import autograd.numpy as anp
        problem = problems.single_index(d=6, k=3, seed=1)
        x, y, theta = point(6, 2), 0.7, point(6, 3)
        expected = autograd.grad(lambda t: -y * (anp.dot(t, x) ** 3 - 3 * anp.dot(t, x)) / math.sqrt(6))(theta)
        np.testing.assert_allclose(problem.sample_grad(theta, x, y), expected, rtol=1e-12)

    def test_instances_are_independent_of_a_run_with_the_same_seed(self):
        problem = problems.single_index(d=16, k=3, seed=7)
        sample, _ = problem.draw(np.random.default_rng(7))
        assert abs(normalize(sample[:-1]) @ problem.theta_star) < 0.9


class TestScaledGD:
    def test_huge_damping_is_gradient_descent(self):
        problem = problems.matrix_sensing(n=8, r_true=2, r_fit=3, seed=1, init_scale=0.1)
        lam = 1e8
        scaled = refopt.run(refopt.scaled_gd(lr=0.2 * lam, damping=lam), problem, 30)
        plain = refopt.run(refopt.gradient_descent(lr=0.2), problem, 30)
        np.testing.assert_allclose(scaled.x, plain.x, rtol=1e-6, atol=1e-12)

    @given(seeds)
    def test_rotation_equivariance(self, seed):
        """X R evolves as X does, rotated: the preconditioner (X^T X + lambda I)^{-1} turns with it."""
        problem = problems.matrix_sensing(n=6, r_true=2, r_fit=3, m=40, seed=seed, init_scale=0.3)
        R = np.linalg.qr(point((3, 3), seed))[0]
        alg = refopt.scaled_gd(damping=0.1)
        a = refopt.run(alg, problem, 20).x
        b = refopt.run(alg, problem, 20, x0=problem.x0 @ R).x
        np.testing.assert_allclose(b, a @ R, atol=1e-10)

    def test_default_damping_needs_the_spectrum(self):
        with pytest.raises(ValueError, match="damping"):
            refopt.run(refopt.scaled_gd(), problems.matrix_least_squares(), 1)


class TestAltMin:
    def test_a_half_step_is_row_wise_least_squares(self):
        problem = problems.matrix_completion(n1=20, n2=15, r=2, p=0.5, seed=3)
        alg = refopt.altmin(init_from="x0")
        state = alg.step(alg.init(problem.x0, problem), problem, np.random.default_rng(0))
        U, _ = problem.split(state.x)
        _, V0 = problem.split(problem.x0)
        for i in range(problem.n1):
            seen = problem.mask[i] > 0
            expected = np.linalg.lstsq(V0[seen], problem.M_star[i, seen], rcond=None)[0]
            np.testing.assert_allclose(U[i], expected, atol=1e-10)

    def test_full_observation_completes_in_one_iteration(self):
        problem = problems.matrix_completion(n1=12, r=2, p=1.0, seed=1)
        assert refopt.run(refopt.altmin(), problem, 1).dist[-1] < 1e-12

    def test_exact_inner_solves_are_altmin(self):
        problem = problems.matrix_completion(n1=40, r=3, C=3.0, seed=2)
        exact = refopt.run(refopt.altmin(), problem, 8, keep_iterates=True)
        inexact = refopt.run(refopt.robust_altmin(inner_steps=20), problem, 8, keep_iterates=True)
        np.testing.assert_allclose(inexact.iterates, exact.iterates, atol=1e-10)

    def test_few_inner_steps_and_perturbations_are_inexact_and_recorded(self):
        problem = problems.matrix_completion(n1=40, r=3, C=3.0, seed=2)
        alg = refopt.robust_altmin(inner_steps=1)
        state = alg.step(alg.init(problem.x0, problem), problem, np.random.default_rng(0))
        assert state.solve_error > 1e-3

    def test_resampling_is_drawn_from_the_run_seed(self):
        problem = problems.matrix_completion(n1=30, r=2, C=6.0, seed=1)
        alg = refopt.altmin(resample=True, parts=3)
        a, b = (refopt.run(alg, problem, 3, seed=s).x for s in (1, 2))
        assert np.array_equal(a, refopt.run(alg, problem, 3, seed=1).x) and not np.array_equal(a, b)

    def test_needs_a_completion_problem(self):
        with pytest.raises(TypeError, match="completion"):
            refopt.run(refopt.altmin(), problems.quadratic(), 1)


class TestSphere:
    def test_power_iteration_is_exact_in_one_step_without_noise(self):
        problem = problems.tensor_pca(d=7, k=3, n=1e32, seed=2)
        x0 = point(7, 1)
        trace = refopt.run(refopt.tensor_power_iteration(), problem, 1, x0=x0 * np.sign(x0 @ problem.theta_star))
        assert abs(trace.x @ problem.theta_star) == pytest.approx(1.0, abs=1e-12)

    @pytest.mark.parametrize("k", [3, 4])
    def test_unfolding_start_is_the_spike_without_noise(self, k):
        problem = problems.tensor_pca(d=5, k=k, n=1e32, seed=1)
        state = refopt.tensor_power_iteration(init_from="unfolding").init(problem.x0, problem)
        assert abs(state.x @ problem.theta_star) == pytest.approx(1.0, abs=1e-12)

    def test_langevin_without_noise_or_averaging_is_projected_gradient_descent(self):
        problem = problems.tensor_pca(d=6, k=3, n=20.0, seed=3)
        trace = refopt.run(refopt.spherical_langevin(lr=0.05), problem, 40, seed=1)
        theta = normalize(problem.x0)
        for _ in range(40):
            theta = normalize(theta - 0.05 * tangent(theta, problem.grad(theta)))
        np.testing.assert_allclose(trace.x, theta, atol=1e-13)

    def test_langevin_averages_its_window(self):
        problem = problems.tensor_pca(d=6, k=3, n=20.0, seed=3)
        alg = refopt.spherical_langevin(lr=0.05, beta=50.0, average_from=10)
        trace = refopt.run(alg, problem, 30, seed=1, keep_iterates=True)
        last = refopt.run(refopt.spherical_langevin(lr=0.05, beta=50.0), problem, 30, seed=1, keep_iterates=True)
        np.testing.assert_allclose(trace.x, normalize(np.sum(last.iterates[10:], axis=0)), atol=1e-12)

    def test_smoothed_gradient_tends_to_the_tangent_gradient(self):
        problem = problems.single_index(d=8, k=3, seed=1)
        theta = normalize(point(8, 2))
        sample, _ = problem.draw(np.random.default_rng(3))
        smoothed = refopt.spherical_sgd(smoothing=1e-9, directions=3).gradient(theta, problem, sample,
                                                                                np.random.default_rng(4))
        exact = tangent(theta, problem.stochastic_grad(theta, sample))
        np.testing.assert_allclose(smoothed, exact, atol=1e-7 * np.linalg.norm(exact))

    def test_population_drift_of_the_overlap(self):
        """On the exact loss -m^k, one small step moves m by eta k m^(k-1) (1 - m^2) to first order."""
        problem = problems.single_index(d=10, k=3, seed=2, x0=None)
        problem.noise = None
        theta = normalize(point(10, 5))
        theta *= np.sign(theta @ problem.theta_star)
        m, eta = theta @ problem.theta_star, 1e-6
        moved = refopt.run(refopt.spherical_sgd(lr=eta), problem, 1, x0=theta).x @ problem.theta_star
        assert (moved - m) / (eta * 3 * m**2 * (1 - m * m)) == pytest.approx(1.0, rel=1e-4)
