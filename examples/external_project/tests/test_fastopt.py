"""fastopt's optimizers against refopt's references."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastopt
import refopt
from refopt import parity
from refopt.testing import assert_matches_reference, gradients, hyperparameters


def candidate(optimizer):
    return parity.from_callable(optimizer.init, optimizer.update, name=type(optimizer).__name__)


def test_adam_matches_the_reference():
    assert_matches_reference(candidate(fastopt.Adam(lr=1e-3)), refopt.adam(lr=1e-3))


@settings(max_examples=40, deadline=None)
@given(hyperparameters("adam", lr=st.sampled_from([1e-3, 0.1]), eps_root=0.0, eps_placement="after_bc",
                       weight_decay=0.0, amsgrad=False, bias_correction=True, maximize=False))
def test_adam_over_hyperparameters(h):
    """Every valid (lr, betas, eps) of the variant fastopt implements."""
    assert_matches_reference(candidate(fastopt.Adam(lr=h["lr"], betas=h["betas"], eps=h["eps"])), refopt.adam(**h))


@settings(max_examples=40, deadline=None)
@given(hyperparameters("sgd", lr=st.sampled_from([0.01, 0.5]), buffer_init="gradient", lr_in_buffer=False,
                       maximize=False))
def test_sgd_over_hyperparameters(h):
    ours = fastopt.SGD(lr=h["lr"], momentum=h["momentum"], dampening=h["dampening"], nesterov=h["nesterov"],
                       weight_decay=h["weight_decay"])
    assert_matches_reference(candidate(ours), refopt.sgd(**h), steps=20)


class Stream:
    """A gradient source for parity: one drawn gradient per step (edge values included)."""

    def __init__(self, grads):
        self.grads, self.x0 = grads, np.linspace(-1.0, 1.0, grads.shape[1])

    def gradient(self, params, rng):
        g, self.grads = self.grads[0], self.grads[1:]
        return g


@settings(max_examples=60, deadline=None)
@given(gradients((10, 6)))
def test_adam_on_edge_gradients(grads):
    """Zeros, tiny and huge entries, both signs: the hand-written update must agree with the reference."""
    assert_matches_reference(candidate(fastopt.Adam(lr=0.01)), refopt.adam(lr=0.01), problem=Stream(grads), steps=10)


def test_on_the_plugins_quadratic(refopt_quadratic, refopt_reference):
    """The plugin's fixtures: an ill-conditioned quadratic and a reference by name."""
    momentum = fastopt.SGD(lr=0.5, momentum=0.9)
    assert_matches_reference(candidate(momentum), refopt_reference("sgd", lr=0.5, momentum=0.9),
                             problem=refopt_quadratic, steps=100, mode="free_running")


def test_torch_adam_matches_the_reference():
    torch = pytest.importorskip("torch", reason="torch is not installed (pip install torch)")
    assert_matches_reference(parity.from_torch(torch.optim.Adam, lr=1e-3), refopt.adam(lr=1e-3))
