"""Tensor creation with PyTorch's names, signatures and defaults (the default float dtype,
float32 unless :func:`minigrad.set_default_dtype` changes it).

Every function takes PyTorch's keywords: ``dtype``, ``device`` (the CPU only: any other device
raises naming it), ``requires_grad``, ``out`` (written into and returned), and accepts
``layout``/``pin_memory`` for the signature. Random functions take ``generator=``.
"""
import numpy as np

from . import _device
from ._default_dtype import get_default_dtype
from ._out import check_out, write_out
from .random import numpy_generator
from .tensor import Tensor, _as_array, _resolve_dtype


def _size(size, name="size"):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"{name} must be non-negative ints, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    return _resolve_dtype(dtype) or get_default_dtype()


def _random_float_dtype(dtype, name):
    dt = _float_dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"{name}: dtype must be a floating-point type, got {dt}")
    return dt


def _before_draw(shape, dtype, requires_grad, device, out, name):
    """:func:`_finish`'s refusals, made before a random function draws: a refused call leaves
    the generator where it was."""
    _device.resolve(device, name)
    if out is not None and requires_grad:
        raise RuntimeError(f"{name}: out= cannot be combined with requires_grad=True")
    check_out(out, name, dtype, shape)


def _finish(data, requires_grad, device, out, name):
    """The new leaf tensor (or ``out`` filled with it)."""
    _device.resolve(device, name)
    if out is not None:
        if requires_grad:
            raise RuntimeError(f"{name}: out= cannot be combined with requires_grad=True")
        return write_out(Tensor._wrap(data), out, name)
    t = Tensor._wrap(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    return _finish(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad,
                   device, out, "zeros")


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    return _finish(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad,
                   device, out, "ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """A tensor of the given size. PyTorch leaves its values uninitialised; minigrad's are 0."""
    return _finish(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad,
                   device, out, "empty")


def _fill_dtype(fill_value):
    if isinstance(fill_value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(fill_value, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    return get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """``size`` filled with ``fill_value``; the dtype follows the value as in PyTorch (bool,
    int64, or the default float dtype) unless ``dtype`` is given."""
    if isinstance(size, (int, np.integer)):
        size = (size,)
    dt = _resolve_dtype(dtype) or _fill_dtype(fill_value)
    value = fill_value._data if isinstance(fill_value, Tensor) else fill_value
    return _finish(np.full(_size((size,)), value, dtype=dt), requires_grad, device, out, "full")


def _like_dtype(t, dtype):
    return _resolve_dtype(dtype) or t.dtype


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _finish(np.zeros(input.shape, dtype=_like_dtype(input, dtype)), requires_grad,
                   device, None, "zeros_like")


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(np.ones(input.shape, dtype=_like_dtype(input, dtype)), requires_grad,
                   device, None, "ones_like")


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """A tensor shaped like ``input`` (zeros; PyTorch leaves it uninitialised)."""
    return _finish(np.zeros(input.shape, dtype=_like_dtype(input, dtype)), requires_grad,
                   device, None, "empty_like")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(np.full(input.shape, fill_value, dtype=_like_dtype(input, dtype)),
                   requires_grad, device, None, "full_like")


def _scalar(v):
    return v.item() if isinstance(v, Tensor) else v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """``[start, end)`` by ``step``, as ``torch.arange``: int64 when every bound is an int,
    else the default float dtype. Float values are computed in float64 and then cast, as
    PyTorch does, so ``arange(0, 1, 0.1)`` has 10 elements and exact-as-possible values."""
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"arange: {name} must be a number, got {v!r}")
        if not np.isfinite(v):
            raise ValueError(f"arange: {name} must be finite, got {v}")
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if (end - start) * step < 0:
        raise ValueError(f"arange: upper bound and lower bound inconsistent with step sign "
                         f"(start={start}, end={end}, step={step})")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dt = np.dtype(np.int64) if ints else get_default_dtype()
    else:
        dt = _resolve_dtype(dtype)
    n = max(int(np.ceil((end - start) / step)), 0)
    data = (start + step * np.arange(n, dtype=np.float64)) if dt.kind == "f" or not all(
        isinstance(v, (int, np.integer)) for v in (start, end, step)) else \
        np.arange(start, end, step, dtype=np.int64)
    return _finish(np.asarray(data).astype(dt), requires_grad, device, out, "arange")


def _linspace_values(start, end, steps, dt):
    """PyTorch's linspace values: ``step = (end - start) / (steps - 1)`` in ``dt``, then
    ``start + i * step`` for the first half and ``end - (steps - 1 - i) * step`` for the second,
    each as one fused multiply-add (emulated in a wider float), so the values are PyTorch's to
    the last bit (float64: to the last bit almost always)."""
    if dt.kind != "f":
        return np.linspace(start, end, steps).astype(dt)
    wide = np.float64 if dt.itemsize < 8 else np.longdouble
    s, e = dt.type(start), dt.type(end)
    if steps == 1:
        return np.array([s], dtype=dt)
    step = (e - s) / dt.type(steps - 1)
    i = np.arange(steps).astype(wide)
    half = steps // 2
    lo = wide(s) + wide(step) * i[:half]
    hi = wide(e) - wide(step) * (steps - 1 - i[half:])
    return np.concatenate([lo, hi]).astype(dt)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values from ``start`` to ``end`` evenly spaced, the same values as PyTorch's."""
    start, end = _scalar(start), _scalar(end)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    data = _linspace_values(start, end, int(steps), _float_dtype(dtype))
    return _finish(data, requires_grad, device, out, "linspace")


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device, out,
                   "eye")


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform on [0, 1) from minigrad's generator (seed it with ``manual_seed``) or
    ``generator``."""
    dt = _random_float_dtype(dtype, "rand")
    shape = _size(size)
    _before_draw(shape, dt, requires_grad, device, out, "rand")
    rng = numpy_generator(generator, "rand")
    return _finish(rng.random(shape).astype(dt), requires_grad, device, out, "rand")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal from minigrad's generator (seed it with ``manual_seed``) or
    ``generator``."""
    dt = _random_float_dtype(dtype, "randn")
    shape = _size(size)
    _before_draw(shape, dt, requires_grad, device, out, "randn")
    rng = numpy_generator(generator, "randn")
    return _finish(rng.standard_normal(shape).astype(dt), requires_grad, device, out, "randn")


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers uniform on ``[low, high)``, as ``torch.randint(high, size)`` or
    ``randint(low, high, size)``; int64 unless ``dtype`` says otherwise."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high  # randint(high, size)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint: missing the size argument")
    low, high = _scalar(low), _scalar(high)
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    shape = _size((size,)) if isinstance(size, (int, np.integer)) else _size(tuple(size))
    dt = _resolve_dtype(dtype) or np.dtype(np.int64)
    _before_draw(shape, dt, requires_grad, device, out, "randint")
    rng = numpy_generator(generator, "randint")
    return _finish(rng.integers(int(low), int(high), size=shape).astype(dt), requires_grad,
                   device, out, "randint")


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


def as_tensor(data, dtype=None, device=None):
    """``data`` as a Tensor without copying when it can be avoided, as ``torch.as_tensor``:
    a Tensor of the right dtype is returned itself, a numpy array of the right dtype is shared
    (as :func:`from_numpy`), anything else is converted (floats become float32)."""
    _device.resolve(device, "as_tensor")
    dt = _resolve_dtype(dtype)
    if isinstance(data, Tensor):
        return data if dt is None or data.dtype == dt else data.to(dt)
    if isinstance(data, np.ndarray) and (dt is None or data.dtype == dt):
        return from_numpy(data)
    return Tensor._wrap(_as_array(data, dt))
