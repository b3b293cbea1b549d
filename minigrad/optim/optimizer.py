"""``Optimizer``: the base class, with PyTorch's interface over flat buffers and fused kernels.

Interface (as ``torch.optim.Optimizer``): ``param_groups`` (list of dicts: ``'params'`` plus the
hyperparameters, mutable between steps), ``state`` (per-parameter dict, keyed by the parameter),
``add_param_group``, ``step(closure=None)``, ``zero_grad(set_to_none=True)``, ``state_dict()`` /
``load_state_dict()``.

Machinery (see :mod:`minigrad.optim._flat`): each group's parameters of one dtype live in one
contiguous buffer, and their gradients and state tensors in others; ``state[p]['exp_avg']`` etc.
are views into those buffers (modify them in place, do not rebind them). A step is one fused
kernel call per group and dtype whenever every parameter has a gradient.

Kernels are imported lazily at the first ``step()``: ``import minigrad.optim`` loads neither numba
nor any compiled code.
"""
import functools
import importlib
import warnings
from collections import defaultdict
from operator import itemgetter

import numpy as np

from .._storage import bump, clock
from . import _state_dict
from ._config import resolve_threshold
from ._flat import FlatBuffer, check_dtype
from ._threading import status as _threading_status
from ._threading import warn_once_before_parallel_launch
# The checks are re-exported: every optimizer module imports them from here.
from ._validation import (_hyper_kinds, _immutable, check_adam_family, check_betas,  # noqa: F401
                          check_flag, check_range, check_real)

def lazy_module(name):
    """A loader that imports module ``name`` at its first call and returns it from then on.
    The kernel modules import numba, which must not load at ``import minigrad.optim``."""
    module = None

    def load():
        nonlocal module
        if module is None:
            module = importlib.import_module(name)
        return module

    return load


_kernels = lazy_module("minigrad.optim.kernels")


class _Required:
    def __repr__(self):
        return "<required parameter>"


#: Marks a hyperparameter without default (SGD's lr), as torch.optim.optimizer.required.
required = _Required()


def bumps_versions(step):
    """Decorator for closure-based steps that write the parameters outside
    :meth:`Optimizer.step`: mark every parameter as modified in place afterwards."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        self._opt_called = True
        try:
            return step(self, *args, **kwargs)
        finally:
            for group in self.param_groups:
                for p in group["params"]:
                    bump(p)

    return wrapper


class Optimizer:
    """Base class of all optimizers.

    Subclasses define ``_kernel`` (a key of ``kernels.KERNELS``), ``_validate(group)``,
    ``_new_state(fb, k, group)`` (initial state of parameter ``k`` of flat buffer ``fb``),
    ``_run_key(state)`` (what must be equal across one kernel call, e.g. the step count),
    ``_launch(kernel, group, fb, start, stop, state)`` (one kernel call over elements
    ``start:stop``; ``state`` is the first parameter's) and ``_advance(states, fb, k0, group)``
    (update the scalar state of the parameters ``k0, k0+1, ...`` just stepped).

    Args:
        params: iterable of Tensors, of ``(name, Tensor)`` pairs (``model.named_parameters()``:
            the names are kept in each group's ``'param_names'``, and in the state dict), or of
            dicts with a ``'params'`` entry (parameter groups).
        defaults: hyperparameter defaults for groups that do not set them.
        parallel: use parallel (prange) kernels for large buffers; None reads the environment
            variable ``MINIGRAD_PARALLEL`` (default on).
        parallel_threshold: smallest number of elements updated by one parallel kernel call;
            None reads ``MINIGRAD_PARALLEL_THRESHOLD`` or uses the measured default.
    """

    _kernel = None
    _opt_called = False  # set by step(); a scheduler stepped before it warns, as in PyTorch
    _has_begin_step = False  # whether a subclass defines _begin_step (skips a call per step)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._has_begin_step = cls._begin_step is not Optimizer._begin_step
    _checked_hyper = ()  # per group: the hyperparameter values last checked by _check_step
    _hyper_getter = None  # itemgetter of the hyperparameter names (the keys of defaults)

    def __init__(self, params, defaults, parallel=None, parallel_threshold=None):
        self.defaults = dict(defaults)
        self._check_group(self.defaults)
        self._threshold = resolve_threshold(self._kernel, parallel, parallel_threshold)
        self.state = defaultdict(dict)
        self.param_groups = []
        self._flats = []  # per group: list of FlatBuffer (one per dtype)
        if _is_tensor(params):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a Tensor")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # ----- groups --------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a dict ``{'params': [...], **hyperparameters}``; missing ones take the defaults.

        A parameter listed twice in the group is kept once (with a warning), so it is updated
        once per step; a parameter already in another group raises ValueError.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        params = [params] if _is_tensor(params) else list(params)
        params, names = self._split_names(params)
        unique, seen = [], set()
        kept_names = []
        for k, p in enumerate(params):
            if not _is_tensor(p):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if id(p) in seen:
                continue
            seen.add(id(p))
            unique.append(p)
            if names is not None:
                kept_names.append(names[k])
        if len(unique) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "each is updated once", UserWarning, stacklevel=3)
        in_use = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in in_use for p in unique):
            raise ValueError("some parameters appear in more than one parameter group")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        missing = [name for name, value in group.items() if value is required]
        if missing:
            raise ValueError(f"parameter group didn't specify a value of required "
                             f"optimization parameter {missing[0]}")
        self._check_group(group)
        group["params"] = unique
        if names is not None:
            group["param_names"] = kept_names
        by_dtype = {}
        for p in unique:
            by_dtype.setdefault(check_dtype(p), []).append(p)
        self.param_groups.append(group)
        self._flats.append([FlatBuffer(ps, dt) for dt, ps in by_dtype.items()])

    def _split_names(self, params):
        """``params`` as given to a group: Tensors, or ``(name, Tensor)`` pairs as from
        ``model.named_parameters()`` (PyTorch keeps the names in ``group['param_names']``).
        Returns ``(tensors, names or None)``; mixing the two forms raises ValueError, within a
        group or across groups, with PyTorch's messages."""
        names = None
        if any(isinstance(p, tuple) for p in params):
            if not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
                       for p in params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing (give every parameter as a "
                                 "(name, Tensor) pair, or none)")
            names = [n for n, _ in params]
            params = [p for _, p in params]
        if self.param_groups and ("param_names" in self.param_groups[0]) != (names is not None):
            raise ValueError(f"all optimizer param groups should be with/without names. cannot "
                             f"add param group {'with' if names is not None else 'without'} "
                             f"names to the optimizer")
        return params, names

    # ----- the step ------------------------------------------------------------------------
    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s value if given.

        ``closure`` re-evaluates the model and returns the loss (it is called with gradient
        recording enabled, before the update).
        """
        self._opt_called = True
        loss = None
        if closure is not None:
            from ..grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        runs_per_buffer = self._check_step()  # raises before any kernel runs
        serial, parallel = _kernels().KERNELS[self._kernel]
        if self._has_begin_step:
            self._begin_step()
        state = self.state
        threshold = self._threshold
        run_key = self._run_key
        for group, flats, runs_of in zip(self.param_groups, self._flats, runs_per_buffer):
            for fb, runs in zip(flats, runs_of):
                params = fb.params
                for k0, k1 in runs:
                    states = [state.get(p) for p in params[k0:k1]]
                    for i, st in enumerate(states):
                        if not st:  # first gradient for this parameter: create its state
                            states[i] = state[params[k0 + i]] = \
                                self._new_state(fb, k0 + i, group)
                    # Split where the per-parameter key (step count, ...) changes; usually it
                    # does not, and the whole run is one kernel call.
                    keys = list(map(run_key, states))
                    n = len(keys)
                    cuts = [0, n] if keys.count(keys[0]) == n else \
                        [0] + [i for i in range(1, n) if keys[i] != keys[i - 1]] + [n]
                    for i0, i1 in zip(cuts, cuts[1:]):
                        start, stop = fb.span(k0 + i0, k0 + i1)
                        if stop - start >= threshold:
                            kernel = parallel
                            if "warning" in _threading_status:
                                warn_once_before_parallel_launch()
                        else:
                            kernel = serial
                        self._launch(kernel, group, fb, start, stop, states[i0])
                        if fb._strided is not None:
                            fb.end_span()
                        self._advance(states[i0:i1], fb, k0 + i0, group)
                        # graphs recorded before the update now refuse backward (bump, inline)
                        clock[0] += 1
                        now = clock[0]
                        for p in params[k0 + i0:k0 + i1]:
                            vc = p._vc
                            if vc is None:
                                p._vc = [1, now]
                            else:
                                vc[0] += 1
                                vc[1] = now
        return loss

    # ----- checks before a step: a step that raises has changed nothing --------------------
    def _check_step(self):
        """Check every group's hyperparameters and every gradient before the first kernel runs;
        return, per group, each flat buffer's runs of parameters with a gradient
        (:meth:`FlatBuffer.sync`, which refuses resized parameters and gradients of the wrong
        shape or dtype).

        A step checks the hyperparameters' types (:meth:`_check_types`), not their ranges:
        PyTorch checks ranges only at construction, and a scheduler may legitimately take
        ``lr`` below zero. They are checked again only when they differ from the values last
        checked, so the usual step pays one tuple comparison per group (values that can
        change in place, a list or an array, are checked at every step).
        """
        groups = self.param_groups
        checked = self._checked_hyper
        if len(checked) != len(groups):
            checked = self._checked_hyper = [None] * len(groups)
        getter = self._hyper_getter or self._make_hyper_getter()
        for i, group in enumerate(groups):
            try:
                values = getter(group)
            except KeyError as exc:
                raise ValueError(f"param_groups[{i}] has no hyperparameter {exc}") from None
            last = checked[i]
            if last is not None:
                try:
                    if values == last:
                        continue
                except Exception:  # e.g. an array compared with a number: check it below
                    pass
            try:
                self._check_types(group)
            except ValueError as exc:
                raise ValueError(f"param_groups[{i}]: {exc}") from None
            checked[i] = values if _immutable(values) else None
        return [[fb.sync() for fb in flats] for flats in self._flats]

    def _make_hyper_getter(self):
        names = tuple(self.defaults)
        getter = itemgetter(*names) if len(names) > 1 else (lambda group: (group[names[0]],))
        self._hyper_getter = getter
        return getter

    def _check_group(self, group):
        """Raise ValueError unless ``group``'s hyperparameters are valid: the subclass's range
        checks (``_validate``), then their types (:meth:`_check_types`)."""
        self._validate(group)
        self._check_types(group)

    def _check_types(self, group):
        """Raise ValueError unless every hyperparameter has the type its constructor default
        implies: a flag whose default is a bool is True or False, a hyperparameter whose
        default is a number is a real number (never None or a string), one whose default is a
        tuple of numbers (``betas``) is a tuple or list of as many real numbers."""
        flags, reals, tuples = _hyper_kinds(type(self))
        for name in flags:
            if name in group:
                check_flag(name, group[name])
        for name in reals:
            if name in group:
                check_real(name, group[name])
        for name, length in tuples:
            if name in group:
                value = group[name]
                if not isinstance(value, (tuple, list)) or len(value) != length:
                    raise ValueError(f"Invalid {name}: {value!r} (must be a tuple of "
                                     f"{length} numbers)")
                for j, x in enumerate(value):
                    check_real(f"{name}[{j}]", x)

    def zero_grad(self, set_to_none=True):
        """Reset gradients: to None (default, as PyTorch), or to zeros in place.

        With ``set_to_none=True`` the next backward still writes into this optimizer's flat
        gradient buffer (through each parameter's ``_grad_view``).
        """
        for flats in self._flats:
            for fb in flats:
                for p, gv in zip(fb.params, fb.grad_views):
                    g = p.grad
                    if g is None:
                        continue
                    if set_to_none:
                        p.grad = None
                    else:
                        g._data[...] = 0
                    if p._grad_view is not gv:
                        p._grad_view = gv

    # ----- checkpoints ---------------------------------------------------------------------
    def state_dict(self):
        """A snapshot ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index]}],
        'optimizer_class': 'Adam'}``.

        Parameters are numbered across groups in order, as in PyTorch. Arrays are copies, so
        the snapshot does not change as training goes on. Only arrays, ints, floats, bools,
        strings and lists appear: ``minigrad.save`` can store it. ``'optimizer_class'`` (not in
        PyTorch's state dicts) lets :meth:`load_state_dict` refuse another class's state.
        """
        index, groups = {}, []
        for group in self.param_groups:
            packed = {k: (list(v) if isinstance(v, tuple) else v)
                      for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p)
                if st:
                    state[index[id(p)]] = {k: (np.array(v, copy=True)
                                               if isinstance(v, np.ndarray) else v)
                                           for k, v in st.items()}
        return {"state": state, "param_groups": groups, _state_dict.CLASS_KEY: type(self).__name__}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by :meth:`state_dict` (same parameter layout).

        Values are copied into this optimizer's buffers; resuming gives the same trajectory as
        never stopping. Everything is checked before anything is applied, so a call that
        raises (``ValueError`` naming the group, parameter index and entry) changes nothing:
        the group layout, every hyperparameter (as at construction), every state value (arrays
        of the parameter's shape and of real dtype, integer step counts, numbers).

        A state dict written by another optimizer class (its ``'optimizer_class'``) is refused,
        naming both classes. PyTorch does not check this (an SGD state dict loads into Adam and
        the moments restart from zero); dicts without the key, such as PyTorch's, load without
        the check, but one whose state shares no entry name with this class's is refused too.
        """
        new_groups, staged = _state_dict.stage(self, state_dict)
        _state_dict.apply(self, new_groups, staged)

    # ----- subclass helpers ----------------------------------------------------------------
    def _validate(self, group):
        pass

    def _state_shape(self, name, shape, group):
        """The shape of state array ``name`` of a parameter of ``shape`` (checked when a state
        dict is loaded): the parameter's own, except for factored or sliced state
        (Adafactor's row and column moments, Prodigy's ``slice_p``)."""
        return shape

    def _begin_step(self):
        """Hook run once per ``step()``, after the closure and before any kernel: per-group
        scalars that advance every step whether or not a parameter has a gradient
        (schedule-free's step count and averaging weight)."""

    def _advance(self, states, fb, k0, group):
        for state in states:
            state["step"] += 1

    def _pick_kernel(self, serial, parallel, n):
        """The kernel for a launch over ``n`` elements, for steps written outside
        :meth:`step` (which inlines the same choice): parallel from the threshold on, after the
        pending OpenMP warning if there is one."""
        if n >= self._threshold:
            if "warning" in _threading_status:
                warn_once_before_parallel_launch()
            return parallel
        return serial

    @staticmethod
    def _state_view(fb, k, name, fill=0.0):
        """Parameter ``k``'s view into flat state buffer ``name``, reset to ``fill``."""
        fb.state_buffer(name, fill)
        view = fb.state_view(name, k)
        view[...] = fill
        return view

    @staticmethod
    def _scalars(dtype, *values):
        """Hyperparameters packed as the kernels' ``hp`` array, in the buffer's dtype (a Python
        float would make a float32 kernel compute in float64)."""
        return np.array(values, dtype)


_EMPTY = {}


def empty_buffer(dtype):
    """A zero-length array standing in for an optional state buffer that is switched off."""
    buf = _EMPTY.get(dtype)
    if buf is None:
        buf = _EMPTY[dtype] = np.empty(0, dtype)
    return buf


def _is_tensor(x):
    from ..tensor import Tensor
    return isinstance(x, Tensor)
