"""Numba kernels of the noise models in noise.py: source functions that the numba engine compiles
together with a problem's oracle kernels (see refopt.numba_engine).

``noise`` is (f_star,) for the exact oracle, () for a finite sum and (s0, s1, f_star) for affine
variance (f_star is nan when unknown), (0.0,) for fresh samples of an online model (the problem's
``sample_grad`` kernel reads them); ``sample`` is one step's row of what ``draw_many`` drew.
"""
import numpy as np


def exact_sgrad(x, data, noise, sample, out):
    grad(x, data, out)


def exact_sf(x, data, noise, sample):
    return f_smooth(x, data)


def exact_sfstar(data, noise, sample):
    return noise[0]


def finite_sum_sgrad(x, data, noise, sample, out):
    component_grad(x, data, sample, out)


def finite_sum_sf(x, data, noise, sample):
    return component_f(x, data, sample)


def finite_sum_sfstar(data, noise, sample):
    return component_f_star(data, sample)


def affine_variance_sgrad(x, data, noise, sample, out):
    grad(x, data, out)
    s0, s1 = noise[0], noise[1]
    scaled_norm = s1 * norm(out)
    for i in range(out.size):
        out[i] = out[i] + scaled_norm * sample[0, i] + s0 * sample[1, i]


def affine_variance_sf(x, data, noise, sample):
    return f_smooth(x, data)


def affine_variance_sfstar(data, noise, sample):
    return noise[2]


def online_sgrad(x, data, noise, sample, out):
    sample_grad(x, data, sample, out)


def online_sf(x, data, noise, sample):
    raise ValueError("no kernel for a sampled value of an online model")


def online_sfstar(data, noise, sample):
    return np.nan


def kernel_noise(problem):
    """(kind, noise tuple) for the problem's noise model; kind None when it has no kernel."""
    noise = problem.noise
    f_star = np.nan if problem.f_star is None else float(problem.f_star)
    if noise is None:
        return "exact", (f_star,)
    if noise.name == "finite_sum":
        return "finite_sum", (0.0,)
    if noise.name in ("affine_variance", "additive_gaussian"):
        return "affine_variance", (noise.s0, noise.s1, np.nan if problem.is_composite else f_star)
    if noise.name == "online_samples":
        return "online", (0.0,)
    return None, ()
