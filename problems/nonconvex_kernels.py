"""Jitted oracle kernels of nonconvex.py (see refopt.numba_engine). data: (a, b, x_star) / ()."""
import numpy as np
from numba import njit

from .kernel_common import norm


@njit(cache=True, error_model="numpy")
def rosenbrock_f_smooth(x, data):
    a, b = data[0], data[1]
    return np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2)


@njit(cache=True, error_model="numpy")
def rosenbrock_grad(x, data, out):
    a, b = data[0], data[1]
    inner = x[1:] - x[:-1] ** 2
    out[:] = 0.0
    out[:-1] = -4 * b * x[:-1] * inner - 2 * (a - x[:-1])
    out[1:] += 2 * b * inner


@njit(cache=True, error_model="numpy")
def rosenbrock_dist(x, data):
    return norm(x - data[2])


@njit(cache=True, error_model="numpy")
def pl_toy_f_smooth(x, data):
    return np.sum(x**2 + 3.0 * np.sin(x) ** 2)


@njit(cache=True, error_model="numpy")
def pl_toy_grad(x, data, out):
    out[:] = 2.0 * x + 3.0 * np.sin(2.0 * x)


@njit(cache=True, error_model="numpy")
def pl_toy_dist(x, data):
    return norm(x)
