"""Parity: does a backend optimizer compute the reference's iterates, and which variant is it?

    >>> import torch, refopt
    >>> from refopt import parity
    >>> candidate = parity.from_torch(torch.optim.Adam, lr=1e-3)
    >>> report = parity.check(refopt.adam(), candidate, parity.GradientProbe(), steps=20)
    >>> report.ok, str(parity.identify(candidate)).split(" is ")[1].split(",")[0]
    (True, 'adam: eps after the bias-corrected square root')
"""
from .candidates import Candidate, from_callable, from_optax, from_reference, from_torch, torch_devices
from .check import EPS, ULPS, ParityReport, check
from .identify import FAMILIES, Identification, identify, variants
from .probes import GradientProbe

__all__ = ["Candidate", "EPS", "FAMILIES", "GradientProbe", "Identification", "ParityReport", "ULPS", "check",
           "from_callable", "from_optax", "from_reference", "from_torch", "identify", "torch_devices", "variants"]
