"""What a failure looks like: the eps-before-bias-correction bug is named, with its first bad step."""
import numpy as np
import pytest

import fastopt
import refopt
from refopt import parity
from refopt.testing import assert_matches_reference


class EpsBeforeCorrection(fastopt.Adam):
    def update(self, params, grad, state):
        m, v, t = state
        b1, b2 = self.betas
        t += 1
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        step = (m / (1 - b1**t)) / ((np.sqrt(v) + self.eps) / np.sqrt(1 - b2**t))
        return params - self.lr * step, (m, v, t)


def test_the_eps_bug_is_reported():
    buggy = EpsBeforeCorrection(lr=1e-3)
    with pytest.raises(AssertionError) as failure:
        assert_matches_reference(parity.from_callable(buggy.init, buggy.update, name="buggy"), refopt.adam(lr=1e-3))
    assert "at step 1" in str(failure.value)
    assert "eps before the bias correction" in str(failure.value)
