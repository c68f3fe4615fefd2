"""Numba step kernel of adam.py's Adam (and AdamW, AMSGrad), compiled by refopt.numba_engine with a
problem's oracle and noise kernels; tested against the reference step."""
import numpy as np

from .base import KernelSpec


def pack_adam(alg, state, problem):
    """S: m, v, v_max, gradient; hyper: [lr, beta1, beta2, eps, eps_root, before_bc, weight_decay,
    decoupled, decay_by_lr, amsgrad (0 none, 1 raw, 2 bias-corrected), bias_correction, maximize]."""
    S = np.zeros((4, state.x.size))
    S[0], S[1], S[2] = state.m, state.v, state.v_max
    amsgrad = {False: 0.0, "raw": 1.0, "bias_corrected": 2.0}[alg.amsgrad_mode]
    hyper = np.array([alg.lr, alg.betas[0], alg.betas[1], alg.eps, alg.eps_root,
                      float(alg.eps_placement == "before_bc"), alg.weight_decay,
                      float(alg.decoupled_weight_decay), float(alg.decay_scaling == "lr"), amsgrad,
                      float(alg.bias_correction), float(alg.maximize)])
    return S, np.zeros(0), hyper


def adam_step(k, x, S, c, hyper, data, noise, sample, calls):
    # each loop is free of branches, so that it vectorizes; the variant is chosen once per step
    m, v, v_max, g = S[0], S[1], S[2], S[3]
    sgrad(x, data, noise, sample, g)
    calls[C_STOCHASTIC_GRAD] += 1
    t = k + 1
    lr, beta1, beta2, eps, eps_root = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4]
    weight_decay, amsgrad = hyper[6], hyper[9]
    n = x.size
    if hyper[11] == 1.0:
        for i in range(n):
            g[i] = -g[i]
    if weight_decay != 0 and hyper[7] == 1.0:
        shrink = lr * weight_decay if hyper[8] == 1.0 else weight_decay
        for i in range(n):
            x[i] = x[i] * (1 - shrink)
    elif weight_decay != 0:
        for i in range(n):
            g[i] = g[i] + weight_decay * x[i]
    bc1 = 1 - beta1**t if hyper[10] == 1.0 else 1.0
    bc2 = 1 - beta2**t if hyper[10] == 1.0 else 1.0
    for i in range(n):
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
    v_used = v
    if amsgrad == 1.0:
        for i in range(n):
            v_max[i] = max(v_max[i], v[i])
        v_used = v_max
    if hyper[5] == 1.0:
        scale = lr * np.sqrt(bc2) / bc1
        for i in range(n):
            x[i] = x[i] - scale * m[i] / (np.sqrt(v_used[i]) + eps)
    elif amsgrad == 2.0:
        for i in range(n):
            v_max[i] = max(v_max[i], v_used[i] / bc2)
            x[i] = x[i] - lr * (m[i] / bc1) / (np.sqrt(v_max[i] + eps_root) + eps)
    else:
        for i in range(n):
            x[i] = x[i] - lr * (m[i] / bc1) / (np.sqrt(v_used[i] / bc2 + eps_root) + eps)


_SPEC = KernelSpec(module=__name__, step="adam_step", pack=pack_adam, oracles=lambda alg: ("sgrad",))
SPECS = {"adam": _SPEC, "adamw": _SPEC, "amsgrad": _SPEC}
