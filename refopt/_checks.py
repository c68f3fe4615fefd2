"""Input checks shared by every layer; imports nothing of refopt.

Errors are raised at the public boundary with the offending name and value, so
that bad input never reaches an algorithm step (or, later, a jitted kernel).
"""
from __future__ import annotations

import difflib
import numbers

import numpy as np


def positive_int(name, value, *, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def real(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """A finite real scalar in the given interval (closed unless told open)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        bound = ">" if low_open else ">="
        raise ValueError(f"{name} must be {bound} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        bound = "<" if high_open else "<="
        raise ValueError(f"{name} must be {bound} {high}, got {value}")
    return value


def positive(name, value):
    return real(name, value, low=0.0, low_open=True)


def optional_positive(name, value):
    """None (the problem supplies the default) or a positive real."""
    return None if value is None else positive(name, value)


def nonnegative(name, value):
    return real(name, value, low=0.0)


def choice(name, value, options):
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}"
                         + did_you_mean(value, options))
    return value


def did_you_mean(word, options):
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(o) for o in options], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def real_array(name, value, *, shape=None):
    """A finite float64 array; integer input is converted, complex and objects are refused."""
    array = np.asarray(value)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating)
                                     or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"{name} has shape {array.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(f"{name} contains a non-finite value ({array[tuple(bad)]}) at index {tuple(bad)}")
    return array


def seed(value):
    """Seeds are non-negative integers (or a SeedSequence): runs must be reproducible."""
    if isinstance(value, np.random.SeedSequence):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"seed must be a non-negative integer, got {value!r}"
                        " (refopt draws every random number from a Generator built from it)")
    if value < 0:
        raise ValueError(f"seed must be a non-negative integer, got {value}")
    return int(value)
