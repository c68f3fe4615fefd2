"""Which reference variant does a candidate implement?"""
from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from refopt import algorithms as A

from .candidates import check_dtype
from .check import check
from .probes import GradientProbe

# family: (reference class, the variant axes it is tried over, the probe's shape)
FAMILIES = {
    "sgd": (A.SGD, {"buffer_init": ("gradient", "zero"), "lr_in_buffer": (False, True)}, (12,)),
    "adagrad": (A.AdaGrad, {"eps_placement": ("outside", "inside")}, (12,)),
    "rmsprop": (A.RMSprop, {"eps_placement": ("outside", "inside"), "bias_correction": (False, True),
                            "lr_in_buffer": (False, True)}, (12,)),
    "adam": (A.Adam, {"eps_placement": ("after_bc", "before_bc"),
                      "decoupled_weight_decay": (False, True), "decay_scaling": ("lr", "none"),
                      "amsgrad": (False, "raw", "bias_corrected")}, (12,)),
    "adamax": (A.Adamax, {"eps_in_max": (True, False)}, (12,)),
    "nadam": (A.NAdam, {"momentum_schedule": ("dozat", "constant"), "decoupled_weight_decay": (False, True)},
              (12,)),
    "radam": (A.RAdam, {"threshold": (4.0, 5.0), "comparison": (">", ">="), "eps_placement": ("after_bc", "before_bc"),
                        "degenerate": ("sgd", "skip"), "decoupled_weight_decay": (False, True)}, (12,)),
    "sign_sgd": (A.SignSGD, {}, (12,)),
    "signum": (A.Signum, {}, (12,)),
    "lion": (A.Lion, {"mode": ("hard", "smooth", "refined")}, (12,)),
    "muon": (A.Muon, {"momentum_form": ("ema", "bias_corrected"), "normalization": ("max", "plus"),
                      "shape_scaling": ("rows_over_cols", "cols_over_rows", "match_rms_adamw"),
                      "orthogonalizer": ("newton_schulz", "svd")}, (6, 3)),
}

TORCH_FAMILIES = {"SGD": "sgd", "Adagrad": "adagrad", "RMSprop": "rmsprop", "Adam": "adam", "AdamW": "adam",
                  "Adamax": "adamax", "NAdam": "nadam", "RAdam": "radam", "Muon": "muon"}

PHRASES = {
    ("buffer_init", "gradient"): "momentum buffer started at the first gradient (no dampening at step 1)",
    ("buffer_init", "zero"): "momentum buffer started at zero",
    ("lr_in_buffer", False): "lr outside the momentum buffer",
    ("lr_in_buffer", True): "lr inside the momentum buffer",
    ("eps_placement", "outside"): "eps outside the square root",
    ("eps_placement", "inside"): "eps inside the square root",
    ("eps_placement", "after_bc"): "eps after the bias-corrected square root",
    ("eps_placement", "before_bc"): "eps before the bias correction",
    ("bias_correction", False): "no bias correction",
    ("bias_correction", True): "bias-corrected averages",
    ("decoupled_weight_decay", False): "L2 weight decay coupled to the gradient",
    ("decoupled_weight_decay", True): "decoupled weight decay",
    ("decay_scaling", "lr"): "decay scaled by lr",
    ("decay_scaling", "none"): "decay not scaled by lr",
    ("amsgrad", False): "no AMSGrad maximum",
    ("amsgrad", "raw"): "AMSGrad maximum over the raw second moment",
    ("amsgrad", "bias_corrected"): "AMSGrad maximum over the bias-corrected second moment",
    ("eps_in_max", True): "eps inside the maximum",
    ("eps_in_max", False): "no eps (the paper's form)",
    ("momentum_schedule", "dozat"): "Dozat's momentum schedule",
    ("momentum_schedule", "constant"): "constant momentum",
    ("comparison", ">"): "rectified when rho_t > threshold",
    ("comparison", ">="): "rectified when rho_t >= threshold",
    ("degenerate", "sgd"): "an SGD step before rectification",
    ("degenerate", "skip"): "no step before rectification",
    ("mode", "hard"): "sign", ("mode", "smooth"): "tanh (Lion-kappa smooth)", ("mode", "refined"): "clip (refined)",
    ("momentum_form", "ema"): "momentum as an EMA (lerp)",
    ("momentum_form", "bias_corrected"): "bias-corrected momentum",
    ("normalization", "max"): "Newton-Schulz start M / max(||M||_F, eps)",
    ("normalization", "plus"): "Newton-Schulz start M / (||M||_F + eps)",
    ("shape_scaling", "rows_over_cols"): "scaled by sqrt(max(1, rows/cols))",
    ("shape_scaling", "cols_over_rows"): "scaled by sqrt(max(1, cols/rows))",
    ("shape_scaling", "match_rms_adamw"): "scaled by 0.2 sqrt(max(rows, cols))",
    ("orthogonalizer", "newton_schulz"): "Newton-Schulz orthogonalization",
    ("orthogonalizer", "svd"): "exact polar factor (SVD)",
}


def describe(family, variant):
    """A sentence naming a variant: the reference and each of its choices."""
    choices = [PHRASES.get((axis, value), f"{axis}={value!r}") for axis, value in variant.items()]
    if variant.get("threshold") is not None:
        choices = [c for c in choices if not c.startswith("threshold")]
        choices.insert(0, f"threshold {variant['threshold']:g}")
    return f"{family}: " + ", ".join(choices) if choices else family


@dataclasses.dataclass
class Identification:
    """The reference variants a candidate matches, or the closest one and where it departs.

    ``matches`` holds (variant choices, algorithm, report) for every match;
    several match when the candidate's hyperparameters make them coincide
    (no weight decay: coupled and decoupled decay are the same), and
    ``undetermined`` names the axes they differ on.
    """
    candidate: str
    family: str
    matches: list
    closest: tuple
    dtype: str

    @property
    def ok(self):
        return bool(self.matches)

    @property
    def undetermined(self):
        axes = self.matches[0][0].keys() if self.matches else ()
        return [a for a in axes if len({repr(m[0].get(a)) for m in self.matches}) > 1]

    @property
    def variant(self):
        """The description of what the matches share ("" when nothing matches)."""
        if not self.matches:
            return ""
        common = {a: v for a, v in self.matches[0][0].items() if a not in self.undetermined}
        text = describe(self.family, common)
        if self.undetermined:
            text += f" ({', '.join(self.undetermined)}: equivalent here)"
        return text

    def __str__(self):
        if self.matches:
            return f"{self.candidate} is {self.variant}"
        variant, _, report = self.closest
        return (f"{self.candidate} matches no {self.family} variant; the closest, {describe(self.family, variant)}, "
                f"{report.explanation.split(': ', 1)[1]}")


def variants(family, hyper):
    """(variant choices, reference algorithm) for every consistent combination of the family's axes."""
    cls, axes, _ = FAMILIES[family]
    fields = {f.name for f in dataclasses.fields(cls)}
    base = {k: v for k, v in hyper.items() if k in fields and k not in axes}
    if "betas" in base:
        base["betas"] = tuple(base["betas"])
    if "ns_coefficients" in base:
        base["ns_coefficients"] = tuple(base["ns_coefficients"])
    out, seen = [], set()
    for values in itertools.product(*axes.values()):
        variant = dict(zip(axes, values))
        if not variant.get("decoupled_weight_decay", True):
            variant.pop("decay_scaling", None)  # the scaling of a decoupled decay does not apply
        key = tuple(sorted(variant.items(), key=lambda item: item[0]))
        if key in seen:
            continue
        seen.add(key)
        try:
            alg = cls(**base, **variant)
        except (ValueError, TypeError):
            continue  # an inconsistent combination (e.g. the velocity form with dampening)
        out.append((variant, alg))
    return out


def identify(candidate, family=None, *, dtype=np.float64, steps=20, hyper=None, seed=0):
    """The reference variants of ``family`` that ``candidate`` matches step by step.

    The candidate is compared (teacher-forced) with every consistent
    combination of the family's variant axes (`FAMILIES`), built with the
    candidate's hyperparameters (``hyper``, merged over ``candidate.hyper``;
    refopt's names), on a `GradientProbe` that separates them. ``family``
    defaults to the torch class's.
    """
    dtype = check_dtype(dtype)
    if family is None:
        family = TORCH_FAMILIES.get(candidate.name.rsplit(".", 1)[-1])
        if family is None:
            raise ValueError(f"cannot tell the family of {candidate.name!r}; pass family= (one of "
                             f"{', '.join(FAMILIES)})")
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    merged = dict(candidate.hyper)
    merged.update(hyper or {})
    if family == "muon" and merged.get("adjust_lr_fn") == "match_rms_adamw":
        merged.pop("adjust_lr_fn")
    probe = GradientProbe(FAMILIES[family][2])
    results = []
    for variant, alg in variants(family, merged):
        report = check(alg, candidate, probe, steps, dtype=dtype, seed=seed)
        results.append((variant, alg, report))
    matches = [r for r in results if r[2].ok]
    closest = None
    if not matches:
        closest = max(results, key=lambda r: (r[2].first_bad_step, -r[2].max_abs_error))
    return Identification(candidate.name, family, matches, closest, dtype.name)
