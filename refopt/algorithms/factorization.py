"""Methods for factored low-rank problems: ScaledGD(lambda)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple, Union

import numpy as np

from refopt import _checks

from .base import GradientMap


class ScaledGDState(NamedTuple):
    x: np.ndarray
    k: int
    damping: float
    sampler: object


@dataclasses.dataclass(frozen=True, repr=False)
class ScaledGD(GradientMap):
    r"""ScaledGD(lambda): gradient descent on a factor X, preconditioned by (X^T X + lambda I)^{-1}.

    .. math::

        X_{t+1} = X_t - \eta\, \nabla f(X_t) \big(X_t^T X_t + \lambda I_{r}\big)^{-1}

    with lambda fixed over the run (default: the problem's smallest nonzero
    eigenvalue of M*, sigma_{r*}), eta = 0.2 and the problem's small random
    start. The preconditioner is an r x r solve per step. With lambda = 0 from
    a small start and r > r*, X^T X is nearly singular and the iteration blows
    up: the damping is what makes over-parameterization safe.

    Source: Xu, Shen, Chi & Ma (2023), "The power of preconditioning in
    overparameterized low-rank matrix sensing", ICML (arXiv 2302.01186). No
    official code was found; this is written from the paper's update.
    """

    name: ClassVar[str] = "scaled_gd"
    family: ClassVar[str] = "factorization"
    source: ClassVar[str] = "Xu, Shen, Chi & Ma (2023), arXiv 2302.01186"
    problem_defaults: ClassVar[tuple] = ("damping",)
    entrywise: ClassVar[bool] = False

    lr: float = 0.2
    damping: Union[float, None] = None

    def __post_init__(self):
        _checks.positive("lr", self.lr)
        if self.damping is not None:
            _checks.nonnegative("damping", self.damping)

    def defaults(self, problem):
        sigma = getattr(problem, "sigma", None)
        if sigma is None:
            raise ValueError(f"scaled_gd's default damping is sigma_min(M*), which {problem!r} does not provide; "
                             "pass damping")
        return {"damping": float(np.min(sigma))}

    def init(self, x0, problem=None):
        if np.ndim(x0) != 2:
            raise ValueError(f"scaled_gd updates a factor matrix; got shape {np.shape(x0)}")
        return ScaledGDState(x=x0, k=0, damping=self.resolve(problem)["damping"], sampler=None)

    def update(self, params, grad, state):
        r = params.shape[1]
        preconditioner = params.T @ params + state.damping * np.eye(r)
        # grad P^{-1} as the solution of P^T Z^T = grad^T (P symmetric)
        x = params - self.lr * np.linalg.solve(preconditioner, grad.T).T
        return x, state._replace(x=x, k=state.k + 1)
