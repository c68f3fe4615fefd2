"""Step-size schedules in numba: a schedule is encoded as four numbers (code, p1, p2, p3)."""
from __future__ import annotations

import numpy as np
from numba import njit

from .base import NoKernel
from .schedules import Constant, Geometric, InverseTime, Power, Switching


def encode(schedule):
    """(code, p1, p2, p3) for a named schedule; a Python callable has no kernel."""
    if isinstance(schedule, Constant):
        return np.array([0.0, schedule.h, 0.0, 0.0])
    if isinstance(schedule, Power):
        return np.array([1.0, schedule.h0, schedule.p, 0.0])
    if isinstance(schedule, InverseTime):
        return np.array([2.0, schedule.beta, schedule.gamma, 0.0])
    if isinstance(schedule, Switching):
        return np.array([3.0, schedule.h0, schedule.mu, float(schedule.k_switch)])
    if isinstance(schedule, Geometric):
        return np.array([4.0, schedule.h0, schedule.rho, float(schedule.hold)])
    raise NoKernel(f"the step size {schedule!r} is a Python callable, which has no numba kernel; "
                   "use a schedule from refopt.schedules")


@njit(cache=True, error_model="numpy")
def schedule_value(code, k):
    """h_k, with the same arithmetic as the schedules' __call__."""
    kind = int(code[0])
    if kind == 0:
        return code[1]
    if kind == 1:
        return code[1] / (k + 1) ** code[2]
    if kind == 2:
        return code[1] / (code[2] + k + 1)
    if kind == 4:
        return code[1] * code[2] ** max(0.0, k - code[3])
    if k < code[3]:
        return code[1]
    return (2 * k + 1) / ((k + 1) ** 2 * code[2])
