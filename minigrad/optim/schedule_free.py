"""Schedule-free SGD and AdamW (Defazio et al. 2024): no learning-rate schedule to choose."""
import numpy as np

from .._storage import bump
from .optimizer import Optimizer, _kernels, check_betas, check_range, empty_buffer


class _ScheduleFree(Optimizer):
    """Shared machinery: the group-level averaging weight, ``train()`` / ``eval()``."""

    _kernel = "schedule_free"
    _adaptive = False

    def __init__(self, params, defaults, parallel, parallel_threshold):
        defaults.update(k=0, train_mode=False, weight_sum=0.0, lr_max=-1.0, scheduled_lr=0.0)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("weight_decay value", group["weight_decay"])
        check_range("warmup_steps", group["warmup_steps"])
        check_range("r value", group["r"])
        check_range("weight_lr_power value", group["weight_lr_power"])

    def _beta(self, group):
        raise NotImplementedError

    # ----- train / eval ---------------------------------------------------------------------
    def train(self):
        """Switch the parameters to ``y``, where gradients are taken: call before training
        (the optimizer starts in eval mode, and ``step()`` refuses to run otherwise)."""
        self._switch(True, lambda beta: 1 - beta)

    def eval(self):
        """Switch the parameters to the average ``x``, the weights to evaluate and to save:
        call before evaluating, and before ``state_dict()`` of the model for a checkpoint."""
        self._switch(False, lambda beta: 1 - 1 / beta)

    def _switch(self, to_train, weight_of):
        serial, parallel = _kernels().KERNELS["lerp_to"]
        for group, flats in zip(self.param_groups, self._flats):
            if bool(group["train_mode"]) == to_train:
                continue
            weight = weight_of(self._beta(group))
            for fb in flats:
                for k, p in enumerate(fb.params):
                    state = self.state.get(p)
                    if not state or "z" not in state:
                        continue
                    start, stop = fb.span(k, k + 1)
                    kernel = self._pick_kernel(serial, parallel, stop - start)
                    kernel(fb.span_values(start, stop), fb.buffers["z"][start:stop],
                           np.array([weight], fb.dtype))
                    fb.end_span()
                    bump(p)
            group["train_mode"] = to_train

    # ----- the step -------------------------------------------------------------------------
    def step(self, closure=None):
        """One step (see the class docstring); RuntimeError in eval mode, changing nothing."""
        if not self.param_groups[0]["train_mode"]:
            raise RuntimeError(
                f"{type(self).__name__} is in eval mode: call optimizer.train() before "
                f"training (and optimizer.eval() before evaluating or saving); the "
                f"parameters hold the averaged weights x in eval mode and the gradient point "
                f"y in train mode")
        return super().step(closure)

    def _begin_step(self):
        # Per group, every step (whether or not a parameter has a gradient), as schedulefree.
        self._coefs = {}
        for group in self.param_groups:
            k = group["k"]
            warmup = group["warmup_steps"]
            sched = (k + 1) / warmup if k < warmup else 1.0
            lr = group["lr"] * sched
            group["scheduled_lr"] = lr
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** group["r"]) * (lr_max ** group["weight_lr_power"])
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            ckp1 = weight / weight_sum if weight_sum != 0 else 0.0
            group["k"] = k + 1
            self._coefs[id(group)] = (lr, ckp1, k + 1)

    def _new_state(self, fb, k, group):
        state = {"z": self._state_view(fb, k, "z")}
        start, stop = fb.span(k, k + 1)
        state["z"].reshape(-1)[...] = fb.span_values(start, stop)  # z starts at the weights
        fb.end_span()
        if self._adaptive:
            state["exp_avg_sq"] = self._state_view(fb, k, "exp_avg_sq")
        return state

    _run_key = staticmethod(lambda state: 0)

    def _launch(self, kernel, group, fb, start, stop, state):
        lr, ckp1, t = self._coefs[id(group)]
        beta = self._beta(group)
        beta2 = group["betas"][1] if self._adaptive else 0.0
        hp = self._scalars(fb.dtype, ckp1, lr * (beta * (1 - ckp1) - 1), lr,
                           group["weight_decay"], beta2, 1 - beta2, 1 - beta2 ** t,
                           group.get("eps", 0.0))
        v = fb.buffers["exp_avg_sq"][start:stop] if self._adaptive else empty_buffer(fb.dtype)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["z"][start:stop], v, hp,
               self._adaptive)

    def _advance(self, states, fb, k0, group):
        pass  # the step count k is per group (advanced in _begin_step)


_RULE = r"""
    Per step ``k`` (per group, counted from 0), with ``lr_k = lr * min(1, (k+1)/warmup_steps)``,
    ``lr_max = max(lr_max, lr_k)``, ``w_k = (k+1)^r * lr_max^weight_lr_power`` and
    ``c = w_k / sum(w_0 .. w_k)``; the parameter holds ``y``::

{direction}
        y = lerp(y, z, c) + lr_k * (beta * (1 - c) - 1) * d
        z = z - lr_k * d                              (z starts at the initial weights)

    ``y`` is where gradients are taken; the weights to evaluate are the average
    ``x = (y - (1 - beta) z) / beta``, which ``eval()`` puts into the parameters
    (``p = lerp(y, z, 1 - 1/beta)``) and ``train()`` takes back (``p = lerp(x, z, 1 - beta)``).
    The optimizer starts in eval mode: call ``train()`` before the first step (``step()`` raises
    RuntimeError otherwise, as the reference raises) and ``eval()`` before evaluating or saving
    the model. Group-level state (``k``, ``weight_sum``, ``lr_max``, ``scheduled_lr``,
    ``train_mode``) lives in the param group, as in the reference, so it is in the state dict.
    Unlike the reference, the gradient is not modified in place.
"""


class SGDScheduleFree(_ScheduleFree):
    __doc__ = r"""Schedule-free SGD (Defazio et al. 2024, "The Road Less Scheduled"), with the
    arguments, defaults and numbers of the ``schedulefree`` package's ``SGDScheduleFree``.

    Momentum and averaging replace the learning-rate schedule: the iterate is an interpolation
    between plain SGD's sequence ``z`` and the running average ``x`` of ``z``, and the average
    converges like a well-tuned schedule without knowing the training length. No scheduler, no
    ``T_max``; a warm-up is the ``warmup_steps`` argument.
""" + _RULE.format(direction="        d = g + weight_decay * y") + r"""
    Args: ``lr=1.0``, ``momentum=0.9`` (the interpolation ``beta``, in (0, 1)),
    ``weight_decay=0``, ``warmup_steps=0``, ``r=0.0``, ``weight_lr_power=2``; ``parallel``,
    ``parallel_threshold`` (the reference's ``foreach`` is a torch implementation switch and is
    not taken). State per parameter: ``z``.
    """

    def __init__(self, params, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0,
                 weight_lr_power=2, *, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, momentum=momentum, r=r, warmup_steps=warmup_steps,
                        weight_lr_power=weight_lr_power, weight_decay=weight_decay)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        super()._validate(group)
        check_range("momentum value", group["momentum"], 0.0, 1.0, lo_open=True)

    def _beta(self, group):
        return group["momentum"]


class AdamWScheduleFree(_ScheduleFree):
    __doc__ = r"""Schedule-free AdamW (Defazio et al. 2024), with the arguments, defaults and
    numbers of the ``schedulefree`` package's ``AdamWScheduleFree``: schedule-free averaging
    (see :class:`SGDScheduleFree`) around Adam's per-coordinate scaling, with no first moment
    (the interpolation plays momentum's role) and weight decay taken at ``y``.
""" + _RULE.format(direction="        v = beta2 * v + (1 - beta2) * g * g\n"
                   "        d = g / (sqrt(v / (1 - beta2^(k+1))) + eps) + weight_decay * y") + r"""
    Here ``beta = betas[0]``. Args: ``lr=0.0025``, ``betas=(0.9, 0.999)``, ``eps=1e-8``,
    ``weight_decay=0``, ``warmup_steps=0``, ``r=0.0``, ``weight_lr_power=2.0``; ``parallel``,
    ``parallel_threshold``. State per parameter: ``z``, ``exp_avg_sq``.
    """

    _adaptive = True

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0, *, parallel=None,
                 parallel_threshold=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, r=r, warmup_steps=warmup_steps,
                        weight_lr_power=weight_lr_power, weight_decay=weight_decay)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        super()._validate(group)
        check_range("epsilon value", group["eps"])
        check_betas(group["betas"])
        check_range("beta parameter at index 0", group["betas"][0], 0.0, 1.0, lo_open=True)

    def _beta(self, group):
        return group["betas"][0]
