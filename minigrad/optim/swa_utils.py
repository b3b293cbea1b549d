"""Weight averaging, as ``torch.optim.swa_utils``: :class:`AveragedModel` (SWA and EMA),
:class:`SWALR`, :func:`update_bn`, and the averaging functions.

Averaging the weights of the last epochs (Stochastic Weight Averaging, Izmailov et al. 2018)
or keeping an exponential moving average of them (EMA, Polyak averaging with exponential
weights) finds flatter, better-generalizing solutions than the last iterate, at the cost of a
copy of the model::

    swa_model = AveragedModel(model)                      # SWA: equal weights
    ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))
    sched = SWALR(opt, swa_lr=0.05)
    for epoch in range(epochs):
        train_one_epoch(model, opt)
        if epoch >= swa_start:
            swa_model.update_parameters(model)
            sched.step()
    update_bn(loader, swa_model)                          # BatchNorm statistics of the average

**The fused kernel.** The averaged copy's float parameters (and buffers, with
``use_buffers=True``) live in one flat buffer per dtype (each tensor's data a view into it),
so an update is one fused kernel call per dtype, like an optimizer step: SWA
``avg = avg + (cur - avg) / (n + 1)`` (the default, PyTorch's per-tensor CPU formula), or a
lerp for :func:`get_ema_multi_avg_fn` (``weight = 1 - decay``) and :func:`get_swa_multi_avg_fn`
(``weight = 1 / (n + 1)``). The model's current values are read straight from its optimizer's
flat buffer when they lie there back to back in the same order (the usual case: one optimizer
over ``model.parameters()``), and gathered into a scratch buffer otherwise. A custom
``avg_fn`` (per tensor, returning the new average) or ``multi_avg_fn`` (lists of tensors,
updated in place) runs as given, on Tensors.

Departures: ``device`` must be None or ``'cpu'``; giving both ``avg_fn`` and
``multi_avg_fn`` raises ValueError (PyTorch: AssertionError).
"""
import copy
import itertools
import math

import numpy as np

from ..nn.module import Module
from ..tensor import Tensor
from ._config import resolve_threshold
from ._flat import movable
from .lr_scheduler import LRScheduler
from .lr_scheduler._base import _per_group
from .optimizer import _kernels

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _lerp(a, b, weight):
    w = a.dtype.type(weight)
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         f"[0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """EMA over lists of tensors, in place: ``ema = lerp(ema, cur, 1 - decay)`` (floats) or
    ``ema * decay + cur * (1 - decay)`` (integers). :class:`AveragedModel` runs it as one fused
    kernel over its flat buffer."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _num_averaged):
        for e, c in zip(ema_param_list, current_param_list):
            if e._data.dtype.kind == "f":
                e._data[...] = _lerp(e._data, c._data, 1 - decay)
            else:
                e._data[...] = e._data * decay + c._data * (1 - decay)

    ema_update._minigrad_rule = ("lerp", lambda n: 1 - decay)
    return ema_update


def get_swa_multi_avg_fn():
    """SWA over lists of tensors, in place: ``avg = lerp(avg, cur, 1 / (n + 1))`` (floats) or
    ``avg + (cur - avg) / (n + 1)`` (integers). Fused by :class:`AveragedModel`."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        n = int(np.asarray(getattr(num_averaged, "_data", num_averaged)))
        for a, c in zip(averaged_param_list, current_param_list):
            if a._data.dtype.kind == "f":
                a._data[...] = _lerp(a._data, c._data, 1 / (n + 1))
            else:
                a._data[...] = a._data + (c._data - a._data) * (1.0 / (n + 1))

    swa_update._minigrad_rule = ("lerp", lambda n: 1 / (n + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: returns ``decay * ema + (1 - decay) * cur`` (per-tensor ``avg_fn``)."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """SWA of one tensor: returns ``avg + (cur - avg) / (n + 1)`` (per-tensor ``avg_fn``)."""

    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class _FlatGroup:
    """The averaged copy's tensors of one float dtype in one flat buffer (each ``_data`` a
    view), and where to read the model's current values from."""

    def __init__(self, tensors, dtype):
        self.tensors = tensors
        self.sizes = [t._data.size for t in tensors]
        self.offsets = np.cumsum([0] + self.sizes[:-1]).tolist()
        self.values = np.empty(sum(self.sizes), dtype)
        self.views = []
        for t, off, n in zip(tensors, self.offsets, self.sizes):
            view = self.values[off:off + n].reshape(t._data.shape)
            np.copyto(view, t._data)
            t._data = view
            self.views.append(view)
        self.scratch = None
        self._foreign = []

    def sync(self):
        """Before the kernel: a tensor the user rebound (``p.data = ...``) keeps its new array
        (PyTorch's sharing); its values go through the buffer and come back in
        :meth:`write_back`."""
        self._foreign = [(t._data, view) for t, view in zip(self.tensors, self.views)
                         if t._data is not view]
        for a, view in self._foreign:
            np.copyto(view, a, casting="same_kind")

    def write_back(self):
        for a, view in self._foreign:
            np.copyto(a, view, casting="same_kind")

    def current(self, arrays):
        """The model's values as one flat array: a view when they lie back to back in one
        buffer (an optimizer's), else gathered into a scratch buffer."""
        span = _back_to_back(arrays, self.values.dtype)
        if span is not None:
            return span
        if self.scratch is None:
            self.scratch = np.empty_like(self.values)
        for a, off, n in zip(arrays, self.offsets, self.sizes):
            self.scratch[off:off + n].reshape(a.shape)[...] = a
        return self.scratch


def _back_to_back(arrays, dtype):
    """A 1-D view covering ``arrays`` if they are C-contiguous, of ``dtype``, and consecutive
    in one underlying buffer; else None."""
    if not arrays or any(a.dtype != dtype or not a.flags.c_contiguous for a in arrays):
        return None
    base = arrays[0]
    while isinstance(base.base, np.ndarray):
        base = base.base
    if base.ndim != 1 or not base.flags.c_contiguous or base.dtype != dtype:
        return None
    start = arrays[0].__array_interface__["data"][0]
    origin = base.__array_interface__["data"][0]
    expected = start
    for a in arrays:
        if a.__array_interface__["data"][0] != expected:
            return None
        expected += a.nbytes
    first = (start - origin) // dtype.itemsize
    total = (expected - start) // dtype.itemsize
    if first < 0 or first + total > base.size:
        return None
    return base[first:first + total]


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are a running average of ``model``'s (PyTorch's
    ``torch.optim.swa_utils.AveragedModel``).

    ``update_parameters(model)``: the first call copies the model's values; later calls
    average them in, with ``avg_fn(avg, cur, n)`` (per tensor, returns the new value),
    ``multi_avg_fn(avg_list, cur_list, n)`` (in place) or, by default, equal weights
    ``avg + (cur - avg) / (n + 1)``. ``n_averaged`` (a buffer) counts the calls. With
    ``use_buffers=True`` the buffers (BatchNorm's running statistics) are averaged too;
    otherwise they are copied from the model at each update. Calling the averaged model runs
    the copy. See the module docstring for the fused kernel.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("Only one of avg_fn and multi_avg_fn should be provided")
        if device not in (None, "cpu"):
            raise ValueError(f"device must be None or 'cpu' (minigrad runs on the CPU), got "
                             f"{device!r}")
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", Tensor(np.zeros((), np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers
        self._threshold = resolve_threshold("average")
        # The copy is fresh: its arrays can move into flat buffers unobserved (those that
        # share memory, e.g. tied weights, stay where they are and are averaged one by one).
        by_dtype = {}
        for t in self._averaged():
            if t._data.dtype.kind == "f" and movable(t):
                by_dtype.setdefault(t._data.dtype, []).append(t)
        self._flat = {dt: _FlatGroup(ts, dt) for dt, ts in by_dtype.items()}

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged(self):
        if self.use_buffers:
            return list(itertools.chain(self.module.parameters(), self.module.buffers()))
        return list(self.module.parameters())

    @staticmethod
    def _current(model, use_buffers):
        if use_buffers:
            return list(itertools.chain(model.parameters(), model.buffers()))
        return list(model.parameters())

    def update_parameters(self, model):
        """Average ``model``'s current parameters (and buffers) into this copy."""
        mine = self._averaged()
        theirs = self._current(model, self.use_buffers)
        if len(mine) != len(theirs):
            raise ValueError(f"update_parameters: the model has {len(theirs)} "
                             f"{'parameters and buffers' if self.use_buffers else 'parameters'}"
                             f", the averaged copy {len(mine)}: average the model it was made "
                             f"from")
        for a, b in zip(mine, theirs):
            if a._data.shape != b._data.shape:
                raise ValueError(f"update_parameters: shape {b._data.shape} in the model, "
                                 f"{a._data.shape} in the averaged copy")
        n = int(self.n_averaged._data)
        rule = getattr(self.multi_avg_fn, "_minigrad_rule", None)
        if n == 0:
            for a, b in zip(mine, theirs):
                np.copyto(a._data, b._data, casting="unsafe")
        elif self.avg_fn is not None:
            n_tensor = Tensor._wrap(np.asarray(n))
            for a, b in zip(mine, theirs):
                new = self.avg_fn(Tensor._wrap(a._data), Tensor._wrap(b._data), n_tensor)
                np.copyto(a._data, getattr(new, "_data", new), casting="unsafe")
        elif self.multi_avg_fn is not None and rule is None:
            self.multi_avg_fn([Tensor._wrap(a._data) for a in mine],
                              [Tensor._wrap(b._data) for b in theirs],
                              Tensor._wrap(np.asarray(n)))
        else:
            self._fused_update(mine, theirs, n, rule)
        if not self.use_buffers:
            for a, b in zip(self.module.buffers(), model.buffers()):
                np.copyto(a._data, b._data, casting="unsafe")
        self.n_averaged._data[...] = n + 1

    def _fused_update(self, mine, theirs, n, rule):
        kernels = _kernels().KERNELS["average"]
        lerp = rule is not None
        coef = rule[1](n) if lerp else n + 1
        current = {id(a): b for a, b in zip(mine, theirs)}
        flat = set()
        for dtype, group in self._flat.items():
            group.sync()
            cur = group.current([current[id(t)]._data for t in group.tensors])
            kernel = kernels[1] if group.values.size >= self._threshold else kernels[0]
            kernel(group.values, cur, np.array([coef], dtype), lerp)
            group.write_back()
            flat.update(id(t) for t in group.tensors)
        rest = [(a, b) for a, b in zip(mine, theirs) if id(a) not in flat]
        if lerp and rest:  # the function's own rule (integers: num_batches_tracked)
            self.multi_avg_fn([Tensor._wrap(a._data) for a, _ in rest],
                              [Tensor._wrap(b._data) for _, b in rest],
                              Tensor._wrap(np.asarray(n)))
        for a, b in rest if not lerp else ():  # PyTorch's default (integers truncated)
            np.copyto(a._data, a._data + (b._data - a._data) / (n + 1), casting="unsafe")


class SWALR(LRScheduler):
    """The SWA learning-rate schedule: anneal each group's lr to ``swa_lr`` over
    ``anneal_epochs`` epochs ('cos' or 'linear'), then keep it (PyTorch's
    ``torch.optim.swa_utils.SWALR``). With ``alpha_t`` the annealing fraction at epoch ``t``::

        lr_t = swa_lr * alpha_t + lr_0 * (1 - alpha_t)

    where ``lr_0`` is recovered from the current lr at each step, so SWALR can take over from
    another scheduler. ``swa_lr`` may be one value per param group; ``anneal_epochs`` an
    integer >= 0.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        swa_lrs = _per_group(swa_lr, optimizer.param_groups, "swa_lr")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        if isinstance(anneal_epochs, bool) or not isinstance(anneal_epochs, int) or \
                anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        self.anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t):
        """The annealing fraction at ``t`` in [0, 1]."""
        return (1 - math.cos(math.pi * t)) / 2 if self.anneal_strategy == "cos" else t

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        self._warn_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        groups = self.optimizer.param_groups
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs)]


def update_bn(loader, model, device=None):
    """Recompute the BatchNorm running statistics of ``model`` (e.g. an :class:`AveragedModel`)
    with one pass over ``loader`` (batches, or ``(input, ...)`` tuples whose first element is
    fed to the model): statistics reset, then a cumulative average over the batches (momentum
    None), then each BatchNorm's momentum and the model's train/eval mode are restored. Without
    BatchNorm layers it does nothing. ``device`` must be None or 'cpu'."""
    from .. import grad_mode
    from ..nn.normalization import _BatchNorm
    if device not in (None, "cpu"):
        raise ValueError(f"device must be None or 'cpu', got {device!r}")
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with grad_mode.no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                model(batch if isinstance(batch, Tensor) else Tensor(batch))
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)
