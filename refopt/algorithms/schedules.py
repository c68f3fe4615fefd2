"""Step-size schedules h_k, k = 0, 1, 2, ... the index of the step being taken.

An algorithm's ``lr`` accepts a float (a constant step), one of these
schedules, or any callable ``k -> h_k``.
"""
from __future__ import annotations

import numbers

from refopt import _checks
from refopt._named import Named


class Schedule(Named):
    """A named step-size schedule; calling it with the step index k gives h_k."""

    name = "schedule"

    def __call__(self, k):
        raise NotImplementedError


class Constant(Schedule):
    """h_k = h."""

    name = "constant"

    def __init__(self, h):
        self.h = _checks.positive("lr", h)

    def __call__(self, k):
        return self.h

    def params(self):
        return {"h": self.h}


class Power(Schedule):
    """h_k = h0 / (k + 1)^p; p = 1/2 is the classical subgradient and SGD rule."""

    name = "power"

    def __init__(self, h0, p=0.5):
        self.h0 = _checks.positive("h0", h0)
        self.p = _checks.nonnegative("p", p)

    def __call__(self, k):
        return self.h0 / (k + 1) ** self.p

    def params(self):
        return {"h0": self.h0, "p": self.p}


class InverseTime(Schedule):
    """h_k = beta / (gamma + k + 1): Bottou, Curtis & Nocedal's (2018, Thm 4.7) alpha_k = beta/(gamma + k).

    BCN number iterates from 1 (w_1 is the start), so their alpha_k is the step
    taken from w_k, which is refopt's step k - 1.
    """

    name = "inverse_time"

    def __init__(self, beta, gamma):
        self.beta = _checks.positive("beta", beta)
        self.gamma = _checks.positive("gamma", gamma)

    def __call__(self, k):
        return self.beta / (self.gamma + k + 1)

    def params(self):
        return {"beta": self.beta, "gamma": self.gamma}


class Switching(Schedule):
    """Gower et al. (2019, "SGD: general analysis and improved rates", arXiv 1901.09401): h_k = h0 for k < k_switch, then (2k+1)/((k+1)^2 mu)."""

    name = "switching"

    def __init__(self, h0, mu, k_switch):
        self.h0 = _checks.positive("h0", h0)
        self.mu = _checks.positive("mu", mu)
        self.k_switch = _checks.positive_int("k_switch", k_switch, minimum=0)

    def __call__(self, k):
        if k < self.k_switch:
            return self.h0
        return (2 * k + 1) / ((k + 1) ** 2 * self.mu)

    def params(self):
        return {"h0": self.h0, "mu": self.mu, "k_switch": self.k_switch}


class Geometric(Schedule):
    """h_k = h0 rho^max(0, k - hold): constant for ``hold`` steps, then geometric decay.

    The schedule of the subgradient method with small initialization (Ma &
    Fattahi 2023): a constant phase long enough to leave the origin, then a
    linear rate.
    """

    name = "geometric"

    def __init__(self, h0, rho, hold=0):
        self.h0 = _checks.positive("h0", h0)
        self.rho = _checks.real("rho", rho, low=0.0, high=1.0, low_open=True)
        self.hold = _checks.positive_int("hold", hold, minimum=0)

    def __call__(self, k):
        return self.h0 * self.rho ** max(0, k - self.hold)

    def params(self):
        return {"h0": self.h0, "rho": self.rho, "hold": self.hold}


constant, power, inverse_time, switching, geometric = Constant, Power, InverseTime, Switching, Geometric


def as_schedule(lr, name="lr"):
    """A float becomes a constant schedule; schedules and callables pass; anything else is refused."""
    if isinstance(lr, numbers.Real) and not isinstance(lr, bool):
        return Constant(_checks.positive(name, lr))
    if callable(lr):
        return lr
    raise TypeError(f"{name} must be a positive number, a schedule or a callable k -> h_k; got {lr!r}")


def step_size(schedule, k, name="lr"):
    """h_k from a schedule, checked: a user callable must not return a negative or non-finite step."""
    h = schedule(k)
    if not isinstance(schedule, Schedule):
        h = _checks.real(f"{name}({k})", h, low=0.0)
    return h
