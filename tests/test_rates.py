"""Rate estimators on sequences whose rate is known, noisy ones included; wrong rates are rejected."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from refopt import rates


class TestContractionFactor:
    @given(st.floats(0.05, 0.999), st.floats(1e-3, 1e3))
    def test_exact_geometric_sequence(self, rho, scale):
        k = np.arange(60)
        estimate = rates.contraction_factor(scale * rho**k)
        assert estimate.value == pytest.approx(rho, rel=1e-9)
        assert estimate.low <= rho <= estimate.high or estimate.high - estimate.low < 1e-12

    def test_the_precision_floor_is_excluded(self):
        k = np.arange(200)
        e = np.maximum(0.7**k, 1e-16 * (1 + 0.5 * np.sin(k)))  # the floor wanders, as rounding does
        estimate = rates.contraction_factor(e)
        assert estimate.value == pytest.approx(0.7, rel=1e-9)
        assert estimate.window[1] < 100
        naive = np.exp(np.polyfit(k, np.log(e), 1)[0])
        assert naive > 0.8  # without the window the floor biases the rate

    def test_zeros_end_the_window(self):
        e = np.concatenate([0.5 ** np.arange(20), np.zeros(10)])
        assert rates.contraction_factor(e).value == pytest.approx(0.5, rel=1e-12)

    def test_interval_coverage_on_noisy_sequences(self):
        """About 95% of the intervals contain the true rate (binomial 3 sigma band for 300 draws)."""
        rho, hits = 0.95, 0
        for seed in range(300):
            rng = np.random.default_rng(seed)
            e = rho ** np.arange(100) * np.exp(0.2 * rng.standard_normal(100))
            estimate = rates.contraction_factor(e)
            hits += estimate.low <= rho <= estimate.high
        assert 0.95 - 3 * np.sqrt(0.95 * 0.05 / 300) <= hits / 300 <= 1.0

    def test_replicates_give_a_bootstrap_interval(self):
        rng = np.random.default_rng(1)
        e = 0.9 ** np.arange(80) * np.exp(0.3 * rng.standard_normal((40, 80)))
        estimate = rates.contraction_factor(e)
        assert estimate.n == 40
        assert abs(estimate.value - 0.9) <= 4 * estimate.stderr  # a 4-sigma miss has odds about 6e-5
        assert estimate.high - estimate.low < 0.01

    def test_a_wrong_rate_is_rejected(self):
        rng = np.random.default_rng(2)
        e = 0.9 ** np.arange(100) * np.exp(0.1 * rng.standard_normal(100))
        estimate = rates.contraction_factor(e)
        assert not estimate.high <= 0.89  # a claim "rho <= 0.89" is refuted by the interval
        assert estimate.low > 0.88


class TestSublinearExponent:
    @given(st.floats(-3.0, -0.25), st.floats(1e-2, 1e2))
    def test_exact_power_law(self, p, scale):
        k = np.arange(300, dtype=float)
        e = np.where(k > 0, scale * np.maximum(k, 1) ** p, scale)
        assert rates.sublinear_exponent(e).value == pytest.approx(p, abs=1e-9)

    def test_noisy_power_law_and_a_wrong_exponent(self):
        rng = np.random.default_rng(3)
        k = np.arange(1, 2001, dtype=float)
        e = np.concatenate([[1.0], 2.0 / k**1.0 * np.exp(0.3 * rng.standard_normal(k.size))])
        estimate = rates.sublinear_exponent(e, start=10)
        assert abs(estimate.value + 1.0) <= 4 * estimate.stderr
        assert estimate.high < -0.9  # "e_k = O(k^-1/2)" would be confirmed, "O(k^-2)" refuted:
        assert not estimate.low <= -2.0

    def test_start_must_be_positive(self):
        with pytest.raises(ValueError, match="start >= 1"):
            rates.sublinear_exponent(np.ones(10), start=0)


class TestIterationsAndComplexity:
    def test_iterations_to(self):
        e = 0.5 ** np.arange(30)
        assert rates.iterations_to(e, 1e-3) == 10
        assert rates.iterations_to(e, 1e-30) is None
        np.testing.assert_array_equal(rates.iterations_to(e, [1.0, 0.3, 1e-30]), [0, 2, -1])

    def test_iterations_use_the_best_so_far(self):
        assert rates.iterations_to([1.0, 0.1, 5.0, 0.01], 0.2) == 1

    @given(st.floats(0.1, 2.0))
    def test_complexity_exponent(self, q):
        kappa = np.array([10.0, 100.0, 1e3, 1e4])
        assert rates.complexity_exponent(kappa, 7 * kappa**q).value == pytest.approx(q, rel=1e-9)

    def test_complexity_with_replicates_and_a_wrong_exponent(self):
        rng = np.random.default_rng(4)
        kappa = np.array([10.0, 100.0, 1e3, 1e4])
        counts = kappa**0.5 * np.exp(0.1 * rng.standard_normal((30, 4)))
        estimate = rates.complexity_exponent(kappa, counts)
        assert abs(estimate.value - 0.5) <= 4 * estimate.stderr
        assert estimate.value > 0.25 + 0.15  # "exponent <= 1/4" fails under the +0.15 rule

    def test_unreached_targets_are_refused(self):
        with pytest.raises(ValueError, match="never reached"):
            rates.complexity_exponent([1, 2, 3], [3, -1, 5])


class TestCheckBound:
    def test_upper_and_lower(self):
        k = np.arange(1, 50)
        measured = 1.0 / k**2
        assert rates.check_bound(measured, 1.0 / k**2, rtol=1e-12).holds
        tighter = rates.check_bound(measured, 0.9 / k**2)
        assert not tighter.holds and tighter.violations.size == 49
        assert tighter.worst_ratio == pytest.approx(1 / 0.9)
        wrong_rate = rates.check_bound(measured, 1.0 / k**3)
        assert not wrong_rate.holds and wrong_rate.worst_k == 48
        assert rates.check_bound(measured, 0.5 / k**2, lower=True).holds
        assert not rates.check_bound(measured, 2.0 / k**2, lower=True).holds

    def test_non_finite_measurements_violate(self):
        result = rates.check_bound([1.0, np.inf, np.nan], [2.0, 2.0, 2.0])
        np.testing.assert_array_equal(result.violations, [1, 2])
