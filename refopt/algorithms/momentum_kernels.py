"""Numba step kernels of momentum.py (source functions compiled by refopt.numba_engine with a problem's
oracle kernels), each tested against its reference step."""
import numpy as np

from .base import KernelSpec


def pack_heavy_ball(alg, state, problem):
    """S: previous iterate, gradient; hyper: [alpha, beta]."""
    S = np.zeros((2, state.x.size))
    S[0] = state.x_prev
    return S, np.zeros(0), np.array([state.alpha, state.beta])


def heavy_ball_step(k, x, S, c, hyper, data, noise, sample, calls):
    x_prev, g = S[0], S[1]
    grad(x, data, g)
    calls[C_GRAD] += 1
    alpha, beta = hyper[0], hyper[1]
    for i in range(x.size):
        x_next = x[i] - alpha * g[i] + beta * (x[i] - x_prev[i])
        x_prev[i] = x[i]
        x[i] = x_next


T_K, K_OVER_K3, CONSTANT = 0.0, 1.0, 2.0


def pack_nesterov(alg, state, problem):
    """S: y, gradient; c: [t]; hyper: [lr, rule, beta]."""
    S = np.zeros((2, state.x.size))
    S[0] = state.y
    rule = {"t_k": T_K, "k/(k+3)": K_OVER_K3}.get(alg.momentum, CONSTANT) if isinstance(alg.momentum, str) \
        else CONSTANT
    return S, np.array([state.t]), np.array([state.lr, rule, state.beta])


def nesterov_step(k, x, S, c, hyper, data, noise, sample, calls):
    y, g = S[0], S[1]
    grad(y, data, g)
    calls[C_GRAD] += 1
    lr, t = hyper[0], c[0]
    if hyper[1] == T_K:
        t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        beta = (t - 1.0) / t_new
        c[0] = t_new
    elif hyper[1] == K_OVER_K3:
        beta = k / (k + 3.0)
    else:
        beta = hyper[2]
    for i in range(x.size):
        x_next = y[i] - lr * g[i]
        y[i] = x_next + beta * (x_next - x[i])
        x[i] = x_next


SPECS = {
    "heavy_ball": KernelSpec(module=__name__, step="heavy_ball_step", pack=pack_heavy_ball,
                             oracles=lambda alg: ("grad",)),
    "nesterov": KernelSpec(module=__name__, step="nesterov_step", pack=pack_nesterov,
                           oracles=lambda alg: ("grad",)),
}
