"""Tracing: run the model once with minigrad's ops temporarily wrapped, and record the ops
that computed the output from the input.

Only while :func:`tracing` is active, every public op of ``minigrad.ops`` and
``minigrad.nn.functional`` is replaced, wherever minigrad's modules and the modules defining
the model's classes refer to it, by a wrapper that runs the op and then hands it to the
graph builder. Nothing is wrapped
otherwise, so normal runs pay nothing for the exporter.

An op call is recorded when one of its tensor arguments is *traced* (computed from the
graph input by recorded ops). Calls on constants only (parameters, buffers, tensors created
in ``forward``) are not: their results are folded into the graph as constants. Calls made
inside a recorded op (F.linear calling matmul, ...) are not recorded again.

The tracer refuses everything that would silently bake input-dependent values into the
graph: an op without a converter, a minigrad layer without export, a custom autograd
``Function``, reading a traced tensor's values into Python or numpy (``item()``,
``numpy()``, ``bool(t)`` in an ``if``, ...), copying them into a new tensor, or modifying a
traced tensor in place. Each raises :class:`UnsupportedOperatorError` naming the op and the
module whose ``forward`` called it.
"""
import functools
import inspect
import re
import sys
import threading
from contextlib import contextmanager

from ..tensor import Tensor
from ._converters import CONVERTERS
from ._graph import UnsupportedOperatorError

_OP_MODULES = ("minigrad.ops.arithmetic", "minigrad.ops.elementwise", "minigrad.ops.indexing",
               "minigrad.ops.linalg", "minigrad.ops.reduction", "minigrad.ops.shape",
               "minigrad.nn.functional")
# Layers of minigrad.nn that export (through the functional ops their forward calls).
EXPORTED_LAYERS = ("Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d",
                   "LayerNorm", "Dropout", "Identity", "Flatten", "Embedding", "ReLU", "LeakyReLU",
                   "Tanh", "Sigmoid", "GELU", "Softplus", "Softmax", "LogSoftmax", "Sequential",
                   "ModuleList", "ModuleDict")
# Tensor methods that hand a tensor's values to Python or another library.
_VALUE_READERS = ("numpy", "item", "tolist", "__array__", "__float__", "__int__", "__bool__", "__format__",
                  "__index__", "__dlpack__", "is_nonzero")
# Tensor methods that are neither ops nor readers: metadata, autograd bookkeeping.
_HARMLESS = ("size", "numel", "dim", "__len__", "__repr__", "__hash__", "requires_grad_",
             "retain_grad", "retains_grad", "register_hook", "backward", "__init__", "__dlpack_device__",
             "shape", "ndim", "dtype",
             "is_leaf", "grad_fn")

# The PyTorch-parity methods (minigrad/_tensor_compat.py, _tensor_ops_more.py, sorting and
# masking): those that reduce to wrapped ops through other Tensor methods are 'op', queries of
# shape or device are 'harmless', the rest (ops of modules the exporter has no converters
# for) refuse the export by name.
_PARITY_OPS = ("mm", "bmm", "mv", "dot", "t", "view_as", "reshape_as", "type", "type_as",
               "select", "narrow", "unbind", "index_select", "negative", "absolute", "contiguous",
               "subtract", "multiply", "divide", "amax", "amin", "argmax", "argmin", "logsumexp",
               "max", "min")
_PARITY_HARMLESS = ("device", "is_cuda", "is_cpu", "get_device", "cpu", "cuda", "nelement",
                    "ndimension", "element_size", "is_contiguous", "is_floating_point",
                    "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor")
_PARITY_UNSUPPORTED = (
    "outer", "ger", "true_divide", "floor_divide", "remainder", "fmod", "__mod__", "__floordiv__",
    "__rfloordiv__", "log10", "log2", "log1p", "expm1", "exp2", "rsqrt", "reciprocal", "sign",
    "floor", "ceil", "round", "trunc", "fix", "frac", "cumsum", "cumprod", "prod", "norm",
    "masked_select", "nonzero", "argwhere", "flip", "fliplr", "flipud", "roll", "repeat", "tile",
    "repeat_interleave", "diag", "diagonal", "trace", "isnan", "isinf", "isfinite", "isclose",
    "allclose", "equal", "any", "all", "eq", "ne", "lt", "le", "gt", "ge", "logical_not",
    "logical_and", "logical_or", "logical_xor", "sort", "argsort", "topk", "tril", "triu",
    "masked_fill", "multinomial", "bernoulli", "__and__", "__or__")
# The later parity mixins (minigrad/_methods_*.py: more math, products, scatter, statistics,
# types, decompositions) have no ONNX converters: every method they define refuses the export
# by name, except these queries of layout and type.
_MIXIN_HARMLESS = ("stride", "storage_offset", "nbytes", "itemsize", "layout", "is_complex",
                   "is_signed", "is_conj", "is_neg", "is_pinned", "is_shared",
                   "pin_memory", "share_memory_")


def _defined_in_parity_mixin(name):
    from .._tensor_ops import TensorOps
    return any(name in base.__dict__ for base in TensorOps.__mro__
               if base.__module__.startswith("minigrad._methods_"))

_lock = threading.Lock()
_active = None  # the running Tracer, if any


class Tracer:
    def __init__(self, builder, module_names):
        self.builder = builder
        self.depth = 0  # > 0 while a recorded (or folded) op runs: its inner calls are its own
        self.module_names = module_names  # id(module) -> dotted path in the model
        self.stack = []  # the modules whose forward is running

    def where(self):
        if not self.stack:
            return "in the model's forward"
        m = self.stack[-1]
        return f"in module {self.module_names.get(id(m), '?') or '(the model)'} ({type(m).__name__}.forward)"

    def traced(self, values):
        is_traced = self.builder.is_traced
        for v in values:
            if is_traced(v) or (isinstance(v, (list, tuple)) and any(is_traced(u) for u in v)):
                return True
        return False

    def refuse(self, what):
        raise UnsupportedOperatorError(f"ONNX export: {what} {self.where()}")


# --------------------------------------------------------------------------- wrappers


def _wrap_op(fn, qualname):
    converter = CONVERTERS.get(qualname)
    signature = inspect.signature(fn)
    short = qualname.rsplit(".", 1)[1]

    @functools.wraps(fn)
    def op(*args, **kwargs):
        tr = _active
        if tr is None or tr.depth:
            return fn(*args, **kwargs)
        if not tr.traced(list(args) + list(kwargs.values())):
            tr.depth += 1  # constants in, constant out: computed now, stored as a constant
            try:
                return fn(*args, **kwargs)
            finally:
                tr.depth -= 1
        if converter is None:
            tr.refuse(f"op {short!r} ({qualname}) has no ONNX export")
        tr.depth += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            tr.depth -= 1
        if any(out is a for a in args):  # the op returned its input unchanged
            return out
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            converter(tr.builder, out, *bound.args)
        except UnsupportedOperatorError as exc:
            tr.refuse(f"op {short!r}: {exc}")
        return out

    return op


def _wrap_module_call(call):
    from .. import nn

    @functools.wraps(call)
    def module_call(self, *args, **kwargs):
        tr = _active
        if tr is None or tr.depth:
            return call(self, *args, **kwargs)
        cls = type(self)
        if cls.__module__.startswith("minigrad.nn") and cls.__name__ not in EXPORTED_LAYERS \
                and getattr(nn, cls.__name__, None) is cls \
                and tr.traced(list(args) + list(kwargs.values())):
            tr.refuse(f"layer {cls.__name__} has no ONNX export")
        tr.stack.append(self)
        try:
            return call(self, *args, **kwargs)
        finally:
            tr.stack.pop()

    return module_call


def _wrap_function_apply(apply):
    @functools.wraps(apply.__func__)
    def function_apply(cls, *args, **kwargs):
        tr = _active
        if tr is not None and not tr.depth and tr.traced(list(args) + list(kwargs.values())):
            tr.refuse(f"custom autograd Function {cls.__name__} has no ONNX export (its forward "
                      "runs numpy code the exporter cannot see)")
        return apply.__func__(cls, *args, **kwargs)

    return classmethod(function_apply)


def _refusing_method(method, message):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        tr = _active
        if tr is not None and not tr.depth and tr.builder.is_traced(self):
            tr.refuse(message)
        return method(self, *args, **kwargs)
    return guarded


def _identity_method(method, name):
    """detach() / .data: the same values, recorded as an Identity."""
    @functools.wraps(method)
    def identity(self, *args, **kwargs):
        out = method(self, *args, **kwargs)
        tr = _active
        if tr is not None and not tr.depth and tr.builder.is_traced(self):
            tr.builder.bind(out, tr.builder.node("Identity", [tr.builder.name_of(self)]))
        return out
    return identity


def _guarded_as_array(fn):
    @functools.wraps(fn)
    def as_array(data, *args, **kwargs):
        tr = _active
        if tr is not None and not tr.depth and tr.traced([data]):
            tr.refuse("copying the values of a tensor computed from the input into a new tensor "
                      "(minigrad.tensor(t), Tensor(t), ...) has no ONNX export; use t.clone()")
        return fn(data, *args, **kwargs)
    return as_array


# --------------------------------------------------------------------------- patching


def tensor_method_kinds():
    """Each public method of Tensor by how the tracer treats it: 'op' (calls an op of
    minigrad.ops, wrapped there), 'reader', 'inplace', 'identity', 'unsupported', 'harmless'. A method in
    none of these is returned under 'unknown' (the tests require it to be empty, so a new
    Tensor method is classified before it can slip past the exporter)."""
    from .._tensor_ops import TensorOps

    kinds = {}
    for name in dir(Tensor):
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            continue
        attr = inspect.getattr_static(Tensor, name)
        if not (callable(attr) or isinstance(attr, property)) or name in object.__dict__ \
                and attr is object.__dict__[name]:
            continue
        if name in ("detach", "data"):
            kinds[name] = "identity"
        elif name == "__invert__":
            kinds[name] = "unsupported"  # logical not, computed in place of an op
        elif name in _VALUE_READERS:
            kinds[name] = "reader"
        elif (name.endswith("_") and not name.startswith("__") and name != "requires_grad_") \
                or name in ("__setitem__",) or (name.startswith("__i") and name[3:-2] in (
                    "add", "sub", "mul", "truediv", "pow", "matmul", "and", "or", "xor",
                    "lshift", "rshift")):
            kinds[name] = "inplace"
        elif name in _HARMLESS:
            kinds[name] = "harmless"
        elif name in TensorOps.__dict__ and _calls_an_op(TensorOps.__dict__[name]):
            kinds[name] = "op"
        elif name in ("astype", "to", "float", "double", "long", "int", "bool", "clone"):
            kinds[name] = "op"  # through elementwise.cast / clone
        elif name in _PARITY_OPS:
            kinds[name] = "op"
        elif name in _PARITY_HARMLESS:
            kinds[name] = "harmless"
        elif name in _PARITY_UNSUPPORTED:
            kinds[name] = "unsupported"
        elif name in _MIXIN_HARMLESS:
            kinds[name] = "harmless"
        elif _defined_in_parity_mixin(name):
            kinds[name] = "unsupported"
        else:
            kinds[name] = "unknown"
    return kinds


def _calls_an_op(method):
    """Whether a TensorOps method hands its work to a module of minigrad.ops (whose
    functions are wrapped) or to indexing (``self[i]``)."""
    fn = method.fget if isinstance(method, property) else method
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    return re.search(r"\b_(ar|ew|ix|la|red|sh)\.\w+\(|self\[", source) is not None


def _patches(user_modules):
    """(owner, attribute name, replacement) for everything the tracer wraps; ``user_modules``
    are the Python modules defining the model's classes, whose imported names
    (``from minigrad.nn.functional import relu``) are wrapped too."""
    from .. import autograd
    from ..nn.module import Module

    tensor_module = sys.modules["minigrad.tensor"]  # minigrad.tensor is also a function's name

    originals = {}
    for modname in _OP_MODULES:
        module = sys.modules[modname]
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == modname and not name.startswith("_") \
                    and fn not in originals:  # clip = clamp: one wrapper, by the function's own name
                originals[fn] = _wrap_op(fn, f"{modname}.{fn.__name__}")
    originals[tensor_module._as_array] = _guarded_as_array(tensor_module._as_array)

    patches = []
    # Every reference in minigrad's own modules: ops.arithmetic.add, F's _relu alias,
    # minigrad.relu, nn.linear's imported linear, ...
    namespaces = [m for n, m in list(sys.modules.items()) if m is not None and (
        n == "minigrad" or n.startswith("minigrad.")) and not n.startswith("minigrad.onnx")]
    for module in namespaces + [m for m in user_modules if m not in namespaces]:
        for name, value in list(vars(module).items()):
            if inspect.isfunction(value) and value in originals:
                patches.append((module, name, originals[value]))

    for name, kind in tensor_method_kinds().items():
        attr = inspect.getattr_static(Tensor, name)
        owner = next(c for c in Tensor.__mro__ if name in c.__dict__)
        if kind == "reader":
            patches.append((owner, name, _refusing_method(
                attr, f"{name}() reads the values of a tensor computed from the input into Python; "
                      "the graph cannot follow them")))
        elif kind == "inplace":
            patches.append((owner, name, _refusing_method(
                attr, f"{name} modifies a tensor computed from the input in place, which has no export; "
                      "write the out-of-place form (y = y + 1)")))
        elif kind == "unsupported":
            patches.append((owner, name, _refusing_method(attr, f"op {name} has no ONNX export")))
        elif kind == "identity" and isinstance(attr, property):
            patches.append((owner, name, property(_identity_method(attr.fget, name), attr.fset)))
        elif kind == "identity":
            patches.append((owner, name, _identity_method(attr, name)))
    patches.append((Module, "__call__", _wrap_module_call(Module.__dict__["__call__"])))
    patches.append((autograd.Function, "apply", _wrap_function_apply(autograd.Function.__dict__["apply"])))
    return patches


@contextmanager
def tracing(builder, model):
    """Wrap minigrad's ops for the duration of the block and yield the Tracer. One export
    at a time (a lock); other threads must not run minigrad code meanwhile, since the
    wrapped functions are global."""
    global _active
    module_names = {id(m): name for name, m in model.named_modules()}
    user_modules = {sys.modules.get(cls.__module__) for m in model.modules() for cls in type(m).__mro__}
    user_modules = [m for m in user_modules if m is not None]
    with _lock:
        saved = []
        try:
            for owner, name, replacement in _patches(user_modules):
                saved.append((owner, name, owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)))
                setattr(owner, name, replacement)
            _active = Tracer(builder, module_names)
            yield _active
        finally:
            _active = None
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)
