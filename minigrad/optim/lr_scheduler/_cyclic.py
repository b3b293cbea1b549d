"""Schedulers that cycle: OneCycleLR and CyclicLR (stepped per batch, with momentum cycling)
and CosineAnnealingWarmRestarts (SGDR)."""
import math
import types

from ._base import LRScheduler, _is_integral, _per_group


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


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith 2017), stepped once per *batch*: the lr goes from
    ``base_lr`` up to ``max_lr`` in ``step_size_up`` steps and back in ``step_size_down``
    (default: the same), over and over.

    With ``cycle = floor(1 + t / total)``, ``x = 1 + t / total - cycle`` (the position in the
    cycle), ``ratio = step_size_up / total`` and ``scale = x / ratio`` going up,
    ``(x - 1) / (ratio - 1)`` coming down::

        lr_t = base_lr + (max_lr - base_lr) * scale * scale_fn(cycle or t)

    ``mode``: 'triangular' (``scale_fn = 1``), 'triangular2' (the amplitude halves every
    cycle, ``1 / 2^(cycle - 1)``), 'exp_range' (``gamma ** t``, per iteration); or your own
    ``scale_fn`` with ``scale_mode`` 'cycle' or 'iterations'. With ``cycle_momentum`` the
    momentum (or the Adam family's ``beta1``) moves the other way, from ``max_momentum`` down to
    ``base_momentum`` and back. ``base_lr``, ``max_lr`` and the momenta may be one value per
    param group. Construction sets every group's lr to ``base_lr`` (when ``last_epoch == -1``).
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        groups = optimizer.param_groups
        base_lrs = _per_group(base_lr, groups, "base_lr")
        max_lrs = _per_group(max_lr, groups, "max_lr")
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        if not step_size_up > 0 or not step_size_down >= 0:
            raise ValueError(f"step_size_up must be > 0 and step_size_down >= 0, got "
                             f"{step_size_up} and {step_size_down}")
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"mode is invalid and scale_fn is None (mode must be "
                             f"'triangular', 'triangular2' or 'exp_range', got {mode!r})")
        if scale_fn is not None and scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        if cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            base_ms = _per_group(base_momentum, groups, "base_momentum")
            max_ms = _per_group(max_momentum, groups, "max_momentum")
        self.optimizer = optimizer
        if last_epoch == -1:
            for lr, group in zip(base_lrs, groups):
                group["lr"] = lr
        self.max_lrs = max_lrs
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums, self.max_momentums = base_ms, max_ms
            if last_epoch == -1:
                for m_max, m_base, group in zip(max_ms, base_ms, groups):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        if self._scale_fn_custom is not None:
            return
        if self.mode in ("triangular", "triangular2"):
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self.scale_mode = "iterations"

    def scale_fn(self, x):
        """The amplitude's scale at cycle (or iteration) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self):
        self._warn_outside_step()
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else t
        lrs = [b + (m - b) * scale_factor * self.scale_fn(at)
               for b, m in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, b, m in zip(self.optimizer.param_groups, self.base_momentums,
                                   self.max_momentums):
                self._set_momentum(group, m - (m - b) * scale_factor * self.scale_fn(at))
        return lrs

    def state_dict(self):
        """As PyTorch: a plain-function ``scale_fn`` is not saved, a callable object's
        ``__dict__`` is."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = dict(fn.__dict__)
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        fn = state_dict.pop("_scale_fn_custom", None)
        super().load_state_dict(state_dict)
        if fn is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter 2017): cosine annealing from ``base_lr`` to ``eta_min`` over
    ``T_i`` epochs, then a restart at ``base_lr``; the first period is ``T_0`` epochs and each
    next one ``T_mult`` times longer::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``T_cur`` counts epochs since the last restart. As in PyTorch (and unlike the other
    schedulers here), ``step(epoch)`` accepts a fractional epoch, to anneal within an epoch:
    ``sched.step(epoch + i / iters)`` after batch ``i``. Not chainable (it sets the lr from
    ``base_lrs``). ``T_0`` must be a positive integer, ``T_mult`` an integer >= 1, ``eta_min`` a
    number (ValueError). This scheduler's ``step`` does not warn when called before the
    optimizer's, as PyTorch's does not.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if not _is_integral(T_0) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not _is_integral(T_mult) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0 = int(T_0)
        self.T_i = int(T_0)
        self.T_mult = int(T_mult)
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_outside_step()
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.T_cur
                                                                  / self.T_i)) / 2
                for b in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or jump to ``epoch`` (a number >= 0, fractional allowed)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._in_step = True
        try:
            lrs = self.get_lr()
        finally:
            self._in_step = False
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = self._current_lrs()
