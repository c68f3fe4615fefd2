"""Reference algorithms, one module per family.

Each is a frozen dataclass of named hyperparameters with ``init`` and ``step``
(and ``update`` for gradient maps); see `refopt.algorithms.base`. ``ALGORITHMS``
lists them for the registry.
"""
from . import schedules
from .adam import AMSGrad, Adam, Adamax, AdamW, NAdam, RAdam
from .adam_extensions import AdaBound, AdEMAMix, AMSBound, Grams
from .adaptive import AdaGrad, RMSprop
from .base import Algorithm, GradientMap
from .bilevel import AID, BDA, BOREP, F2SA, ITD, LVHBA, MEHA, SLBAMM, Penalty
from .completion import AltMin, RobustAltMin
from .factorization import ScaledGD
from .gradient import GradientDescent, Subgradient
from .matrix import Muon, Shampoo
from .momentum import HeavyBall, Nesterov
from .polyak import SPS, PolyakStep
from .proximal import FISTA, ProximalGradient
from .sign import Lion, SignSGD, Signum
from .sphere import SphericalLangevin, SphericalSGD, TensorPowerIteration
from .stochastic import SGD, AdaGradNorm

ALGORITHMS = (GradientDescent, Subgradient, HeavyBall, Nesterov, ProximalGradient, FISTA, SGD,
              PolyakStep, SPS, AdaGradNorm, AdaGrad, RMSprop, Adam, AdamW, AMSGrad, Adamax, NAdam, RAdam,
              AdaBound, AMSBound, AdEMAMix, Grams, SignSGD, Signum, Lion, Muon, Shampoo, ScaledGD, AltMin,
              RobustAltMin, SphericalSGD, TensorPowerIteration, SphericalLangevin, AID, ITD, BDA, F2SA,
              Penalty, BOREP, SLBAMM, LVHBA, MEHA)

__all__ = ["AID", "BDA", "BOREP", "F2SA", "ITD", "Penalty", "ALGORITHMS", "AMSBound", "AMSGrad", "AdEMAMix", "AdaBound", "AdaGrad", "AdaGradNorm", "Adam",
           "AdamW", "Adamax", "Algorithm", "AltMin", "FISTA", "GradientDescent", "GradientMap", "Grams",
           "HeavyBall", "LVHBA", "MEHA", "Lion", "Muon", "NAdam", "Nesterov", "PolyakStep", "ProximalGradient", "RAdam", "RMSprop",
           "RobustAltMin", "SGD", "SLBAMM", "SPS", "ScaledGD", "Shampoo", "SignSGD", "Signum", "SphericalLangevin",
           "SphericalSGD", "Subgradient", "TensorPowerIteration", "schedules"]
