"""The testing kit: strategies draw only valid objects, assertions fail with actionable messages on buggy
optimizers and pass on correct ones, and the pytest plugin loads in a bare run without cost."""
import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import refopt
from refopt import parity, registry, testing

pytest_plugins = ["pytester"]

ALGORITHM_NAMES = [e.name for e in registry.entries("algorithm")]
FAMILIES = sorted({e.family for e in registry.entries("problem")})


class TestStrategies:
    @pytest.mark.parametrize("name", ALGORITHM_NAMES)
    def test_hyperparameters_always_build(self, name):
        @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
        @given(testing.hyperparameters(name))
        def check(h):
            alg = registry.algorithm(name, **h)
            assert alg.hyperparameters == {**alg.hyperparameters, **h}
        check()

    def test_hyperparameters_explore_the_variants(self):
        """The options a string field lists are drawn, not only its default."""
        seen = set()
        for _ in range(2):
            seen.add(find(testing.hyperparameters("adam"), lambda h: h["eps_placement"] not in seen)["eps_placement"])
        assert seen == {"after_bc", "before_bc"}
        with pytest.raises(TypeError, match="no hyperparameter 'learning_rate'"):
            testing.hyperparameters("adam", learning_rate=0.1)
        with pytest.raises(ValueError, match="unknown algorithm"):
            testing.hyperparameters("adamm")

    @pytest.mark.parametrize("family", FAMILIES)
    def test_problems_are_valid(self, family):
        @settings(max_examples=8, deadline=None)
        @given(testing.problems(family))
        def check(problem):
            value = problem.f(problem.x0)
            assert np.isfinite(value) and problem.x0.shape == problem.shape
            if problem.f_star is not None:
                assert value >= problem.f_star - 1e-9 * max(1.0, abs(value))
        check()

    def test_problems_fixed_parameters_and_errors(self):
        problem = find(testing.problems("quadratic", dim=7), lambda p: True)
        assert problem.dim == 7
        with pytest.raises(ValueError, match="unknown problem family"):
            testing.problems("quadratics")
        with pytest.raises(TypeError, match="no parameter 'dims'"):
            find(testing.problems("quadratic", dims=3), lambda p: True)

    @settings(max_examples=30, deadline=None)
    @given(testing.quadratics())
    def test_quadratics_have_their_condition_number(self, problem):
        kappa = problem.L / problem.mu
        assert kappa in (1.0, 10.0, 100.0, 1e3, 1e4) or abs(kappa / round(kappa, 6) - 1) < 1e-12
        np.testing.assert_allclose(problem.grad(problem.x_star), 0.0, atol=1e-12)

    def test_quadratics_shrink_to_small_readable_instances(self):
        smallest = find(testing.quadratics(), lambda p: p.L / p.mu > 50)
        assert smallest.dim == 2 and smallest.L / smallest.mu == pytest.approx(100.0)

    @pytest.mark.parametrize("dtype", [np.float64, np.float32])
    def test_gradients_are_finite_and_reach_the_edges(self, dtype):
        @settings(max_examples=50, deadline=None)
        @given(testing.gradients((3, 4), dtype))
        def check(g):
            assert g.shape == (3, 4) and g.dtype == dtype and np.all(np.isfinite(g))
        check()
        tiny = float(np.finfo(dtype).tiny)
        find(testing.gradients(5, dtype), lambda g: np.any(np.abs(g) == tiny))
        find(testing.gradients(5, dtype), lambda g: np.any(g >= 1e6) and np.any(g <= -1e6))
        assert np.all(find(testing.gradients(5, dtype), lambda g: True) == 0)

    def test_seeds(self):
        assert find(testing.seeds(), lambda s: True) == 0


def adam_callable(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, eps_inside=False):
    """A hand-written Adam; eps_inside=True is the common bug of adding eps before the bias correction."""
    def init(params):
        return (np.zeros_like(params), np.zeros_like(params), 0)

    def update(params, grad, state):
        m, v, t = state
        t += 1
        m = betas[0] * m + (1 - betas[0]) * grad
        v = betas[1] * v + (1 - betas[1]) * grad * grad
        m_hat = m / (1 - betas[0] ** t)
        if eps_inside:
            step = m_hat / ((np.sqrt(v) + eps) / np.sqrt(1 - betas[1] ** t))
        else:
            step = m_hat / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
        return params - lr * step, (m, v, t)

    return parity.from_callable(init, update, name="my_adam", hyper=dict(lr=lr, betas=betas, eps=eps))


class TestAssertions:
    def test_matches_reference_passes_on_a_correct_optimizer(self):
        testing.assert_matches_reference(adam_callable(), refopt.adam(lr=1e-3))

    def test_matches_reference_names_the_step_and_the_variant(self):
        with pytest.raises(AssertionError) as info:
            testing.assert_matches_reference(adam_callable(eps_inside=True), refopt.adam(lr=1e-3))
        message = str(info.value)
        assert "at step 1 entry" in message
        assert "matches another variant: adam: eps before the bias correction" in message

    def test_matches_reference_names_the_closest_variant_of_a_plain_bug(self):
        def update(params, grad, state):
            params, state = adam_callable().update(params, grad, state)
            return params * (1 - 1e-3 * (state[2] == 5)), state      # a stray decay at step 5
        buggy = parity.from_callable(adam_callable().init, update, name="buggy_adam", hyper=dict(lr=1e-3))
        with pytest.raises(AssertionError, match=r"(?s)at step 5 entry.*closest reference variant"):
            testing.assert_matches_reference(buggy, refopt.adam(lr=1e-3))

    def test_matches_reference_with_torch(self):
        torch = pytest.importorskip("torch", reason="the torch extra is not installed (pip install -e '.[torch]')")
        testing.assert_matches_reference(parity.from_torch(torch.optim.Adam, lr=1e-3), refopt.adam(lr=1e-3))
        with pytest.raises(AssertionError, match="decoupled weight decay"):
            testing.assert_matches_reference(parity.from_torch(torch.optim.AdamW, lr=1e-3, weight_decay=0.1),
                                             refopt.adam(lr=1e-3, weight_decay=0.1))

    def test_bound(self):
        trace = refopt.run(refopt.gradient_descent(), refopt.problems.quadratic(dim=10, mu=0.1), 50)
        gap = trace.f_gap
        testing.assert_bound(trace, lambda k: gap[0] * 0.9 ** (2 * k))   # (1 - mu/L)^(2k) for lr = 1/L
        with pytest.raises(AssertionError, match=r"f_gap exceeds the bound at \d+ of 51 steps; first at step 21: 0\.000"):
            testing.assert_bound(trace, lambda k: gap[0] * 0.8 ** (2 * k))

    def test_descends(self):
        problem = refopt.problems.quadratic(dim=10, mu=0.01)
        testing.assert_descends(refopt.run(refopt.gradient_descent(), problem, 30))
        with pytest.raises(AssertionError, match="f increases at"):
            testing.assert_descends(refopt.run(refopt.heavy_ball(alpha=1.0, beta=0.95), problem, 30))
        with pytest.raises(ValueError, match="no metric 'loss'"):
            testing.assert_descends(refopt.run(refopt.gradient_descent(), problem, 3), metric="loss")

    def test_rate(self):
        problem = refopt.problems.quadratic(dim=10, mu=0.1)
        trace = refopt.run(refopt.gradient_descent(), problem, 200)
        testing.assert_rate(trace, 0.81)                      # f_gap contracts by (1 - mu/L)^2
        with pytest.raises(AssertionError, match="slower than the claimed 0.7"):
            testing.assert_rate(trace, 0.7)
        convex = refopt.run(refopt.gradient_descent(), refopt.problems.quadratic(dim=1000, mu=0.0), 100)
        testing.assert_rate(convex, -1.0, kind="sublinear", start=10)      # O(1/k) (it is about k^-1.8 here)
        with pytest.raises(AssertionError, match=r"slower than the claimed k\^-3"):
            testing.assert_rate(convex, -3.0, kind="sublinear", start=10)

    def test_rate_with_a_claim(self):
        from refopt.proofs import polyak_1964
        claim = polyak_1964.CLAIMS[0]
        testing.assert_rate(None, claim)
        with pytest.raises(ValueError, match="runs its own instances"):
            testing.assert_rate(refopt.run(refopt.gradient_descent(), "quadratic", 3), claim)


class TestPlugin:
    def test_fixtures_in_a_bare_run(self, pytester):
        pytester.makepyfile("""
            import numpy as np

            def test_fixtures(refopt_seed, refopt_rng, refopt_problem, refopt_reference, refopt_quadratic):
                assert refopt_seed == 7
                assert refopt_rng.integers(10**9) == np.random.default_rng(7).integers(10**9)
                problem = refopt_problem("logistic", n=30, d=3)
                assert problem.params["seed"] == 7
                assert refopt_reference("adam", lr=0.1).lr == 0.1
                assert refopt_quadratic.L / refopt_quadratic.mu > 99
        """)
        result = pytester.runpytest_subprocess("--refopt-seed", "7")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["refopt seed: 7"])

    def test_family_fixtures_build_registered_problems(self, pytester):
        from refopt.testing.plugin import FAMILY_FIXTURES
        for problem, parameters in FAMILY_FIXTURES.values():
            registry.problem(problem, **parameters)
        pytester.makepyfile("""
            def test_families(refopt_logistic, refopt_bilevel, refopt_matrix_sensing):
                assert refopt_logistic.params["seed"] == 3 and refopt_bilevel.params["seed"] == 3
        """)
        pytester.runpytest_subprocess("--refopt-seed", "3").assert_outcomes(passed=1)

    def test_a_callable_pair_and_a_reference_name(self):
        adam = adam_callable()
        testing.assert_matches_reference((adam.init, adam.update), "adam")

    def test_an_unrelated_suite_does_not_import_refopt(self, pytester):
        pytester.makepyfile("""
            import sys

            def test_nothing_loaded():
                assert "refopt.claims" not in sys.modules and "numpy" not in sys.modules
        """)
        result = pytester.runpytest_subprocess()
        result.assert_outcomes(passed=1)
        assert "refopt seed" not in result.stdout.str()
        assert "--refopt-seed" in pytester.runpytest_subprocess("--help").stdout.str()
