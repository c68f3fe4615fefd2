"""Reference algorithms, one module per family.

Each is a frozen dataclass of named hyperparameters with ``init`` and ``step``
(and ``update`` for gradient maps); see `refopt.algorithms.base`. ``ALGORITHMS``
lists them for the registry.
"""
from . import schedules
from .base import Algorithm
from .gradient import GradientDescent, Subgradient
from .momentum import HeavyBall, Nesterov
from .polyak import SPS, PolyakStep
from .proximal import FISTA, ProximalGradient
from .stochastic import SGD, AdaGradNorm

ALGORITHMS = (GradientDescent, Subgradient, HeavyBall, Nesterov, ProximalGradient, FISTA, SGD,
              PolyakStep, SPS, AdaGradNorm)

__all__ = ["ALGORITHMS", "Algorithm", "AdaGradNorm", "FISTA", "GradientDescent", "HeavyBall", "Nesterov",
           "PolyakStep", "ProximalGradient", "SGD", "SPS", "Subgradient", "schedules"]
