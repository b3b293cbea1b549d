"""Type and layout introspection with PyTorch's names: finfo, iinfo, Size, the dtype promotion
functions (result_type, promote_types, can_cast), the tensor predicates (is_tensor,
is_floating_point, is_nonzero, ...), numel, clone, the memory-format and layout constants,
and the complex-number surface of real tensors (real, imag, conj, adjoint).

The process-wide settings scripts probe (print options, determinism, thread counts, compile)
live in :mod:`minigrad.ops.introspection_runtime`, exported from here too.

minigrad's dtypes are numpy's (``minigrad.float32 is numpy.float32``); every function here
accepts them in any numpy spelling (the scalar type, ``np.dtype``, ``t.dtype``, the names
``"float32"``/``"float"``/``"long"``), and returns ``np.dtype`` objects, as ``t.dtype`` is.
There is no complex or bfloat16 dtype: ``is_complex`` is always False and the complex
functions are the identity on real tensors, as PyTorch's are.
"""
import numpy as np

from ..tensor import Tensor, _resolve_dtype
from .introspection_runtime import *  # noqa: F401,F403
from .introspection_runtime import __all__ as _runtime_all

__all__ = [
    "finfo", "iinfo", "Size", "is_tensor", "is_storage", "is_floating_point", "is_complex",
    "is_nonzero", "numel", "clone", "result_type", "promote_types", "can_cast",
    "memory_format", "contiguous_format", "preserve_format", "channels_last",
    "channels_last_3d", "layout", "strided", "real", "imag", "conj", "conj_physical",
    "resolve_conj", "resolve_neg", "is_conj", "is_neg", "adjoint",
] + list(_runtime_all)


def _dtype_arg(dtype, name, arg="type"):
    """``dtype`` as an ``np.dtype`` minigrad supports, with an error naming the function."""
    if isinstance(dtype, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be a dtype, not Tensor "
                        "(pass t.dtype)")
    try:
        dt = _resolve_dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{name}(): argument '{arg}' {dtype!r} is not a minigrad dtype ({e}); "
                        "minigrad has bool, uint8, int8, int16, int32, int64, float16, float32 "
                        "and float64 (no bfloat16 or complex)") from None
    if dt is None:
        raise TypeError(f"{name}(): argument '{arg}' must be a dtype, not None")
    if dt.kind == "u" and dt != np.uint8:
        raise TypeError(f"{name}(): argument '{arg}' {dt} is not a minigrad dtype: uint8 is "
                        "the only unsigned integer type")
    return dt


# ----- finfo / iinfo ------------------------------------------------------------------------
class finfo:
    """Machine limits of a float dtype, as ``torch.finfo``: ``bits``, ``eps`` (the gap between
    1 and the next larger number), ``max``, ``min`` (= -max), ``tiny`` and its alias
    ``smallest_normal`` (the smallest positive normal number), ``resolution``
    (``10 ** -floor(-log10(eps))``, roughly the decimal precision) and ``dtype`` (its name, a
    string such as ``'float32'``). ``finfo()`` or ``finfo(None)`` describes the default float
    dtype. Values are Python floats."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None):  # noqa: A002  (PyTorch's argument name)
        if type is None:
            from .._default_dtype import get_default_dtype
            dt = np.dtype(get_default_dtype())
        else:
            dt = _dtype_arg(type, "finfo")
        if dt.kind != "f":
            raise TypeError(f"finfo() requires a floating point input type, got {dt}; use "
                            "iinfo for integer types")
        info = np.finfo(dt)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        # numpy's resolution is rounded to the dtype (float16: 0.0010004); PyTorch's is exact
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = dt.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``max``, ``min`` (Python
    ints) and ``dtype`` (its name, a string). ``bool`` is refused, as in PyTorch."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type):  # noqa: A002  (PyTorch's argument name)
        dt = _dtype_arg(type, "iinfo")
        if dt.kind == "b":
            raise TypeError("iinfo(): bool is not supported by iinfo (it is not an integer "
                            "type)")
        if dt.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {dt}; use finfo "
                            "for floating point types")
        info = np.iinfo(dt)
        self.bits, self.max, self.min = int(info.bits), int(info.max), int(info.min)
        self.dtype = dt.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


# ----- Size ---------------------------------------------------------------------------------
class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints with ``numel()``. Slicing, ``+`` and ``*``
    give Sizes; it equals any tuple with the same items, so ``Size([2, 3]) == t.shape`` holds.

    Departure: ``t.shape`` and ``t.size()`` return plain tuples, not Sizes (making them Sizes
    would slow every op that reads a shape); ``numel()`` is then ``t.numel()``. The repr is
    PyTorch's, ``torch.Size([2, 3])``, whatever name minigrad is imported under (as
    ``Tensor.type()``), since scripts print and compare it."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        if isinstance(sizes, (int, np.integer)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"Size() takes an iterable of ints, got {type(sizes).__name__}")
        items = []
        for i, s in enumerate(sizes):
            if isinstance(s, Tensor):
                if s.dtype.kind not in "iu" or s.numel() != 1:
                    raise TypeError(f"Size() takes an iterable of ints (item {i} is a tensor of "
                                    f"dtype {s.dtype} with {s.numel()} elements)")
                s = s.item()
            if isinstance(s, (float, np.floating)) or not hasattr(type(s), "__index__"):
                raise TypeError(f"Size() takes an iterable of ints (item {i} is "
                                f"{type(s).__name__!r})")
            items.append(s.__index__())
        return tuple.__new__(cls, items)

    def numel(self):
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, index):
        r = tuple.__getitem__(self, index)
        return tuple.__new__(Size, r) if isinstance(index, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    def __reduce__(self):
        return (Size, (tuple(self),))


# ----- predicates -----------------------------------------------------------------------------
def _tensor_arg(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input


def is_tensor(obj):
    """True if ``obj`` is a minigrad Tensor (``isinstance(obj, Tensor)``)."""
    return isinstance(obj, Tensor)


def is_storage(obj):
    """False: minigrad has no storage objects (a tensor's memory is a numpy array)."""
    return False


def is_floating_point(input):
    """True if ``input``'s dtype is a float dtype (float16, float32, float64)."""
    return _tensor_arg(input, "is_floating_point").dtype.kind == "f"


def is_complex(input):
    """Whether ``input``'s dtype is complex: always False, minigrad has no complex dtypes."""
    _tensor_arg(input, "is_complex")
    return False


def is_nonzero(input):
    """``bool(input)`` for a one-element tensor; an error for other sizes, as PyTorch's."""
    n = _tensor_arg(input, "is_nonzero").numel()
    if n == 0:
        raise RuntimeError("is_nonzero(): Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("is_nonzero(): Boolean value of Tensor with more than one value is "
                           "ambiguous")
    return bool(input._data.item())


def numel(input):
    """The number of elements of ``input``."""
    return _tensor_arg(input, "numel").numel()


def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own memory, recorded in the graph (the gradient passes
    through). ``memory_format`` is accepted for PyTorch's signature; the copy is always
    row-major (``channels_last`` is not honoured)."""
    return _tensor_arg(input, "clone").clone(memory_format=memory_format)


# ----- dtype promotion (PyTorch's rules, not numpy's) ---------------------------------------------
def _category(dt):
    return {"b": 0, "u": 1, "i": 1, "f": 2}[dt.kind]


def _promote(a, b):
    """PyTorch's promoteTypes: a float beats any integer whatever its width (int64 with
    float16 is float16, where numpy says float64); within a category the wider type wins, and
    uint8 with a signed type goes to the signed type wide enough for both, as in numpy."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    if ca == 2:
        return a if a.itemsize >= b.itemsize else b
    return np.promote_types(a, b)


def _combine_categories(higher, lower):
    # PyTorch's combine_categories: an operand of lower priority (0-d tensor, Python number)
    # changes the result only if it is of a higher category (int -> float, bool -> int).
    if higher is not None and higher.kind == "f":
        return higher
    if (higher is not None and higher.kind == "b") or (lower is not None and lower.kind == "f"):
        return _promote(higher, lower)
    return higher if higher is not None else lower


def _operand_dtype(x, name, arg):
    """``(dtype, priority)``: 0 for a tensor with dims, 1 for a 0-d tensor, 2 for a number."""
    if isinstance(x, Tensor):
        return x.dtype, (0 if x.ndim else 1)
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(np.bool_), 2
    if isinstance(x, (int, np.integer)):
        return np.dtype(np.int64), 2
    if isinstance(x, (float, np.floating)):
        from .._default_dtype import get_default_dtype
        return np.dtype(get_default_dtype()), 2
    raise TypeError(f"{name}(): argument '{arg}' must be a Tensor or a number (bool, int, "
                    f"float), got {type(x).__name__}")


def result_type(tensor, other):
    """The dtype of an arithmetic op on ``tensor`` and ``other`` (Tensors or Python numbers),
    by PyTorch's rules: tensors with dims decide, then 0-d tensors, then numbers, and a
    lower-priority operand counts only if it is of a higher category (bool < int < float).
    Numbers are int64 or the default float dtype: ``result_type(int32 tensor, 1)`` is int32,
    ``result_type(int64 tensor, 2.5)`` is float32 (numpy would say float64)."""
    slots = [None, None, None]
    for x, arg in ((tensor, "tensor"), (other, "other")):
        dt, priority = _operand_dtype(x, "result_type", arg)
        if dt.kind not in "biuf":
            raise TypeError(f"result_type(): argument '{arg}' has unsupported dtype {dt}")
        slots[priority] = _promote(slots[priority], dt)
    return _combine_categories(slots[0], _combine_categories(slots[1], slots[2]))


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to, by PyTorch's rules (a float
    type beats any integer type: ``promote_types(int64, float16)`` is float16)."""
    return _promote(_dtype_arg(type1, "promote_types", "type1"),
                    _dtype_arg(type2, "promote_types", "type2"))


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow an in-place op to store a ``from_`` result in a
    ``to`` tensor: everything but float -> integer or bool, and integer -> bool (narrowing
    within a category is allowed: ``can_cast(int64, int8)`` is True)."""
    a, b = _dtype_arg(from_, "can_cast", "from_"), _dtype_arg(to, "can_cast", "to")
    if a.kind == "f" and b.kind != "f":
        return False
    return not (a.kind != "b" and b.kind == "b")


# ----- memory formats and layouts (constants scripts pass around) --------------------------------
class _NamedConstant:
    """A module-level constant that prints and pickles as its ``torch.<name>``."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


class memory_format(_NamedConstant):
    """A memory format, as ``torch.memory_format``: accepted wherever PyTorch takes
    ``memory_format=``; minigrad tensors are always row-major, so none changes a layout."""

    __slots__ = ()


class layout(_NamedConstant):
    """A tensor layout, as ``torch.layout``; minigrad has only ``strided`` (dense) tensors."""

    __slots__ = ()


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
strided = layout("strided")


# ----- complex-number functions on real tensors ------------------------------------------------
def real(input):
    """The real part: ``input`` itself (minigrad tensors are real), as PyTorch on real
    tensors."""
    return _tensor_arg(input, "real")


def imag(input):
    """The imaginary part: an error, as PyTorch's for real tensors (minigrad has no complex
    dtypes)."""
    _tensor_arg(input, "imag")
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes "
                       "(minigrad has no complex dtypes)")


def conj(input):
    """The complex conjugate: ``input`` itself for a real tensor, as PyTorch's."""
    return _tensor_arg(input, "conj")


def conj_physical(input):
    """The complex conjugate, materialised: ``input`` itself for a real tensor, as PyTorch's."""
    return _tensor_arg(input, "conj_physical")


def resolve_conj(input):
    """``input`` itself: minigrad tensors never carry a lazy conjugation bit."""
    return _tensor_arg(input, "resolve_conj")


def resolve_neg(input):
    """``input`` itself: minigrad tensors never carry a lazy negation bit."""
    return _tensor_arg(input, "resolve_neg")


def is_conj(input):
    """False: minigrad tensors never carry a lazy conjugation bit."""
    _tensor_arg(input, "is_conj")
    return False


def is_neg(input):
    """False: minigrad tensors never carry a lazy negation bit."""
    _tensor_arg(input, "is_neg")
    return False


def adjoint(input):
    """The conjugate transpose of the last two dims, a view: ``input.transpose(-2, -1)`` for
    real tensors, as PyTorch's ``adjoint``/``mH``."""
    t = _tensor_arg(input, "adjoint")
    if t.ndim < 2:
        raise RuntimeError(f"adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {t.ndim}-D tensor.")
    return t.transpose(-2, -1)
