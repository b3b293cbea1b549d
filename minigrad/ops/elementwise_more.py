"""More elementwise functions with PyTorch's names: log10, log2, log1p, expm1, exp2, rsqrt,
reciprocal, and the piecewise-constant sign, floor, ceil, round, trunc, frac.

Integer inputs of the float functions compute in the default float dtype, as in PyTorch. The
rounding functions have zero gradient (PyTorch's convention); ``frac`` passes it through.
"""
import math

import numpy as np

from ..tensor import Tensor, floating, make

_LN10 = math.log(10.0)
_LN2 = math.log(2.0)


def _unary(input, fn, derivative, name):
    """``fn`` elementwise; ``derivative(a, g, out)`` gives the input gradient (Tensor ops)."""
    a = floating(input)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = np.asarray(fn(a._data), dtype=a.dtype)
    return make(data, (a,), lambda g, out: (derivative(a, g, out),), name)


def log10(input):
    """Base-10 logarithm."""
    return _unary(input, np.log10, lambda a, g, out: g / (a * _LN10), "Log10")


def log2(input):
    """Base-2 logarithm."""
    return _unary(input, np.log2, lambda a, g, out: g / (a * _LN2), "Log2")


def log1p(input):
    """``log(1 + x)``, accurate for small ``x``."""
    return _unary(input, np.log1p, lambda a, g, out: g / (a + 1), "Log1p")


def expm1(input):
    """``exp(x) - 1``, accurate for small ``x``."""
    return _unary(input, np.expm1, lambda a, g, out: g * (out + 1), "Expm1")


def exp2(input):
    """``2 ** x``."""
    return _unary(input, np.exp2, lambda a, g, out: g * out * _LN2, "Exp2")


def rsqrt(input):
    """``1 / sqrt(x)``."""
    return _unary(input, lambda x: 1 / np.sqrt(x), lambda a, g, out: g * (-0.5) * out * out * out,
                  "Rsqrt")


def reciprocal(input):
    """``1 / x``."""
    return _unary(input, lambda x: 1 / x, lambda a, g, out: -g * out * out, "Reciprocal")


def _zero_grad(g, out):
    return (g * 0.0,)


def _piecewise(a, fn, name):
    if a.dtype.kind == "b":
        if name != "Sign":  # PyTorch has no rounding kernels for bool
            raise TypeError(f"{name.lower()}: not implemented for a bool tensor")
        return Tensor._wrap(a._data.copy())
    if a.dtype.kind in "iu":
        return Tensor._wrap(fn(a._data).astype(a.dtype, copy=False))
    return make(np.asarray(fn(a._data), dtype=a.dtype), (a,), _zero_grad, name)


def _sign_array(x):
    # PyTorch's sign is (0 < x) - (x < 0): NaN gives 0, where numpy's sign gives NaN
    s = np.sign(x)
    return np.where(np.isnan(s), 0, s) if x.dtype.kind == "f" else s


def sign(input):
    """-1, 0 or 1 by the sign of each element (NaN gives 0, as PyTorch); zero gradient."""
    return _piecewise(input, _sign_array, "Sign")


def floor(input):
    """Rounds down; zero gradient."""
    return _piecewise(input, np.floor, "Floor")


def ceil(input):
    """Rounds up; zero gradient."""
    return _piecewise(input, np.ceil, "Ceil")


def trunc(input):
    """Rounds toward zero."""
    return _piecewise(input, np.trunc, "Trunc")


fix = trunc


def round(input, *, decimals=0):  # noqa: A001  (PyTorch's name)
    """Rounds half to even, as PyTorch; ``decimals`` rounds to that many decimal places."""
    if decimals == 0:
        return _piecewise(input, np.round, "Round")
    return _piecewise(input, lambda x: np.round(x, decimals), "Round")


def frac(input):
    """``x - trunc(x)``: the fractional part, with the sign of ``x``; gradient passes through."""
    if input.dtype.kind != "f":
        raise TypeError(f"frac: expected a floating-point tensor, got dtype {input.dtype}")
    return make(input._data - np.trunc(input._data), (input,), lambda g, out: (g,), "Frac")
