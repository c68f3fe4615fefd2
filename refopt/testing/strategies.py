"""hypothesis strategies for refopt's objects: problems, hyperparameters, gradients and seeds.

Every strategy draws only valid objects (each is built through the public
factory, which checks its input) and shrinks toward small, readable ones:
low dimensions, round condition numbers, the defaults of the hyperparameters.
Arguments may be fixed values or strategies.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from refopt import registry

SEED_MAX = 2**32 - 1


def seeds():
    """Seeds for refopt's factories and runs (non-negative integers; shrink to 0)."""
    return st.integers(0, SEED_MAX)


def _strategy(value):
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def quadratics(dim=st.integers(1, 20), kappa=st.sampled_from([1.0, 10.0, 100.0, 1e3, 1e4]), L=1.0,
               spectrum=st.sampled_from(["uniform", "geometric", "clusters"]), rotate=st.booleans(), seed=None):
    """Strongly convex quadratics with condition number ``kappa`` = L/mu (exact L, mu, x*, f*).

    ``dim = 1`` forces kappa = 1 (one eigenvalue). Each argument is a value or a strategy.
    """
    @st.composite
    def build(draw):
        d = draw(_strategy(dim))
        k = 1.0 if d == 1 else float(draw(_strategy(kappa)))
        top = float(draw(_strategy(L)))
        return registry.problem("quadratic", dim=d, mu=top / k, L=top, spectrum=draw(_strategy(spectrum)),
                                rotate=draw(_strategy(rotate)), seed=draw(seeds() if seed is None else _strategy(seed)))
    return build()


def _ranges():
    """Valid parameters for every registered problem, small enough for a test to run in milliseconds."""
    small = st.integers(2, 8)
    return {
        "quadratic": dict(dim=st.integers(2, 12), mu=st.sampled_from([0.0, 0.01, 0.1, 0.5]), L=st.just(1.0)),
        "least_squares": dict(n=st.integers(10, 40), d=small, label_noise=st.sampled_from([0.0, 0.1])),
        "lasso": dict(n=st.integers(20, 40), d=small, lam=st.sampled_from([0.01, 0.1]),
                      design=st.sampled_from(["orthogonal", "gaussian"])),
        "matrix_least_squares": dict(),
        "logistic": dict(n=st.integers(20, 60), d=small, lam=st.sampled_from([0.01, 0.1])),
        "l1_regression": dict(n=st.integers(10, 30), d=small),
        "huber_worst_case": dict(horizon=st.integers(1, 20)),
        "nesterov_chain": dict(m=st.integers(2, 15)),
        "hb_cycle": dict(),
        "rosenbrock": dict(dim=st.integers(2, 6)),
        "pl_toy": dict(),
        "matrix_sensing": dict(n=st.integers(4, 8), r_true=st.integers(1, 2),
                               design=st.sampled_from(["gaussian", "rank_one", "identity"])),
        "asymmetric_matrix_sensing": dict(n1=st.integers(4, 8), r_true=st.integers(1, 2)),
        "robust_matrix_recovery": dict(n=st.integers(4, 8), r_true=st.integers(1, 2),
                                       p_out=st.sampled_from([0.0, 0.1, 0.3])),
        "matrix_completion": dict(n1=st.integers(10, 20), r=st.integers(1, 2)),
        "tensor_pca": dict(d=st.integers(3, 8), k=st.sampled_from([2, 3]), n=st.sampled_from([10.0, 100.0])),
        "single_index": dict(d=st.integers(3, 10), k=st.integers(1, 4)),
        "quad_bilevel": dict(dx=st.integers(1, 5), dy=st.integers(2, 6), mu_g=st.sampled_from([0.1, 0.5]),
                             c=st.sampled_from([0.1, 1.0])),
        "ridge_hpo": dict(n_tr=st.integers(10, 20), n_val=st.integers(5, 15), d=st.integers(2, 5),
                          per_feature=st.booleans()),
        "nonsingleton_toy": dict(n=st.integers(1, 4)),
        "unbounded_smooth_bilevel": dict(dx=st.integers(1, 5), dy=st.integers(2, 6)),
        "constrained_bilevel": dict(a=st.sampled_from([0.0, 0.3, 1.0]), c=st.sampled_from([-1.0, 1.0, 3.0]),
                                    coupled=st.booleans(), dim=st.integers(1, 3)),
        "sine_bilevel": dict(),
    }


RANGES = _ranges()


def problems(family, **fixed):
    """Problems of a registered family (``"logistic"``, ``"bilevel"``, ...) or of one factory (``"lasso"``).

    Parameters are drawn from valid, small ranges; ``fixed`` overrides them
    (values or strategies, e.g. ``problems("quadratic", dim=5)``). Factories
    that take a seed get one from `seeds`.
    """
    names = [e.name for e in registry.entries("problem") if family in (e.name, e.family)]
    if not names:
        known = sorted({e.family for e in registry.entries("problem")} | {e.name for e in registry.entries("problem")})
        raise ValueError(f"unknown problem family or factory {family!r}; known: {', '.join(known)}")

    @st.composite
    def build(draw, name):
        entry = registry.get(name, "problem")
        unknown = [key for key in fixed if key not in entry.parameters]
        if unknown and len(names) == 1:
            raise TypeError(f"problem {name} has no parameter {unknown[0]!r}; valid: {', '.join(entry.parameters)}")
        params = {key: draw(value) for key, value in RANGES.get(name, {}).items()}
        params.update({key: draw(_strategy(value)) for key, value in fixed.items() if key in entry.parameters})
        if "seed" in entry.parameters and "seed" not in fixed:
            params["seed"] = draw(seeds())
        return entry.factory(**params)

    return st.one_of([build(name) for name in names])


def _float_field(name, default):
    """A strategy for one real hyperparameter, by its name and default; shrinks to the default."""
    low_name = name.lower()
    if low_name.startswith("beta") or low_name in ("momentum", "dampening", "rho", "alpha", "mu0"):
        return st.one_of(st.just(default), st.sampled_from([0.0, 0.5, 0.9, 0.99]))
    if "eps" in low_name:
        return st.one_of(st.just(default), st.sampled_from([1e-12, 1e-10, 1e-8, 1e-6]))
    if "decay" in low_name and "weight" in low_name:
        return st.one_of(st.just(default), st.sampled_from([0.0, 1e-4, 1e-2, 0.1]))
    if default == 0.0:
        return st.one_of(st.just(0.0), st.sampled_from([1e-3, 0.1, 1.0]))
    scales = [0.1, 0.5, 2.0, 10.0] if default > 0 else [0.5, 2.0]
    return st.one_of(st.just(default), st.sampled_from([default * s for s in scales]))


def _field_strategy(cls, field):
    default = field.default
    if default is None:  # a problem-dependent default, or an explicit positive value
        return st.one_of(st.none(), st.sampled_from([1e-4, 1e-3, 1e-2, 0.1, 1.0]))
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int):
        return st.one_of(st.just(default), st.integers(max(0, default // 2), max(1, 2 * default)))
    if isinstance(default, float):
        return _float_field(field.name, default)
    if isinstance(default, tuple) and all(isinstance(v, float) for v in default):
        return st.one_of(st.just(default), st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)]))
    if isinstance(default, str):
        return st.sampled_from(_choices(cls, field.name, default))
    return st.just(default)


def _choices(cls, name, default):
    """The values a string hyperparameter accepts: the options its validation lists."""
    try:
        cls(**{name: "\x00not an option"})
    except ValueError as error:
        text = str(error)
        marker = f"{name} must be one of "
        if marker in text:
            listed = text.split(marker, 1)[1].split("; got", 1)[0]
            options = [part.strip().strip("'\"") for part in listed.split(", ")]
            return [default] + [o for o in options if o != default]
    except TypeError:
        pass
    return [default]


def _constructible(cls, values):
    try:
        cls(**values)
    except (ValueError, TypeError):
        return False
    return True


def hyperparameters(algorithm_name, **fixed):
    """Valid hyperparameters of a registered algorithm, as a dict for ``refopt.<name>(**h)``.

    Each field is drawn near its default (step sizes and constants scaled by
    0.1 to 10, momenta and betas from [0, 0.99], eps from 1e-12 to 1e-6, the
    options a string field lists); combinations the algorithm refuses are
    filtered out, so every draw builds. ``None`` means the problem-dependent
    default (e.g. lr = 1/L). ``fixed`` pins fields (values or strategies).
    """
    registry.get(algorithm_name, "algorithm")   # a clear error for an unknown name
    from refopt.algorithms import ALGORITHMS
    cls = next(c for c in ALGORITHMS if c.name == algorithm_name)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in fixed:
        if key not in fields:
            raise TypeError(f"{algorithm_name} has no hyperparameter {key!r}; valid: {', '.join(fields)}")
    drawn = {name: (_strategy(fixed[name]) if name in fixed else _field_strategy(cls, f))
             for name, f in fields.items()}
    return st.fixed_dictionaries(drawn).filter(lambda values: _constructible(cls, values))


def gradients(shape, dtype=np.float64, *, max_magnitude=1e6):
    """Finite gradient arrays with the edge values optimizers trip on.

    Entries mix zeros, tiny values (down to the smallest normal number of the
    dtype), ordinary ones, large ones (up to ``max_magnitude``) and both signs;
    no NaN or inf. Shrinks toward all zeros.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype must be float64 or float32, got {dtype}")
    tiny = float(np.finfo(dtype).tiny)
    width = 32 if dtype == np.float32 else 64
    magnitudes = st.one_of(
        st.just(0.0),
        st.sampled_from([tiny, 1e-30, 1e-8, 1.0, max_magnitude]),
        st.floats(min_value=-max_magnitude, max_value=max_magnitude, allow_nan=False, allow_infinity=False,
                  allow_subnormal=False, width=width),
    )
    signed = st.tuples(magnitudes, st.booleans()).map(lambda pair: -pair[0] if pair[1] else pair[0])
    return hnp.arrays(dtype, shape, elements=signed)
