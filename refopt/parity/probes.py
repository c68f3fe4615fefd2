"""Gradient probes: sequences built to tell the variants of an optimizer apart."""
from __future__ import annotations

import numpy as np


class GradientProbe:
    """Gradients built to tell the variants of an optimizer apart; they do not depend on the iterate.

    Entry i has its own scale s_i, log-spaced from 1e-12 to 1e4 across the
    entries, times a factor drawn each step from [0.01, 1] (log-uniform) and a
    random sign; each step a fraction ``zeros`` of the entries (about one in
    ten) is exactly zero. Entries of scale ~1e-8 keep eps on a par with the
    square root it is added to, at every step (eps placements, eps_root); the
    varying factor makes the second moment fall after a large gradient, so
    that a running maximum departs from it (AMSGrad); signs flip (sign methods,
    momentum); large entries reach clipping or overflow that moderate
    gradients never do; exact zeros show the sign(0) convention and "lazy"
    moment updates that skip the entries a gradient leaves at zero. The start
    x0 has entries of both signs and of sizes from 1e-4 to 1: small ones let a
    float32 candidate show differences in the step that the rounding of a unit
    entry would hide, unit ones show weight decay.
    """

    def __init__(self, shape=(12,), low=-12.0, high=4.0, zeros=0.1):
        self.shape = tuple(shape)
        if not 0.0 <= zeros < 1.0:
            raise ValueError(f"zeros is the fraction of zero entries, in [0, 1); got {zeros}")
        self.zeros = zeros
        self.scales = np.logspace(low, high, int(np.prod(self.shape))).reshape(self.shape)
        rng = np.random.default_rng(20240601)
        self.x0 = np.where(rng.random(self.shape) < 0.5, -1.0, 1.0) * 10.0 ** rng.uniform(-4.0, 0.0, self.shape)

    def gradient(self, params, rng):
        magnitude = self.scales * 10.0 ** rng.uniform(-2.0, 0.0, self.shape)
        magnitude = np.where(rng.random(self.shape) < self.zeros, 0.0, magnitude)
        return np.where(rng.random(self.shape) < 0.5, -magnitude, magnitude)

    def __repr__(self):
        return f"GradientProbe(shape={self.shape})"
