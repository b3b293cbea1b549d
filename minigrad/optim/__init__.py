"""Optimizers with PyTorch's interface, whose updates are fused Numba kernels.

``import minigrad.optim`` imports neither numba nor compiled code: :mod:`.kernels` is loaded at
the first ``step()``. Beyond PyTorch's algorithms: :class:`Lion`, :class:`SGDScheduleFree`,
:class:`AdamWScheduleFree` and :class:`Prodigy`, with the arguments and numbers of their
authors' packages. There is no ``SparseAdam``: minigrad has no sparse gradients. See ``docs/optim.md`` for the design, the threading configuration and the
benchmarks.
"""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .lion import Lion
from .muon import Muon
from .nadam import NAdam
from .newton import Newton, NewtonCG
from .optimizer import Optimizer
from .prodigy import Prodigy
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .schedule_free import AdamWScheduleFree, SGDScheduleFree
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
           "NAdam", "RAdam", "Rprop", "ASGD", "Adafactor", "Muon", "Lion", "SGDScheduleFree",
           "AdamWScheduleFree", "Prodigy", "LBFGS", "Newton", "NewtonCG", "lr_scheduler",
           "swa_utils"]
