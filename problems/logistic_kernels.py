"""Jitted oracle kernels of logistic.py (see refopt.numba_engine). data: (A, y, lam, x_star).

A^T v is written v @ A: numba would copy the transposed view of A at every call."""
import numpy as np
from numba import njit

from .kernel_common import norm


@njit(cache=True, error_model="numpy")
def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@njit(cache=True, error_model="numpy")
def logistic_f_smooth(x, data):
    margins = data[1] * (data[0] @ x)
    return np.mean(np.logaddexp(0.0, -margins)) + 0.5 * data[2] * np.dot(x, x)


@njit(cache=True, error_model="numpy")
def logistic_grad(x, data, out):
    A, y, lam = data[0], data[1], data[2]
    margins = y * (A @ x)
    out[:] = -((y * _sigmoid(-margins)) @ A) / A.shape[0] + lam * x


@njit(cache=True, error_model="numpy")
def logistic_hvp(x, data, v, out):
    A, y, lam = data[0], data[1], data[2]
    s = _sigmoid(y * (A @ x))
    out[:] = ((s * (1.0 - s) * (A @ v)) @ A) / A.shape[0] + lam * v


@njit(cache=True, error_model="numpy")
def logistic_dist(x, data):
    return norm(x - data[3])


@njit(cache=True, error_model="numpy")
def logistic_component_f(x, data, idx):
    margins = data[1][idx] * (data[0][idx] @ x)
    return np.mean(np.logaddexp(0.0, -margins)) + 0.5 * data[2] * np.dot(x, x)


@njit(cache=True, error_model="numpy")
def logistic_component_grad(x, data, idx, out):
    rows, labels = data[0][idx], data[1][idx]
    out[:] = -((labels * _sigmoid(-labels * (rows @ x))) @ rows) / idx.size + data[2] * x
