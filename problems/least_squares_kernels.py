"""Jitted oracle kernels of least_squares.py (see refopt.numba_engine for the naming convention).

A^T v is written v @ A: numba would copy the transposed view of A at every call.

data: (A, b, x_star, pinv, full_rank) for least squares, the same plus lam for the LASSO.
"""
import numpy as np
from numba import njit

from .kernel_common import norm


@njit(cache=True, error_model="numpy")
def least_squares_f_smooth(x, data):
    residual = data[0] @ x - data[1]
    return 0.5 * np.dot(residual, residual) / data[0].shape[0]


@njit(cache=True, error_model="numpy")
def least_squares_grad(x, data, out):
    A = data[0]
    out[:] = ((A @ x - data[1]) @ A) / A.shape[0]


@njit(cache=True, error_model="numpy")
def least_squares_hvp(x, data, v, out):
    A = data[0]
    out[:] = ((A @ v) @ A) / A.shape[0]


@njit(cache=True, error_model="numpy")
def least_squares_dist(x, data):
    if data[4]:
        return norm(x - data[2])
    return norm(data[3] @ (data[0] @ x - data[1]))


@njit(cache=True, error_model="numpy")
def least_squares_component_f(x, data, idx):
    residual = data[0][idx] @ x - data[1][idx]
    return 0.5 * np.dot(residual, residual) / idx.size


@njit(cache=True, error_model="numpy")
def least_squares_component_grad(x, data, idx, out):
    rows = data[0][idx]
    out[:] = ((rows @ x - data[1][idx]) @ rows) / idx.size


@njit(cache=True, error_model="numpy")
def least_squares_component_f_star(data, idx):
    A, b = data[0], data[1]
    rows = np.unique(idx)
    if rows.size <= A.shape[1] and np.linalg.matrix_rank(A[rows]) == rows.size:
        return 0.0
    counts = np.zeros(A.shape[0])
    for i in idx:
        counts[i] += 1.0
    weights = np.sqrt(counts[rows] / idx.size)
    rows_w = A[rows] * weights.reshape(-1, 1)
    b_w = b[rows] * weights
    solution = np.linalg.lstsq(rows_w, b_w)[0]
    residual = rows_w @ solution - b_w
    return 0.5 * np.dot(residual, residual)


@njit(cache=True, error_model="numpy")
def lasso_f_smooth(x, data):
    return least_squares_f_smooth(x, data)


@njit(cache=True, error_model="numpy")
def lasso_grad(x, data, out):
    least_squares_grad(x, data, out)


@njit(cache=True, error_model="numpy")
def lasso_hvp(x, data, v, out):
    least_squares_hvp(x, data, v, out)


@njit(cache=True, error_model="numpy")
def lasso_component_f(x, data, idx):
    return least_squares_component_f(x, data, idx)


@njit(cache=True, error_model="numpy")
def lasso_component_grad(x, data, idx, out):
    least_squares_component_grad(x, data, idx, out)


@njit(cache=True, error_model="numpy")
def lasso_r(x, data):
    return data[5] * np.sum(np.abs(x))


@njit(cache=True, error_model="numpy")
def lasso_prox(v, h, data, out):
    t = h * data[5]
    out[:] = np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


@njit(cache=True, error_model="numpy")
def lasso_subgrad(x, data, out):
    least_squares_grad(x, data, out)
    out += data[5] * np.sign(x)


@njit(cache=True, error_model="numpy")
def lasso_dist(x, data):
    return norm(x - data[2])
