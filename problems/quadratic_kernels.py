"""Jitted oracle kernels of quadratic.py (see refopt.numba_engine for the naming convention).

data: (H, c, Qt, nonzero, mode) for a rotated quadratic, (lam, c, nonzero, mode) for a diagonal one;
mode 0: unique minimizer, 1: the minimizers form c + null(H), 2: no minimizer.
"""
import numpy as np
from numba import njit

from .kernel_common import norm


@njit(cache=True, error_model="numpy")
def quadratic_f_smooth(x, data):
    d = x - data[1]
    return 0.5 * np.dot(d, data[0] @ d)


@njit(cache=True, error_model="numpy")
def quadratic_grad(x, data, out):
    out[:] = data[0] @ (x - data[1])


@njit(cache=True, error_model="numpy")
def quadratic_hvp(x, data, v, out):
    out[:] = data[0] @ v


@njit(cache=True, error_model="numpy")
def quadratic_dist(x, data):
    d = x - data[1]
    if data[4] == 0:
        return norm(d)
    coords = data[2] @ d
    return norm(coords[data[3]])


@njit(cache=True, error_model="numpy")
def diagonal_quadratic_f_smooth(x, data):
    d = x - data[1]
    return 0.5 * np.dot(d, data[0] * d)


@njit(cache=True, error_model="numpy")
def diagonal_quadratic_grad(x, data, out):
    lam, c = data[0], data[1]
    for i in range(x.size):
        out[i] = lam[i] * (x[i] - c[i])


@njit(cache=True, error_model="numpy")
def diagonal_quadratic_hvp(x, data, v, out):
    lam = data[0]
    for i in range(v.size):
        out[i] = lam[i] * v[i]


@njit(cache=True, error_model="numpy")
def diagonal_quadratic_dist(x, data):
    d = x - data[1]
    if data[3] == 0:
        return norm(d)
    return norm(d[data[2]])
