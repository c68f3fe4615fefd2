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
    rows: Union[int, None]   # rows of L in a stacked [L; R] (asymmetric problems), None for one factor X


@dataclasses.dataclass(frozen=True, repr=False)
class ScaledGD(GradientMap):
    r"""ScaledGD(lambda): gradient descent on a factor X, preconditioned by (X^T X + lambda I)^{-1}.

    .. math::

        X_{t+1} = X_t - \eta\, \nabla f(X_t) \big(X_t^T X_t + \lambda I_{r}\big)^{-1}

    On a problem with two factors (``split`` gives L and R of the stacked
    variable [L; R]) each factor is preconditioned by the other's Gram matrix,
    both from the current iterate:

    .. math::

        L_{t+1} = L_t - \eta\, \nabla_L f \,(R_t^T R_t + \lambda I)^{-1}, \qquad
        R_{t+1} = R_t - \eta\, \nabla_R f \,(L_t^T L_t + \lambda I)^{-1}

    with lambda fixed over the run (default: the problem's smallest nonzero
    eigenvalue of M*, sigma_{r*}), eta = 0.2 and the problem's small random
    start. The preconditioner is an r x r solve per step. With lambda = 0 from
    a small start and r > r*, X^T X is nearly singular and the iteration blows
    up: the damping is what makes over-parameterization safe.

    Source: Xu, Shen, Chi & Ma (2023), "The power of preconditioning in
    overparameterized low-rank matrix sensing", ICML (arXiv 2302.01186). No
    official code was found; this is written from the paper's update. The
    two-factor form (lambda = 0 there) is from Tong, Ma & Chi (2021),
    "Accelerating ill-conditioned low-rank matrix estimation via scaled
    gradient descent", JMLR.
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
        rows = problem.n1 if problem is not None and hasattr(problem, "split") else None
        return ScaledGDState(x=x0, k=0, damping=self.resolve(problem)["damping"], sampler=None, rows=rows)

    def scaled(self, grad, factor, damping):
        """grad (F^T F + lambda I)^{-1}, as the solution of P Z^T = grad^T (P symmetric)."""
        preconditioner = factor.T @ factor + damping * np.eye(factor.shape[1])
        return np.linalg.solve(preconditioner, grad.T).T

    def update(self, params, grad, state):
        if state.rows is None:
            x = params - self.lr * self.scaled(grad, params, state.damping)
        else:
            L, R = params[: state.rows], params[state.rows:]
            grad_L, grad_R = grad[: state.rows], grad[state.rows:]
            x = np.vstack([L - self.lr * self.scaled(grad_L, R, state.damping),
                           R - self.lr * self.scaled(grad_R, L, state.damping)])
        return x, state._replace(x=x, k=state.k + 1)
