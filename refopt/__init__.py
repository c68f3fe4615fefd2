"""refopt: reference optimization algorithms, analytic problems and executable claims.

    >>> import refopt
    >>> from refopt import problems
    >>> trace = refopt.run(refopt.nesterov(), problems.quadratic(dim=50, mu=1e-3), steps=200)
    >>> trace.status, bool(trace.f_gap[-1] < 1e-3)
    ('max_steps', True)

The algorithms are reachable by their registered names (``refopt.gradient_descent``,
``refopt.sgd``, ...); ``refopt.registry`` lists them with the problems.
"""
from __future__ import annotations

__version__ = "0.1.0"

# Attributes are loaded on first use, so that `import refopt` stays cheap.
_LAZY = {
    "run": ("refopt.runner", "run"),
    "run_many": ("refopt.runner", "run_many"),
    "Trace": ("refopt.trace", "Trace"),
    "TraceBatch": ("refopt.trace", "TraceBatch"),
    "schedules": ("refopt.algorithms.schedules", None),
    "algorithms": ("refopt.algorithms", None),
    "problems": ("refopt.problems", None),
    "proofs": ("refopt.proofs", None),
    "registry": ("refopt.registry", None),
}


def _algorithm_names():
    from refopt import registry
    return {e.name: e for e in registry.entries("algorithm")}


def __getattr__(name):
    import importlib

    if name in _LAZY:
        module, attr = _LAZY[name]
        value = importlib.import_module(module)
        value = value if attr is None else getattr(value, attr)
    elif name.startswith("_"):
        # `from refopt import _checks` inside the package must not start the registry
        raise AttributeError(f"module 'refopt' has no attribute {name!r}")
    else:
        entry = _algorithm_names().get(name)
        if entry is None:
            raise AttributeError(f"module 'refopt' has no attribute {name!r}")
        value = entry.factory
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_algorithm_names()))
