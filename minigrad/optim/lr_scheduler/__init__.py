"""Learning-rate schedulers with PyTorch's semantics (``torch.optim.lr_scheduler``).

A scheduler rewrites ``group['lr']`` of an optimizer's param groups each time ``step()`` is
called (once per epoch, or per batch for OneCycleLR). Construction performs an initial step, so
right after ``__init__`` the optimizer holds the epoch-0 learning rate. Typical use::

    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)          # opt.step() inside
        sched.step()

As in PyTorch the updates of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR,
MultiplicativeLR, ConstantLR and PolynomialLR are *chainable* (each multiplies the current
``lr``), so several schedulers can act on one optimizer (:class:`ChainedScheduler` steps them
together); the docstrings give the equivalent closed form for a scheduler acting alone.
LambdaLR, OneCycleLR, CyclicLR and CosineAnnealingWarmRestarts set the lr from ``base_lrs``
directly (not chainable), as in PyTorch. :class:`SequentialLR` runs schedulers one after the
other (a warm-up, then a decay).

Modules: :mod:`._base` (LRScheduler), :mod:`._decays`, :mod:`._cyclic` (OneCycleLR, CyclicLR,
CosineAnnealingWarmRestarts), :mod:`._plateau`, :mod:`._combinators`; import everything from
``minigrad.optim.lr_scheduler``.

Resuming, as in PyTorch: build the optimizer and the scheduler as for a fresh run, then call
``opt.load_state_dict(...)`` and ``sched.load_state_dict(...)``; the learning rates then continue
exactly as if training had never stopped (``minigrad.save`` can store both state dicts). Loading
the optimizer's state *before* building the scheduler lets the scheduler's initial step
overwrite the loaded learning rates (PyTorch behaves the same way). Passing ``last_epoch=k``
(k != -1) by hand requires every group to hold ``'initial_lr'`` and behaves as in PyTorch: the
initial step moves ``last_epoch`` to ``k + 1``; ExponentialLR, CosineAnnealingLR and LinearLR
leave the current lr unchanged in it, StepLR/MultiStepLR apply their decay if ``k + 1`` is a
decay epoch, and LambdaLR/OneCycleLR set their value for step ``k + 1``.

Departures from PyTorch: arguments PyTorch accepts but then fails on with an unrelated error
(ZeroDivisionError, ...) or lets through silently (a non-positive ``step_size`` or ``T_max``)
raise ValueError at construction, naming the argument and its allowed range; integral numbers
are accepted where PyTorch insists on the ``int``/``float`` type (``OneCycleLR(total_steps=
100.0)``, ``pct_start=0``); ``step()`` takes no deprecated ``epoch`` argument (except
CosineAnnealingWarmRestarts, where PyTorch documents it for fractional epochs). As in PyTorch,
the first ``scheduler.step()`` warns if the optimizer has not stepped yet (the schedule's first
learning rate would be skipped). Only plain Python is used: schedulers import no numba.
"""
from ._base import LRScheduler
from ._combinators import ChainedScheduler, SequentialLR
from ._cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from ._decays import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR,
                      MultiplicativeLR, MultiStepLR, PolynomialLR, StepLR)
from ._plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "LinearLR", "MultiplicativeLR", "ConstantLR", "PolynomialLR",
           "OneCycleLR", "CyclicLR", "CosineAnnealingWarmRestarts", "SequentialLR",
           "ChainedScheduler", "ReduceLROnPlateau"]
