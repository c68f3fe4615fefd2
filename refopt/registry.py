"""The registry: the one list of algorithms and problems that the CLI, the docs,
the strategies and the tests read."""
from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Callable, NamedTuple

from refopt import _checks
from refopt import problems as _problems
from refopt.algorithms import ALGORITHMS


class Entry(NamedTuple):
    name: str
    kind: str           # "algorithm", "problem" or "claim"
    family: str
    summary: str        # one line
    source: str
    factory: Callable   # builds the object from keyword arguments
    parameters: tuple   # the keyword arguments the factory accepts


def _summary(obj):
    return (inspect.getdoc(obj) or "").splitlines()[0]


def _algorithm_factory(cls):
    names = tuple(f.name for f in dataclasses.fields(cls))

    @functools.wraps(cls, assigned=("__doc__",), updated=())
    def make(**hyperparameters):
        for key in hyperparameters:
            if key not in names:
                raise TypeError(f"unknown hyperparameter {key!r} for {cls.name}"
                                f"{_checks.did_you_mean(key, names)}; valid: {', '.join(names)}")
        return cls(**hyperparameters)

    make.__name__ = make.__qualname__ = cls.name
    make.__module__ = "refopt"
    return make


def _build():
    entries = {}
    for cls in ALGORITHMS:
        entries[cls.name] = Entry(cls.name, "algorithm", cls.family, _summary(cls), cls.source,
                                  _algorithm_factory(cls), tuple(f.name for f in dataclasses.fields(cls)))
    for factory in _problems.FACTORIES:
        parameters = tuple(inspect.signature(factory).parameters)
        entries[factory.__name__] = Entry(factory.__name__, "problem", factory.family, factory.summary,
                                          factory.source, factory, parameters)
    return entries


ENTRIES = _build()


def _claims():
    """The claims' entries, built on first use: refopt.proofs sits above this layer."""
    if not any(e.kind == "claim" for e in ENTRIES.values()):
        from refopt import proofs
        for claim in proofs.all_claims():
            summary = claim.statement.split(": ")[0] if len(claim.statement) > 100 else claim.statement
            ENTRIES[claim.id] = Entry(claim.id, "claim", claim.id.split(".")[0],
                                      ("[slow, verify --slow] " if claim.slow else "") + summary,
                                      claim.source.cite(), lambda claim=claim: claim, ())


def entries(kind=None):
    """All registered entries, or those of one kind ("algorithm", "problem", "claim")."""
    if kind in (None, "claim"):
        _claims()
    return [e for e in ENTRIES.values() if kind is None or e.kind == kind]


def claims_about(algorithm_name):
    """The claims whose algorithm is ``algorithm_name``."""
    return [e.factory() for e in entries("claim") if e.factory().algorithm == algorithm_name]


def get(name, kind=None):
    """The entry called ``name``; a clear error naming the alternatives otherwise."""
    if kind in (None, "claim"):
        _claims()
    entry = ENTRIES.get(name)
    if entry is None or (kind is not None and entry.kind != kind):
        names = [e.name for e in entries(kind)]
        label = kind or "entry"
        raise ValueError(f"unknown {label} {name!r}{_checks.did_you_mean(name, names)}; "
                       f"known: {', '.join(names)}")
    return entry


def algorithm(name, **hyperparameters):
    """Build a registered algorithm by name."""
    return get(name, "algorithm").factory(**hyperparameters)


def problem(name, **parameters):
    """Build a registered problem by name."""
    entry = get(name, "problem")
    for key in parameters:
        if key not in entry.parameters:
            raise TypeError(f"unknown parameter {key!r} for problem {name}"
                            f"{_checks.did_you_mean(key, entry.parameters)}; valid: {', '.join(entry.parameters)}")
    return entry.factory(**parameters)
