"""Problems: derivatives against autograd, constants against their definitions, exact solutions."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from helpers import (assert_gradient_matches_autograd, assert_hessian_matches_autograd,
                     autograd_gradient)
from refopt import problems

seeds = st.integers(0, 2**31 - 1)
small = st.integers(1, 12)


def random_point(problem, seed, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(problem.shape)


def smooth_problems():
    """Strategy: a problem of each smooth family with drawn sizes and seeds."""
    return st.one_of(
        st.builds(lambda d, s, sp, rot: problems.quadratic(dim=d + 1, mu=0.1, L=3.0, spectrum=sp,
                                                           rotate=rot, seed=s),
                  small, seeds, st.sampled_from(["uniform", "geometric", "clusters"]), st.booleans()),
        st.builds(lambda n, d, s, noise: problems.least_squares(n=n, d=d, label_noise=noise, seed=s),
                  small, small, seeds, st.sampled_from([0.0, 0.5])),
        st.builds(lambda n, d, s: problems.logistic(n=n + 5, d=d, lam=0.05, seed=s), small, small, seeds),
        st.builds(lambda m, extra, mu: problems.nesterov_chain(m=m, dim=m + extra, mu=mu),
                  small, st.integers(0, 3), st.sampled_from([0.0, 0.01])),
        st.builds(lambda d, a: problems.rosenbrock(dim=d + 1, a=a), small, st.sampled_from([1.0, 0.5])),
        st.builds(lambda n, s: problems.lasso(n=n + 12, d=12, seed=s, design="gaussian"), small, seeds),
        st.builds(lambda d: problems.pl_toy(dim=d), small),
    )


class TestDerivatives:
    @given(smooth_problems(), seeds)
    def test_gradient_and_hessian_match_autograd(self, problem, seed):
        x = random_point(problem, seed)
        assert_gradient_matches_autograd(problem, x)
        assert_hessian_matches_autograd(problem, x)

    @given(st.integers(1, 50), seeds, st.floats(0.1, 10.0))
    def test_huber_gradient_matches_autograd(self, horizon, seed, R):
        problem = problems.huber_worst_case(horizon=horizon, R=R, L=2.0)
        x = random_point(problem, seed, scale=R)
        assert_gradient_matches_autograd(problem, x)
        assert_hessian_matches_autograd(problem, x)

    @given(st.sampled_from(["least_squares", "logistic"]), small, seeds, seeds)
    def test_component_gradients_match_autograd(self, name, batch, seed, point_seed):
        problem = getattr(problems, name)(n=15, d=4, seed=seed)
        idx = np.random.default_rng(point_seed).integers(0, problem.n, size=batch)
        x = random_point(problem, point_seed)
        import autograd
        import autograd.numpy as anp
        expected = autograd.grad(lambda z: problem._component_f(z, idx, anp))(x)
        np.testing.assert_allclose(problem.component_grad(x, idx), expected, rtol=1e-10, atol=1e-12)

    @given(st.sampled_from(["least_squares", "logistic"]), seeds)
    def test_components_average_to_the_objective(self, name, seed):
        problem = getattr(problems, name)(n=13, d=5, seed=seed)
        x = random_point(problem, seed)
        every = np.arange(problem.n)
        assert problem.component_f(x, every) == pytest.approx(problem.f(x), rel=1e-13)
        np.testing.assert_allclose(problem.component_grad(x, every), problem.grad(x), rtol=1e-12, atol=1e-14)

    def test_the_gradient_check_rejects_a_wrong_gradient(self):
        problem = problems.logistic(n=20, d=3)
        x = random_point(problem, 0)
        wrong = problems.logistic(n=20, d=3)
        wrong.grad = lambda z: problem.grad(z) * (1 + 1e-7)
        assert_gradient_matches_autograd(problem, x)
        with pytest.raises(AssertionError):
            assert_gradient_matches_autograd(wrong, x)


class TestQuadratic:
    @given(st.integers(2, 30), st.floats(1e-4, 1.0), st.floats(1.0, 100.0),
           st.sampled_from(["uniform", "geometric", "clusters"]), seeds)
    def test_constants_are_the_extreme_eigenvalues(self, dim, mu, L, spectrum, seed):
        problem = problems.quadratic(dim=dim, mu=mu, L=L, spectrum=spectrum, seed=seed)
        eig = np.linalg.eigvalsh(problem.hess(problem.x0))
        assert eig[0] == pytest.approx(mu, rel=1e-9, abs=1e-12 * L)
        assert eig[-1] == pytest.approx(L, rel=1e-9)
        assert problem.constants["L"].kind == "exact"
        assert np.linalg.norm(problem.grad(problem.x_star)) == 0.0
        assert problem.f(problem.x_star) == problem.f_star == 0.0

    def test_user_spectrum(self):
        problem = problems.quadratic(spectrum=[1.0, 4.0, 9.0], rotate=False)
        assert (problem.mu, problem.L, problem.dim) == (1.0, 9.0, 3)
        np.testing.assert_array_equal(problem.hess(problem.x0), np.diag([1.0, 4.0, 9.0]))

    def test_merely_convex_distance_is_to_the_solution_set(self):
        problem = problems.quadratic(dim=4, mu=0.0, L=1.0, rotate=True, seed=3)
        null = problem.Q[:, 0]  # the eigenvector of the zero eigenvalue
        assert problem.eigenvalues[0] == 0.0
        moved = problem.x_star + 5.0 * null
        assert problem.f(moved) == pytest.approx(0.0, abs=1e-14)
        assert problem.distance(moved) == pytest.approx(0.0, abs=1e-13)
        assert problem.distance(problem.x_star + 1.0) > 0.1

    def test_indefinite_has_a_saddle_and_no_minimizer(self):
        problem = problems.quadratic(dim=5, mu=-0.5, L=1.0)
        assert problem.x_star is None and problem.f_star is None
        assert problem.L == 1.0 and problem.mu == -0.5
        assert np.linalg.norm(problem.grad(problem.x_critical)) == 0.0

    def test_the_same_seed_gives_the_same_problem(self):
        a, b = problems.quadratic(seed=4), problems.quadratic(seed=4)
        np.testing.assert_array_equal(a.H, b.H)
        assert not np.array_equal(a.H, problems.quadratic(seed=5).H)

    def test_a_diagonal_quadratic_stores_no_matrix(self):
        problem = problems.quadratic(dim=100_000, mu=1e-3, rotate=False)
        assert problem.H is None
        x = np.ones(problem.dim)
        np.testing.assert_array_equal(problem.grad(x), problem.eigenvalues * (x - problem.x_star))


class TestLeastSquares:
    @given(st.integers(2, 40), st.integers(1, 10), st.floats(0.0, 2.0), seeds)
    def test_x_star_is_optimal_and_constants_are_eigenvalues(self, n, d, label_noise, seed):
        problem = problems.least_squares(n=n, d=d, label_noise=label_noise, seed=seed)
        g = problem.grad(problem.x_star)
        assert np.linalg.norm(g) <= 1e-10 * (1 + np.linalg.norm(problem.A) * np.linalg.norm(problem.b))
        eig = np.linalg.eigvalsh(problem.A.T @ problem.A / n)
        assert problem.L == pytest.approx(eig[-1], rel=1e-10)
        assert problem.L_max == pytest.approx(np.max(np.sum(problem.A**2, axis=1)))
        if n < d:
            assert problem.mu == 0.0 and problem.f_star == 0.0 and problem.interpolating

    def test_noisy_overdetermined_does_not_interpolate(self):
        problem = problems.least_squares(n=50, d=5, label_noise=1.0)
        assert problem.f_star > 0.1 and problem.sigma_star_sq > 0.1
        assert not problem.interpolating
        assert problem.constants["x_star"].kind == "exact"

    def test_underdetermined_distance_is_to_the_affine_solution_set(self):
        problem = problems.least_squares(n=3, d=8, seed=1)
        null = np.linalg.svd(problem.A)[2][-1]
        assert problem.distance(problem.x_star + 3 * null) == pytest.approx(0.0, abs=1e-12)

    @given(seeds, st.integers(1, 8))
    def test_component_minimum(self, seed, batch):
        problem = problems.least_squares(n=12, d=4, label_noise=1.0, seed=seed)
        idx = np.random.default_rng(seed).integers(0, 12, size=batch)
        f_min = problem.component_f_star(idx)
        x = np.linalg.lstsq(problem.A[idx], problem.b[idx], rcond=None)[0]
        assert f_min == pytest.approx(problem.component_f(x, idx), abs=1e-12)
        assert f_min <= problem.component_f(problem.x_star, idx) + 1e-12

    def test_user_data(self):
        problem = problems.least_squares(data=(np.eye(3), [1.0, 2.0, 3.0]))
        np.testing.assert_allclose(problem.x_star, [1.0, 2.0, 3.0])


class TestLasso:
    def test_orthogonal_design_solution_is_soft_thresholding(self):
        problem = problems.lasso(n=40, d=10, lam=0.2, seed=2)
        assert problem.constants["x_star"].kind == "exact"
        c = problem.A.T @ problem.b / problem.n
        np.testing.assert_allclose(problem.x_star, np.sign(c) * np.maximum(np.abs(c) - 0.2, 0))

    @given(seeds, st.floats(0.01, 1.0))
    def test_x_star_satisfies_the_optimality_conditions(self, seed, lam):
        for design in ("orthogonal", "gaussian"):
            problem = problems.lasso(n=30, d=8, lam=lam, design=design, seed=seed)
            g, x = problem.grad(problem.x_star), problem.x_star
            on = x != 0
            np.testing.assert_allclose(g[on], -lam * np.sign(x[on]), atol=1e-12)
            assert np.all(np.abs(g[~on]) <= lam * (1 + 1e-9))

    @given(st.floats(-5, 5), st.floats(1e-3, 3.0), st.floats(0.01, 2.0))
    def test_prox_is_the_scalar_minimizer(self, v, h, lam):
        problem = problems.lasso(data=([[1.0]], [0.0]), lam=lam)

        def objective(u):
            return h * lam * abs(u) + 0.5 * (u - v) ** 2

        brute = minimize_scalar(objective, bounds=(-6, 6), method="bounded", options={"xatol": 1e-12}).x
        prox = problem.prox(np.array([v]), h)[0]
        # Brent's method locates a minimizer only to about sqrt(eps); its value is the sharp test
        assert objective(prox) <= objective(brute) + 4 * np.finfo(float).eps * max(1.0, objective(brute))
        assert prox == pytest.approx(brute, abs=1e-6)

    def test_subgradient_uses_sign_zero_at_the_kink(self):
        problem = problems.lasso(data=([[1.0]], [0.3]), lam=1.0)
        assert problem.subgrad(np.array([0.0]))[0] == problem.grad(np.array([0.0]))[0]
        assert problem.f(np.array([0.5])) == pytest.approx(0.5 * 0.2**2 + 0.5)


class TestLogistic:
    @given(seeds, st.floats(1e-3, 1.0))
    def test_constants_bound_the_hessian_and_x_star_is_optimal(self, seed, lam):
        problem = problems.logistic(n=30, d=5, lam=lam, seed=seed)
        for x in (problem.x_star, random_point(problem, seed, 3.0)):
            eig = np.linalg.eigvalsh(problem.hess(x))
            assert eig[-1] <= problem.L * (1 + 1e-12)
            assert eig[0] >= problem.mu * (1 - 1e-12)
        assert np.linalg.norm(problem.grad(problem.x_star)) <= 1e-12
        assert problem.constants["f_star"].kind == "computed"
        assert problem.constants["L"].kind == "upper_bound"

    def test_more_features_than_samples(self):
        """Newton's direction through the Woodbury identity equals the direct solve."""
        problem = problems.logistic(n=8, d=20, lam=0.1, seed=3)
        assert np.linalg.norm(problem.grad(problem.x_star)) <= 1e-13
        x, g = problem.x0 + 0.3, problem.grad(problem.x0 + 0.3)
        np.testing.assert_allclose(problem._newton_direction(x, g), np.linalg.solve(problem.hess(x), g),
                                   rtol=1e-10)

    def test_no_overflow_for_huge_margins(self):
        problem = problems.logistic(n=10, d=3)
        x = np.full(3, 1e4)
        assert np.isfinite(problem.f(x)) and np.all(np.isfinite(problem.grad(x)))


class TestNonSmoothAndToys:
    @given(seeds, st.integers(5, 30))
    def test_l1_regression_subgradient_matches_autograd(self, seed, n):
        problem = problems.l1_regression(n=n, d=5, seed=seed)
        x = random_point(problem, seed)
        np.testing.assert_allclose(problem.subgrad(x), autograd_gradient(problem, x), atol=1e-13)
        assert np.linalg.norm(problem.subgrad(x)) <= problem.G
        assert problem.f(problem.x_star) == pytest.approx(0.0, abs=1e-14)
        with pytest.raises(TypeError, match="subgrad"):
            problem.grad(x)

    @given(st.floats(-10, 10))
    def test_hb_cycle_pieces(self, x):
        problem = problems.hb_cycle()
        point = np.array([x])
        assert_gradient_matches_autograd(problem, point)
        for kink in (1.0, 2.0):  # value and slope continuous at the kinks
            below, above = np.array([kink - 1e-9]), np.array([kink])
            assert problem.f(below) == pytest.approx(problem.f(above), abs=1e-7)
            assert problem.grad(below)[0] == pytest.approx(problem.grad(above)[0], abs=1e-6)
        assert problem.f(point) >= 0.5 * problem.mu * x**2 - 1e-12  # strongly convex around x* = 0

    def test_pl_toy_is_pl_with_its_constant_and_not_convex(self):
        problem = problems.pl_toy()
        x = np.linspace(-20, 20, 4001)[:, None]
        ratio = [problem.grad(p) @ problem.grad(p) / (2 * problem.f(p)) for p in x if p[0] != 0]
        assert min(ratio) >= problem.mu_pl
        assert min(np.linalg.eigvalsh(problem.hess(p))[0] for p in x) < 0


class TestWorstCase:
    def test_huber_instance_constants(self):
        problem = problems.huber_worst_case(horizon=7, L=2.0, R=3.0)
        tau = 3.0 / 15
        assert problem.f(np.array([tau])) == pytest.approx(0.5 * 2.0 * tau**2)  # the pieces meet
        assert problem.worst_gap == 2.0 * 9.0 / 30

    @given(st.integers(1, 30), st.sampled_from([1.0, 3.0]))
    def test_chain_closed_forms(self, m, L):
        problem = problems.nesterov_chain(m=m, dim=m + 2, L=L)
        np.testing.assert_allclose(problem.grad(problem.x_star), 0, atol=1e-14 * L)
        assert problem.f(problem.x_star) == pytest.approx(problem.f_star, rel=1e-13)
        assert np.linalg.eigvalsh(problem.H)[-1] == pytest.approx(problem.lambda_max, rel=1e-12)
        assert problem.R_sq == pytest.approx(np.sum(problem.x_star**2))

    def test_strongly_convex_chain_tends_to_the_infinite_minimizer(self):
        problem = problems.nesterov_chain(m=200, L=1.0, mu=0.01)
        np.testing.assert_allclose(problem.x_star[:20], problem.x_star_infinite[:20], atol=1e-12)
        eig = np.linalg.eigvalsh(problem.H)
        assert problem.mu <= eig[0] and eig[-1] <= problem.L

    def test_rosenbrock_minimum(self):
        problem = problems.rosenbrock(dim=5)
        assert problem.f(problem.x_star) == 0.0
        np.testing.assert_array_equal(problem.grad(problem.x_star), 0.0)
        assert problems.rosenbrock(dim=3, a=2.0).x_star is None


class TestNoise:
    @given(st.sampled_from(["with_replacement", "without_replacement", "reshuffle", "single_shuffle", "cyclic"]),
           st.integers(1, 7), st.integers(0, 12), st.integers(0, 12), seeds)
    def test_drawing_in_blocks_equals_drawing_step_by_step(self, sampling, b, first, second, seed):
        problem = problems.least_squares(n=7, d=2, noise=problems.finite_sum(b, sampling))
        rng = np.random.default_rng(seed)
        one, sampler = problem.noise.draw_many(problem, rng, None, first)
        two, _ = problem.noise.draw_many(problem, rng, sampler, second)
        rng, sampler, steps = np.random.default_rng(seed), None, []
        for _ in range(first + second):
            sample, sampler = problem.draw(rng, sampler)
            steps.append(sample)
        expected = np.array(steps).reshape(first + second, b)
        np.testing.assert_array_equal(np.concatenate([one, two]), expected)

    def test_without_replacement_is_uniform_over_subsets(self):
        """Floyd's algorithm: every index with probability b/n, every pair distinct (6-sigma band)."""
        noise = problems.finite_sum(3, "without_replacement")
        problem = problems.least_squares(n=8, d=2, noise=noise)
        batches, _ = noise.draw_many(problem, np.random.default_rng(0), None, 20_000)
        assert all(len(set(row)) == 3 for row in batches[:2000].tolist())
        frequency = np.bincount(batches.ravel(), minlength=8) / batches.size
        assert np.all(np.abs(frequency - 1 / 8) < 6 * np.sqrt((1 / 8) * (7 / 8) / batches.size))

    def test_gaussian_noise_in_blocks(self):
        problem = problems.quadratic(dim=4, noise=problems.additive_gaussian(1.0))
        bulk, _ = problem.noise.draw_many(problem, np.random.default_rng(3), None, 5)
        rng = np.random.default_rng(3)
        np.testing.assert_array_equal(bulk, np.array([problem.draw(rng)[0] for _ in range(5)]))

    @given(seeds, st.floats(0.0, 2.0), st.floats(0.0, 2.0))
    def test_affine_variance_moments(self, seed, s0, s1):
        """Mean and variance over 4000 draws agree with the exact formulas within 5 standard errors."""
        problem = problems.quadratic(dim=6, noise=problems.affine_variance(s0, s1), seed=seed)
        x = random_point(problem, seed)
        g = problem.grad(x)
        rng = np.random.default_rng(seed)
        draws = np.array([problem.stochastic_grad(x, problem.draw(rng)[0]) - g for _ in range(4000)])
        sq = np.sum(draws**2, axis=1)
        variance = s0**2 + s1**2 * (g @ g)
        # ||noise||^2 is a weighted chi-square; its standard deviation is at most sqrt(2) times its mean
        assert abs(sq.mean() - variance) <= 5 * np.sqrt(2) * variance / np.sqrt(4000) + 1e-15
        assert np.all(np.abs(draws.mean(axis=0)) <= 5 * np.sqrt(variance / 6 / 4000) + 1e-15)

    def test_additive_gaussian_is_affine_variance_with_s1_zero(self):
        noise = problems.additive_gaussian(0.3)
        assert (noise.s0, noise.s1) == (0.3, 0.0)
        assert repr(noise) == "additive_gaussian(sigma=0.3)"

    def test_no_noise_model_gives_the_exact_gradient(self):
        problem = problems.quadratic()
        sample, sampler = problem.draw(np.random.default_rng(0))
        assert sample is None and sampler is None
        np.testing.assert_array_equal(problem.stochastic_grad(problem.x0, sample), problem.grad(problem.x0))

    def _stream(self, sampling, n=5, b=2, draws=10, seed=0):
        problem = problems.least_squares(n=n, d=2, noise=problems.finite_sum(b, sampling))
        rng, sampler, out = np.random.default_rng(seed), None, []
        for _ in range(draws):
            idx, sampler = problem.draw(rng, sampler)
            out.extend(idx.tolist())
        return out

    def test_reshuffle_visits_every_index_once_per_epoch(self):
        stream = self._stream("reshuffle", draws=10)  # 20 indices: 4 epochs of 5
        epochs = [sorted(stream[i:i + 5]) for i in range(0, 20, 5)]
        assert all(e == [0, 1, 2, 3, 4] for e in epochs)
        assert len({tuple(stream[i:i + 5]) for i in range(0, 20, 5)}) > 1

    def test_single_shuffle_repeats_one_permutation(self):
        stream = self._stream("single_shuffle", draws=10)
        assert stream[:5] == stream[5:10] == stream[15:20]
        assert sorted(stream[:5]) == [0, 1, 2, 3, 4]

    def test_cyclic_and_without_replacement(self):
        assert self._stream("cyclic", draws=5) == [0, 1, 2, 3, 4] * 2
        for _ in range(5):
            batch = self._stream("without_replacement", b=5, draws=1, seed=_)
            assert sorted(batch) == [0, 1, 2, 3, 4]

    def test_sampling_is_determined_by_the_seed(self):
        for sampling in ("with_replacement", "without_replacement", "reshuffle"):
            assert self._stream(sampling, seed=1) == self._stream(sampling, seed=1)
            assert self._stream(sampling, seed=1) != self._stream(sampling, seed=2)

    def test_finite_sum_needs_a_finite_sum_problem(self):
        with pytest.raises(TypeError, match="not a finite sum"):
            problems.quadratic(noise=problems.finite_sum())
        with pytest.raises(ValueError, match="exceeds n"):
            problems.least_squares(n=3, noise=problems.finite_sum(5, "without_replacement"))


class TestBadInput:
    @pytest.mark.parametrize("call, error, match", [
        (lambda: problems.quadratic(dim=0), ValueError, "dim"),
        (lambda: problems.quadratic(dim=2.5), TypeError, "dim"),
        (lambda: problems.quadratic(mu=2.0, L=1.0), ValueError, "mu must be <= L"),
        (lambda: problems.quadratic(mu=0.0, spectrum="geometric"), ValueError, "geometric"),
        (lambda: problems.quadratic(spectrum="unifrom"), ValueError, "did you mean 'uniform'"),
        (lambda: problems.quadratic(spectrum=[1.0, np.nan]), ValueError, "non-finite"),
        (lambda: problems.quadratic(seed=-1), ValueError, "seed"),
        (lambda: problems.quadratic(x0=np.ones(3)), ValueError, "shape"),
        (lambda: problems.logistic(lam=0.0), ValueError, "lam"),
        (lambda: problems.lasso(n=5, d=10), ValueError, "n >= d"),
        (lambda: problems.least_squares(data=(np.ones((3, 2)), np.ones(4))), ValueError, "shape"),
        (lambda: problems.quadratic(noise="gaussian"), TypeError, "noise model"),
        (lambda: problems.finite_sum(sampling="random"), ValueError, "sampling"),
        (lambda: problems.additive_gaussian(-1.0), ValueError, "sigma"),
        (lambda: problems.nesterov_chain(m=5, dim=3), ValueError, "dim must be >= m"),
    ])
    def test_clear_errors(self, call, error, match):
        with pytest.raises(error, match=match):
            call()


def test_describe_labels_every_constant():
    text = problems.logistic().describe()
    assert "[upper_bound]" in text and "[computed]" in text and "[lower_bound]" in text


def test_autograd_gradient_of_composite_is_the_smooth_part():
    problem = problems.lasso(n=20, d=5, seed=1)
    x = random_point(problem, 1)
    np.testing.assert_allclose(autograd_gradient(problem, x), problem.grad(x), atol=1e-12)
