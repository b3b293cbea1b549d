"""Special functions with PyTorch's names: erfc, erfinv, lgamma, digamma, polygamma.

Computed in float64 with numpy and the standard library's ``math`` only (no scipy), then cast
to the input's float dtype; ``math.erfc``/``math.erf``/``math.lgamma`` run per element, so
these are slower than the other elementwise functions (about 0.1 us per element).
"""
import math

import numpy as np

from .._out import write_out
from ..tensor import SAVES_INPUTS, SAVES_OUTPUT, Tensor, floating, make
from . import elementwise as _ew

__all__ = ["erfc", "erfinv", "lgamma", "digamma", "polygamma"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


def _lgamma_scalar(v):
    try:
        return math.lgamma(v)
    except ValueError:  # a pole (0, -1, -2, ...): PyTorch gives +inf
        return math.inf


_erf1 = np.frompyfunc(math.erf, 1, 1)
_erfc1 = np.frompyfunc(math.erfc, 1, 1)
_lgamma1 = np.frompyfunc(_lgamma_scalar, 1, 1)


def _per_element(fn, x):
    return np.asarray(fn(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _unary(input, fn, derivative, op, saves, name, out):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: argument 'input' must be a Tensor, got {type(input).__name__}")
    a = floating(input)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = np.asarray(fn(a._data), dtype=np.float64).astype(a.dtype, copy=False)
    return write_out(make(data, (a,), lambda g, o: (derivative(a, g, o),), op, saves), out, name)


# ----- error functions ----------------------------------------------------------------------
def erfc(input, *, out=None):
    """Complementary error function ``1 - erf(x)``, accurate where ``erf(x)`` is near 1
    (``math.erfc`` per element). Derivative ``-2 / sqrt(pi) * exp(-x^2)``."""
    return _unary(input, lambda x: _per_element(_erfc1, x),
                  lambda a, g, o: g * (-_TWO_OVER_SQRT_PI * _ew.exp(-(a * a))),
                  "Erfc", SAVES_INPUTS, "erfc", out)


def _erfinv_guess(p):
    """M. Giles' single-precision approximation of erfinv for ``0 <= p < 1`` (relative error
    below 4e-7), the start of the Halley iterations."""
    w = -np.log((1.0 - p) * (1.0 + p))
    lo = w - 2.5
    c_lo = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
            -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    hi = np.sqrt(w) - 3.0
    c_hi = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
            -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    r_lo = np.zeros_like(p)
    r_hi = np.zeros_like(p)
    for c in c_lo:
        r_lo = r_lo * lo + c
    for c in c_hi:
        r_hi = r_hi * hi + c
    return np.where(w < 5.0, r_lo, r_hi) * p


def _erfinv_array(x):
    x = np.asarray(x, dtype=np.float64)
    p = np.abs(x)
    inside = p < 1  # NaN is not
    y = _erfinv_guess(np.where(inside, p, 0.0))
    # Near 0, Halley's steps on erf(y) = p; in the tails (where the start is poorer and erf
    # loses digits), Newton's steps on log(erfc(y)) = log(1 - p), nearly quadratic in y
    # (1 - p is exact for p >= 1/2).
    small = np.nonzero(inside & (p <= 0.5))
    tail = np.nonzero(inside & (p > 0.5))
    ys, ps = y[small], p[small]
    for _ in range(2):
        t = (_per_element(_erf1, ys) - ps) / (_TWO_OVER_SQRT_PI * np.exp(-ys * ys))
        ys = ys - t / (1.0 + ys * t)  # Halley: erf'' = -2 y erf'
    yt, log_r = y[tail], np.log1p(-p[tail])
    for _ in range(5):
        ec = _per_element(_erfc1, yt)
        yt = yt + (np.log(ec) - log_r) * ec / (_TWO_OVER_SQRT_PI * np.exp(-yt * yt))
    y[small], y[tail] = ys, yt
    y = np.where(inside, y, np.where(p == 1, np.inf, np.nan))
    return np.copysign(y, x)


def erfinv(input, *, out=None):
    """Inverse error function: ``y`` with ``erf(y) = x`` for x in [-1, 1] (+-inf at +-1, NaN
    outside). Computed from an approximation refined by Halley's or Newton's steps on ``math.erf``/
    ``math.erfc`` (float64-accurate). Derivative ``sqrt(pi) / 2 * exp(erfinv(x)^2)``."""
    return _unary(input, _erfinv_array, lambda a, g, o: g * (_SQRT_PI_OVER_2 * _ew.exp(o * o)),
                  "Erfinv", SAVES_OUTPUT, "erfinv", out)


# ----- gamma family -------------------------------------------------------------------------
# Bernoulli numbers B_2, B_4, ..., B_20 for the asymptotic expansions
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)


def _digamma_array(x):
    x = np.asarray(x, dtype=np.float64)
    neg = x < 0
    # reflection: psi(x) = psi(1 - x) - pi / tan(pi x), so the rest only sees x >= 0
    z = np.where(neg, 1.0 - x, x)
    # (with the fractional part, exact, as PyTorch: pi * x would lose digits for large |x|)
    frac = np.where(neg, x - np.trunc(x), 0.5)
    result = np.where(neg, -math.pi / np.tan(math.pi * frac), 0.0)
    # recurrence psi(z) = psi(z + 1) - 1 / z up to z >= 10 (at most 10 steps)
    low = z < 10
    while low.any():
        result = np.where(low, result - 1.0 / np.where(low, z, 1.0), result)
        z = np.where(low, z + 1.0, z)
        low = z < 10
    with np.errstate(over="ignore"):
        inv2 = 1.0 / (z * z)
    series = np.zeros_like(z)
    for k in range(len(_BERNOULLI) - 1, -1, -1):
        series = series * inv2 + _BERNOULLI[k] / (2 * k + 2)
    result = result + np.log(z) - 0.5 / z - series * inv2
    pole = (x <= 0) & (x == np.floor(x))
    # PyTorch: -inf at +0, +inf at -0, NaN at the negative integers
    return np.where(x == 0, np.copysign(np.inf, -x), np.where(pole, np.nan, result))


def _polygamma_array(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! sum_k (x + k)^-(n+1), for n >= 1: the sum's first terms
    explicitly (recurrence) until x + k >= 20 + n, then the asymptotic expansion."""
    if n == 0:
        return _digamma_array(x)
    x = np.asarray(x, dtype=np.float64)
    s = n + 1
    start = 20.0 + n
    z = x.copy()
    acc = np.zeros_like(z)
    # The recurrence runs over the elements that still need it: negative inputs cost time in
    # proportion to |x|.
    idx = np.nonzero(z < start)
    while idx[0].size:
        zi = z[idx]
        acc[idx] += zi ** -s
        z[idx] = zi + 1.0
        keep = z[idx] < start
        idx = tuple(i[keep] for i in idx)
    with np.errstate(over="ignore"):
        lg = math.lgamma
        tail = math.exp(lg(n)) / z ** n + math.exp(lg(n + 1)) / (2 * z ** s)
        inv2 = 1.0 / (z * z)
        power = z ** -n
        for k, b in enumerate(_BERNOULLI, start=1):
            power = power * inv2
            tail = tail + b * math.exp(lg(2 * k + n) - lg(2 * k + 1)) * power
        result = math.exp(lg(n + 1)) * acc + tail
    if n % 2 == 0:
        result = -result
    pole = (x <= 0) & (x == np.floor(x))
    return np.where(pole, np.inf if n % 2 else -np.inf, result)


def lgamma(input, *, out=None):
    """``log |Gamma(x)|`` (``math.lgamma`` per element; +inf at the poles 0, -1, -2, ...).
    Derivative ``digamma(x)``."""
    return _unary(input, lambda x: _per_element(_lgamma1, x), lambda a, g, o: g * digamma(a),
                  "Lgamma", SAVES_INPUTS, "lgamma", out)


def digamma(input, *, out=None):
    """``psi(x) = d/dx log Gamma(x)``: reflection for x < 0, the recurrence
    ``psi(x) = psi(x + 1) - 1/x`` up to 10 and the asymptotic series there (float64-accurate).
    -inf at +0, +inf at -0 and NaN at the negative integers, as PyTorch. Derivative
    ``polygamma(1, x)``."""
    return _unary(input, _digamma_array, lambda a, g, o: g * polygamma(1, a),
                  "Digamma", SAVES_INPUTS, "digamma", out)


def polygamma(n, input, *, out=None):
    """``psi^(n)(x)``, the n-th derivative of digamma (``n >= 0``; n = 0 is digamma), from
    ``(-1)^(n+1) n! sum_k (x + k)^-(n+1)``: its first terms, then the asymptotic series.
    Derivative ``polygamma(n + 1, x)``. Departure: at the poles 0, -1, -2, ... the result is
    ``(-1)^(n+1) inf`` (PyTorch gives inf at 0 and arbitrary large values at some negative
    integers), and 0 at +inf (PyTorch: NaN for n >= 2). PyTorch's values for n >= 1 are
    accurate to about 1e-9 relative, these to about 1e-14. Negative inputs cost time in
    proportion to ``|x|``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"polygamma: n must be non-negative, got {n}")
    n = int(n)
    return _unary(input, lambda x: _polygamma_array(n, x),
                  lambda a, g, o: g * polygamma(n + 1, a), "Polygamma", SAVES_INPUTS,
                  "polygamma", out)
