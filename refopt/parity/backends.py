"""The backend optimizers `refopt parity` checks: torch.optim and optax, with the hyperparameters used."""
from __future__ import annotations

import importlib.util

from .candidates import from_optax, from_torch

# (label, class name, keyword arguments): defaults and the non-default flags that change the algorithm
TORCH = [
    ("SGD", "SGD", {"lr": 0.01}),
    ("SGD(momentum, dampening)", "SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.5}),
    ("SGD(nesterov, weight_decay)", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD(maximize)", "SGD", {"lr": 0.01, "momentum": 0.9, "maximize": True}),
    ("Adagrad", "Adagrad", {}),
    ("Adagrad(lr_decay, weight_decay)", "Adagrad", {"lr_decay": 0.01, "weight_decay": 0.01}),
    ("RMSprop", "RMSprop", {}),
    ("RMSprop(centered, momentum)", "RMSprop", {"centered": True, "momentum": 0.9}),
    ("Adam", "Adam", {}),
    ("Adam(amsgrad, weight_decay)", "Adam", {"amsgrad": True, "weight_decay": 0.01}),
    ("Adam(maximize)", "Adam", {"maximize": True}),
    ("AdamW", "AdamW", {}),
    ("AdamW(amsgrad)", "AdamW", {"amsgrad": True}),
    ("Adamax", "Adamax", {}),
    ("NAdam", "NAdam", {}),
    ("NAdam(decoupled_weight_decay)", "NAdam", {"weight_decay": 0.01, "decoupled_weight_decay": True}),
    ("RAdam", "RAdam", {}),
    ("RAdam(decoupled_weight_decay)", "RAdam", {"weight_decay": 0.01, "decoupled_weight_decay": True}),
    ("Muon", "Muon", {}),
]

# (label, builder name, keyword arguments, family, the hyperparameters in refopt's names)
OPTAX = [
    ("sgd(nesterov)", "sgd", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}, "sgd",
     {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("adagrad", "adagrad", {"learning_rate": 0.01}, "adagrad",
     {"lr": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-7}),
    ("rmsprop", "rmsprop", {"learning_rate": 0.01}, "rmsprop", {"lr": 0.01, "alpha": 0.9}),
    ("rmsprop(centered, momentum)", "rmsprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.9},
     "rmsprop", {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.9}),
    ("adam", "adam", {"learning_rate": 1e-3}, "adam", {"lr": 1e-3}),
    ("adam(eps_root)", "adam", {"learning_rate": 1e-3, "eps": 0.0, "eps_root": 1e-8}, "adam",
     {"lr": 1e-3, "eps": 0.0, "eps_root": 1e-8}),
    ("adamw", "adamw", {"learning_rate": 1e-3}, "adam", {"lr": 1e-3, "weight_decay": 1e-4}),
    ("amsgrad", "amsgrad", {"learning_rate": 1e-3}, "adam", {"lr": 1e-3}),
    ("adamax", "adamax", {"learning_rate": 2e-3}, "adamax", {"lr": 2e-3}),
    ("nadam", "nadam", {"learning_rate": 2e-3}, "nadam", {"lr": 2e-3}),
    ("radam", "radam", {"learning_rate": 1e-3}, "radam", {"lr": 1e-3}),
    ("lion", "lion", {"learning_rate": 1e-4}, "lion", {"lr": 1e-4, "weight_decay": 1e-3}),
    ("sign_sgd", "sign_sgd", {"learning_rate": 1e-3}, "sign_sgd", {"lr": 1e-3}),
    ("signum", "signum", {"learning_rate": 1e-3}, "signum", {"lr": 1e-3}),
    ("contrib.muon", "contrib.muon", {"learning_rate": 0.02}, "muon", {"lr": 0.02, "eps": 1e-8}),
]


def installed(backend):
    return importlib.util.find_spec({"torch": "torch", "optax": "optax"}[backend]) is not None


def torch_candidates(device="cpu"):
    """(label, candidate, family) for every torch.optim entry."""
    import torch

    return [(label, from_torch(getattr(torch.optim, name), device=device, **kwargs), None)
            for label, name, kwargs in TORCH]


def optax_candidates():
    """(label, candidate, family) for every optax entry present in the installed optax."""
    import optax

    out = []
    for label, builder, kwargs, family, hyper in OPTAX:
        target = optax
        for part in builder.split("."):
            target = getattr(target, part, None)
        if target is None:
            continue
        out.append((label, from_optax(target(**kwargs), name=f"optax.{label}", hyper=hyper), family))
    return out
