import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# the tests' own helper module; only tests/ goes on the path, so the installed refopt is the one tested
sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("refopt", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("refopt")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", help="also check the slow claims (minutes each)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="a slow claim (minutes): run with --slow, or `refopt verify --slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
