"""Candidates: any optimizer seen as init/update on NumPy arrays.

``init(params) -> state`` and ``update(params, grad, state) -> (params, state)``,
params and grad NumPy arrays in the candidate's dtype. `from_torch`,
`from_optax` and `from_callable` wrap the backends; `from_reference` wraps a
refopt algorithm's gradient map.
"""
from __future__ import annotations

import numpy as np

from refopt import _checks
from refopt.algorithms import Algorithm

FRAMEWORK_KEYS = ("foreach", "capturable", "differentiable", "fused")


class Candidate:
    """An optimizer to compare: a name, its hyperparameters (when known), and init/update on arrays.

    ``internal_dtype`` names a precision the backend computes in below the
    parameters' (torch's Muon runs Newton-Schulz in bfloat16); the parity
    tolerance uses it for the step.
    """

    def __init__(self, name, init, update, *, backend="callable", hyper=None, device="cpu", internal_dtype=None,
                 entrywise=True):
        self.name = name
        self.entrywise = entrywise
        self.backend = backend
        self.hyper = dict(hyper or {})
        self.device = device
        self.internal_dtype = internal_dtype
        self._init = init
        self._update = update

    def init(self, params):
        return self._init(params)

    def update(self, params, grad, state):
        return self._update(params, grad, state)

    def __repr__(self):
        where = f" on {self.device}" if self.backend == "torch" else ""
        return f"<candidate {self.name}{where}>"


def from_callable(init, update, *, name="callable", hyper=None):
    """A candidate from two functions on NumPy arrays: ``init(params)``, ``update(params, grad, state)``."""
    if not callable(init) or not callable(update):
        raise TypeError("from_callable needs two callables: init(params) and update(params, grad, state)")
    return Candidate(name, init, update, hyper=hyper)


def from_reference(alg):
    """A refopt gradient map as a candidate (its update is the reference's)."""
    if not isinstance(alg, Algorithm) or not alg.is_gradient_map:
        raise TypeError(f"{alg!r} is not a gradient map with an update(params, grad, state)")
    return Candidate(f"refopt.{alg.name}", lambda params: alg.init(params, None),
                     lambda params, grad, state: alg.update(params, grad, state),
                     backend="refopt", hyper=alg.hyperparameters, entrywise=alg.entrywise)


def torch_devices():
    """The torch devices available here: "cpu", and "cuda" when a CUDA device is present."""
    import torch
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def from_torch(optimizer_class, device="cpu", **hyper):
    """A torch.optim optimizer class (or any with its interface) as a candidate.

    Each update copies the given params and grad into a tensor on ``device``
    and calls ``step()``: teacher forcing feeds it the reference's iterate,
    while the optimizer keeps its own state (moments, step count).
    """
    try:
        import torch
    except ImportError as error:
        raise ImportError("from_torch needs torch: pip install 'refopt[torch]'") from error
    if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("no CUDA device is available")
    probe = optimizer_class([torch.nn.Parameter(torch.zeros(2, 2))], **hyper)
    defaults = {k: v for k, v in probe.defaults.items() if k not in FRAMEWORK_KEYS}
    name = f"torch.optim.{optimizer_class.__name__}"
    # below the parameters' precision: Muon's Newton-Schulz runs in bfloat16; NAdam keeps its momentum
    # product as a scalar tensor of torch's default scalar dtype (float32 unless the default is float64)
    internal = {"Muon": "bfloat16",
                "NAdam": None if torch.get_default_dtype() == torch.float64 else "float32"}.get(
                    optimizer_class.__name__)

    def init(params):
        dtype = getattr(torch, np.asarray(params).dtype.name)
        tensor = torch.nn.Parameter(torch.tensor(np.asarray(params), dtype=dtype, device=device))
        return {"tensor": tensor, "optimizer": optimizer_class([tensor], **hyper)}

    def update(params, grad, state):
        tensor = state["tensor"]
        with torch.no_grad():
            tensor.copy_(torch.as_tensor(np.asarray(params), dtype=tensor.dtype, device=device))
        tensor.grad = torch.as_tensor(np.asarray(grad), dtype=tensor.dtype, device=device).clone()
        state["optimizer"].step()
        return tensor.detach().cpu().numpy().copy(), state

    return Candidate(name, init, update, backend="torch", hyper=defaults, device=str(device),
                     internal_dtype=internal)


def from_optax(transform, *, name=None, hyper=None):
    """An optax GradientTransformation as a candidate.

    optax transforms do not expose their hyperparameters: pass the ones used to
    build it as ``hyper`` for `identify`. float64 runs need JAX's 64-bit mode,
    which this function switches on (``jax_enable_x64``).
    """
    try:
        import jax
        import optax
    except ImportError as error:
        raise ImportError("from_optax needs jax and optax: pip install 'refopt[jax]'") from error
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    update_fn = jax.jit(transform.update)

    def init(params):
        return transform.init(jnp.asarray(params))

    def update(params, grad, state):
        params_j = jnp.asarray(params)
        updates, state = update_fn(jnp.asarray(grad), state, params_j)
        return np.asarray(optax.apply_updates(params_j, updates)), state

    return Candidate(name or "optax transform", init, update, backend="optax", hyper=hyper)


def check_dtype(dtype):
    dtype = np.dtype(dtype)
    _checks.choice("dtype", dtype, (np.dtype(np.float64), np.dtype(np.float32)))
    return dtype
