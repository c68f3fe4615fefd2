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
* ``refopt_quadratic``: an ill-conditioned quadratic (d = 20, kappa = 100, rotated),
  the usual first test of an optimizer.
"""
import pytest


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


@pytest.fixture
def refopt_quadratic(refopt_problem):
    return refopt_problem("quadratic", dim=20, mu=0.01, L=1.0)
