"""The scheduler base class and its helpers."""
import warnings


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
        self._initial_step()

    def _initial_step(self):
        """The step performed by the construction (and by SequentialLR when a scheduler
        starts): ``get_lr()`` sees ``_is_initial``."""
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
        self._update_lr()

    def _update_lr(self, epoch=None):
        """Move to the next epoch (or to ``epoch``, with the closed form where the scheduler
        has one, as PyTorch; SequentialLR restarts a scheduler this way) and write the lrs."""
        self._in_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                lrs = list(self.get_lr())
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                lrs = list(closed() if closed is not None else self.get_lr())
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


def _per_group(value, groups, name):
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"{name} must have one value per param group: expected "
                             f"{len(groups)} values for {name}, got {len(value)}")
        return list(value)
    return [value] * len(groups)
