"""Small value objects (noise models, step-size schedules) shown and compared by their parameters."""
from __future__ import annotations


class Named:
    """Shown as ``name(param=value, ...)``; equal when of the same type with the same parameters."""

    name = "named"

    def params(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{self.name}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.params() == other.params()

    def __hash__(self):
        return hash((type(self), tuple(self.params().items())))
