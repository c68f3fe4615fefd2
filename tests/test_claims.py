"""The claims hold, and every kind of check rejects a deliberately wrong claim."""
import dataclasses
import json

import numpy as np
import pytest

import refopt
from refopt import claims, proofs, registry
from refopt.claims import spectral_radius, worst_radius
from refopt.proofs import (beck_teboulle_2009, bottou_curtis_nocedal_2018, drori_teboulle_2014,
                           garrigos_gower_2023, gu_song_yin_zhang_2024, jain_netrapalli_sanghavi_2013,
                           lessard_recht_packard_2016, ma_fattahi_2023, nesterov_2004, polyak_1964,
                           xu_shen_chi_ma_2023)

ALL = proofs.all_claims()
PARAMS = [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in ALL]


@pytest.mark.parametrize("claim", PARAMS)
def test_every_claim_holds(claim):
    result = claim.verify(seed=0)
    assert result.verdict == "pass", result.message
    assert result.margin >= 0 and result.instances >= 1 and result.seconds > 0


def test_claims_are_well_formed():
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids))
    for claim in ALL:
        module = claim.id.split(".")[0]
        assert module in proofs.MODULES
        assert claim.kind in claims.KINDS and claim.level in claims.LEVELS
        assert claim.algorithm in [e.name for e in registry.entries("algorithm")]
        assert claim.statement and claim.family and claim.source.cite()
    assert {c.kind for c in ALL} == set(claims.KINDS)
    assert {c.level for c in ALL} == set(claims.LEVELS)


def rejected(claim, **changes):
    result = claim.with_check(**changes).verify(seed=0)
    return result.verdict == "fail", result


class TestWrongClaimsAreRejected:
    """One or more per kind; each wrong claim is a plausible mistake, not a strawman."""

    def test_upper_bound_with_a_too_fast_linear_rate(self):
        # gradient descent at (1 - 2 mu/L)^k on the squared distance
        claim = garrigos_gower_2023.gd_strongly_convex
        fails, result = rejected(claim, factor=lambda p: 1 - 2 * p.mu / p.L)
        assert fails and result.measured > 1

    def test_upper_bound_with_the_wrong_constant(self):
        # L R^2 / (4k + 4) instead of / (4k + 2): the Huber instance refutes it
        bound = lambda k, p, x0: p.L * p.distance(x0) ** 2 / (4 * k + 4)  # noqa: E731
        assert rejected(drori_teboulle_2014.gd_bound, bound=bound)[0]
        assert rejected(drori_teboulle_2014.gd_bound_attained, bound=bound)[0]

    def test_upper_bound_with_a_too_fast_sublinear_rate(self):
        # Nesterov's method at O(1/k^3) on the chain function
        chains = lambda rng: [problems_chain(m) for m in (21, 41, 81)]  # noqa: E731
        fails, result = rejected(beck_teboulle_2009.fista_rate, instances=chains,
                                 bound=lambda k, p, x0: 2 * p.L * p.distance(x0) ** 2 / (k + 1) ** 3)
        assert fails

    def test_fitted_rate_slower_than_claimed(self):
        # the bound is loose enough to hold, but the rate it claims is not what is measured
        bound = lambda k, p, x0: 1e6 * p.L * p.distance(x0) ** 2 / k**2  # noqa: E731
        fails, result = rejected(beck_teboulle_2009.ista_rate, bound=bound, rate=("sublinear", -2.0),
                                 instances=lambda rng: [problems_chain(101)])
        assert fails and "fitted exponent" in result.message

    def test_lower_bound_with_a_too_large_constant(self):
        # the accelerated method beats 3 L R^2 / (32 (k+1)^1.5) at k = 39
        fails, result = rejected(nesterov_2004.chain_lower_bound,
                                 bound=lambda k, p, x0: 3 * p.L * p.distance(x0) ** 2 / (32 * (k + 1) ** 1.5))
        assert fails and result.measured < 1

    def test_exact_rate_off_by_a_little(self):
        rate = lambda mu, L: (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1) - 1e-9  # noqa: E731
        assert rejected(polyak_1964.optimal_rate, rate=rate)[0]
        # the accelerated method's worst rate is not gradient descent's
        assert rejected(nesterov_2004.agd_strongly_convex_rate, rate=lambda mu, L: 1 - mu / L)[0]

    def test_fitted_rate_mismatch(self):
        assert rejected(polyak_1964.measured_rate, rate=lambda p, alg: 0.95 * polyak_1964._instance_radius(p, alg))[0]

    def test_per_step_rate_too_fast(self):
        assert rejected(garrigos_gower_2023.gd_pl, factor=lambda p: 0.8)[0]

    def test_complexity_exponent_too_small(self):
        assert rejected(nesterov_2004.agd_complexity, exponent=0.25)[0]
        assert rejected(nesterov_2004.gd_complexity, exponent=0.5)[0]

    def test_invariant_that_does_not_hold(self):
        one_fewer = lambda trace, p: np.array([not np.any(x[max(k - 1, 0):]) if k else True  # noqa: E731
                                              for k, x in enumerate(trace.iterates)])
        assert rejected(nesterov_2004.chain_krylov_invariant, holds=one_fewer)[0]

    def test_counterexample_that_converges(self):
        claim = lessard_recht_packard_2016.heavy_ball_cycle
        assert rejected(claim, x0=[0.5])[0]
        assert rejected(claim, controls=([3.3],))[0]

    def test_expectation_without_its_noise_floor(self):
        """Claiming that constant-step SGD converges linearly to x* on a noisy least-squares problem."""
        claim = garrigos_gower_2023.sgd_strongly_convex

        def no_floor(k, p, x0):
            return (1 - p.mu / (2 * p.L_max)) ** k * p.distance(x0) ** 2

        fails, result = rejected(claim, bound=no_floor)
        assert fails and result.measured > 2

    def test_diminishing_steps_without_the_theorem_condition(self):
        """beta < 1/(c mu) (c overestimated four times): SGD slows to about k^(-2 beta c), not 1/k."""
        module = bottou_curtis_nocedal_2018
        claim = module.sgd_diminishing_step

        def small_beta(problem):
            c, L, M, M_G = module.constants(problem)
            return module.refopt.sgd(lr=module.schedules.inverse_time(0.25 / c, 0.25 / c * L * M_G - 1.0))

        fails, result = rejected(claim, algorithm=small_beta, steps=2000, runs=50)
        assert fails and "fitted exponent" in result.message


    def test_complexity_lower_bound_that_does_not_hold(self):
        """Claiming gradient descent's polynomial dependence on kappa for ScaledGD."""
        fails, result = rejected(xu_shen_chi_ma_2023.gd_contrast, algorithm=lambda p: refopt.scaled_gd(),
                                 max_steps=3000)
        assert fails and result.measured < 0.5

    def test_statistics_that_do_not_hold(self):
        # gradient descent's linear-phase factor does depend on kappa
        gd = xu_shen_chi_ma_2023.rate_spread(lambda p: refopt.gradient_descent(lr=0.25 / float(p.sigma[0])),
                                             kappas=(1.0, 10.0))
        assert rejected(xu_shen_chi_ma_2023.linear_rate, compute=gd)[0]
        # the subgradient's rate is the step's 0.97, not 0.95
        assert rejected(ma_fattahi_2023.linear_rate, compute=ma_fattahi_2023.rate_mismatch(rho=0.95))[0]
        # the constant-step plateau is proportional to the step, not to its square
        assert rejected(ma_fattahi_2023.constant_step,
                        compute=ma_fattahi_2023.constant_step_floor(exponent=2.0))[0]
        # the recovery does depend on the outlier fraction (the escape is slower)
        fractions = ma_fattahi_2023.recovery_spread("p_out", (0.0, 0.3, 0.45), p_out=0.0)
        assert rejected(ma_fattahi_2023.outlier_magnitude, compute=fractions)[0]
        # completion at C = 1.5 already succeeds: no gap between 1.5 and 3
        assert rejected(jain_netrapalli_sanghavi_2013.sample_threshold,
                        compute=jain_netrapalli_sanghavi_2013.threshold_gap(values=(1.5, 3.0, 6.0)))[0]
        # errors half as large as the update do slow the rate down
        assert rejected(gu_song_yin_zhang_2024.inexact_linear,
                        compute=gu_song_yin_zhang_2024.rate_change(taus=(0.5,), instances=1))[0]

    def test_statistic_with_a_broken_precondition(self):
        """A ratio that holds is still rejected when the runs it needs do not recover."""
        compute = ma_fattahi_2023.small_over_large(scales=(1e-4, 1e-3, 1e-2))
        fails, result = rejected(ma_fattahi_2023.small_initialization, compute=compute)
        assert fails and "does not decrease" in result.message

    def test_threshold_with_the_wrong_exponent(self):
        def noisy_square(d, rng, engine):
            return d**2 * np.exp(0.05 * rng.standard_normal())

        check = claims.Threshold(dims=(8, 16, 32, 64), threshold=noisy_square, exponent=2.0)
        claim = claims.Claim("test.threshold", polyak_1964.SOURCE, "n50 ~ d^2", "complexity", "sampled", "toy",
                             "spherical_sgd", check)
        assert claim.verify().passed
        for wrong in (1.5, 2.5):
            assert not claim.with_check(exponent=wrong).verify().passed

    def test_threshold_outside_its_bracket(self):
        def never(n, seeds):
            return [False] * len(seeds)

        with pytest.raises(claims.NoThreshold, match="does not contain"):
            claims.bisect_threshold(never, 1.0, 100.0, np.random.default_rng(0), runs=4)
        rate = claims.bisect_threshold(lambda n, seeds: [n >= 10.0] * len(seeds), 1.0, 100.0,
                                       np.random.default_rng(0), runs=4, bisections=12)
        assert rate == pytest.approx(10.0, rel=1e-3)

    def test_counterexample_from_the_problem_start_that_converges(self):
        converges = lambda p: ma_fattahi_2023.subgm(p)  # noqa: E731
        assert rejected(ma_fattahi_2023.no_hold, algorithm=converges)[0]
        assert rejected(gu_song_yin_zhang_2024.large_errors, algorithm=lambda p: refopt.robust_altmin(perturb=0.01))[0]


def problems_chain(m):
    from refopt import problems
    return problems.nesterov_chain(m=m)


class TestMachinery:
    def test_same_seed_same_result(self):
        claim = garrigos_gower_2023.sgd_strongly_convex
        a, b = claim.verify(seed=3), claim.verify(seed=3)
        assert a.measured == b.measured and a.worst_instance == b.worst_instance
        assert claim.verify(seed=4).measured != a.measured

    def test_spectral_radius_closed_form(self):
        # a double root: z^2 = 2 r z - r^2
        r = 0.8181818181818182
        assert spectral_radius(2 * r, -r * r) == pytest.approx(r, rel=1e-15)
        assert spectral_radius(0.5, 0.0) == 0.5
        assert spectral_radius(0.0, -0.25) == 0.5
        assert spectral_radius(1.0, 2.0) == 2.0  # roots 2 and -1

    def test_worst_radius_of_gradient_descent(self):
        radius, lam = worst_radius(lambda lam, mu, L: (1 - lam / L, 0 * lam), 0.1, 1.0)
        assert radius == pytest.approx(0.9, rel=1e-14) and lam == pytest.approx(0.1)

    def test_an_exception_is_an_error_verdict(self):
        broken = garrigos_gower_2023.gd_convex.with_check(instances=lambda rng: 1 / 0)
        result = broken.verify()
        assert result.verdict == "error" and "ZeroDivisionError" in result.message

    def test_select(self):
        assert [c.id for c in claims.select(ALL, "polyak_1964")] == [c.id for c in polyak_1964.CLAIMS]
        assert claims.select(ALL, "nesterov_2004.chain_*")[0].id == "nesterov_2004.chain_lower_bound"
        assert claims.select(ALL, "no such claim") == []

    def test_unknown_kind_or_level(self):
        with pytest.raises(ValueError, match="unknown kind"):
            dataclasses.replace(garrigos_gower_2023.gd_convex, kind="theorem")

    def test_report_and_json(self):
        chosen = drori_teboulle_2014.CLAIMS
        results = claims.verify(chosen)
        text = claims.report(results, chosen, width=100)
        assert all(len(line) <= 100 for line in text.splitlines()[:-1])
        assert "2 of 2 claims hold" in text and "Thm 3.1?" in text
        json.dumps([r.to_dict() for r in results], allow_nan=False)

    def test_slow_claims_are_skipped_unless_asked(self):
        slow = [c for c in ALL if c.slow]
        assert slow and claims.verify(slow) == []
        assert claims.select(slow, "online_sgd") and all(c.check.exponent > 0 for c in slow)

    def test_short_citations(self):
        assert claims.Source("G. Ben Arous, R. Gheissari, A. Jagannath", 2021, "t", "w").short() == \
            "Ben Arous et al. 2021"
        assert claims.Source("J. Ma, S. Fattahi", 2023, "t", "w").short() == "Ma & Fattahi 2023"

    def test_sources_mark_unconfirmed_numbers(self):
        assert "(number unconfirmed)" in drori_teboulle_2014.SOURCE.cite()
        assert "unconfirmed" not in bottou_curtis_nocedal_2018.sgd_fixed_step.source.cite()


def test_registry_lists_claims_and_cross_references_algorithms():
    names = [e.name for e in registry.entries("claim")]
    assert names == [c.id for c in ALL]
    assert any(c.id == "polyak_1964.optimal_rate" for c in registry.claims_about("heavy_ball"))
