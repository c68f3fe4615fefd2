"""Analytic test problems with exact (or honestly labelled) constants.

Every problem is built by a factory with explicit parameters and a seed; see
`refopt.problems.base.Problem` for the contract. ``FACTORIES`` lists the
registered factories (the registry of `refopt.registry` reads it).
"""
from .base import Constant, FiniteSumProblem, Problem
from .least_squares import lasso, least_squares, matrix_least_squares
from .logistic import logistic
from .noise import additive_gaussian, affine_variance, finite_sum
from .nonconvex import pl_toy, rosenbrock
from .nonsmooth import l1_regression
from .quadratic import quadratic
from .worst_case import hb_cycle, huber_worst_case, nesterov_chain

FACTORIES = (quadratic, least_squares, lasso, matrix_least_squares, logistic, l1_regression, huber_worst_case, nesterov_chain,
             hb_cycle, rosenbrock, pl_toy)

__all__ = ["Constant", "FiniteSumProblem", "Problem", "FACTORIES", "additive_gaussian", "affine_variance",
           "finite_sum", "hb_cycle", "huber_worst_case", "l1_regression", "lasso", "least_squares", "logistic", "matrix_least_squares", "nesterov_chain",
           "pl_toy", "quadratic", "rosenbrock"]
