"""Jitted oracle kernels of nonsmooth.py (see refopt.numba_engine). data: (A, b, x_star)."""
import numpy as np
from numba import njit

from .kernel_common import norm


@njit(cache=True, error_model="numpy")
def l1_regression_f_smooth(x, data):
    A = data[0]
    return np.sum(np.abs(A @ x - data[1])) / A.shape[0]


@njit(cache=True, error_model="numpy")
def l1_regression_subgrad(x, data, out):
    A = data[0]
    out[:] = (np.sign(A @ x - data[1]) @ A) / A.shape[0]  # A^T v as v @ A: no transposed copy


@njit(cache=True, error_model="numpy")
def l1_regression_dist(x, data):
    return norm(x - data[2])
