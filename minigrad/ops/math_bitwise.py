"""Bitwise functions with PyTorch's names: bitwise_and/or/xor/not and the shifts. They take
integer and bool tensors (and numbers), refuse floats, and are not differentiable."""
import numpy as np

from .._out import write_out
from ..tensor import Tensor
from . import arithmetic as _ar

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift"]


def _int_operands(input, other, name):
    for x, n in ((input, "input"), (other, "other")):
        if not isinstance(x, (Tensor, bool, int, np.integer, np.bool_)):
            raise TypeError(f"{name}: argument '{n}' must be an integer or bool Tensor or "
                            f"number, got {type(x).__name__}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}: expected at least one Tensor")
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        a, b = input, other
    else:
        # a number takes the tensor's integer dtype, wrapping as PyTorch does (uint8 & -2 is
        # uint8 & 254); with a bool tensor an int number gives int64
        t, x = (input, other) if isinstance(input, Tensor) else (other, input)
        if t.dtype.kind in "iu" or isinstance(x, (bool, np.bool_)):
            dt = t.dtype if t.dtype.kind in "iu" else np.dtype(np.bool_)
            n = Tensor._wrap(np.array(int(x), dtype=np.int64).astype(dt))
        else:
            n = _ar.as_tensor_like(x, t)
        a, b = (t, n) if t is input else (n, t)
    for t, n in ((a, "input"), (b, "other")):
        if t.dtype.kind not in "iub":
            raise TypeError(f"{name}: not implemented for {n} of dtype {t.dtype} (integer "
                            "and bool tensors only)")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast "
                         "together") from None
    return a._data, b._data


def _logic(fn, input, other, name, out):
    x, y = _int_operands(input, other, name)
    return write_out(Tensor._wrap(np.asarray(fn(x, y))), out, name)


def bitwise_and(input, other, *, out=None):
    """Bitwise AND of integer or bool operands (logical AND for bools)."""
    return _logic(np.bitwise_and, input, other, "bitwise_and", out)


def bitwise_or(input, other, *, out=None):
    """Bitwise OR of integer or bool operands (logical OR for bools)."""
    return _logic(np.bitwise_or, input, other, "bitwise_or", out)


def bitwise_xor(input, other, *, out=None):
    """Bitwise XOR of integer or bool operands (logical XOR for bools)."""
    return _logic(np.bitwise_xor, input, other, "bitwise_xor", out)


def bitwise_not(input, *, out=None):
    """Bitwise NOT (``~x = -x - 1`` for signed integers; logical NOT for bools)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bitwise_not: argument 'input' must be a Tensor, got "
                        f"{type(input).__name__}")
    if input.dtype.kind not in "iub":
        raise TypeError(f"bitwise_not: not implemented for dtype {input.dtype} (integer and "
                        "bool tensors only)")
    return write_out(Tensor._wrap(np.asarray(np.invert(input._data))), out, "bitwise_not")


def _shift_operands(input, other, name):
    x, s = _int_operands(input, other, name)
    dt = np.result_type(x, s)
    if dt.kind == "b":
        raise TypeError(f"{name}: not implemented for bool tensors")
    return np.asarray(x).astype(dt, copy=False), np.asarray(s).astype(dt, copy=False), dt


def bitwise_left_shift(input, other, *, out=None):
    """``input << other``: ``input * 2**other`` wrapped to the dtype; a shift by a negative
    amount or by at least the dtype's bit width gives 0 (as PyTorch)."""
    x, s, dt = _shift_operands(input, other, "bitwise_left_shift")
    bad = (s < 0) | (s >= dt.itemsize * 8)
    data = np.where(bad, 0, np.left_shift(x, np.where(bad, 0, s))).astype(dt, copy=False)
    return write_out(Tensor._wrap(data), out, "bitwise_left_shift")


def bitwise_right_shift(input, other, *, out=None):
    """``input >> other`` (arithmetic: the sign fills in); a shift by a negative amount or by
    at least the bit width gives what shifting out every bit does, -1 or 0 (as PyTorch)."""
    x, s, dt = _shift_operands(input, other, "bitwise_right_shift")
    bits = dt.itemsize * 8
    bad = (s < 0) | (s >= bits)
    full = np.right_shift(x, bits - 1) if dt.kind == "i" else np.zeros_like(x)
    data = np.where(bad, full, np.right_shift(x, np.where(bad, 0, s))).astype(dt, copy=False)
    return write_out(Tensor._wrap(data), out, "bitwise_right_shift")
