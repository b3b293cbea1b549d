"""Learning-rate schedulers with PyTorch's semantics (``torch.optim.lr_scheduler``).

A scheduler rewrites ``group['lr']`` of an optimizer's param groups each time ``step()`` is
called (once per epoch, or per batch for OneCycleLR). Construction performs an initial step, so
right after ``__init__`` the optimizer holds the epoch-0 learning rate. Typical use::

    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)          # opt.step() inside
        sched.step()

As in PyTorch the updates of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LinearLR
are *chainable* (each multiplies the current ``lr``), so several schedulers can act on one
optimizer; the docstrings give the equivalent closed form for a scheduler acting alone.
LambdaLR and OneCycleLR set the lr from ``base_lrs`` directly (not chainable), as in PyTorch.

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
100.0)``, ``pct_start=0``); ``step()`` takes no deprecated ``epoch`` argument. As in PyTorch,
the first ``scheduler.step()`` warns if the optimizer has not stepped yet (the schedule's first
learning rate would be skipped). Only plain Python is used: schedulers import no numba.
"""
import math
import types
import warnings
from collections import Counter

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau"]


class _MissingInitialLR(KeyError, ValueError):
    """Raised when resuming (``last_epoch != -1``) without ``'initial_lr'`` in a param group.

    A KeyError, as PyTorch raises, and also a ValueError (the ``last_epoch`` argument does not
    fit the optimizer), so either ``except`` clause catches it.
    """

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def _is_integral(value):
    try:
        return int(value) == value
    except (TypeError, ValueError, OverflowError):
        return False


class LRScheduler:
    """Base class: ``last_epoch`` counts calls to ``step()``; subclasses define ``get_lr()``
    (the rule for the step just taken, usually computed from the groups' current ``lr``).

    ``last_epoch=-1`` starts fresh (records ``group['initial_lr']`` unless already present);
    another value resumes, in which case every group must already hold ``'initial_lr'``
    (otherwise a KeyError, as in PyTorch, that is also a ValueError). ``base_lrs`` are the
    groups' ``'initial_lr'``.

    ``get_last_lr()`` returns the learning rates set by the latest ``step()`` (or by the
    construction); calling ``get_lr()`` yourself warns, as in PyTorch, because for chainable
    schedulers it is not the current learning rate.
    """

    _is_initial = False    # True only during the step performed by __init__
    _in_step = False       # True while step() calls get_lr()
    _not_state = ("optimizer", "_is_initial", "_in_step")

    def __init__(self, optimizer, last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise _MissingInitialLR(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming scheduler with last_epoch >= 0. Got last_epoch="
                        f"{last_epoch}: use last_epoch=-1 for a fresh schedule, or load the "
                        f"optimizer's state_dict (which holds 'initial_lr') first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        raise NotImplementedError

    def _warn_outside_step(self):
        if not self._in_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=3)

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the last ``step()``, one per param group."""
        return self._last_lr

    def step(self):
        """Advance one epoch and write the new learning rates into the optimizer."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", True):
            warnings.warn("lr_scheduler.step() was called before optimizer.step(): call "
                          "optimizer.step() first, or the first learning rate of the schedule "
                          "is skipped", UserWarning, stacklevel=2)
        self._step_count += 1
        self.last_epoch += 1
        self._in_step = True
        try:
            lrs = list(self.get_lr())
        finally:
            self._in_step = False
        groups = self.optimizer.param_groups
        if len(lrs) != len(groups):
            raise ValueError(f"{type(self).__name__}.get_lr() returned {len(lrs)} learning "
                             f"rates for {len(groups)} param groups")
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def state_dict(self):
        """Everything but the optimizer, as a dict (``minigrad.save`` can store it)."""
        return {k: v for k, v in self.__dict__.items() if k not in self._not_state}

    def load_state_dict(self, state_dict):
        """Restore the state saved by :meth:`state_dict`."""
        self.__dict__.update({k: v for k, v in state_dict.items() if k not in self._not_state})


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs.

    Closed form: ``lr_t = base_lr * gamma ** (t // step_size)``. ``step_size`` must be a
    positive integer (ValueError; PyTorch fails with ZeroDivisionError at the first step for 0).
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not _is_integral(step_size) or step_size <= 0:
            raise ValueError(f"Invalid step_size: {step_size} (must be a positive integer)")
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        lrs = self._current_lrs()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch listed in ``milestones`` (a milestone listed
    ``n`` times multiplies by ``gamma ** n``; order does not matter).

    Closed form: ``lr_t = base_lr * gamma ** bisect_right(sorted(milestones), t)``.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        lrs = self._current_lrs()
        if self.last_epoch not in self.milestones:
            return lrs
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in lrs]

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)  # minigrad.load returns a plain dict


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch. Closed form: ``lr_t = base_lr * gamma ** t``."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        lrs = self._current_lrs()
        if self._is_initial:
            return lrs
        return [lr * self.gamma for lr in lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` epochs (SGDR without
    restarts). Closed form: ``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi t / T_max)) / 2``
    (past ``T_max`` the cosine continues, rising again, as in PyTorch). Each step applies the
    chainable ratio form of this recurrence, as PyTorch does.

    ``T_max`` must be > 0 (ValueError; PyTorch accepts negative values and fails with
    ZeroDivisionError for 0).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if not T_max > 0:
            raise ValueError(f"Invalid T_max: {T_max} (must be > 0)")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        lrs = self._current_lrs()
        if self._is_initial:
            return lrs
        if (t - 1 - T) % (2 * T) == 0:
            # just past a minimum, where the ratio form would divide by zero: add the increment
            return [lr + (b - eta) * (1 - math.cos(math.pi / T)) / 2
                    for b, lr in zip(self.base_lrs, lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta) + eta for lr in lrs]


class LambdaLR(LRScheduler):
    """``lr_t = base_lr * lr_lambda(t)``; ``lr_lambda`` is a function or one per param group.

    ``state_dict()`` stores, as PyTorch does, ``lr_lambdas``: ``None`` for plain functions and
    lambdas (not saved), a copy of ``__dict__`` for callable objects (restored into this
    scheduler's objects by ``load_state_dict``).
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)} (lr_lambda "
                                 f"must be one function or a list of one per param group)")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        return [b * f(self.last_epoch) for f, b in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) or not hasattr(f, "__dict__")
            else dict(f.__dict__) for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        saved = state_dict.get("lr_lambdas") or []
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for f, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                f.__dict__.update(attrs)


class LinearLR(LRScheduler):
    """Scale the lr linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` epochs.

    Closed form: ``lr_t = base_lr * (start + (end - start) * min(t, total_iters) / total_iters)``
    (for ``total_iters <= 0``: ``base_lr * start`` throughout, as in PyTorch).
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"Invalid start_factor: {start_factor} (must be in (0, 1])")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"Invalid end_factor: {end_factor} (must be in [0, 1])")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        t, lrs = self.last_epoch, self._current_lrs()
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return [lr * s for lr in lrs]
        if self._is_initial or t > n:
            return lrs
        # factor(t) / factor(t - 1), with factor(t) = s + (e - s) * t / n
        return [lr * (1.0 + (e - s) / (n * s + (t - 1) * (e - s))) for lr in lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin 2018), stepped once per *batch*.

    The lr rises from ``initial_lr = max_lr / div_factor`` to ``max_lr`` over steps ``0 ..
    pct_start * total_steps - 1``, then anneals to ``min_lr = initial_lr / final_div_factor``
    at step ``total_steps - 1`` (``total_steps = epochs * steps_per_epoch`` if not given). With
    ``three_phase`` it first anneals back to ``initial_lr`` (at step ``2 * pct_start *
    total_steps - 2``), then to ``min_lr``. Annealing from ``a`` to ``b`` over a fraction
    ``f`` of a phase is ``b + (a - b) * (1 + cos(pi f)) / 2`` ('cos') or ``a + (b - a) * f``
    ('linear'). With ``cycle_momentum`` the momentum (SGD/RMSprop ``momentum``, or ``beta1`` of
    the Adam family's ``betas``) moves inversely, between ``max_momentum`` and
    ``base_momentum`` (set to ``max_momentum`` at construction). ``max_lr``,
    ``base_momentum`` and ``max_momentum`` may be lists, one per param group. As in PyTorch,
    ``step()`` may reach step ``total_steps`` (one past the schedule); beyond it raises.

    Validation (ValueError naming the argument): ``total_steps``, or ``epochs`` and
    ``steps_per_epoch``, positive integers; ``pct_start`` in [0, 1] with ``pct_start *
    total_steps != 1``; ``anneal_strategy`` 'cos' or 'linear'; ``div_factor`` and
    ``final_div_factor`` > 0; lists of one value per param group; with ``cycle_momentum`` an
    optimizer whose defaults have ``momentum`` or ``betas``. Departures from PyTorch: integral
    numbers of any type are accepted for the counts and any real ``pct_start`` (PyTorch
    requires ``int``/``float``); ``pct_start * total_steps == 1`` (a warm-up of zero steps) and
    ``div_factor``/``final_div_factor`` <= 0 raise ValueError, where PyTorch raises
    ZeroDivisionError or accepts negative factors; a failed construction leaves the param
    groups untouched (PyTorch may already have added ``'initial_lr'`` etc.).
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        groups = optimizer.param_groups
        if total_steps is not None:
            if not _is_integral(total_steps) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not _is_integral(epochs) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not _is_integral(steps_per_epoch) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        total = self.total_steps
        warmup_end = float(pct_start * total) - 1
        if warmup_end == 0:
            raise ValueError(f"pct_start * total_steps must not be 1 (a warm-up of zero steps), "
                             f"but got pct_start={pct_start}, total_steps={total}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        if not div_factor > 0:
            raise ValueError(f"Expected div_factor > 0, but got {div_factor}")
        if not final_div_factor > 0:
            raise ValueError(f"Expected final_div_factor > 0, but got {final_div_factor}")
        self.anneal_strategy = anneal_strategy
        # phases: (last step, lr from, lr to, momentum from, momentum to), names of group keys
        if three_phase:
            self._schedule_phases = [
                dict(end_step=warmup_end, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * total) - 2, start_lr="max_lr",
                     end_lr="initial_lr", start_momentum="base_momentum",
                     end_momentum="max_momentum"),
                dict(end_step=total - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=warmup_end, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=total - 1, start_lr="max_lr", end_lr="min_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
            ]
        max_lrs = _per_group(max_lr, groups, "max_lr")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled (an optimizer with a "
                                 "'momentum' or 'betas' hyperparameter, or "
                                 "cycle_momentum=False)")
            self.use_beta1 = "betas" in defaults
            max_ms = _per_group(max_momentum, groups, "max_momentum")
            base_ms = _per_group(base_momentum, groups, "base_momentum")
        if last_epoch == -1:
            for lr, group in zip(max_lrs, groups):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                for m_max, m_base, group in zip(max_ms, base_ms, groups):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        self._warn_outside_step()
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"Tried to step {t} times. The specified number of total steps "
                             f"is {self.total_steps}")
        phases = self._schedule_phases
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(phases):
                end = phase["end_step"]
                if t <= end or i == len(phases) - 1:
                    pct = (t - start) / (end - start)
                    break
                start = end
            lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                self._set_momentum(group, self._anneal(group[phase["start_momentum"]],
                                                       group[phase["end_momentum"]], pct))
        return lrs


def _per_group(value, groups, name):
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"{name} must have one value per param group: expected "
                             f"{len(groups)} values for {name}, got {len(value)}")
        return list(value)
    return [value] * len(groups)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    ``step(metric)`` once per epoch (``metric``: anything ``float()`` accepts: a number, a numpy
    scalar, a one-element Tensor). Improvement (``mode='min'``): ``metric < best * (1 -
    threshold)`` ('rel') or ``metric < best - threshold`` ('abs'); mirrored for 'max'
    (``best * (1 + threshold)``, ``best + threshold``). When the count of epochs without
    improvement exceeds ``patience``, every group's lr becomes ``max(lr * factor, min_lr)``
    (skipped for a group if that lowers it by no more than ``eps``) and the count restarts;
    then for ``cooldown`` epochs bad epochs are not counted. ``min_lr`` is one number or one per
    param group; with one number, groups added to the optimizer later get it too (with a list
    that raises RuntimeError at the next reduction, as in PyTorch).

    Not constructed through ``LRScheduler.__init__`` (no initial step, no ``'initial_lr'``);
    ``last_epoch`` counts ``step()`` calls from 0. Validation: ``factor < 1``; ``mode`` 'min'
    or 'max'; ``threshold_mode`` 'rel' or 'abs' (ValueError; PyTorch checks the same).
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got factor={factor}")
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown! (must be 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown! (threshold_mode "
                             f"must be 'rel' or 'abs')")
        self.optimizer = optimizer
        self.factor = factor
        self.min_lrs = _per_group(min_lr, optimizer.param_groups, "min_lr")
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.patience = patience
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.eps = eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def get_lr(self):
        raise NotImplementedError("ReduceLROnPlateau sets the lr from a metric: call "
                                  "step(metric), and get_last_lr() for the learning rates")

    def step(self, metrics):
        """Record this epoch's ``metrics`` (a number) and reduce the lr if it has plateaued."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The optimizer has {len(groups)} param groups but ReduceLROnPlateau was "
                    f"given {len(self.min_lrs)} min_lrs (was a param group added?): set "
                    f"`min_lrs` to one value per param group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new
