"""Shared optimizer configurations and gradient streams for the optim tests."""
import numpy as np

import minigrad
from minigrad import optim
from minigrad.optim import reference

# (name, minigrad class, reference class, hyperparameters): every option of every algorithm,
# including high learning rates where errors would grow fastest.
CASES = [
    ("sgd", optim.SGD, reference.SGD, dict(lr=0.1)),
    ("sgd-wd-maximize", optim.SGD, reference.SGD, dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("sgd-momentum", optim.SGD, reference.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd-dampening", optim.SGD, reference.SGD, dict(lr=0.1, momentum=0.8, dampening=0.3,
                                                     weight_decay=0.01)),
    ("sgd-nesterov", optim.SGD, reference.SGD, dict(lr=0.3, momentum=0.9, nesterov=True,
                                                    weight_decay=0.05)),
    ("adagrad", optim.Adagrad, reference.Adagrad, dict(lr=0.5)),
    ("adagrad-decay", optim.Adagrad, reference.Adagrad,
     dict(lr=0.5, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("adagrad-maximize", optim.Adagrad, reference.Adagrad, dict(maximize=True, eps=1e-3)),
    ("adadelta", optim.Adadelta, reference.Adadelta, dict()),
    ("adadelta-options", optim.Adadelta, reference.Adadelta,
     dict(lr=2.0, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("rmsprop", optim.RMSprop, reference.RMSprop, dict(lr=0.01)),
    ("rmsprop-centered", optim.RMSprop, reference.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop-momentum", optim.RMSprop, reference.RMSprop, dict(lr=0.01, momentum=0.9,
                                                                weight_decay=0.1)),
    ("rmsprop-all", optim.RMSprop, reference.RMSprop,
     dict(lr=0.05, alpha=0.9, momentum=0.5, centered=True, maximize=True, eps=1e-3)),
    ("adam", optim.Adam, reference.Adam, dict(lr=0.05)),
    ("adam-amsgrad-wd", optim.Adam, reference.Adam,
     dict(lr=0.05, amsgrad=True, weight_decay=0.1, betas=(0.8, 0.99))),
    ("adam-maximize", optim.Adam, reference.Adam, dict(lr=0.5, maximize=True)),
    ("adamw", optim.AdamW, reference.AdamW, dict(lr=0.05)),
    ("adamw-amsgrad", optim.AdamW, reference.AdamW, dict(lr=0.05, weight_decay=0.3,
                                                         amsgrad=True, maximize=True)),
    ("adamax", optim.Adamax, reference.Adamax, dict(lr=0.05)),
    ("adamax-options", optim.Adamax, reference.Adamax,
     dict(lr=0.1, weight_decay=0.1, maximize=True, betas=(0.5, 0.9))),
    ("nadam", optim.NAdam, reference.NAdam, dict(lr=0.05)),
    ("nadam-wd", optim.NAdam, reference.NAdam, dict(lr=0.05, weight_decay=0.1,
                                                    momentum_decay=0.1)),
    ("nadam-decoupled", optim.NAdam, reference.NAdam,
     dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("adam-decoupled", optim.Adam, reference.Adam,
     dict(lr=0.05, weight_decay=0.2, decoupled_weight_decay=True, amsgrad=True)),
    ("radam", optim.RAdam, reference.RAdam, dict(lr=0.05)),
    ("radam-wd-maximize", optim.RAdam, reference.RAdam,
     dict(lr=0.05, weight_decay=0.1, maximize=True, betas=(0.8, 0.9))),
    ("radam-decoupled", optim.RAdam, reference.RAdam,
     dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, eps=1e-3)),
    ("rprop", optim.Rprop, reference.Rprop, dict()),
    ("rprop-options", optim.Rprop, reference.Rprop,
     dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("asgd", optim.ASGD, reference.ASGD, dict(lr=0.05)),
    ("asgd-averaging", optim.ASGD, reference.ASGD,
     dict(lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1, maximize=True)),
    ("lion", optim.Lion, reference.Lion, dict(lr=0.01)),
    ("lion-wd", optim.Lion, reference.Lion, dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.5)),
    ("lion-decoupled", optim.Lion, reference.Lion,
     dict(lr=0.01, weight_decay=1e-3, decoupled_weight_decay=True)),
    ("sgdschedulefree", optim.SGDScheduleFree, reference.SGDScheduleFree, dict(lr=0.1)),
    ("sgdschedulefree-options", optim.SGDScheduleFree, reference.SGDScheduleFree,
     dict(lr=0.2, momentum=0.8, weight_decay=0.1, warmup_steps=5, r=1.0, weight_lr_power=1.0)),
    ("adamwschedulefree", optim.AdamWScheduleFree, reference.AdamWScheduleFree,
     dict(lr=0.05)),
    ("adamwschedulefree-options", optim.AdamWScheduleFree, reference.AdamWScheduleFree,
     dict(lr=0.05, betas=(0.8, 0.99), eps=1e-4, weight_decay=0.1, warmup_steps=4, r=0.5)),
]
CASE_IDS = [c[0] for c in CASES]

SINGLE = [(40,)]
# A model: matrices, a vector, a 0-d scalar and a 3-d tensor.
MULTI = [(6, 5), (5,), (), (3, 2, 2), (4, 3), (7,)]


def initial_arrays(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def gradient(k, t, p, rng_table):
    """Gradient of parameter k at step t: a quadratic bowl plus fixed noise (a function of p,
    so that any divergence between two trajectories feeds back and grows)."""
    return np.asarray(0.5 * p + rng_table[k][t] * 0.3, dtype=p.dtype)


def noise_table(shapes, steps, dtype, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((steps,) + tuple(s)).astype(dtype) for s in shapes]


def skipped(k, t, multi):
    """Which parameters have no gradient: in the model, parameter 1 never has one and
    parameter 4 misses every third step (its step count then lags the others')."""
    if not multi:
        return False
    return k == 1 or (k == 4 and t % 3 == 0)


def make_params(arrays):
    return [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays]


def ready(opt):
    """The optimizer, switched to train mode if it has one (schedule-free starts in eval)."""
    if hasattr(opt, "train"):
        opt.train()
    return opt
