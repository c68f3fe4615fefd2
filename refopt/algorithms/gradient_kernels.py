"""Numba step kernels of gradient.py (source functions: the engine compiles them with a problem's
oracle kernels; see refopt.numba_engine). Each mirrors its reference step line by line and is tested
against it."""
import numpy as np

from .base import KernelSpec
from .schedules_kernels import encode

CONSTANT, EXACT, ARMIJO = 0.0, 1.0, 2.0


def pack_gradient_descent(alg, state, problem):
    """S: gradient, trial point; c: [h]; hyper: [search, c, rho, warm, schedule(4)]."""
    d = state.x.size
    search = {None: CONSTANT, "exact": EXACT, "armijo": ARMIJO}[alg.line_search]
    schedule = encode(state.lr) if alg.line_search is None else np.zeros(4)
    lr = state.lr if alg.line_search == "armijo" else 0.0
    hyper = np.concatenate([[search, alg.c, alg.rho, float(alg.restart == "warm"), lr], schedule])
    return np.zeros((2, d)), np.array([state.h]), hyper


def gradient_descent_step(k, x, S, c, hyper, data, noise, sample, calls):
    g, trial = S[0], S[1]
    grad(x, data, g)
    calls[C_GRAD] += 1
    if hyper[0] == CONSTANT:
        h = schedule_value(hyper[5:9], k)
    elif hyper[0] == EXACT:
        gg = np.dot(g, g)
        if gg > 0:
            hvp(x, data, g, trial)
            calls[C_HVP] += 1
            h = gg / np.dot(g, trial)
        else:
            h = 0.0
    else:
        h = hyper[4] if hyper[3] == 0.0 else c[0]
        fx, gg = f(x, data), np.dot(g, g)
        calls[C_F] += 1
        accepted = False
        for _ in range(1100):
            for i in range(x.size):
                trial[i] = x[i] - h * g[i]
            calls[C_F] += 1
            if f(trial, data) <= fx - hyper[1] * h * gg:
                accepted = True
                break
            h = hyper[2] * h
        if not accepted:
            h = 0.0
    for i in range(x.size):
        x[i] = x[i] - h * g[i]
    c[0] = h


def pack_subgradient(alg, state, problem):
    """S: subgradient, step-weighted average, best point; c: [weight, f_best]; hyper: [output, schedule(4)]."""
    d = state.x.size
    S = np.zeros((3, d))
    S[1], S[2] = state.x_average, state.x_best
    output = {"last": 0.0, "average": 1.0, "best": 2.0}[alg.output_point]
    return S, np.array([state.weight, state.f_best]), np.concatenate([[output], encode(state.lr)])


def subgradient_step(k, x, S, c, hyper, data, noise, sample, calls):
    v, x_average, x_best = S[0], S[1], S[2]
    subgrad(x, data, v)
    calls[C_SUBGRAD] += 1
    h = schedule_value(hyper[1:5], k)
    weight = c[0] + h
    if weight > 0:
        ratio = h / weight
        for i in range(x.size):
            x_average[i] = x_average[i] + ratio * (x[i] - x_average[i])
    else:
        x_average[:] = x
    for i in range(x.size):
        x[i] = x[i] - h * v[i]
    calls[C_PROJECT] += 1  # the projection is the identity: the engine refuses constrained problems
    c[0] = weight
    if hyper[0] == 2.0:
        f_next = f(x, data)
        calls[C_F] += 1
        if f_next < c[1]:
            x_best[:] = x
            c[1] = f_next


def subgradient_output(x, S, c, hyper):
    if hyper[0] == 1.0:
        return S[1]
    if hyper[0] == 2.0:
        return S[2]
    return x


SPECS = {
    "gradient_descent": KernelSpec(
        module=__name__, step="gradient_descent_step", pack=pack_gradient_descent,
        oracles=lambda alg: {None: ("grad",), "exact": ("grad", "hvp"), "armijo": ("grad", "f")}[alg.line_search]),
    "subgradient": KernelSpec(
        module=__name__, step="subgradient_step", pack=pack_subgradient, output="subgradient_output",
        oracles=lambda alg: ("subgrad", "f") if alg.output_point == "best" else ("subgrad",)),
}
