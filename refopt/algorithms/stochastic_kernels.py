"""Numba step kernels of stochastic.py (source functions compiled by refopt.numba_engine with a problem's
oracle and noise kernels), each tested against its reference step."""
import numpy as np

from .base import KernelSpec, NoKernel
from .schedules_kernels import encode


def pack_sgd(alg, state, problem):
    """S: buffer, stochastic gradient, direction; hyper: [momentum, dampening, nesterov, weight_decay,
    buffer_init_is_gradient, schedule(4)]."""
    if alg.lr_in_buffer or alg.maximize:
        raise NoKernel("sgd's lr_in_buffer and maximize variants have no numba kernel")
    S = np.zeros((3, state.x.size))
    S[0] = state.buffer
    hyper = np.concatenate([[alg.momentum, alg.dampening, float(alg.nesterov), alg.weight_decay,
                             float(alg.buffer_init == "gradient")], encode(state.lr)])
    return S, np.zeros(0), hyper


def sgd_step(k, x, S, c, hyper, data, noise, sample, calls):
    b, g, d = S[0], S[1], S[2]
    sgrad(x, data, noise, sample, g)
    calls[C_STOCHASTIC_GRAD] += 1
    momentum, dampening, weight_decay = hyper[0], hyper[1], hyper[3]
    for i in range(x.size):
        g[i] = g[i] + weight_decay * x[i]
    if momentum != 0:
        if k == 0 and hyper[4] == 1.0:
            b[:] = g
        else:
            for i in range(x.size):
                b[i] = momentum * b[i] + (1.0 - dampening) * g[i]
        if hyper[2] == 1.0:
            for i in range(x.size):
                d[i] = g[i] + momentum * b[i]
        else:
            d[:] = b
    else:
        d[:] = g
    h = schedule_value(hyper[5:9], k)
    for i in range(x.size):
        x[i] = x[i] - h * d[i]


def pack_adagrad_norm(alg, state, problem):
    """S: stochastic gradient, per-coordinate accumulator; c: [scalar accumulator]; hyper: [lr, b0, per_coordinate]."""
    S = np.zeros((2, state.x.size))
    per_coordinate = alg.accumulator == "coordinate"
    if per_coordinate:
        S[1] = state.accumulator
    c = np.array([0.0 if per_coordinate else state.accumulator])
    return S, c, np.array([alg.lr, alg.b0, float(per_coordinate)])


def adagrad_norm_step(k, x, S, c, hyper, data, noise, sample, calls):
    g, accumulator = S[0], S[1]
    sgrad(x, data, noise, sample, g)
    calls[C_STOCHASTIC_GRAD] += 1
    lr, b0 = hyper[0], hyper[1]
    if hyper[2] == 0.0:
        c[0] = c[0] + np.dot(g, g)
        scale = np.sqrt(b0**2 + c[0])
        for i in range(x.size):
            x[i] = x[i] - lr * g[i] / scale
    else:
        for i in range(x.size):
            accumulator[i] = accumulator[i] + g[i] * g[i]
            x[i] = x[i] - lr * g[i] / np.sqrt(b0**2 + accumulator[i])


SPECS = {
    "sgd": KernelSpec(module=__name__, step="sgd_step", pack=pack_sgd, oracles=lambda alg: ("sgrad",)),
    "adagrad_norm": KernelSpec(module=__name__, step="adagrad_norm_step", pack=pack_adagrad_norm,
                               oracles=lambda alg: ("sgrad",)),
}
