"""Jitted oracle kernels of worst_case.py (see refopt.numba_engine).

data: (L, tau, slope) for the Huber instance; (H, linear, x_star, m, mode) for the chain
(mode 0: distance on every coordinate, 1: on the first m); () for the heavy-ball cycle.
"""
import numpy as np
from numba import njit

from .kernel_common import norm


@njit(cache=True, error_model="numpy")
def huber_f_smooth(x, data):
    L, tau, slope = data
    linear = slope * np.abs(x) - 0.5 * slope * tau
    quadratic = 0.5 * L * x**2
    return np.sum(np.where(np.abs(x) >= tau, linear, quadratic))


@njit(cache=True, error_model="numpy")
def huber_grad(x, data, out):
    L, tau, slope = data
    out[:] = np.where(np.abs(x) >= tau, slope * np.sign(x), L * x)


@njit(cache=True, error_model="numpy")
def huber_dist(x, data):
    return norm(x)


@njit(cache=True, error_model="numpy")
def chain_f_smooth(x, data):
    return 0.5 * np.dot(x, data[0] @ x) - np.dot(data[1], x)


@njit(cache=True, error_model="numpy")
def chain_grad(x, data, out):
    out[:] = data[0] @ x - data[1]


@njit(cache=True, error_model="numpy")
def chain_hvp(x, data, v, out):
    out[:] = data[0] @ v


@njit(cache=True, error_model="numpy")
def chain_dist(x, data):
    if data[4] == 0:
        return norm(x - data[2])
    m = data[3]
    return norm(x[:m] - data[2][:m])


@njit(cache=True, error_model="numpy")
def hb_cycle_f_smooth(x, data):
    value = np.where(x < 1, 12.5 * x**2, np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))
    return np.sum(value)


@njit(cache=True, error_model="numpy")
def hb_cycle_grad(x, data, out):
    out[:] = np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))


@njit(cache=True, error_model="numpy")
def hb_cycle_dist(x, data):
    return norm(x)
