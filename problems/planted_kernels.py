"""Jitted oracle kernels of planted.py (see refopt.numba_engine).

tensor_pca data: (T flattened, d, k, theta*); single_index data: (theta*, k). The tensor kernels loop over
the d^k entries once, with prefix and suffix products of theta over each entry's index, so one pass gives
the value and every mode's contraction for any order k.
"""
import math

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _tensor_pass(x, data, out, want_grad):
    T, d, k = data[0], data[1], data[2]
    index = np.zeros(k, dtype=np.int64)
    prefix = np.ones(k + 1)
    suffix = np.ones(k + 1)
    value = 0.0
    if want_grad:
        out[:] = 0.0
    for flat in range(T.size):
        rest = flat
        for m in range(k - 1, -1, -1):
            index[m] = rest % d
            rest //= d
        for m in range(k):
            prefix[m + 1] = prefix[m] * x[index[m]]
        for m in range(k - 1, -1, -1):
            suffix[m] = suffix[m + 1] * x[index[m]]
        value += T[flat] * prefix[k]
        if want_grad:
            for m in range(k):
                out[index[m]] -= T[flat] * prefix[m] * suffix[m + 1]
    return -value


@njit(cache=True, error_model="numpy")
def tensor_pca_f_smooth(x, data):
    return _tensor_pass(x, data, np.empty(0), False)


@njit(cache=True, error_model="numpy")
def tensor_pca_grad(x, data, out):
    _tensor_pass(x, data, out, True)


@njit(cache=True, error_model="numpy")
def _one_minus_overlap(x, theta_star):
    m = np.dot(x, theta_star)
    return 1.0 - m * m / np.dot(x, x)


@njit(cache=True, error_model="numpy")
def tensor_pca_dist(x, data):
    return _one_minus_overlap(x, data[3])


@njit(cache=True, error_model="numpy")
def _hermite(k, z):
    """He_k(z) / sqrt(k!), by the three-term recurrence of planted.hermite."""
    if k == 0:
        return 1.0
    previous, current = 1.0, z
    for j in range(1, k):
        previous, current = current, z * current - j * previous
    factorial = 1.0
    for j in range(2, k + 1):
        factorial *= j
    return current / math.sqrt(factorial)


@njit(cache=True, error_model="numpy")
def single_index_f_smooth(x, data):
    theta_star, k = data[0], data[1]
    return -np.dot(x, theta_star) ** k


@njit(cache=True, error_model="numpy")
def single_index_grad(x, data, out):
    theta_star, k = data[0], data[1]
    scale = -k * np.dot(x, theta_star) ** (k - 1)
    for i in range(x.size):
        out[i] = scale * theta_star[i]


@njit(cache=True, error_model="numpy")
def single_index_dist(x, data):
    return _one_minus_overlap(x, data[0])


@njit(cache=True, error_model="numpy")
def single_index_sample_grad(x, data, sample, out):
    """-y h_k'(<theta, x_s>) x_s for the sample row (x_s, y), h_k' = sqrt(k) h_{k-1}."""
    k = data[1]
    d = x.size
    z = np.dot(x, sample[:d])
    scale = -sample[d] * (math.sqrt(k) * _hermite(k - 1, z))
    for i in range(d):
        out[i] = scale * sample[i]
