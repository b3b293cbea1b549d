"""More elementwise math with PyTorch's names: inverse trigonometric and hyperbolic
functions, atan2, hypot, logit, xlogy, logaddexp, lerp, and friends.

Integer and bool inputs of the float functions compute in the default float dtype, as in
PyTorch. Every function takes ``out=`` (not differentiable, as PyTorch's). The special
functions (erfc, erfinv, lgamma, digamma, polygamma) are in :mod:`.math_special`, the
bitwise ones in :mod:`.math_bitwise` (both exported from here), and the machinery of the
in-place method forms in :mod:`.math_inplace`.
"""
import math

import sys

import numpy as np

from .. import grad_mode
from .._out import write_out
from ..tensor import SAVES_INPUTS, SAVES_OUTPUT, Tensor, floating, make
from . import arithmetic as _ar
from . import elementwise as _ew
from . import elementwise_more as _em
from .arithmetic import where
from .broadcast import unbroadcast
from .math_bitwise import *  # noqa: F401,F403
from .math_bitwise import __all__ as _bitwise_all
from .math_special import *  # noqa: F401,F403
from .math_special import __all__ as _special_all

# the module, not minigrad.tensor (an attribute that is the tensor() function once minigrad
# has finished importing; this module loads later, on first use)
_tensor = sys.modules["minigrad.tensor"]

__all__ = [
    "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2", "arctan2",
    "sinh", "cosh", "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh",
    "hypot", "logit", "xlogy", "logaddexp", "logaddexp2", "heaviside", "sinc",
    "deg2rad", "rad2deg", "nan_to_num", "signbit", "clamp_min", "clamp_max", "lerp", "sgn",
    "float_power", "copysign", "fmax", "fmin",
] + _bitwise_all + _special_all

_PI = math.pi
SAVES_ALL_IO = SAVES_INPUTS | SAVES_OUTPUT
_NUMBER = (bool, int, float, np.number)


# ----- helpers ------------------------------------------------------------------------------
def _check_tensor(x, name, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: argument '{arg}' must be a Tensor, got {type(x).__name__}")


def unary(input, fn, derivative, op, saves, name, out=None):
    """``fn`` elementwise on ``input`` (ints and bools promoted to the default float dtype);
    ``derivative(a, g, out)`` gives the input gradient with recorded ops."""
    _check_tensor(input, name)
    a = floating(input)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = np.asarray(fn(a._data), dtype=a.dtype)
    return write_out(make(data, (a,), lambda g, o: (derivative(a, g, o),), op, saves), out, name)


def _check_operands(input, other, name, arg):
    for x, n in ((input, "input"), (other, arg)):
        if not isinstance(x, (Tensor,) + _NUMBER):
            raise TypeError(f"{name}: argument '{n}' must be a Tensor or a number, got "
                            f"{type(x).__name__}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}: expected at least one Tensor, got {type(input).__name__} and "
                        f"{type(other).__name__}")


def float_operands(input, other, name, arg="other"):
    """Both operands as Tensors of one float dtype (PyTorch's promotion: a number takes the
    tensor's dtype, ints and bools become the default float dtype), checked to broadcast."""
    _check_operands(input, other, name, arg)
    a, b = _ar._operands(input, other)
    if a.dtype.kind != "f":
        a = Tensor._wrap(a._data.astype(b.dtype if b.dtype.kind == "f"
                                        else _tensor._DEFAULT_FLOAT))
    if b.dtype.kind != "f":
        b = Tensor._wrap(b._data.astype(a.dtype))
    if a.dtype != b.dtype:  # float32 with float64: the wider one, as numpy and PyTorch
        dt = np.result_type(a.dtype, b.dtype)
        a, b = (t if t.dtype == dt else _ew.cast(t, dt) for t in (a, b))
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast "
                         "together") from None
    return a, b


def _grads(a, b, ga, gb):
    """The two gradients reduced to their operands' shapes (None where not needed)."""
    return (unbroadcast(ga(), a.shape) if a.requires_grad else None,
            unbroadcast(gb(), b.shape) if b.requires_grad else None)


# ----- trigonometric and hyperbolic ---------------------------------------------------------
def tan(input, *, out=None):
    """``tan(x)``; derivative ``1 + tan(x)^2``."""
    return unary(input, np.tan, lambda a, g, o: g * (1 + o * o), "Tan", SAVES_OUTPUT, "tan", out)


def asin(input, *, out=None):
    """``arcsin(x)`` (NaN outside [-1, 1]); derivative ``1 / sqrt(1 - x^2)``."""
    return unary(input, np.arcsin, lambda a, g, o: g / _ew.sqrt(1 - a * a),
                 "Asin", SAVES_INPUTS, "asin", out)


def acos(input, *, out=None):
    """``arccos(x)`` (NaN outside [-1, 1]); derivative ``-1 / sqrt(1 - x^2)``."""
    return unary(input, np.arccos, lambda a, g, o: -g / _ew.sqrt(1 - a * a),
                 "Acos", SAVES_INPUTS, "acos", out)


def atan(input, *, out=None):
    """``arctan(x)``; derivative ``1 / (1 + x^2)``."""
    return unary(input, np.arctan, lambda a, g, o: g / (1 + a * a), "Atan", SAVES_INPUTS,
                 "atan", out)


def sinh(input, *, out=None):
    """``sinh(x)``; derivative ``cosh(x)``."""
    return unary(input, np.sinh, lambda a, g, o: g * cosh(a), "Sinh", SAVES_INPUTS, "sinh", out)


def cosh(input, *, out=None):
    """``cosh(x)``; derivative ``sinh(x)``."""
    return unary(input, np.cosh, lambda a, g, o: g * sinh(a), "Cosh", SAVES_INPUTS, "cosh", out)


def asinh(input, *, out=None):
    """``arcsinh(x)``; derivative ``1 / sqrt(x^2 + 1)``."""
    return unary(input, np.arcsinh, lambda a, g, o: g / _ew.sqrt(a * a + 1),
                 "Asinh", SAVES_INPUTS, "asinh", out)


def acosh(input, *, out=None):
    """``arccosh(x)`` (NaN below 1); derivative ``1 / sqrt(x^2 - 1)``."""
    return unary(input, np.arccosh, lambda a, g, o: g / _ew.sqrt(a * a - 1),
                 "Acosh", SAVES_INPUTS, "acosh", out)


def atanh(input, *, out=None):
    """``arctanh(x)`` (+-inf at +-1, NaN beyond); derivative ``1 / (1 - x^2)``."""
    return unary(input, np.arctanh, lambda a, g, o: g / (1 - a * a), "Atanh", SAVES_INPUTS,
                 "atanh", out)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def atan2(input, other, *, out=None):
    """``atan2(input, other)``: the angle of the point ``(other, input)``, in [-pi, pi].
    Gradients ``other / r^2`` and ``-input / r^2`` with ``r^2 = input^2 + other^2``.
    Departure: ``other`` may be a number (PyTorch requires a Tensor)."""
    a, b = float_operands(input, other, "atan2")

    def backward(g, o):
        r2 = a * a + b * b
        return _grads(a, b, lambda: g * b / r2, lambda: -g * a / r2)

    return write_out(make(np.arctan2(a._data, b._data), (a, b), backward, "Atan2",
                          SAVES_INPUTS), out, "atan2")


arctan2 = atan2


def hypot(input, other, *, out=None):
    """``sqrt(input^2 + other^2)`` without overflow; gradients ``input / out`` and
    ``other / out``. Departure: either operand may be a number."""
    a, b = float_operands(input, other, "hypot")

    def backward(g, o):
        return _grads(a, b, lambda: g * a / o, lambda: g * b / o)

    return write_out(make(np.hypot(a._data, b._data), (a, b), backward, "Hypot", SAVES_ALL_IO),
                     out, "hypot")


def sinc(input, *, out=None):
    """Normalized sinc: ``sin(pi x) / (pi x)``, 1 at 0. Derivative
    ``(cos(pi x) - sinc(x)) / x``, 0 at 0 (as PyTorch)."""
    def derivative(a, g, o):
        zero = Tensor._wrap(a._data == 0)
        safe = where(zero, 1.0, a)
        d = (_ew.cos(_PI * safe) - sinc(safe)) / safe
        return where(zero, 0.0, g * d)

    return unary(input, np.sinc, derivative, "Sinc", SAVES_INPUTS, "sinc", out)


def deg2rad(input, *, out=None):
    """``x * pi / 180``."""
    _check_tensor(input, "deg2rad")
    if input.dtype.kind == "b":
        raise TypeError("deg2rad: not implemented for a bool tensor")
    return write_out(floating(input) * (_PI / 180.0), out, "deg2rad")


def rad2deg(input, *, out=None):
    """``x * 180 / pi``."""
    _check_tensor(input, "rad2deg")
    if input.dtype.kind == "b":
        raise TypeError("rad2deg: not implemented for a bool tensor")
    return write_out(floating(input) * (180.0 / _PI), out, "rad2deg")


# ----- logs and exponentials ----------------------------------------------------------------
def logit(input, eps=None, *, out=None):
    """``log(z / (1 - z))`` with ``z = clamp(x, eps, 1 - eps)`` (``z = x`` when ``eps`` is
    None). Derivative ``1 / (x (1 - x))``, and 0 outside ``[eps, 1 - eps]`` (as PyTorch)."""
    _check_tensor(input, "logit")
    if eps is not None and (isinstance(eps, bool) or not isinstance(eps, (int, float))):
        raise TypeError(f"logit: eps must be a number or None, got {type(eps).__name__}")
    a = floating(input)
    x = a._data
    z = x if eps is None else np.clip(x, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log(z / (1 - z)).astype(a.dtype, copy=False)

    def backward(g, o):
        d = g / (a * (1 - a))
        if eps is None:
            return (d,)
        return (where(Tensor._wrap((x >= eps) & (x <= 1 - eps)), d, 0.0),)

    return write_out(make(data, (a,), backward, "Logit", SAVES_INPUTS), out, "logit")


def xlogy(input, other, *, out=None):
    """``input * log(other)``, and 0 where ``input == 0`` unless ``other`` is NaN.
    Gradients ``log(other)`` (0 where ``input == 0``) and ``input / other``."""
    a, b = float_operands(input, other, "xlogy")
    x, y = a._data, b._data
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y)).astype(a.dtype)

    def backward(g, o):
        def ga():
            return g * xlogy(Tensor._wrap((a._data != 0).astype(a.dtype)), b)
        return _grads(a, b, ga, lambda: g * a / b)

    return write_out(make(data, (a, b), backward, "Xlogy", SAVES_INPUTS), out, "xlogy")


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` without overflow; gradients
    ``1 / (1 + exp(other - input))`` and ``1 / (1 + exp(input - other))``."""
    a, b = float_operands(input, other, "logaddexp")

    def backward(g, o):
        return _grads(a, b, lambda: g / (1 + _ew.exp(b - a)), lambda: g / (1 + _ew.exp(a - b)))

    with np.errstate(invalid="ignore"):
        data = np.logaddexp(a._data, b._data)
    return write_out(make(data, (a, b), backward, "Logaddexp", SAVES_INPUTS), out, "logaddexp")


def logaddexp2(input, other, *, out=None):
    """``log2(2^input + 2^other)`` without overflow; gradients ``1 / (1 + 2^(other -
    input))`` and ``1 / (1 + 2^(input - other))``."""
    a, b = float_operands(input, other, "logaddexp2")

    def backward(g, o):
        return _grads(a, b, lambda: g / (1 + _em.exp2(b - a)), lambda: g / (1 + _em.exp2(a - b)))

    with np.errstate(invalid="ignore"):
        data = np.logaddexp2(a._data, b._data)
    return write_out(make(data, (a, b), backward, "Logaddexp2", SAVES_INPUTS), out, "logaddexp2")


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in float64 (the result is float64 whatever the
    inputs, as PyTorch's); differentiable like :func:`minigrad.pow`, gradients cast back."""
    _check_operands(input, exponent, "float_power", "exponent")

    def f64(x):
        if isinstance(x, Tensor):
            return x if x.dtype == np.float64 else _ew.cast(x, np.dtype(np.float64))
        return float(x)

    a, e = f64(input), f64(exponent)
    if not isinstance(a, Tensor):
        a = Tensor._wrap(np.asarray(a, dtype=np.float64))
    if isinstance(e, Tensor):
        try:
            np.broadcast_shapes(a.shape, e.shape)
        except ValueError:
            raise ValueError(f"float_power: shapes {a.shape} and {e.shape} cannot be broadcast "
                             "together") from None
    return write_out(_ar.pow(a, e), out, "float_power")


# ----- sign, selection, clamping ------------------------------------------------------------
def heaviside(input, values, *, out=None):
    """Step function: 0 where ``input < 0``, ``values`` where ``input == 0``, 1 where
    ``input > 0`` (and 0 at NaN, as PyTorch). Not differentiable; ``input`` and ``values``
    must have the same dtype, as in PyTorch."""
    _check_tensor(input, "heaviside")
    _check_tensor(values, "heaviside", "values")
    if input.dtype != values.dtype:
        raise TypeError(f"heaviside: input ({input.dtype}) and values ({values.dtype}) must "
                        "have the same dtype")
    if (input.requires_grad or values.requires_grad) and grad_mode.enabled():
        raise RuntimeError("heaviside: the derivative is not implemented (as in PyTorch)")
    x, v = input._data, values._data
    try:
        data = np.where(x == 0, v, (x > 0).astype(x.dtype))
    except ValueError:
        raise ValueError(f"heaviside: shapes {x.shape} and {v.shape} cannot be broadcast "
                         "together") from None
    return write_out(Tensor._wrap(data.astype(x.dtype, copy=False)), out, "heaviside")


def signbit(input, *, out=None):
    """True where the sign bit is set (negative numbers, -0.0, NaNs with the bit set); a bool
    tensor."""
    _check_tensor(input, "signbit")
    return write_out(Tensor._wrap(np.signbit(input._data)), out, "signbit")


def sgn(input, *, out=None):
    """The sign, as :func:`minigrad.sign` (minigrad has no complex tensors, for which
    PyTorch's sgn is ``x / |x|``)."""
    _check_tensor(input, "sgn")
    return write_out(_em.sign(input), out, "sgn")


def copysign(input, other, *, out=None):
    """``|input|`` with the sign of ``other`` (sign bit included: -0.0 counts as negative).
    Gradients: ``copysign(input, other) / input`` (0 where ``input == 0``) for ``input``,
    zero for ``other`` (as PyTorch)."""
    a, b = float_operands(input, other, "copysign")
    data = np.copysign(a._data, b._data)

    def backward(g, o):
        def ga():
            x = a._data
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(x == 0, 0, o._data / x)
            return g * Tensor._wrap(ratio.astype(x.dtype, copy=False))
        return _grads(a, b, ga, lambda: g * 0.0)

    return write_out(make(data, (a, b), backward, "Copysign", SAVES_ALL_IO), out, "copysign")


def _fminmax(input, other, greater, name):
    _check_operands(input, other, name, "other")
    a, b = _ar._operands(input, other)
    if a.dtype.kind == "b" or b.dtype.kind == "b":
        raise TypeError(f"{name}: not implemented for bool tensors")
    try:
        data = (np.fmax if greater else np.fmin)(a._data, b._data)
    except ValueError:
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast "
                         "together") from None

    def backward(g, o):
        x, y = a._data, b._data
        # PyTorch: ties go to input, and so does the gradient where other is NaN
        to_a = Tensor._wrap(((x >= y) if greater else (x <= y)) | np.isnan(y))
        return _grads(a, b, lambda: where(to_a, g, 0.0), lambda: where(to_a, 0.0, g))

    return make(data, (a, b), backward, "Fmax" if greater else "Fmin", SAVES_INPUTS)


def fmax(input, other, *, out=None):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN). The gradient goes
    to ``input`` where ``input >= other`` or ``other`` is NaN, else to ``other`` (ties are not
    split, as PyTorch's fmax)."""
    return write_out(_fminmax(input, other, True, "fmax"), out, "fmax")


def fmin(input, other, *, out=None):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN). The gradient goes
    to ``input`` where ``input <= other`` or ``other`` is NaN, else to ``other``."""
    return write_out(_fminmax(input, other, False, "fmin"), out, "fmin")


def clamp_min(input, min, *, out=None):  # noqa: A002  (PyTorch's name)
    """``clamp(input, min=min)``: ``min`` a number or a tensor."""
    _check_tensor(input, "clamp_min")
    if min is None:
        raise TypeError("clamp_min: min must be a number or a Tensor, got None")
    return write_out(_ar.clamp(input, min, None), out, "clamp_min")


def clamp_max(input, max, *, out=None):  # noqa: A002  (PyTorch's name)
    """``clamp(input, max=max)``: ``max`` a number or a tensor."""
    _check_tensor(input, "clamp_max")
    if max is None:
        raise TypeError("clamp_max: max must be a number or a Tensor, got None")
    return write_out(_ar.clamp(input, None, max), out, "clamp_max")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN replaced by ``nan``, +inf by ``posinf``, -inf by ``neginf`` (by default the
    largest and lowest finite values of the dtype). The gradient passes where the input is
    finite and is 0 elsewhere. Integer and bool tensors come back unchanged (a copy)."""
    _check_tensor(input, "nan_to_num")
    for v, n in ((nan, "nan"), (posinf, "posinf"), (neginf, "neginf")):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.number))):
            raise TypeError(f"nan_to_num: {n} must be a number or None, got {type(v).__name__}")
    x = input._data
    if x.dtype.kind != "f":
        return write_out(Tensor._wrap(x.copy()), out, "nan_to_num")
    data = np.nan_to_num(x, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)

    def backward(g, o):
        return (g * Tensor._wrap(np.isfinite(x).astype(x.dtype)),)

    return write_out(make(data, (input,), backward, "NanToNum", SAVES_INPUTS), out, "nan_to_num")


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``, computed as PyTorch does (``end - (end - input) *
    (1 - weight)`` where ``|weight| >= 0.5``, for exact endpoints). ``weight`` is a number or
    a tensor; all tensors must share one float dtype, as in PyTorch. Gradients ``1 - weight``,
    ``weight`` and ``end - input``."""
    _check_tensor(input, "lerp")
    _check_tensor(end, "lerp", "end")
    if input.dtype.kind != "f":
        raise TypeError(f"lerp: expected a floating-point input, got dtype {input.dtype}")
    if end.dtype != input.dtype:
        raise TypeError(f"lerp: expected dtype {input.dtype} for end but got {end.dtype}")
    if isinstance(weight, Tensor):
        if weight.dtype != input.dtype:
            raise TypeError(f"lerp: expected dtype {input.dtype} for weight but got "
                            f"{weight.dtype}")
        w = weight
    elif isinstance(weight, (int, float, np.number)) and not isinstance(weight, bool):
        w = Tensor._wrap(np.asarray(weight, dtype=input.dtype))
    else:
        raise TypeError(f"lerp: weight must be a number or a Tensor, got {type(weight).__name__}")
    try:
        np.broadcast_shapes(input.shape, end.shape, w.shape)
    except ValueError:
        raise ValueError(f"lerp: input of shape {input.shape}, end of shape {end.shape} and "
                         f"weight of shape {w.shape} cannot be broadcast together") from None
    x, e, wd = input._data, end._data, w._data
    data = np.where(np.abs(wd) < 0.5, x + wd * (e - x), e - (e - x) * (1 - wd)).astype(x.dtype)

    def backward(g, o):
        return (unbroadcast(g * (1 - w), input.shape) if input.requires_grad else None,
                unbroadcast(g * w, end.shape) if end.requires_grad else None,
                unbroadcast(g * (end - input), w.shape) if w.requires_grad else None)

    return write_out(make(data, (input, end, w), backward, "Lerp", SAVES_INPUTS), out, "lerp")
