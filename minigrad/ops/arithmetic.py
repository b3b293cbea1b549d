"""Arithmetic with broadcasting: + - * / ** neg abs maximum minimum clamp where."""
import numpy as np

from .. import grad_mode
from .. import tensor as _tensor
from ..tensor import (SAVES_INPUTS, SAVES_NOTHING, Tensor, as_tensor_like, make,
                      saves_factors)
from .broadcast import broadcast_error, unbroadcast, unbroadcast_array


def _operands(a, b):
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype is b._data.dtype:  # the common case: nothing to convert
                return a, b
        else:
            b = as_tensor_like(b, a)
    else:
        a = as_tensor_like(a, b)
    ka, kb = a.dtype.kind, b.dtype.kind
    if ka != kb and "f" in (ka, kb):
        # int/bool with float gives the float operand's dtype (PyTorch), not numpy's float64
        if ka == "f":
            b = Tensor._wrap(b._data.astype(a.dtype))
        else:
            a = Tensor._wrap(a._data.astype(b.dtype))
    return a, b


def _binary(op, fn, a, b):
    try:
        return fn(a._data, b._data)
    except ValueError:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise broadcast_error(op, a._data, b._data) from None
        raise


def add(a, b):
    a, b = _operands(a, b)

    def backward(g, out):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(g, b.shape) if b.requires_grad else None)

    return make(_binary("add", np.add, a, b), (a, b), backward, "Add", SAVES_NOTHING)


def sub(a, b):
    a, b = _operands(a, b)

    def backward(g, out):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(-g, b.shape) if b.requires_grad else None)

    return make(_binary("sub", np.subtract, a, b), (a, b), backward, "Sub", SAVES_NOTHING)


def mul(a, b):
    a, b = _operands(a, b)

    def backward(g, out):
        if not grad_mode.enabled():  # first order: plain numpy, one wrapper per result
            gd = g._data
            return (Tensor._wrap(unbroadcast_array(gd * b._data, a.shape)) if a.requires_grad else None,
                    Tensor._wrap(unbroadcast_array(gd * a._data, b.shape)) if b.requires_grad else None)
        return (unbroadcast(g * b, a.shape) if a.requires_grad else None,
                unbroadcast(g * a, b.shape) if b.requires_grad else None)

    return make(_binary("mul", np.multiply, a, b), (a, b), backward, "Mul",
                saves_factors(a, b))


def div(a, b):
    a, b = _operands(a, b)
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        # true division of integers gives float32, as in PyTorch
        a = Tensor._wrap(a._data.astype(_tensor._DEFAULT_FLOAT))
        b = Tensor._wrap(b._data.astype(_tensor._DEFAULT_FLOAT))

    def backward(g, out):
        return (unbroadcast(g / b, a.shape) if a.requires_grad else None,
                unbroadcast(-g * out / b, b.shape) if b.requires_grad else None)

    with np.errstate(divide="ignore", invalid="ignore"):
        data = _binary("div", np.true_divide, a, b)
    return make(data, (a, b), backward, "Div")


def neg(a):
    return make(-a._data, (a,), lambda g, out: (-g,), "Neg", SAVES_NOTHING)


def abs(a):
    def backward(g, out):
        return (g * Tensor._wrap(np.sign(a._data)),)

    return make(np.abs(a._data), (a,), backward, "Abs", SAVES_INPUTS)


def pow(a, b):
    """``a ** b``. With a constant exponent the backward never takes ``log`` of the base,
    so negative bases work; the derivative with respect to a tensor exponent is
    ``a**b * log(a)``, defined as 0 where ``a <= 0``."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool) \
            and a.dtype.kind == "f":
        return _pow_constant(a, b)
    a, b = _operands(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = _binary("pow", np.power, a, b)

    def backward(g, out):
        ga = gb = None
        if a.requires_grad:
            if b.requires_grad or b._data.ndim:
                # where the exponent is 0 the derivative is 0 (PyTorch), not 0 * a**-1 = nan at a=0
                nonzero = Tensor._wrap(b._data != 0)
                with np.errstate(divide="ignore", invalid="ignore"):  # 0 * inf, masked next
                    ga = (g * b * a ** (b - 1)).where(nonzero, 0.0)
            else:
                c = b._data.item()
                ga = g * 0.0 if c == 0 else (g if c == 1 else g * (c * a ** (c - 1)))
            ga = unbroadcast(ga, a.shape)
        if b.requires_grad:
            from .elementwise import log
            safe_log = log(where(Tensor._wrap(a._data > 0), a, 1.0))
            gb = unbroadcast(g * out * safe_log, b.shape)
        return ga, gb

    return make(data, (a, b), backward, "Pow")


def power_array(x, c):
    """``x ** c`` for an array ``x`` and a number ``c``. Integer exponents use repeated
    squaring (as PyTorch's CPU kernel does for 2 and 3): numpy's ``power`` calls the libm
    ``pow`` per element, about 200 times slower here; the results agree to float rounding."""
    if float(c).is_integer() and -64 <= c <= 64:
        n = int(c) if c >= 0 else -int(c)
        result = None
        square = x
        while n:
            if n & 1:
                result = square if result is None else result * square
            n >>= 1
            if n:
                square = square * square
        if result is None:
            return np.ones_like(x)
        if result is x:
            result = x.copy()
        if c < 0:
            with np.errstate(divide="ignore"):
                # products of 0-d arrays are numpy scalars, which cannot be written in place
                out = result if isinstance(result, np.ndarray) else None
                result = np.reciprocal(result, out=out)
        return result
    if c == 0.5:
        return np.sqrt(x)
    return np.power(x, x.dtype.type(c))


def _pow_constant(a, c):
    """``a ** c`` for a Python number ``c``: derivative ``c a^(c-1)``, no log of the base."""
    if c >= 0 and float(c).is_integer():
        data = power_array(a._data, c)  # products only: nothing to warn about
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            data = power_array(a._data, c)

    def backward(g, out):
        if c == 0:
            return (g * 0.0,)
        if c == 1:
            return (g,)
        if not grad_mode.enabled():
            if c == 2:
                base = a._data
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    base = power_array(a._data, c - 1)
            return (Tensor._wrap(g._data * (c * base).astype(g.dtype, copy=False)),)
        return (g * (c * (a if c == 2 else a ** (c - 1))),)

    return make(data, (a,), backward, "Pow", SAVES_INPUTS)


def _tie_mask(a, b, greater):
    """1 where a wins, 0 where b wins, 0.5 on ties (PyTorch splits the gradient evenly)."""
    win = np.greater(a, b) if greater else np.less(a, b)
    return np.where(a == b, 0.5, win).astype(np.result_type(a, b, np.float32))


def _minmax(a, b, greater, name):
    a, b = _operands(a, b)
    fn = np.maximum if greater else np.minimum

    def backward(g, out):
        m = _tie_mask(a._data, b._data, greater)
        return (unbroadcast(g * Tensor._wrap(m), a.shape) if a.requires_grad else None,
                unbroadcast(g * Tensor._wrap(1 - m), b.shape) if b.requires_grad else None)

    return make(_binary(name.lower(), fn, a, b), (a, b), backward, name, SAVES_INPUTS)


def maximum(a, b):
    """Elementwise max; on ties each input receives half the gradient."""
    return _minmax(a, b, True, "Maximum")


def minimum(a, b):
    """Elementwise min; on ties each input receives half the gradient."""
    return _minmax(a, b, False, "Minimum")


def clamp(a, min=None, max=None):
    """Clamp to ``[min, max]``; either bound may be omitted. Bounds are numbers, or tensors
    (or numpy arrays, as constants) broadcastable with ``a``: the result then has the
    broadcast shape, and a number paired with a tensor bound acts as a constant tensor
    (PyTorch refuses that mix).

    The value is ``minimum(maximum(a, min), max)``, so where ``min > max`` it is ``max``, and
    a NaN in ``a`` or in a tensor bound gives NaN, as in PyTorch. Departure: two numbers with
    ``min > max`` raise ``ValueError`` (PyTorch returns ``max``).

    The gradient follows PyTorch: it passes to ``a`` where ``min <= a <= max``, boundaries
    included; to the ``min`` tensor where ``a < min`` (and ``min < max`` when both are
    given); to the ``max`` tensor where ``a > max`` or ``min > max``. So where
    ``min == max > a`` no input receives a gradient, and a comparison with NaN counts as
    false. Bound gradients are summed back to their shapes.
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if _is_bound_tensor(min) or _is_bound_tensor(max):
        return _clamp_tensor(a, min, max)
    if min is not None and max is not None and min > max:
        raise ValueError(f"clamp: min ({min}) must not exceed max ({max})")
    if a.dtype.kind != "f" and any(isinstance(b, float) for b in (min, max)):
        a = Tensor._wrap(a._data.astype(_tensor._DEFAULT_FLOAT))  # PyTorch: float bounds promote an int tensor
    data = np.clip(a._data, min, max).astype(a.dtype, copy=False)

    def backward(g, out):
        keep = np.ones(a.shape, dtype=bool)
        if min is not None:
            keep &= a._data >= min
        if max is not None:
            keep &= a._data <= max
        return (g * Tensor._wrap(keep.astype(a.dtype)),)

    return make(data, (a,), backward, "Clamp", SAVES_INPUTS)


clip = clamp


def _is_bound_tensor(b):
    return isinstance(b, (Tensor, np.ndarray))


def _clamp_tensor(a, lo, hi):
    """:func:`clamp` with at least one tensor bound."""
    lo = None if lo is None else as_tensor_like(lo, a)
    hi = None if hi is None else as_tensor_like(hi, a)
    named = [("input", a)] + [(n, b) for n, b in (("min", lo), ("max", hi)) if b is not None]
    try:
        np.broadcast_shapes(*(t.shape for _, t in named))
    except ValueError:
        shapes = [f"{n} of shape {t.shape}" for n, t in named]
        shapes = ", ".join(shapes[:-1]) + " and " + shapes[-1]
        raise ValueError(f"clamp: {shapes} cannot be broadcast together") from None
    floats = [t.dtype for _, t in named if t.dtype.kind == "f"]
    if floats:
        # int/bool operands take the float dtype (PyTorch), not numpy's float64
        ft = np.result_type(*floats)
        a, lo, hi = (t if t is None or t.dtype.kind == "f" else Tensor._wrap(t._data.astype(ft))
                     for t in (a, lo, hi))
    data = a._data
    if lo is not None:
        data = np.maximum(data, lo._data)
    if hi is not None:
        data = np.minimum(data, hi._data)
    parents = tuple(t for t in (a, lo, hi) if t is not None)

    def backward(g, out):
        def passed(mask, shape):
            return unbroadcast(where(Tensor._wrap(np.asarray(mask)), g, 0.0), shape)

        x = a._data
        grads = [None]
        if a.requires_grad:
            keep = np.ones((), dtype=bool)
            if lo is not None:
                keep = keep & (x >= lo._data)
            if hi is not None:
                keep = keep & (x <= hi._data)
            grads[0] = passed(keep, a.shape)
        if lo is not None:
            below = None
            if lo.requires_grad:
                below = x < lo._data
                if hi is not None:
                    below = below & (lo._data < hi._data)  # PyTorch: min == max sends nothing to min
            grads.append(None if below is None else passed(below, lo.shape))
        if hi is not None:
            above = None
            if hi.requires_grad:
                above = x > hi._data
                if lo is not None:
                    above = above | (lo._data > hi._data)  # the value is max wherever min > max
            grads.append(None if above is None else passed(above, hi.shape))
        return tuple(grads)

    return make(data, parents, backward, "Clamp", SAVES_INPUTS)


def where(condition, a, b):
    """``a`` where ``condition`` is true, else ``b`` (broadcasting all three)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor._wrap(np.asarray(a, dtype=np.float32))
    a, b = _operands(a, b)
    try:
        data = np.where(cond, a._data, b._data)
    except ValueError:
        raise ValueError(f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be "
                         "broadcast together") from None
    c = Tensor._wrap(cond)

    def backward(g, out):
        zero = 0.0
        return (unbroadcast(where(c, g, zero), a.shape) if a.requires_grad else None,
                unbroadcast(where(c, zero, g), b.shape) if b.requires_grad else None)

    return make(data, (a, b), backward, "Where", SAVES_NOTHING)


def compare(fn, a, b):
    """A comparison or logical op: a bool tensor, never part of the graph."""
    a, b = _operands(a, b)
    return Tensor._wrap(_binary(fn.__name__, fn, a, b))
