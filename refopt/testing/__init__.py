"""The testing kit: check your optimizer against refopt from your own test suite.

* hypothesis strategies (`quadratics`, `problems`, `hyperparameters`,
  `gradients`, `seeds`) that draw only valid objects and shrink to small ones;
* assertion helpers (`assert_matches_reference`, `assert_rate`,
  `assert_bound`, `assert_descends`) whose failure messages name the first
  bad step and what to look at;
* a pytest plugin (loaded through the ``pytest11`` entry point, see
  `refopt.testing.plugin`) with the fixtures ``refopt_seed``, ``refopt_rng``,
  ``refopt_problem``, ``refopt_reference`` and ``refopt_quadratic``, and the
  option ``--refopt-seed``.

Five lines::

    import torch, refopt
    from refopt import parity
    from refopt.testing import assert_matches_reference

    def test_adam_matches_the_reference():
        assert_matches_reference(parity.from_torch(torch.optim.Adam, lr=1e-3), refopt.adam(lr=1e-3))

The strategies need hypothesis (the ``test`` extra). Both halves are imported
on first use, so that loading the plugin costs a test suite nothing.
"""
import importlib

_ASSERTIONS = ("assert_bound", "assert_descends", "assert_matches_reference", "assert_rate")
_STRATEGIES = ("gradients", "hyperparameters", "problems", "quadratics", "seeds")

__all__ = [*_ASSERTIONS, *_STRATEGIES]


def __getattr__(name):
    if name in ("assertions", "strategies"):
        return importlib.import_module(f"{__name__}.{name}")
    if name in _ASSERTIONS:
        return getattr(importlib.import_module(f"{__name__}.assertions"), name)
    if name in _STRATEGIES:
        return getattr(importlib.import_module(f"{__name__}.strategies"), name)
    raise AttributeError(f"module 'refopt.testing' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
