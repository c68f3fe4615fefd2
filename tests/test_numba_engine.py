"""The numba engine against the reference: kernel by kernel, then trajectory by trajectory."""
import importlib

import numpy as np
import pytest

import refopt
from refopt import numba_engine, problems, schedules
from refopt.problems import noise_kernels

EPS = np.finfo(float).eps

PROBLEMS = {
    "quadratic": lambda: problems.quadratic(dim=8, mu=0.05, seed=1),
    "quadratic_convex": lambda: problems.quadratic(dim=8, mu=0.0, seed=2),
    "diagonal_quadratic": lambda: problems.quadratic(dim=8, mu=0.0, rotate=False, seed=3),
    "least_squares": lambda: problems.least_squares(n=20, d=5, label_noise=0.3, seed=4),
    "least_squares_under": lambda: problems.least_squares(n=4, d=6, seed=5),
    "lasso": lambda: problems.lasso(n=20, d=6, design="gaussian", seed=6),
    "logistic": lambda: problems.logistic(n=30, d=4, seed=7),
    "huber": lambda: problems.huber_worst_case(horizon=10),
    "chain": lambda: problems.nesterov_chain(m=9, dim=11),
    "chain_strongly_convex": lambda: problems.nesterov_chain(m=10, mu=0.05),
    "rosenbrock": lambda: problems.rosenbrock(dim=3),
    "pl_toy": lambda: problems.pl_toy(dim=2),
    "hb_cycle": lambda: problems.hb_cycle(),
    "l1_regression": lambda: problems.l1_regression(n=20, d=4, seed=8),
    "tensor_pca": lambda: problems.tensor_pca(d=5, k=3, n=10.0, seed=9),
    "tensor_pca_4": lambda: problems.tensor_pca(d=4, k=4, n=10.0, seed=10),
    "single_index": lambda: problems.single_index(d=6, k=3, label_noise=0.2, seed=11),
}


def kernels_of(problem):
    module_name, prefix = problem.kernel
    module = importlib.import_module(module_name)
    return {name: getattr(module, f"{prefix}_{name}") for name in numba_engine.PROBLEM_KERNELS
            if hasattr(module, f"{prefix}_{name}")}


@pytest.mark.parametrize("name", PROBLEMS)
def test_problem_kernels_equal_the_reference(name):
    """Each oracle kernel against the problem's method at random points: rounding apart, the same numbers
    (the two engines may reach BLAS through different builds: 64 ulps of the largest term)."""
    problem = PROBLEMS[name]()
    kernels, data = kernels_of(problem), problem.kernel_data()
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.standard_normal(problem.shape) * 2
        v = rng.standard_normal(problem.shape)

        def close(got, expected):
            scale = max(1.0, float(np.max(np.abs(expected))))
            np.testing.assert_allclose(got, expected, rtol=0, atol=64 * EPS * scale * problem.dim)

        close(kernels["f_smooth"](x, data), problem.stochastic_f(x, None))
        out = np.empty(problem.shape)
        if "grad" in kernels:
            kernels["grad"](x, data, out)
            close(out, problem.grad(x))
        if "subgrad" in kernels:
            kernels["subgrad"](x, data, out)
            close(out, problem.subgrad(x))
        if "hvp" in kernels:
            kernels["hvp"](x, data, v, out)
            close(out, problem.hvp(x, v))
        if "r" in kernels:
            close(kernels["r"](x, data), problem.r(x))
        if "prox" in kernels:
            kernels["prox"](x, 0.3, data, out)
            close(out, problem.prox(x, 0.3))
        if problem.x_star is not None:
            close(kernels["dist"](x, data), problem.distance(x))
        if "component_grad" in kernels:
            idx = rng.integers(0, problem.n, size=3)
            kernels["component_grad"](x, data, idx, out)
            close(out, problem.component_grad(x, idx))
            close(kernels["component_f"](x, data, idx), problem.component_f(x, idx))
            if "component_f_star" in kernels:
                close(kernels["component_f_star"](data, idx), problem.component_f_star(idx))
        if "sample_grad" in kernels:
            sample, _ = problem.draw(rng)
            kernels["sample_grad"](x, data, sample, out)
            close(out, problem.stochastic_grad(x, sample))


def test_every_vector_problem_has_kernels():
    for entry in refopt.registry.entries("problem"):
        problem = entry.factory()
        reason = numba_engine.support(refopt.nesterov(lr=1.0), problem)
        if getattr(problem, "is_bilevel", False):
            assert "bilevel" in reason
        elif len(problem.shape) == 1:
            assert problem.kernel is not None, entry.name
            assert reason is None or not problem.is_smooth, reason
        else:
            assert "vector problems" in reason


CONFIGURATIONS = {
    # name: (algorithm, problem): every branch of every step kernel
    "gd": (lambda p: refopt.gradient_descent(), "quadratic"),
    "gd_power": (lambda p: refopt.gradient_descent(lr=schedules.power(0.5, 0.5)), "logistic"),
    "gd_exact": (lambda p: refopt.gradient_descent(line_search="exact"), "quadratic"),
    "gd_armijo": (lambda p: refopt.gradient_descent(line_search="armijo"), "rosenbrock"),
    "gd_armijo_warm": (lambda p: refopt.gradient_descent(line_search="armijo", restart="warm"), "rosenbrock"),
    "subgradient": (lambda p: refopt.subgradient(lr=schedules.power(0.1, 0.5)), "l1_regression"),
    "subgradient_average": (lambda p: refopt.subgradient(lr=0.01, output_point="average"), "l1_regression"),
    "subgradient_best": (lambda p: refopt.subgradient(lr=0.01, output_point="best"), "lasso"),
    "heavy_ball": (lambda p: refopt.heavy_ball(), "quadratic"),
    "heavy_ball_cycle": (lambda p: refopt.heavy_ball(alpha=4 / 36, beta=(4 / 6) ** 2), "hb_cycle"),
    "nesterov": (lambda p: refopt.nesterov(), "chain"),
    "nesterov_k3": (lambda p: refopt.nesterov(momentum="k/(k+3)"), "logistic"),
    "nesterov_sc": (lambda p: refopt.nesterov(momentum="strongly_convex"), "chain_strongly_convex"),
    "ista": (lambda p: refopt.ista(), "lasso"),
    "fista": (lambda p: refopt.fista(), "lasso"),
    "polyak": (lambda p: refopt.polyak_step(), "l1_regression"),
    "polyak_smooth": (lambda p: refopt.polyak_step(), "huber"),
    "pl_gd": (lambda p: refopt.gradient_descent(), "pl_toy"),
    "convex_quadratic": (lambda p: refopt.nesterov(), "quadratic_convex"),
    "diagonal": (lambda p: refopt.gradient_descent(line_search="exact"), "diagonal_quadratic"),
    "underdetermined": (lambda p: refopt.fista(), "least_squares_under"),
    "spherical_sgd_exact": (lambda p: refopt.spherical_sgd(lr=0.05), "tensor_pca"),
}


def assert_same_trajectory(a, b, first_steps=10, rtol=1e-9):
    """Bit-for-bit or a few ulps per step over the first steps; then the documented long-horizon tolerance.

    The two engines compute the same formulas in the same order; only BLAS calls may round differently
    (a few ulps per step). The configurations here contract or stay bounded, so such differences do not
    grow: relative 1e-9 on every recorded metric over the whole run is far above rounding and far below
    any difference in the algorithm."""
    assert (a.status, a.steps) == (b.status, b.steps)
    assert set(a.metrics) == set(b.metrics)
    for k in range(min(first_steps, a.steps) + 1):
        scale = np.maximum(1.0, np.abs(b.iterates[k]))
        assert np.all(np.abs(a.iterates[k] - b.iterates[k]) <= 8 * (k + 1) * EPS * scale), k
    for name in a.metrics:
        np.testing.assert_allclose(a.metrics[name], b.metrics[name], rtol=rtol, atol=1e-13, err_msg=name)
    assert {k: v[-1] for k, v in a.oracle_calls.items()} == {k: v[-1] for k, v in b.oracle_calls.items()}
    np.testing.assert_allclose(a.x, b.x, rtol=rtol, atol=1e-13)


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_trajectories_agree(name):
    make, problem_name = CONFIGURATIONS[name]
    problem = PROBLEMS[problem_name]()
    alg = make(problem)
    reference = refopt.run(alg, problem, 150, keep_iterates=True)
    jitted = refopt.run(alg, problem, 150, keep_iterates=True, engine="numba")
    assert jitted.provenance["engine"] == "numba" and reference.provenance["engine"] == "numpy"
    assert_same_trajectory(jitted, reference)


STOCHASTIC = {
    "sgd_reshuffle": (refopt.sgd(momentum=0.9, dampening=0.1),
                      lambda: problems.least_squares(n=20, d=5, label_noise=0.3,
                                                     noise=problems.finite_sum(3, "reshuffle"))),
    "sgd_without": (refopt.sgd(momentum=0.9, nesterov=True, weight_decay=0.01),
                    lambda: problems.logistic(n=30, d=4, noise=problems.finite_sum(4, "without_replacement"))),
    "sgd_affine": (refopt.sgd(lr=schedules.inverse_time(2.0, 10.0)),
                   lambda: problems.quadratic(dim=6, noise=problems.affine_variance(0.3, 0.5))),
    "sps_finite": (refopt.sps(), lambda: problems.least_squares(n=20, d=5, noise=problems.finite_sum(2))),
    # f* = 0: Polyak-type steps divide f - f* by ||g||^2, and a nonzero f* would make that difference lose
    # the digits of f* to cancellation, which amplifies rounding in both engines alike
    "sps_exact": (refopt.sps(c=1.0), lambda: problems.least_squares(n=20, d=5, noise=None)),
    "adagrad_norm_cyclic": (refopt.adagrad_norm(), lambda: problems.least_squares(
        n=20, d=5, label_noise=0.3, noise=problems.finite_sum(2, "cyclic"))),
    "adagrad_coordinate": (refopt.adagrad_norm(accumulator="coordinate"),
                           lambda: problems.quadratic(dim=6, noise=problems.additive_gaussian(0.2))),
    "sgd_single_shuffle": (refopt.sgd(buffer_init="zero", momentum=0.5, dampening=0.5),
                           lambda: problems.lasso(n=20, d=5, noise=problems.finite_sum(3, "single_shuffle"))),
    "spherical_sgd_online": (refopt.spherical_sgd(lr=0.01),
                             lambda: problems.single_index(d=8, k=3, label_noise=0.1, seed=1)),
}


@pytest.mark.parametrize("name", STOCHASTIC)
def test_same_seed_same_trace_on_both_engines(name):
    alg, make = STOCHASTIC[name]
    problem = make()
    reference = refopt.run(alg, problem, 200, seed=11, keep_iterates=True)
    jitted = refopt.run(alg, problem, 200, seed=11, keep_iterates=True, engine="numba")
    assert_same_trajectory(jitted, reference)
    other = refopt.run(alg, problem, 200, seed=12, keep_iterates=True, engine="numba")
    draws = problem.noise is not None and problem.noise.params().get("sampling") != "cyclic"
    assert np.array_equal(other.iterates, jitted.iterates) != draws


def test_run_many_in_threads_equals_the_reference():
    alg = refopt.sgd(momentum=0.9)
    problem = problems.least_squares(n=30, d=5, label_noise=0.5, noise=problems.finite_sum(2, "reshuffle"))
    jitted = refopt.run_many(alg, problem, 100, seeds=6, engine="numba", threads=2)
    reference = refopt.run_many(alg, problem, 100, seeds=6)
    for name in reference.metrics:
        np.testing.assert_allclose(jitted.metrics[name], reference.metrics[name], rtol=1e-9, atol=1e-13)
    assert jitted.statuses == reference.statuses and jitted.seeds == reference.seeds
    single = refopt.run(alg, problem, 100, seed=4, engine="numba")
    np.testing.assert_array_equal(jitted[4].f_gap, single.f_gap)
    assert jitted.iterates is None


def test_status_and_early_stops_agree():
    problem = PROBLEMS["quadratic"]()
    for engine in ("numpy", "numba"):
        diverged = refopt.run(refopt.gradient_descent(lr=3.0), problem, 5000, engine=engine)
        converged = refopt.run(refopt.nesterov(), problem, 5000, tol=1e-12, engine=engine)
        batch = refopt.run_many(refopt.gradient_descent(lr=2.5), problem, 5000, seeds=2, engine=engine)
        if engine == "numpy":
            expected = (diverged.steps, converged.steps, batch.steps_taken)
        assert diverged.status == "diverged" and converged.status == "converged"
        assert (diverged.steps, converged.steps, batch.steps_taken) == expected
        assert batch.statuses == ["diverged", "diverged"]
        assert np.isnan(batch.f[0, batch.steps_taken[0] + 1:]).all()


def test_unsupported_pairs_are_named_and_auto_falls_back():
    problem = PROBLEMS["logistic"]()
    callable_step = refopt.gradient_descent(lr=lambda k: 0.1)
    with pytest.raises(ValueError, match="no numba kernel for algorithm 'gradient_descent' on problem 'logistic'"):
        refopt.run(callable_step, problem, 5, engine="numba")
    assert refopt.run(callable_step, problem, 5, engine="auto").provenance["engine"] == "numpy"
    sps = refopt.sps()
    finite = problems.logistic(n=30, d=4)
    assert "component_f_star" in numba_engine.support(sps, finite)
    with pytest.raises(ValueError, match="engines available for this pair: numpy"):
        refopt.run(sps, finite, 5, engine="numba")
    assert refopt.run(refopt.nesterov(), problem, 5, engine="auto").provenance["engine"] == "numba"
    online = problems.single_index(d=6)
    assert "smoothing" in numba_engine.support(refopt.spherical_sgd(smoothing=0.5), online)
    assert "sample_f" in numba_engine.support(refopt.sps(), online)


def test_bad_input_is_refused_before_any_jitted_code():
    problem = PROBLEMS["quadratic"]()
    with pytest.raises(ValueError, match="shape"):
        refopt.run(refopt.gradient_descent(), problem, 5, x0=np.ones(3), engine="numba")
    with pytest.raises(ValueError, match="non-finite"):
        refopt.run(refopt.gradient_descent(), problem, 5, x0=np.full(8, np.nan), engine="numba")
    with pytest.raises(TypeError, match="real"):
        refopt.run(refopt.gradient_descent(), problem, 5, x0=np.ones(8, dtype=complex), engine="numba")
    with pytest.raises(ValueError, match="threads"):
        refopt.run_many(refopt.gradient_descent(), problem, 5, seeds=2, engine="numba", threads=0)


def test_generated_modules_are_reused():
    problem = PROBLEMS["huber"]()
    refopt.run(refopt.gradient_descent(), problem, 3, engine="numba")
    module = numba_engine._module(refopt.gradient_descent(), problem)
    text = open(module.__file__).read()
    assert "def gradient_descent_step" in text and "def trajectory" in text and "error_model='numpy'" in text
    files = sorted(numba_engine.cache_dir().glob("gradient_descent_huber_exact_*.py"))
    refopt.run(refopt.gradient_descent(), problem, 3, engine="numba")
    assert sorted(numba_engine.cache_dir().glob("gradient_descent_huber_exact_*.py")) == files


def test_noise_kinds():
    assert noise_kernels.kernel_noise(problems.quadratic())[0] == "exact"
    assert noise_kernels.kernel_noise(problems.least_squares())[0] == "finite_sum"
    assert noise_kernels.kernel_noise(problems.quadratic(noise=problems.additive_gaussian(1.0)))[0] == \
        "affine_variance"
