"""``Module``: the base class of layers and models.

Parameters, buffers and submodules are registered by attribute assignment, as in PyTorch::

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 16)      # a submodule
            self.scale = nn.Parameter(...)   # a parameter
            self.register_buffer("steps", minigrad.zeros(1))  # state that is not trained

Registered objects live in ordered dicts (``_parameters``, ``_buffers``, ``_modules``) that
fix the order of ``parameters()`` and ``state_dict()``, and also in the instance ``__dict__``
so that reading ``self.fc1`` in ``forward`` is an ordinary attribute lookup (PyTorch goes
through ``__getattr__``, which costs a failed lookup on every access).
"""
from collections import OrderedDict, namedtuple

import numpy as np

from .. import grad_mode
from ..tensor import Tensor, _resolve_dtype
from .parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictError(RuntimeError):
    """``load_state_dict`` found missing keys, unexpected keys or mismatched shapes/dtypes.

    Attributes ``missing_keys``, ``unexpected_keys`` and ``mismatches`` (a list of
    ``(key, reason)``) list every problem; the model was not modified.
    """

    def __init__(self, message, missing_keys, unexpected_keys, mismatches):
        super().__init__(message)
        self.missing_keys = missing_keys
        self.unexpected_keys = unexpected_keys
        self.mismatches = mismatches


def _array_of(value):
    """numpy view of a state_dict value (Tensor, ndarray or array-like)."""
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value)


class Module:
    """Base class for all layers and models: subclass it, create parameters and submodules
    in ``__init__`` (after calling ``super().__init__()``) and define ``forward``.
    Calling the module calls ``forward``.

    ``training`` is True after construction; ``eval()`` switches the whole tree to
    evaluation mode (Dropout off, BatchNorm uses its running statistics).
    """

    def __init__(self):
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()

    # ----- registration -----------------------------------------------------------------
    def _registries(self):
        try:
            return self.__dict__["_parameters"], self.__dict__["_buffers"], self.__dict__["_modules"]
        except KeyError:
            raise AttributeError(
                f"cannot assign module attributes before {type(self).__name__}.__init__ "
                "called Module.__init__() (add super().__init__() at its start)") from None

    def __setattr__(self, name, value):
        params, buffers, modules = self._registries()
        if isinstance(value, Parameter):
            buffers.pop(name, None)
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__!r} as parameter {name!r} "
                                f"of {type(self).__name__} (a Parameter or None is expected)")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__!r} as child module "
                                f"{name!r} of {type(self).__name__} (a Module or None is expected)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__!r} as buffer {name!r} "
                                f"of {type(self).__name__} (a Tensor or None is expected)")
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for registry in self._registries():
            registry.pop(name, None)
        self._non_persistent_buffers.discard(name)
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got "
                            f"{type(param).__name__}")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Register ``tensor`` (a Tensor or None) as a buffer: module state that is saved in
        ``state_dict`` (unless ``persistent=False``) and converted by ``to()``, but is not a
        parameter (e.g. BatchNorm's running statistics)."""
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        if isinstance(tensor, Parameter):
            raise TypeError(f"register_buffer: {name!r} is a Parameter; assign it as an "
                            "attribute to register a parameter")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        """Register ``module`` (a Module or None) as a child under ``name``."""
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_name(self, name, kind):
        self._registries()
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{kind} name must be a non-empty string without '.', got {name!r}")
        registered = name in self._parameters or name in self._buffers or name in self._modules
        if hasattr(self, name) and not registered:
            raise KeyError(f"attribute {name!r} already exists on {type(self).__name__}")

    # ----- calling ----------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----- traversal --------------------------------------------------------------------
    def named_modules(self, memo=None, prefix=""):
        """``(dotted name, module)`` for this module and every descendant, each once."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry, recurse):
        seen = set()
        modules = self.named_modules() if recurse else [("", self)]
        for prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))  # a shared parameter is listed once, as in PyTorch
                yield (f"{prefix}.{name}" if prefix else name), value

    def named_parameters(self, recurse=True):
        """``(dotted name, Parameter)`` pairs; a parameter shared by two modules appears once."""
        return self._named_members("_parameters", recurse)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse=True):
        return self._named_members("_buffers", recurse)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse):
            yield b

    def get_submodule(self, target):
        """The descendant at dotted path ``target`` ('' is this module)."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule {part!r} "
                                     f"(looking up {target!r})")
            module = child
        return module

    def apply(self, fn):
        """Call ``fn(module)`` on every descendant and then on this module; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- modes and gradients ----------------------------------------------------------
    def train(self, mode=True):
        """Set training mode on this module and all descendants; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be a bool, got {mode!r}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default, as PyTorch 2) or to zero
        in place (keeps the arrays, e.g. views into an optimizer's flat buffer)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad._data[...] = 0

    # ----- dtype conversion -------------------------------------------------------------
    def to(self, *args, dtype=None, device=None, non_blocking=False, memory_format=None):
        """Convert floating-point parameters, their gradients and floating-point buffers to
        ``dtype`` in place (the Parameter objects stay the same; their ``._data`` is rebound,
        so create optimizers after converting). Takes PyTorch's forms ``to(dtype)``,
        ``to(device)``, ``to(device, dtype)``, ``to(tensor)``; the device must be the CPU
        (another device raises naming it)."""
        from .._tensor_compat import parse_to_args
        dtype = parse_to_args(args, dtype, device, "Module.to")
        if dtype is None:
            return self
        dt = _resolve_dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"to: modules can only be converted to a floating-point dtype, got {dt}")
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p.dtype.kind == "f" and p.dtype != dt:
                    p._data = p._data.astype(dt)
                    if p.grad is not None:
                        p.grad = Tensor._wrap(p.grad._data.astype(dt))
            for b in m._buffers.values():
                if b is not None and b.dtype.kind == "f" and b.dtype != dt:
                    b._data = b._data.astype(dt)
        return self

    def double(self):
        return self.to(np.float64)

    def float(self):
        return self.to(np.float32)

    def half(self):
        return self.to(np.float16)

    def cpu(self):
        return self

    def cuda(self, device=None):
        """Always an error: minigrad has no CUDA device."""
        from .._device import resolve
        resolve("cuda" if device is None else f"cuda:{device}" if isinstance(device, int)
                else device, "Module.cuda")

    # ----- checkpoints ------------------------------------------------------------------
    def _state_items(self, prefix="", ancestors=()):
        """``(key, tensor)`` for every parameter and persistent buffer, PyTorch's order:
        a module's own parameters, then its buffers, then its children's, depth first.
        As in PyTorch, a module reachable by two paths is listed under both."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                yield prefix + name, b
        ancestors = ancestors + (id(self),)
        for name, child in self._modules.items():
            if child is not None and id(child) not in ancestors:  # ignore cycles
                yield from child._state_items(prefix + name + ".", ancestors)

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ``OrderedDict`` from dotted names (``'0.weight'``, ``'bn.running_mean'``) to
        every parameter and persistent buffer, as PyTorch's: detached tensors that share the
        module's memory (``keep_vars=True``: the Parameter objects themselves), so they
        follow further training; ``copy.deepcopy`` or ``{k: v.clone() ...}`` keeps a
        snapshot. Save it with ``minigrad.save(model.state_dict(), path)``."""
        out = OrderedDict() if destination is None else destination
        for k, t in self._state_items(prefix):
            out[k] = t if keep_vars else t.detach()
        return out

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        Everything is checked before anything is written: if a key the model needs is
        missing, a key is unexpected (both only with ``strict=True``), or a value's shape
        or dtype does not fit, one :class:`StateDictError` lists all the problems and the
        model is left unchanged. Values are copied into the existing arrays in place, so
        optimizers holding views of them stay valid. Returns ``(missing_keys,
        unexpected_keys)``.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"load_state_dict: expected a dict of arrays, got "
                            f"{type(state_dict).__name__}")
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict.keys() if k not in own]
        mismatches, plan = [], []
        for key, target in own.items():
            if key not in state_dict:
                continue
            try:
                src = _array_of(state_dict[key])
            except Exception as e:  # anything numpy cannot read as an array
                mismatches.append((key, f"value is not an array ({e})"))
                continue
            if src.shape != target.shape:
                mismatches.append((key, f"shape {tuple(src.shape)} in the checkpoint, "
                                        f"{tuple(target.shape)} in the model"))
            elif src.dtype.kind not in "fiub" or not np.can_cast(src.dtype, target.dtype, "same_kind"):
                mismatches.append((key, f"dtype {src.dtype} in the checkpoint cannot be "
                                        f"stored in the model's {target.dtype}"))
            else:
                plan.append((target, src))
        if mismatches or (strict and (missing or unexpected)):
            lines = [f"Error(s) in loading state_dict for {type(self).__name__}:"]
            if strict and missing:
                lines.append("  missing keys: " + ", ".join(repr(k) for k in missing))
            if strict and unexpected:
                lines.append("  unexpected keys: " + ", ".join(repr(k) for k in unexpected))
            for key, reason in mismatches:
                lines.append(f"  size/dtype mismatch for {key!r}: {reason}")
            lines.append("The model was not modified.")
            raise StateDictError("\n".join(lines), missing, unexpected, mismatches)
        with grad_mode.no_grad():
            for target, src in plan:
                if not np.shares_memory(target._data, src):
                    np.copyto(target._data, src, casting="same_kind")
        return IncompatibleKeys(missing, unexpected)

    # ----- repr -------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside ``Name(...)``; layers override it to show their configuration."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        children = [(name, m) for name, m in self._modules.items() if m is not None]
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = extra.split("\n") if extra else []
        for name, child in children:
            lines.append(f"({name}): " + repr(child).replace("\n", "\n  "))
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
