"""Tensor creation helpers with PyTorch's names and defaults (float32 unless told)."""
import numpy as np

from . import random as _random
from .tensor import Tensor, _DEFAULT_FLOAT, _resolve_dtype


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"size must be non-negative ints, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    return _resolve_dtype(dtype) or _DEFAULT_FLOAT


def _new(data, requires_grad):
    return Tensor(data, requires_grad=requires_grad)


def zeros(*size, dtype=None, requires_grad=False):
    return _new(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _new(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    return _new(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None:
        dtype = _DEFAULT_FLOAT if isinstance(fill_value, float) else np.asarray(fill_value).dtype
    return _new(np.full(_size((size,)), fill_value, dtype=_resolve_dtype(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return _new(np.zeros(t.shape, dtype=_resolve_dtype(dtype) or t.dtype), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return _new(np.ones(t.shape, dtype=_resolve_dtype(dtype) or t.dtype), requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return _new(np.full(t.shape, fill_value, dtype=_resolve_dtype(dtype) or t.dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """``[start, end)`` by ``step``; int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else _DEFAULT_FLOAT
    return _new(np.arange(start, end, step, dtype=_resolve_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    if int(steps) < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    return _new(np.linspace(start, end, int(steps), dtype=_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform on [0, 1) from minigrad's generator (seed it with ``manual_seed``)."""
    dt = _float_dtype(dtype)
    return _new(_random.default_generator().random(_size(size)).astype(dt), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal from minigrad's generator (seed it with ``manual_seed``)."""
    dt = _float_dtype(dtype)
    return _new(_random.default_generator().standard_normal(_size(size)).astype(dt), requires_grad)


def randint(low, high=None, size=(), dtype=None):
    """Integers uniform on ``[low, high)`` (``randint(high, size=...)`` means low=0)."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    dt = _resolve_dtype(dtype) or np.dtype(np.int64)
    return _new(_random.default_generator().integers(low, high, size=_size((size,)) if isinstance(size, int) else _size(tuple(size))).astype(dt), False)


def from_numpy(ndarray):
    """A Tensor sharing memory with the numpy array ``ndarray`` (writes through either are seen
    by the other), as ``torch.from_numpy``; the dtype is kept (float64 stays float64)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(ndarray).__name__}")
    if ndarray.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy: unsupported dtype {ndarray.dtype}: minigrad supports "
                        "float, int and bool arrays")
    if ndarray.dtype.kind == "u" and ndarray.dtype != np.uint8:
        raise TypeError(f"from_numpy: unsupported dtype {ndarray.dtype} (of the unsigned "
                        "types only uint8 is supported, as in PyTorch)")
    return Tensor._wrap(ndarray)


def as_tensor(data, dtype=None):
    """``data`` as a Tensor without copying when it can be avoided, as ``torch.as_tensor``:
    a Tensor of the right dtype is returned itself, a numpy array of the right dtype is shared
    (as :func:`from_numpy`), anything else is converted (floats become float32)."""
    dt = _resolve_dtype(dtype)
    if isinstance(data, Tensor):
        return data if dt is None or data.dtype == dt else data.to(dt)
    if isinstance(data, np.ndarray) and (dt is None or data.dtype == dt):
        return from_numpy(data)
    return Tensor(data, dtype=dt)
