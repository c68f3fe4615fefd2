"""Analytic test problems with exact (or honestly labelled) constants.

Every problem is built by a factory with explicit parameters and a seed; see
`refopt.problems.base.Problem` for the contract. ``FACTORIES`` lists the
registered factories (the registry of `refopt.registry` reads it).
"""
from .base import Constant, FiniteSumProblem, Problem
from .bilevel import (BilevelProblem, bilevel_noise, constrained_bilevel, nonsingleton_toy, quad_bilevel, ridge_hpo,
                      sine_bilevel, unbounded_smooth_bilevel)
from .least_squares import lasso, least_squares, matrix_least_squares
from .matrix_completion import matrix_completion
from .matrix_sensing import asymmetric_matrix_sensing, matrix_sensing, robust_matrix_recovery
from .logistic import logistic
from .noise import additive_gaussian, affine_variance, finite_sum
from .nonconvex import pl_toy, rosenbrock
from .nonsmooth import l1_regression
from .planted import single_index, tensor_pca
from .quadratic import quadratic
from .worst_case import hb_cycle, huber_worst_case, nesterov_chain

FACTORIES = (quadratic, least_squares, lasso, matrix_least_squares, logistic, l1_regression, huber_worst_case, nesterov_chain,
             hb_cycle, rosenbrock, pl_toy, matrix_sensing, asymmetric_matrix_sensing, robust_matrix_recovery, matrix_completion,
             tensor_pca,
             single_index, quad_bilevel, ridge_hpo, nonsingleton_toy, unbounded_smooth_bilevel, constrained_bilevel,
             sine_bilevel)

__all__ = ["BilevelProblem", "bilevel_noise", "constrained_bilevel", "nonsingleton_toy", "quad_bilevel", "ridge_hpo",
           "sine_bilevel", "unbounded_smooth_bilevel", "Constant", "FiniteSumProblem", "Problem", "FACTORIES", "additive_gaussian", "affine_variance",
           "asymmetric_matrix_sensing", "finite_sum", "hb_cycle", "huber_worst_case", "l1_regression", "lasso", "least_squares", "logistic", "matrix_completion", "matrix_least_squares", "matrix_sensing", "nesterov_chain",
           "pl_toy", "quadratic", "robust_matrix_recovery", "rosenbrock", "single_index", "tensor_pca"]
