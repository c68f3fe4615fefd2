"""Numba step kernels of polyak.py (source functions compiled by refopt.numba_engine with a problem's
oracle and noise kernels), each tested against its reference step."""
import numpy as np

from .base import KernelSpec


def pack_polyak_step(alg, state, problem):
    """S: subgradient; hyper: [f_star]."""
    return np.zeros((1, state.x.size)), np.zeros(0), np.array([state.f_star])


def polyak_step_step(k, x, S, c, hyper, data, noise, sample, calls):
    v = S[0]
    subgrad(x, data, v)
    calls[C_SUBGRAD] += 1
    vv = np.dot(v, v)
    if vv > 0:
        fx = f(x, data)
        calls[C_F] += 1
        h = (fx - hyper[0]) / vv
    else:
        h = 0.0
    for i in range(x.size):
        x[i] = x[i] - h * v[i]


def pack_sps(alg, state, problem):
    """S: sampled gradient; hyper: [c, gamma_b, has_lower_bound, lower_bound]."""
    has_bound = alg.lower_bound is not None
    hyper = np.array([alg.c, alg.gamma_b, float(has_bound), alg.lower_bound if has_bound else 0.0])
    return np.zeros((1, state.x.size)), np.zeros(0), hyper


def sps_step(k, x, S, c, hyper, data, noise, sample, calls):
    g = S[0]
    f_S = sf(x, data, noise, sample)
    calls[C_STOCHASTIC_F] += 1
    sgrad(x, data, noise, sample, g)
    calls[C_STOCHASTIC_GRAD] += 1
    f_S_star = hyper[3] if hyper[2] == 1.0 else sfstar(data, noise, sample)
    gg = np.dot(g, g)
    gamma = min((f_S - f_S_star) / (hyper[0] * gg), hyper[1]) if gg > 0 else 0.0
    for i in range(x.size):
        x[i] = x[i] - gamma * g[i]


SPECS = {
    "polyak_step": KernelSpec(module=__name__, step="polyak_step_step", pack=pack_polyak_step,
                              oracles=lambda alg: ("subgrad", "f")),
    "sps": KernelSpec(module=__name__, step="sps_step", pack=pack_sps,
                      oracles=lambda alg: ("sgrad", "sf") if alg.lower_bound is not None
                      else ("sgrad", "sf", "sfstar")),
}
