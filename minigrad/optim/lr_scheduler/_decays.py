"""Schedulers that decay (or warm up) the lr along a fixed curve: StepLR, MultiStepLR,
ExponentialLR, CosineAnnealingLR, LambdaLR, LinearLR, MultiplicativeLR, ConstantLR,
PolynomialLR."""
import math
import types
from bisect import bisect_right
from collections import Counter

from ._base import LRScheduler, _is_integral


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

    def _get_closed_form_lr(self):
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


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

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [b * self.gamma ** bisect_right(milestones, self.last_epoch)
                for b in self.base_lrs]

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)  # a dict from elsewhere may be a plain dict


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

    def _get_closed_form_lr(self):
        return [b * self.gamma ** self.last_epoch for b in self.base_lrs]


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

    def _get_closed_form_lr(self):
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch
                                                                  / self.T_max)) / 2
                for b in self.base_lrs]


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

    def _get_closed_form_lr(self):
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [b * (s + (e - s) * min(n, self.last_epoch) / n) for b in self.base_lrs]


class MultiplicativeLR(LambdaLR):
    """Multiply the lr by ``lr_lambda(t)`` at every step ``t >= 1`` (one function, or one per
    param group): ``lr_t = lr_{t-1} * lr_lambda(t)``, chainable. ``state_dict`` handles the
    functions as :class:`LambdaLR`'s does. A non-callable ``lr_lambda`` raises TypeError."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        fns = lr_lambda if isinstance(lr_lambda, (list, tuple)) else [lr_lambda]
        for fn in fns:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got "
                                f"{type(fn).__name__}")
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        lrs = self._current_lrs()
        if self._is_initial:
            return lrs
        return [lr * f(self.last_epoch) for f, lr in zip(self.lr_lambdas, lrs)]


class ConstantLR(LRScheduler):
    """Multiply the lr by ``factor`` for the first ``total_iters`` epochs (a constant warm-up),
    then restore it. Closed form: ``lr_t = base_lr * (factor if t < total_iters else 1)``.

    ``factor`` must be in (0, 1] (ValueError; PyTorch accepts 0 and then fails with
    ZeroDivisionError when it restores the lr).
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 < factor <= 1.0:
            raise ValueError(f"Constant multiplicative factor expected to be between 0 and 1 "
                             f"(in (0, 1]), got factor={factor}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        lrs = self._current_lrs()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch != self.total_iters:
            return lrs
        return [lr * (1.0 / self.factor) for lr in lrs]

    def _get_closed_form_lr(self):
        return [b * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the lr to 0 over ``total_iters`` epochs along a polynomial of degree ``power``:
    ``lr_t = base_lr * (1 - min(t, total_iters) / total_iters) ** power`` (each step applies
    the ratio of consecutive values, chainable, as PyTorch)."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        lrs = self._current_lrs()
        t, n = self.last_epoch, self.total_iters
        if self._is_initial or t > n:
            return lrs
        decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [lr * decay for lr in lrs]

    def _get_closed_form_lr(self):
        n = self.total_iters
        return [b * (1.0 - min(n, self.last_epoch) / n) ** self.power for b in self.base_lrs]
