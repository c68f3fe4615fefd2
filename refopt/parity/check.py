"""Step-by-step comparison of a candidate with a reference, and the tolerance policy.

Teacher forcing: at every step both receive the reference's iterate and the
same gradient; the candidate's next iterate is compared with the reference's.
Rounding then cannot pile up through the iterates, so a tight tolerance
holds and the first wrong step is named.

Free running: each follows its own iterates (the gradients are drawn with the
same random samples, at each one's own point); the tolerance grows with the
path length.

Tolerance policy (elementwise, unless rtol/atol are given):

* teacher-forced: ``64 eps(dtype) |x_ref| + 64 eps(dtype) |delta_ref|``: 64
  units in the last place of the iterate, plus 64 of the step; when the
  backend computes below the parameters' precision, 16 units of that internal
  precision on the step instead (torch's Muon runs Newton-Schulz in bfloat16,
  eps 2^-8, see `INTERNAL_ULPS`; torch's NAdam keeps its momentum product in
  float32). For matrix methods (``entrywise`` False:
  Muon, Shampoo) |delta_ref| is the largest entry of the step, since their
  matrix products spread rounding across entries;
* free-running: the same with |delta_ref| replaced by the path length
  sum_{j<=k} |delta_j|, the growth of errors that are not amplified (a
  contracting or short run).

The reference always runs in float64; a float32 candidate gets the float64
iterate and gradient rounded to float32, which the iterate term covers.
"""
from __future__ import annotations

import numpy as np

from refopt import _checks
from refopt.algorithms import Algorithm

from .candidates import Candidate, check_dtype, from_reference

ULPS = 64
INTERNAL_ULPS = 16
"""Ulps of a backend's lower internal precision allowed on the step: torch's bfloat16 Newton-Schulz (8
significant bits, five iterations of about four products each) was measured within 11 ulps of the step
on the parity probes."""
EPS = {"float64": float(np.finfo(np.float64).eps), "float32": float(np.finfo(np.float32).eps),
       "bfloat16": 2.0**-8}
MODES = ("teacher_forced", "free_running")


class ParityReport:
    """What `check` found: ok, the first bad step, the largest errors, per-step errors and an explanation."""

    def __init__(self, *, ok, first_bad_step, max_abs_error, max_rel_error, abs_errors, tolerances,
                 worst, explanation, mode, dtype, reference, candidate):
        self.ok = ok
        self.first_bad_step = first_bad_step
        self.max_abs_error = max_abs_error
        self.max_rel_error = max_rel_error
        self.abs_errors = abs_errors
        self.tolerances = tolerances
        self.worst = worst
        self.explanation = explanation
        self.mode = mode
        self.dtype = dtype
        self.reference = reference
        self.candidate = candidate

    def __bool__(self):
        return self.ok

    def __str__(self):
        return self.explanation

    def __repr__(self):
        verdict = "ok" if self.ok else f"first bad step {self.first_bad_step}"
        return f"<ParityReport {self.candidate} vs {self.reference}: {verdict}, max error {self.max_abs_error:.2e}>"


class Oracle:
    """Gradients for the comparison: from a problem's stochastic oracle or a probe's sequence."""

    def __init__(self, problem, seed):
        self.problem = problem
        self.rng = np.random.default_rng(_checks.seed(seed))
        self.sampler = None

    @property
    def x0(self):
        return self.problem.x0

    def draw(self):
        if hasattr(self.problem, "gradient"):  # a probe's gradient does not depend on the iterate
            return self.problem.gradient(None, self.rng)
        sample, self.sampler = self.problem.draw(self.rng, self.sampler)
        return sample

    def gradient(self, params, sample):
        if hasattr(self.problem, "gradient"):
            return sample
        return self.problem.stochastic_grad(params, sample)


def _as_candidate(obj, role):
    if isinstance(obj, Candidate):
        return obj
    if isinstance(obj, Algorithm):
        return from_reference(obj)
    raise TypeError(f"{role} must be a refopt algorithm or a candidate (from_torch, from_optax, from_callable), "
                    f"got {obj!r}")


def _errors(candidate, reference):
    """|candidate - reference|, with identical non-finite entries counted as agreement."""
    with np.errstate(invalid="ignore"):
        error = np.abs(candidate - reference)
    same = (candidate == reference) | (np.isnan(candidate) & np.isnan(reference))
    return np.where(same, 0.0, np.where(np.isnan(error), np.inf, error))


def check(reference, candidate, problem, steps, *, mode="teacher_forced", dtype=np.float64, rtol=None, atol=None,
          seed=0, x0=None):
    """Compare ``candidate`` with ``reference`` for ``steps`` steps on ``problem``; a `ParityReport`.

    Parameters
    ----------
    reference : Algorithm or Candidate
        The reference gradient map (e.g. ``refopt.adam()``), run in float64.
    candidate : Candidate or Algorithm
        The optimizer under test (`from_torch`, `from_optax`, `from_callable`).
    problem : Problem or probe
        Supplies the gradients (its stochastic oracle, seeded by ``seed``), or a
        `refopt.parity.GradientProbe`.
    mode : {"teacher_forced", "free_running"}
    dtype : numpy.float64 or numpy.float32
        The candidate's precision.
    rtol, atol : float, optional
        Replace the policy by rtol |x_ref| + atol.
    """
    reference = _as_candidate(reference, "reference")
    candidate = _as_candidate(candidate, "candidate")
    steps = _checks.positive_int("steps", steps)
    _checks.choice("mode", mode, MODES)
    dtype = check_dtype(dtype)
    custom = rtol is not None or atol is not None
    rtol = 0.0 if rtol is None else _checks.nonnegative("rtol", rtol)
    atol = 0.0 if atol is None else _checks.nonnegative("atol", atol)
    oracle = Oracle(problem, seed)
    x_ref = np.array(oracle.x0 if x0 is None else _checks.real_array("x0", x0, shape=oracle.x0.shape),
                     dtype=np.float64)
    x_cand = x_ref.astype(dtype)
    ref_state = reference.init(x_ref.copy())
    cand_state = candidate.init(x_cand.copy())
    eps_iterate = EPS[dtype.name]
    eps_step = EPS[candidate.internal_dtype] if candidate.internal_dtype else eps_iterate
    ulps_step = INTERNAL_ULPS if candidate.internal_dtype else ULPS
    path = np.zeros_like(x_ref)
    abs_errors, tolerances, first_bad, worst = [], [], None, (0.0, 0, ())
    detail = ""
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            sample = oracle.draw()
            g_ref = oracle.gradient(x_ref, sample)
            g_cand = g_ref if mode == "teacher_forced" else oracle.gradient(x_cand.astype(np.float64), sample)
            start = x_ref if mode == "teacher_forced" else x_cand
            next_ref, ref_state = reference.update(x_ref.copy(), g_ref, ref_state)
            next_cand, cand_state = candidate.update(np.asarray(start, dtype=dtype).copy(),
                                                     np.asarray(g_cand, dtype=dtype), cand_state)
            next_cand = np.asarray(next_cand, dtype=np.float64)
            delta = np.abs(next_ref - x_ref)
            path = path + delta
            if custom:
                tol = rtol * np.abs(next_ref) + atol
            else:
                moved = delta if mode == "teacher_forced" else path
                if not (reference.entrywise and candidate.entrywise):
                    moved = np.max(moved)
                tol = ULPS * eps_iterate * np.abs(next_ref) + ulps_step * eps_step * moved
            err = _errors(next_cand, next_ref)
            abs_errors.append(float(np.max(err)))
            tolerances.append(float(np.max(tol)))
            bad = err > tol
            index = np.unravel_index(int(np.argmax(np.where(bad, err / np.maximum(tol, 1e-300), err))), err.shape)
            if err[index] >= worst[0]:
                worst = (float(err[index]), k, tuple(int(i) for i in index))
            if first_bad is None and np.any(bad):
                first_bad = k
                detail = (f"at step {k} entry {tuple(int(i) for i in index)} is {float(next_cand[index])!r} instead of "
                          f"{float(next_ref[index])!r} (error {err[index]:.3e} > tolerance {tol[index]:.3e}; the "
                          f"reference moved it by {delta[index]:.3e})")
            x_ref = next_ref
            x_cand = next_cand if mode == "free_running" else next_ref
    max_abs = max(abs_errors)
    scale = np.maximum(np.abs(x_ref), np.finfo(float).tiny)
    max_rel = float(worst[0] / scale.flat[np.ravel_multi_index(worst[2], scale.shape)] if worst[2] else worst[0])
    policy = (f"rtol {rtol:g}, atol {atol:g}" if custom else
              f"{ULPS} ulps of the iterate ({dtype.name}) and {ulps_step} of the "
              + ("step" if mode == "teacher_forced" else "path length")
              + (f" ({candidate.internal_dtype}, the backend's internal precision)" if candidate.internal_dtype
                 else ""))
    who = f"{candidate.name} vs {reference.name}"
    if first_bad is None:
        explanation = (f"{who}: agree over {steps} steps ({mode.replace('_', '-')}, {dtype.name}); "
                       f"max error {max_abs:.2e} within {policy}")
    else:
        explanation = f"{who}: depart {detail} ({mode.replace('_', '-')}, {dtype.name}; tolerance {policy})"
    return ParityReport(ok=first_bad is None, first_bad_step=first_bad, max_abs_error=max_abs,
                        max_rel_error=max_rel, abs_errors=np.array(abs_errors), tolerances=np.array(tolerances),
                        worst=worst, explanation=explanation, mode=mode, dtype=dtype.name,
                        reference=reference.name, candidate=candidate.name)
