"""Trace: what a run recorded, how it ended, and where it came from."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

STATUSES = ("converged", "max_steps", "diverged")
METRICS = ("f", "f_gap", "grad_norm", "dist")
METRIC_DOC = {
    "f": "f(x_k)",
    "f_gap": "f(x_k) - f*",
    "grad_norm": "||grad f(x_k)||",
    "dist": "distance from x_k to the solution set",
}


def jsonable(value):
    """Plain JSON types; non-finite floats become the strings 'inf', '-inf', 'nan'."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if value is None or isinstance(value, str):
        return value
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


def _floats(values):
    return np.array([float(v) for v in values], dtype=np.float64)


class Trace:
    """The record of one run.

    Attributes
    ----------
    metrics : dict of str to ndarray
        Per-step arrays indexed by k = 0 .. steps (``f``, ``f_gap``, ``grad_norm``,
        ``dist``: those the problem can compute), also reachable as attributes.
    oracle_calls : dict of str to ndarray
        Cumulative number of calls the algorithm made to each oracle up to step k
        (line-search evaluations included; the recording itself is not counted).
    status : {"converged", "max_steps", "diverged"}
    message : str
        A sentence saying why the run stopped.
    x : ndarray
        The last recorded point.
    iterates : ndarray or None
        The recorded points, shape ``(steps + 1, *shape)``, when asked for.
    provenance : dict
        Algorithm and resolved hyperparameters, problem and parameters, seed,
        engine and library versions.
    """

    def __init__(self, *, metrics, oracle_calls, status, message, x, iterates, provenance, steps=None):
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if steps is None:
            if not metrics:
                raise ValueError("a trace that records no metric must be given its number of steps")
            steps = len(next(iter(metrics.values()))) - 1
        self._steps = int(steps)
        self.metrics = metrics
        self.oracle_calls = oracle_calls
        self.status = status
        self.message = message
        self.x = x
        self.iterates = iterates
        self.provenance = provenance

    def __getattr__(self, name):
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        if name in METRICS:
            raise AttributeError(f"this trace has no {name!r}: the problem cannot compute "
                                 f"{METRIC_DOC[name]} (recorded: {', '.join(metrics)})")
        raise AttributeError(name)

    @property
    def steps(self):
        """The number of steps taken."""
        return self._steps

    @property
    def k(self):
        return np.arange(self.steps + 1)

    def __repr__(self):
        alg = self.provenance.get("algorithm", {}).get("name", "?")
        prob = self.provenance.get("problem", {}).get("name", "?")
        return f"<Trace {alg} on {prob}: {self.status} after {self.steps} steps>"

    def table(self, rows=10):
        """A short text table: about ``rows`` log-spaced steps, the last one always shown."""
        steps = self.steps
        shown = sorted(set(np.unique(np.geomspace(1, steps + 1, rows).astype(int) - 1).tolist()) | {steps})
        names = list(self.metrics)
        if not names:
            return f"no metric recorded; status: {self.status} ({self.message})"
        widths = [max(14, len(n) + 2) for n in names]
        lines = ["k".rjust(8) + "".join(n.rjust(w) for n, w in zip(names, widths))]
        for k in shown:
            lines.append(str(k).rjust(8) + "".join(f"{self.metrics[n][k]:{w}.6e}" for n, w in zip(names, widths)))
        lines.append(f"status: {self.status} ({self.message})")
        return "\n".join(lines)

    # -- serialization -----------------------------------------------------------------
    def to_dict(self):
        """A JSON-ready dict (non-finite floats as the strings 'inf', '-inf', 'nan')."""
        return {
            "steps": self.steps,
            "status": self.status,
            "message": self.message,
            "metrics": jsonable(self.metrics),
            "oracle_calls": jsonable(self.oracle_calls),
            "x": jsonable(self.x),
            "iterates": None if self.iterates is None else jsonable(self.iterates),
            "provenance": jsonable(self.provenance),
        }

    @classmethod
    def from_dict(cls, data):
        iterates = data.get("iterates")
        return cls(
            metrics={k: _floats(v) for k, v in data["metrics"].items()},
            oracle_calls={k: np.array(v, dtype=np.int64) for k, v in data["oracle_calls"].items()},
            status=data["status"], message=data["message"], steps=data.get("steps"),
            x=np.array(_nested_floats(data["x"])),
            iterates=None if iterates is None else np.array(_nested_floats(iterates)),
            provenance=data["provenance"],
        )

    def save(self, path):
        """Write the trace to ``.json`` or ``.npz`` (chosen by the suffix)."""
        path = Path(path)
        if path.suffix == ".json":
            path.write_text(json.dumps(self.to_dict(), indent=1))
        elif path.suffix == ".npz":
            arrays = {f"metric_{k}": v for k, v in self.metrics.items()}
            arrays.update({f"calls_{k}": v for k, v in self.oracle_calls.items()})
            if self.iterates is not None:
                arrays["iterates"] = self.iterates
            header = {"status": self.status, "message": self.message, "steps": self.steps,
                      "provenance": jsonable(self.provenance)}
            np.savez(path, x=self.x, header=np.array(json.dumps(header)), **arrays)
        else:
            raise ValueError(f"save to a .json or .npz file, got {path.name!r}")
        return path

    @classmethod
    def load(cls, path):
        path = Path(path)
        if path.suffix == ".json":
            return cls.from_dict(json.loads(path.read_text()))
        if path.suffix != ".npz":
            raise ValueError(f"load a .json or .npz file, got {path.name!r}")
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            return cls(
                metrics={k[7:]: data[k] for k in data.files if k.startswith("metric_")},
                oracle_calls={k[6:]: data[k] for k in data.files if k.startswith("calls_")},
                status=header["status"], message=header["message"], steps=header.get("steps"), x=data["x"],
                iterates=data["iterates"] if "iterates" in data.files else None,
                provenance=header["provenance"],
            )


def _nested_floats(value):
    if isinstance(value, list):
        return [_nested_floats(v) for v in value]
    return float(value)


class TraceBatch:
    """Many runs of one algorithm on one problem, one per seed, with stacked metrics.

    ``metrics[name]`` has shape (len(seeds), steps + 1); a run that stopped early
    (converged or diverged) is padded with NaN after its last step. ``batch[i]``
    is the `Trace` of seed ``seeds[i]``.
    """

    def __init__(self, *, seeds, steps_taken, statuses, messages, metrics, oracle_calls, x, iterates, provenance):
        self.seeds = list(seeds)
        self.steps_taken = [int(s) for s in steps_taken]
        self.statuses = list(statuses)
        self.messages = list(messages)
        self.metrics = metrics
        self.oracle_calls = oracle_calls
        self.x = x
        self.iterates = iterates
        self.provenance = provenance

    @classmethod
    def from_traces(cls, traces, steps):
        """Stack single runs (one per seed) of at most ``steps`` steps."""
        has_iterates = traces[0].iterates is not None
        return cls(
            seeds=[t.provenance["seed"] for t in traces], steps_taken=[t.steps for t in traces],
            statuses=[t.status for t in traces], messages=[t.message for t in traces],
            metrics={name: _stack([t.metrics[name] for t in traces], steps) for name in traces[0].metrics},
            oracle_calls={name: _stack([t.oracle_calls[name] for t in traces], steps)
                          for name in traces[0].oracle_calls},
            x=np.stack([t.x for t in traces]),
            iterates=_stack([t.iterates for t in traces], steps) if has_iterates else None,
            provenance={k: v for k, v in traces[0].provenance.items() if k != "seed"})

    def __len__(self):
        return len(self.seeds)

    def __getattr__(self, name):
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        raise AttributeError(name)

    def __getitem__(self, i):
        steps = self.steps_taken[i]
        return Trace(
            metrics={k: v[i, : steps + 1] for k, v in self.metrics.items()},
            oracle_calls={k: v[i, : steps + 1].astype(np.int64) for k, v in self.oracle_calls.items()},
            status=self.statuses[i], message=self.messages[i], x=self.x[i], steps=steps,
            iterates=None if self.iterates is None else self.iterates[i, : steps + 1],
            provenance=dict(self.provenance, seed=self.seeds[i]),
        )

    def __repr__(self):
        counts = {s: self.statuses.count(s) for s in STATUSES if s in self.statuses}
        return f"<TraceBatch of {len(self)} runs: {counts}>"

    def to_dict(self):
        return jsonable({"seeds": self.seeds, "steps_taken": self.steps_taken, "statuses": self.statuses,
                         "messages": self.messages,
                         "metrics": self.metrics, "oracle_calls": self.oracle_calls,
                         "provenance": self.provenance})


def _stack(arrays, steps):
    first = arrays[0]
    out = np.full((len(arrays), steps + 1) + first.shape[1:], np.nan)
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out
