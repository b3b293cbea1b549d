"""ReduceLROnPlateau: lower the lr when a metric stops improving."""
import math

from ._base import LRScheduler, _per_group


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
