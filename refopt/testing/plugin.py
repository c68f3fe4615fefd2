"""The pytest plugin, registered through the ``pytest11`` entry point as ``refopt``.

It adds one option and a few fixtures, and nothing else: no hooks that run for
every test, and refopt itself is imported only when a test asks for one of its
fixtures, so a test suite that does not use them runs exactly as before.

* ``--refopt-seed N``: the seed of the fixtures below (default 0); it is shown
  in the report header only when given.
* ``refopt_seed``: that seed; ``refopt_rng``: a ``numpy.random.Generator`` built from it.
* ``refopt_problem``: a factory, ``refopt_problem("logistic", n=100)``, building a
  registered problem with the fixture's seed (where the factory takes one).
* ``refopt_reference``: a factory, ``refopt_reference("adam", lr=1e-3)``, building a
  registered reference algorithm.
* one ready instance per common problem family, seeded by ``refopt_seed``:
  ``refopt_quadratic`` (d = 20, kappa = 100, rotated: the usual first test of an
  optimizer), ``refopt_least_squares``, ``refopt_lasso``, ``refopt_logistic``,
  ``refopt_rosenbrock``, ``refopt_matrix_sensing`` and ``refopt_bilevel`` (the
  quadratic bilevel problem); see `FAMILY_FIXTURES` for their parameters.
"""
import pytest

FAMILY_FIXTURES = {
    "refopt_quadratic": ("quadratic", dict(dim=20, mu=0.01, L=1.0)),
    "refopt_least_squares": ("least_squares", dict(n=100, d=10)),
    "refopt_lasso": ("lasso", dict(n=50, d=20, lam=0.1)),
    "refopt_logistic": ("logistic", dict(n=200, d=10, lam=0.01)),
    "refopt_rosenbrock": ("rosenbrock", dict(dim=2)),
    "refopt_matrix_sensing": ("matrix_sensing", dict(n=10, r_true=2, m=200)),
    "refopt_bilevel": ("quad_bilevel", dict(dx=5, dy=10)),
}
"""fixture name: (registered problem, parameters)."""


def pytest_addoption(parser):
    group = parser.getgroup("refopt")
    group.addoption("--refopt-seed", type=int, default=None, metavar="N",
                    help="seed of refopt's fixtures (refopt_seed, refopt_rng, refopt_problem); default 0")


def pytest_report_header(config):
    seed = config.getoption("--refopt-seed")
    return None if seed is None else f"refopt seed: {seed}"


@pytest.fixture
def refopt_seed(request):
    seed = request.config.getoption("--refopt-seed")
    if seed is not None and seed < 0:
        raise pytest.UsageError(f"--refopt-seed must be a non-negative integer, got {seed}")
    return 0 if seed is None else seed


@pytest.fixture
def refopt_rng(refopt_seed):
    import numpy as np
    return np.random.default_rng(refopt_seed)


@pytest.fixture
def refopt_problem(refopt_seed):
    from refopt import registry

    def make(name, **parameters):
        entry = registry.get(name, "problem")
        if "seed" in entry.parameters and "seed" not in parameters:
            parameters["seed"] = refopt_seed
        return registry.problem(name, **parameters)

    return make


@pytest.fixture
def refopt_reference():
    from refopt import registry
    return registry.algorithm


def _family_fixture(name, problem, parameters):
    def fixture(refopt_problem):
        return refopt_problem(problem, **parameters)
    fixture.__name__ = name
    fixture.__doc__ = f"refopt.problems.{problem}({', '.join(f'{k}={v!r}' for k, v in parameters.items())}), seeded."
    return pytest.fixture(name=name)(fixture)


for _name, (_problem, _parameters) in FAMILY_FIXTURES.items():
    globals()[_name] = _family_fixture(_name, _problem, _parameters)
