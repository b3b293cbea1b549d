"""Tests on values, with PyTorch's names: isnan/isinf/isfinite, isclose/allclose/equal,
any/all, the comparison functions (eq, ne, lt, le, gt, ge) and logical_not/and/or/xor.
None is differentiable: they return bool tensors (or Python bools)."""
import numpy as np

from ..tensor import Tensor, _as_array
from .arithmetic import compare
from .reduction import _dims


def _array(x):
    return x._data if isinstance(x, Tensor) else _as_array(x)


def isnan(input):
    """True where ``input`` is NaN."""
    return Tensor._wrap(np.isnan(input._data))


def isinf(input):
    """True where ``input`` is +inf or -inf."""
    return Tensor._wrap(np.isinf(input._data))


def isfinite(input):
    """True where ``input`` is neither NaN nor infinite."""
    return Tensor._wrap(np.isfinite(input._data))


def isposinf(input):
    """True where ``input`` is +inf."""
    return Tensor._wrap(np.isposinf(input._data))


def isneginf(input):
    """True where ``input`` is -inf."""
    return Tensor._wrap(np.isneginf(input._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise (broadcasting)."""
    a, b = _array(input), _array(other)
    try:
        return Tensor._wrap(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise ValueError(f"isclose: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when :func:`isclose` holds everywhere (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both have the same shape and the same elements (a Python bool)."""
    a, b = _array(input), _array(other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _reduce_bool(fn, input, dim, keepdim, name):
    dims = _dims(dim, input.ndim, name)
    return Tensor._wrap(np.asarray(fn(input._data.astype(bool, copy=False), axis=dims,
                                      keepdims=keepdim)))


def any(input, dim=None, keepdim=False):  # noqa: A001  (PyTorch's name)
    """True where any element over ``dim`` (all dims when None) is non-zero."""
    return _reduce_bool(np.any, input, dim, keepdim, "any")


def all(input, dim=None, keepdim=False):  # noqa: A001  (PyTorch's name)
    """True where every element over ``dim`` (all dims when None) is non-zero."""
    return _reduce_bool(np.all, input, dim, keepdim, "all")


def eq(input, other):
    """``input == other`` elementwise (broadcasting), a bool tensor."""
    return compare(np.equal, input, other)


def ne(input, other):
    """``input != other`` elementwise (broadcasting), a bool tensor."""
    return compare(np.not_equal, input, other)


def lt(input, other):
    """``input < other`` elementwise (broadcasting), a bool tensor."""
    return compare(np.less, input, other)


def le(input, other):
    """``input <= other`` elementwise (broadcasting), a bool tensor."""
    return compare(np.less_equal, input, other)


def gt(input, other):
    """``input > other`` elementwise (broadcasting), a bool tensor."""
    return compare(np.greater, input, other)


def ge(input, other):
    """``input >= other`` elementwise (broadcasting), a bool tensor."""
    return compare(np.greater_equal, input, other)


def logical_not(input):
    """True where ``input`` is zero."""
    return Tensor._wrap(np.logical_not(input._data))


def logical_and(input, other):
    """True where both operands are non-zero (broadcasting)."""
    return compare(np.logical_and, input, other)


def logical_or(input, other):
    """True where either operand is non-zero (broadcasting)."""
    return compare(np.logical_or, input, other)


def logical_xor(input, other):
    """True where exactly one operand is non-zero (broadcasting)."""
    return compare(np.logical_xor, input, other)
