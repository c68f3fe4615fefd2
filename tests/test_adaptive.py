"""The deep-learning optimizer references: identities and invariants that pin each update down."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refopt
from refopt import problems
from refopt.algorithms.matrix import NS5, inverse_root, newton_schulz, polar_factor

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = hnp.arrays(np.float64, st.integers(1, 8), elements=finite)


def run_updates(alg, grads, x0):
    state, x = alg.init(x0.copy()), x0.copy()
    xs = [x]
    for g in grads:
        x, state = alg.update(x, g, state)
        xs.append(x)
    return np.array(xs)


class TestAdam:
    @given(st.integers(0, 2**31 - 1))
    def test_invariant_to_rescaling_each_coordinate_at_eps_zero(self, seed):
        rng = np.random.default_rng(seed)
        grads = rng.standard_normal((10, 5))
        scale = 10.0 ** rng.uniform(-6, 6, 5)
        alg = refopt.adam(eps=0.0, lr=0.1)
        a = run_updates(alg, grads, np.zeros(5))
        b = run_updates(alg, grads * scale, np.zeros(5))
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        assert not np.allclose(run_updates(refopt.adam(eps=1e-2, lr=0.1), grads * scale, np.zeros(5)), a)

    def test_first_step_is_lr_times_the_sign(self):
        g = np.array([3.0, -1e-4, 0.5])
        x, _ = refopt.adam(eps=0.0, lr=0.01).update(np.zeros(3), g, refopt.adam().init(np.zeros(3)))
        np.testing.assert_allclose(x, -0.01 * np.sign(g), rtol=1e-15)

    def test_adamw_with_zero_decay_is_adam_and_differs_from_coupled_decay(self):
        grads = np.random.default_rng(1).standard_normal((20, 4))
        x0 = np.ones(4)
        np.testing.assert_array_equal(run_updates(refopt.adamw(weight_decay=0.0), grads, x0),
                                      run_updates(refopt.adam(), grads, x0))
        decoupled = run_updates(refopt.adamw(weight_decay=0.1), grads, x0)
        coupled = run_updates(refopt.adam(weight_decay=0.1), grads, x0)
        assert not np.allclose(decoupled, coupled)

    def test_sgd_decoupled_decay_equals_coupled_l2(self):
        """For plain SGD the two decays coincide: x - lr (g + lam x) either way."""
        g, x = np.array([1.0, -2.0]), np.array([0.5, 0.25])
        coupled, _ = refopt.sgd(lr=0.1, weight_decay=0.2).update(x, g, refopt.sgd(lr=0.1).init(x, None))
        np.testing.assert_allclose(coupled, x * (1 - 0.1 * 0.2) - 0.1 * g, rtol=1e-15)

    def test_amsgrad_variants_differ_once_the_second_moment_falls(self):
        grads = np.array([[10.0], [0.1], [0.1], [0.1]])
        raw = run_updates(refopt.adam(amsgrad="raw"), grads, np.zeros(1))
        corrected = run_updates(refopt.adam(amsgrad="bias_corrected"), grads, np.zeros(1))
        plain = run_updates(refopt.adam(), grads, np.zeros(1))
        assert not np.allclose(raw, corrected) and not np.allclose(corrected, plain)


class TestRAdam:
    @pytest.mark.parametrize("threshold, comparison, first", [(4.0, ">", 5), (5.0, ">", 6), (5.0, ">=", 6)])
    def test_the_step_where_rectification_starts(self, threshold, comparison, first):
        alg = refopt.radam(threshold=threshold, comparison=comparison, lr=1.0, eps=0.0)
        g = np.ones(1)
        xs = run_updates(alg, [g] * 8, np.zeros(1))
        steps = -np.diff(xs[:, 0])
        # before rectification the step is lr m_hat = 1 exactly; the rectified step is r_t < 1
        np.testing.assert_allclose(steps[: first - 1], 1.0, rtol=1e-15)
        assert np.all(steps[first - 1:] < 0.99)

    def test_a_threshold_below_four_is_refused_since_its_steps_are_nan(self):
        with np.errstate(invalid="ignore"):
            rho = [t for t in range(1, 9) if 2 < 2 / 0.001 - 1 - 2 * t * 0.999**t / (1 - 0.999**t) < 4]
            assert rho, "some early step has 2 < rho_t < 4, where r_t is not real"
        with pytest.raises(ValueError, match="threshold must be >= 4"):
            refopt.radam(threshold=3.0)


class TestSign:
    @given(vectors, st.floats(1e-4, 1.0))
    def test_sign_sgd_moves_every_nonzero_coordinate_by_lr(self, g, lr):
        x, _ = refopt.sign_sgd(lr=lr).update(np.zeros_like(g), g, refopt.sign_sgd().init(np.zeros_like(g)))
        np.testing.assert_array_equal(np.abs(x), np.where(g != 0, lr, 0.0))

    @given(st.integers(0, 2**31 - 1), st.floats(0.1, 10.0), st.floats(1e-3, 0.1))
    def test_lion_keeps_the_box(self, seed, lam, lr):
        """x_{t+1,i} = (1 - lr lam) x_{t,i} - lr s_i with |s_i| <= 1 stays in [-1/lam, 1/lam] when lr lam <= 1."""
        rng = np.random.default_rng(seed)
        if lr * lam > 1:
            lr = 1 / lam
        x0 = rng.uniform(-1, 1, 6) / lam
        grads = rng.standard_normal((200, 6)) * 10.0 ** rng.uniform(-3, 3, (200, 6))
        xs = run_updates(refopt.lion(lr=lr, weight_decay=lam), grads, x0)
        assert np.max(np.abs(xs)) <= (1 / lam) * (1 + 1e-12)

    def test_a_smaller_box_is_rejected(self):
        lam, lr = 1.0, 0.1
        xs = run_updates(refopt.lion(lr=lr, weight_decay=lam), np.full((200, 3), -1.0), np.zeros(3))
        assert np.max(np.abs(xs)) > 0.9 / lam


class TestExtensions:
    def test_ademamix_with_alpha_zero_is_adamw(self):
        grads = np.random.default_rng(2).standard_normal((30, 4))
        x0 = np.ones(4)
        a = run_updates(refopt.ademamix(alpha=0.0, weight_decay=0.1), grads, x0)
        b = run_updates(refopt.adamw(weight_decay=0.1, decay_scaling="lr"), grads, x0)
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)

    def test_ademamix_warmups(self):
        alg = refopt.ademamix(alpha_warmup=10, beta3_warmup=100)
        assert alg.alpha_t(5) == pytest.approx(2.5) and alg.alpha_t(20) == 5.0
        assert alg.beta3_t(0) == pytest.approx(0.9) and alg.beta3_t(100) == 0.9999
        assert 0.9 < alg.beta3_t(50) < 0.9999

    @given(st.integers(0, 2**31 - 1))
    def test_grams_always_descends_along_the_gradient(self, seed):
        rng = np.random.default_rng(seed)
        alg = refopt.grams(lr=0.1)
        state, x = alg.init(np.zeros(5)), np.zeros(5)
        for _ in range(20):
            g = rng.standard_normal(5)
            x_next, state = alg.update(x, g, state)
            assert g @ (x_next - x) <= 0
            x = x_next

    def test_adabound_steps_close_in_on_the_final_lr(self):
        alg = refopt.adabound(lr=1e-3, final_lr=0.1, gamma=1e-3)
        state, x = alg.init(np.zeros(2)), np.zeros(2)
        for _ in range(20000):
            x_prev = x
            x, state = alg.update(x, np.array([1.0, 1e-4]), state)
        effective = -(x - x_prev) / state.m
        np.testing.assert_allclose(effective, 0.1, rtol=0.06)


class TestMatrix:
    @given(st.integers(0, 2**31 - 1), st.sampled_from([(5, 3), (3, 5), (4, 4)]))
    def test_the_polar_factor_has_unit_singular_values_and_attains_the_nuclear_norm(self, seed, shape):
        M = np.random.default_rng(seed).standard_normal(shape)
        O = polar_factor(M)
        np.testing.assert_allclose(np.linalg.svd(O, compute_uv=False), 1.0, atol=1e-12)
        assert np.sum(M * O) == pytest.approx(np.linalg.svd(M, compute_uv=False).sum(), rel=1e-12)

    def test_newton_schulz_on_a_diagonal_matrix_is_the_scalar_map(self):
        sigma = np.array([1.0, 0.5, 0.1, 0.01, 1e-3])
        a, b, c = NS5
        expected = sigma / np.linalg.norm(sigma)
        for _ in range(5):
            expected = a * expected + b * expected**3 + c * expected**5
        np.testing.assert_allclose(np.diag(newton_schulz(np.diag(sigma), eps=0.0)), expected, rtol=1e-12)

    def test_quintic_newton_schulz_is_not_the_polar_factor(self):
        M = np.diag([1.0, 0.3, 1e-3])
        assert np.max(np.abs(newton_schulz(M) - polar_factor(M))) > 1e-3

    def test_the_first_shampoo_step_is_the_polar_factor(self):
        """With L = GG^T and R = G^T G (eps -> 0), L^{-1/4} G R^{-1/4} = U V^T."""
        G = np.random.default_rng(3).standard_normal((4, 3))
        alg = refopt.shampoo(lr=1.0, eps=1e-14)
        W, _ = alg.update(np.zeros((4, 3)), G, alg.init(np.zeros((4, 3))))
        np.testing.assert_allclose(-W, polar_factor(G), atol=1e-6)

    def test_inverse_root(self):
        S = np.random.default_rng(4).standard_normal((5, 5))
        S = S @ S.T + np.eye(5)
        root = inverse_root(S, 4)
        np.testing.assert_allclose(np.linalg.matrix_power(root, 4) @ S, np.eye(5), atol=1e-10)

    def test_matrix_methods_refuse_vectors(self):
        with pytest.raises(ValueError, match="matrix parameters"):
            refopt.muon().init(np.zeros(3))

    def test_muon_and_shampoo_solve_matrix_least_squares(self):
        problem = problems.matrix_least_squares(cond=3.0)
        for alg in (refopt.muon(lr=0.01, orthogonalizer="svd"), refopt.shampoo(lr=0.3)):
            trace = refopt.run(alg, problem, 400, record=["f_gap"])
            assert trace.f_gap[-1] < 1e-3 * trace.f_gap[0]


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam", "adamw", "amsgrad", "adamax", "nadam", "radam",
                                  "adabound", "amsbound", "ademamix", "grams", "sign_sgd", "signum", "lion"])
def test_every_adaptive_method_runs_on_a_stochastic_problem(name):
    problem = problems.least_squares(n=40, d=5, noise=problems.finite_sum(4))
    alg = refopt.registry.algorithm(name)
    trace = refopt.run(alg, problem, 300, seed=1, record=["f_gap"])
    assert trace.status == "max_steps" and trace.f_gap[-1] < trace.f_gap[0]
