"""Analytic test problems with exact (or honestly labelled) constants.

Every problem is built by a factory with explicit parameters and a seed; see
`refopt.problems.base.Problem` for the contract. ``FACTORIES`` lists the
registered factories (the registry of `refopt.registry` reads it).
"""
from .base import Constant, FiniteSumProblem, Problem
from .least_squares import lasso, least_squares
from .logistic import logistic
from .noise import additive_gaussian, affine_variance, finite_sum
from .quadratic import quadratic
from .rosenbrock import rosenbrock
from .worst_case import huber_worst_case, nesterov_chain

FACTORIES = (quadratic, least_squares, lasso, logistic, huber_worst_case, nesterov_chain, rosenbrock)

__all__ = ["Constant", "FiniteSumProblem", "Problem", "FACTORIES", "additive_gaussian", "affine_variance",
           "finite_sum", "huber_worst_case", "lasso", "least_squares", "logistic", "nesterov_chain",
           "quadratic", "rosenbrock"]
