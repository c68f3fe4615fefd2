"""Numba step kernels of proximal.py (source functions compiled by refopt.numba_engine with a problem's
oracle kernels), each tested against its reference step."""
import numpy as np

from .base import KernelSpec


def pack_ista(alg, state, problem):
    """S: gradient step point; hyper: [lr]."""
    return np.zeros((1, state.x.size)), np.zeros(0), np.array([state.lr])


def ista_step(k, x, S, c, hyper, data, noise, sample, calls):
    point = S[0]
    h = hyper[0]
    grad(x, data, point)
    calls[C_GRAD] += 1
    for i in range(x.size):
        point[i] = x[i] - h * point[i]
    prox(point, h, data, x)
    calls[C_PROX] += 1


def pack_fista(alg, state, problem):
    """S: y, gradient step point, x_k; c: [t]; hyper: [lr]."""
    S = np.zeros((3, state.x.size))
    S[0] = state.y
    return S, np.array([state.t]), np.array([state.lr])


def fista_step(k, x, S, c, hyper, data, noise, sample, calls):
    y, point, x_new = S[0], S[1], S[2]
    h, t = hyper[0], c[0]
    grad(y, data, point)
    calls[C_GRAD] += 1
    for i in range(x.size):
        point[i] = y[i] - h * point[i]
    prox(point, h, data, x_new)
    calls[C_PROX] += 1
    t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
    ratio = (t - 1.0) / t_new
    for i in range(x.size):
        y[i] = x_new[i] + ratio * (x_new[i] - x[i])
        x[i] = x_new[i]
    c[0] = t_new


SPECS = {
    "ista": KernelSpec(module=__name__, step="ista_step", pack=pack_ista, oracles=lambda alg: ("grad", "prox")),
    "fista": KernelSpec(module=__name__, step="fista_step", pack=pack_fista, oracles=lambda alg: ("grad", "prox")),
}
