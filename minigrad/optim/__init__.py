"""Optimizers with PyTorch's interface, whose updates are fused Numba kernels.

``import minigrad.optim`` imports neither numba nor compiled code: :mod:`.kernels` is loaded at
the first ``step()``. See ``docs/optim.md`` for the design, the threading configuration and the
benchmarks.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lbfgs import LBFGS
from .nadam import NAdam
from .newton import Newton, NewtonCG
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
           "NAdam", "LBFGS", "Newton", "NewtonCG", "lr_scheduler"]
