"""Numba step kernels of sphere.py (source functions compiled by refopt.numba_engine with a problem's
oracle and noise kernels), each tested against its reference step."""
import numpy as np

from .base import KernelSpec, NoKernel


def pack_spherical_sgd(alg, state, problem):
    """S: the stochastic gradient; hyper: [lr]. Online SGD only: the smoothed gradient's directions are
    drawn inside the step, which the kernel does not reproduce."""
    if alg.smoothing != 0:
        raise NoKernel("spherical_sgd with smoothing > 0 has no numba kernel (online SGD, smoothing 0, has)")
    return np.zeros((1, state.x.size)), np.zeros(0), np.array([alg.lr])


def spherical_sgd_step(k, x, S, c, hyper, data, noise, sample, calls):
    g = S[0]
    sgrad(x, data, noise, sample, g)
    calls[C_STOCHASTIC_GRAD] += 1
    lr = hyper[0]
    radial = np.dot(x, g)
    for i in range(x.size):
        x[i] = x[i] - lr * (g[i] - radial * x[i])
    length = norm(x)
    for i in range(x.size):
        x[i] = x[i] / length


SPECS = {
    "spherical_sgd": KernelSpec(module=__name__, step="spherical_sgd_step", pack=pack_spherical_sgd,
                                oracles=lambda alg: ("sgrad",)),
}
