"""run / run_many / Trace: recording, status, determinism, provenance, serialization, bad input."""
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

import refopt
from refopt import problems, registry


class TestTrace:
    def test_metrics_and_provenance(self):
        problem = problems.quadratic(dim=5)
        trace = refopt.run(refopt.gradient_descent(), problem, steps=10)
        assert set(trace.metrics) == {"f", "f_gap", "grad_norm", "dist"}
        assert trace.steps == 10 and len(trace.f_gap) == 11
        np.testing.assert_array_equal(trace.k, np.arange(11))
        assert trace.f_gap[0] == problem.f(problem.x0) - problem.f_star
        assert trace.provenance["algorithm"]["resolved"]["lr"] == 1.0 / problem.L
        assert trace.provenance["algorithm"]["hyperparameters"]["lr"] is None
        assert trace.provenance["problem"]["params"]["dim"] == 5
        assert trace.provenance["seed"] == 0 and trace.provenance["engine"] == "numpy"
        assert "numpy" in trace.provenance["versions"]

    def test_only_the_metrics_a_problem_can_compute(self):
        trace = refopt.run(refopt.gradient_descent(lr=1e-3), problems.rosenbrock(dim=3, a=2.0), steps=3)
        assert set(trace.metrics) == {"f", "grad_norm"}
        with pytest.raises(AttributeError, match="cannot compute"):
            trace.f_gap
        composite = refopt.run(refopt.ista(), problems.lasso(), steps=3)
        assert "grad_norm" not in composite.metrics

    def test_record_a_subset(self):
        trace = refopt.run(refopt.nesterov(), problems.quadratic(), steps=4, record=["dist"])
        assert list(trace.metrics) == ["dist"]
        with pytest.raises(ValueError, match="cannot record 'f_gap'"):
            refopt.run(refopt.nesterov(), problems.rosenbrock(dim=3, a=2.0), steps=1, record="f_gap")

    def test_oracle_calls_count_the_algorithm_not_the_recording(self):
        trace = refopt.run(refopt.nesterov(), problems.quadratic(), steps=7)
        np.testing.assert_array_equal(trace.oracle_calls["grad"], np.arange(8))
        assert "f" not in trace.oracle_calls
        sgd = refopt.run(refopt.sgd(), problems.least_squares(), steps=5)
        np.testing.assert_array_equal(sgd.oracle_calls["stochastic_grad"], np.arange(6))

    def test_divergence_is_a_status_not_a_warning(self):
        problem = problems.quadratic(dim=5, L=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            trace = refopt.run(refopt.gradient_descent(lr=3.0), problem, steps=5000)
        assert trace.status == "diverged"
        assert trace.steps < 5000
        assert not np.isfinite(trace.f[-1]) and np.all(np.isfinite(trace.f[:-1]))
        assert "non-finite" in trace.message

    def test_convergence_tolerance(self):
        trace = refopt.run(refopt.nesterov(), problems.quadratic(), steps=10_000, tol=1e-10)
        assert trace.status == "converged"
        assert trace.f_gap[-1] <= 1e-10 < trace.f_gap[-2]
        # without f* the tolerance applies to the gradient norm
        rosen = refopt.run(refopt.gradient_descent(line_search="armijo"), problems.rosenbrock(dim=3, a=2.0),
                           steps=10_000, tol=0.5)
        assert rosen.status == "converged" and rosen.grad_norm[-1] <= 0.5 < rosen.grad_norm[-2]

    def test_table_shows_the_last_step_and_the_status(self):
        text = refopt.run(refopt.gradient_descent(), problems.quadratic(), steps=50).table()
        lines = text.splitlines()
        assert lines[0].split() == ["k", "f", "f_gap", "grad_norm", "dist"]
        assert lines[-2].split()[0] == "50" and lines[-1].startswith("status: max_steps")


class TestDeterminism:
    @pytest.mark.parametrize("alg, problem", [
        (refopt.sgd(momentum=0.9), problems.least_squares(noise=problems.finite_sum(3, "reshuffle"))),
        (refopt.sps(), problems.least_squares(noise=problems.finite_sum(2, "without_replacement"))),
        (refopt.adagrad_norm(), problems.quadratic(noise=problems.affine_variance(0.1, 0.5))),
    ])
    def test_same_seed_same_trace_other_seed_other_trace(self, alg, problem):
        a = refopt.run(alg, problem, steps=50, seed=7, keep_iterates=True)
        b = refopt.run(alg, problem, steps=50, seed=7, keep_iterates=True)
        c = refopt.run(alg, problem, steps=50, seed=8, keep_iterates=True)
        np.testing.assert_array_equal(a.iterates, b.iterates)
        for name in a.metrics:
            np.testing.assert_array_equal(a.metrics[name], b.metrics[name])
        assert not np.array_equal(a.iterates, c.iterates)

    def test_deterministic_methods_ignore_the_seed(self):
        problem = problems.logistic()
        a = refopt.run(refopt.heavy_ball(), problem, steps=20, seed=1)
        b = refopt.run(refopt.heavy_ball(), problem, steps=20, seed=2)
        np.testing.assert_array_equal(a.x, b.x)


class TestRunMany:
    def test_stacked_metrics_equal_single_runs(self):
        problem = problems.least_squares(label_noise=0.5)
        batch = refopt.run_many(refopt.sgd(), problem, steps=30, seeds=4)
        assert batch.f_gap.shape == (4, 31) and batch.seeds == [0, 1, 2, 3]
        single = refopt.run(refopt.sgd(), problem, steps=30, seed=2)
        np.testing.assert_array_equal(batch.f_gap[2], single.f_gap)
        np.testing.assert_array_equal(batch[2].x, single.x)
        assert batch[2].provenance["seed"] == 2

    def test_early_stops_are_padded_with_nan(self):
        problem = problems.quadratic(dim=3, L=1.0)
        batch = refopt.run_many(refopt.gradient_descent(lr=3.0), problem, steps=3000, seeds=[5, 6])
        assert batch.statuses == ["diverged", "diverged"]
        last = batch.steps_taken[0]
        assert np.isnan(batch.f[0, last + 1:]).all() and not np.isnan(batch.f[0, last - 1])
        assert batch[0].steps == last and batch[0].status == "diverged"

    def test_iterates_only_on_request(self):
        problem = problems.quadratic(dim=3)
        assert refopt.run_many(refopt.nesterov(), problem, steps=5, seeds=2).iterates is None
        assert refopt.run_many(refopt.nesterov(), problem, steps=5, seeds=2,
                               keep_iterates=True).iterates.shape == (2, 6, 3)


class TestSerialization:
    @pytest.mark.parametrize("suffix", [".json", ".npz"])
    def test_round_trip(self, tmp_path, suffix):
        trace = refopt.run(refopt.gradient_descent(lr=3.0), problems.quadratic(dim=3), steps=2000,
                           keep_iterates=True)
        assert trace.status == "diverged"  # non-finite values must survive the trip
        loaded = refopt.Trace.load(trace.save(tmp_path / f"trace{suffix}"))
        for name in trace.metrics:
            np.testing.assert_array_equal(loaded.metrics[name], trace.metrics[name])
        np.testing.assert_array_equal(loaded.iterates, trace.iterates)
        assert (loaded.status, loaded.message) == (trace.status, trace.message)
        assert loaded.provenance == json.loads(json.dumps(refopt.trace.jsonable(trace.provenance)))

    def test_to_dict_is_strict_json(self):
        trace = refopt.run(refopt.sgd(lr=refopt.schedules.inverse_time(2.0, 1.0)),
                           problems.least_squares(), steps=3)
        text = json.dumps(trace.to_dict(), allow_nan=False)
        assert "inverse_time" in text and "finite_sum" in text

    def test_unknown_suffix(self, tmp_path):
        trace = refopt.run(refopt.gradient_descent(), problems.quadratic(), steps=1)
        with pytest.raises(ValueError, match=".json or .npz"):
            trace.save(tmp_path / "trace.txt")


class TestBadInput:
    @pytest.mark.parametrize("kwargs, error, match", [
        (dict(x0=np.ones(3)), ValueError, "shape"),
        (dict(x0=np.full(10, np.nan)), ValueError, "non-finite"),
        (dict(x0=np.ones(10) * 1j), TypeError, "real"),
        (dict(steps=-1), ValueError, "steps"),
        (dict(seed=1.5), TypeError, "seed"),
        (dict(seed=None), TypeError, "seed"),
        (dict(engine="cuda"), ValueError, "engine"),
        (dict(tol=1e-3, tol_metric="dist2"), ValueError, "tol_metric"),
    ])
    def test_run_rejects(self, kwargs, error, match):
        arguments = dict(steps=5) | kwargs
        with pytest.raises(error, match=match):
            refopt.run(refopt.gradient_descent(), problems.quadratic(), **arguments)

    @pytest.mark.parametrize("make, error, match", [
        (lambda: refopt.gradient_descent(lr=-0.1), ValueError, "lr"),
        (lambda: refopt.gradient_descent(lr=float("nan")), ValueError, "finite"),
        (lambda: refopt.gradient_descent(lrr=0.1), TypeError, "did you mean 'lr'"),
        (lambda: refopt.gradient_descent(line_search="wolfe"), ValueError, "line_search"),
        (lambda: refopt.heavy_ball(beta=1.0), ValueError, "beta"),
        (lambda: refopt.sgd(momentum=0.0, nesterov=True), ValueError, "Nesterov"),
        (lambda: refopt.sgd(lr="fast"), TypeError, "lr"),
        (lambda: refopt.subgradient(), TypeError, "needs lr"),
        (lambda: refopt.sps(gamma_b=0.0), ValueError, "gamma_b"),
        (lambda: registry.algorithm("adamm"), ValueError, r"unknown algorithm 'adamm' \(did you mean 'adam'"),
        (lambda: registry.problem("quadratc"), ValueError, "did you mean 'quadratic'"),
        (lambda: registry.problem("quadratic", dimension=3), TypeError, "unknown parameter 'dimension'"),
        (lambda: refopt.nonexistent, AttributeError, "no attribute"),
    ])
    def test_factories_reject(self, make, error, match):
        with pytest.raises(error, match=match):
            make()

    def test_problem_dependent_defaults_need_a_problem_or_a_value(self):
        with pytest.raises(ValueError, match="1/L"):
            refopt.run(refopt.gradient_descent(), problems.rosenbrock(), steps=1)
        with pytest.raises(ValueError, match="depend on the problem"):
            refopt.gradient_descent().init(np.zeros(2), None)
        with pytest.raises(ValueError, match="mu"):
            refopt.run(refopt.heavy_ball(), problems.quadratic(mu=0.0), steps=1)

    def test_a_callable_step_that_goes_negative(self):
        alg = refopt.gradient_descent(lr=lambda k: 0.1 - 0.05 * k)
        with pytest.raises(ValueError, match=r"lr\(3\)"):
            refopt.run(alg, problems.quadratic(), steps=5)

    def test_names_are_accepted(self):
        trace = refopt.run("nesterov", "quadratic", steps=3)
        assert trace.provenance["algorithm"]["name"] == "nesterov"


class TestRegistry:
    def test_every_algorithm_is_documented_and_reachable(self):
        for entry in registry.entries("algorithm"):
            factory = getattr(refopt, entry.name)
            assert factory is entry.factory
            doc = factory.__doc__
            assert ".. math::" in doc and "Source" in doc, entry.name
            assert entry.source and entry.summary
            alg_class = type(factory(**_required(entry.name)))
            assert alg_class.name == entry.name

    def test_every_problem_is_documented_and_reachable(self):
        for entry in registry.entries("problem"):
            assert getattr(problems, entry.name) is entry.factory
            assert "Parameters" in entry.factory.__doc__ and entry.source
            problem = entry.factory()
            assert problem.name == entry.name
            assert all(c.kind in ("exact", "computed", "upper_bound", "lower_bound")
                       for c in problem.constants.values())

    def test_gradient_maps_have_an_update(self):
        for entry in registry.entries("algorithm"):
            alg = entry.factory(**_required(entry.name))
            if not alg.is_gradient_map:
                with pytest.raises(TypeError, match="not a gradient map"):
                    alg.update(np.zeros(2), np.zeros(2), None)


def _required(name):
    return {"subgradient": {"lr": 0.1}}.get(name, {})


def test_import_is_cheap_and_compiles_nothing(tmp_path):
    code = ("import sys, refopt; from refopt import problems; "
            "refopt.run(refopt.gradient_descent(), problems.quadratic(), steps=2); "
            "print(sorted(m for m in ('numba', 'scipy', 'autograd') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout
    assert out.strip() == "[]"
