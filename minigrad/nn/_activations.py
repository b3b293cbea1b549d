"""Activation functions beyond the core ops (``torch.nn.functional``'s names and arguments):
``silu, mish, elu, selu, celu, hardtanh, relu6, hardswish, hardsigmoid, softsign,
logsigmoid, tanhshrink, softshrink, hardshrink, threshold, prelu, glu, softmin``.

Each is one graph node (see ``_pointwise``). At the kinks the gradient is PyTorch's:
one-sided masks are strict (``hardtanh``'s gradient is 0 at ``min_val`` and ``max_val``,
``threshold``'s and ``prelu``'s use ``x > threshold`` / ``x > 0``, the ELU family takes
the negative branch at 0, ``hardswish``'s is 0 at -3 and 1 at 3). ``inplace=True`` is
accepted and ignored: the result is always a new tensor.
"""
import warnings

import numpy as np

from .. import grad_mode
from ..ops.elementwise import _sigmoid_array, sigmoid
from ..ops.reduction import softmax
from ..ops.shape import cat
from ..tensor import SAVES_INPUTS, Tensor, make
from . import _pointwise as P
from ._checks import _float_tensor, _tensor

__all__ = ["silu", "mish", "elu", "selu", "celu", "hardtanh", "relu6", "hardswish",
           "hardsigmoid", "softsign", "logsigmoid", "tanhshrink", "softshrink", "hardshrink",
           "threshold", "prelu", "glu", "softmin"]

# SELU's constants (Klambauer et al. 2017), as PyTorch
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _number(value, fn, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}: {name} must be a number, got {value!r}")
    return float(value)


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (also called swish)."""
    x = _float_tensor(input, "silu", "input")._data
    s = _sigmoid_array(x)

    def d(ns, x, xd):
        s = ns.sigmoid(x)
        return s * (1 + x * (1 - s))

    return P.unary(input, x * s, d, "Silu")


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    x = _float_tensor(input, "mish", "input")._data

    def d(ns, x, xd):
        t = ns.tanh(ns.softplus(x))
        return t + x * (1 - t * t) * ns.sigmoid(x)

    return P.unary(input, x * np.tanh(P.softplus_array(x)), d, "Mish")


def _elu_like(input, alpha, scale, inner, fn, name):
    """``scale * (x if x > 0 else alpha * (exp(x * inner) - 1))``."""
    x = _float_tensor(input, fn, "input")._data
    pos = x > 0
    value = scale * np.where(pos, x, alpha * np.expm1(np.minimum(x, 0) * inner))

    def d(ns, x, xd):
        neg = ns.mask(xd <= 0, x)
        # exp of min(x, 0): the positive branch never overflows the masked-out value
        return ns.mask(xd > 0, x) * scale + neg * (scale * alpha * inner) * ns.exp(
            x * inner * neg)

    return P.unary(input, value, d, name)


def elu(input, alpha=1.0, inplace=False):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _elu_like(input, _number(alpha, "elu", "alpha"), 1.0, 1.0, "elu", "Elu")


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with PyTorch's constants (alpha ~1.6733, scale ~1.0507)."""
    return _elu_like(input, _SELU_ALPHA, _SELU_SCALE, 1.0, "selu", "Selu")


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; ``alpha`` must not be 0."""
    alpha = _number(alpha, "celu", "alpha")
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (it divides x)")
    return _elu_like(input, alpha, 1.0, 1.0 / alpha, "celu", "Celu")


def _clip_like(input, lo, hi, fn, name):
    x = _float_tensor(input, fn, "input")._data
    inside = (x > lo) & (x < hi)
    return P.unary(input, np.clip(x, lo, hi), lambda ns, x, xd: ns.mask(inside, x), name)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clipped to ``[min_val, max_val]``; gradient 1 strictly inside, else 0."""
    lo, hi = _number(min_val, "hardtanh", "min_val"), _number(max_val, "hardtanh", "max_val")
    if lo > hi:
        raise ValueError("min_val cannot be greater than max_val")
    return _clip_like(input, lo, hi, "hardtanh", "Hardtanh")


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)`` (``hardtanh(x, 0, 6)``)."""
    return _clip_like(input, 0.0, 6.0, "relu6", "Relu6")


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``."""
    x = _float_tensor(input, "hardswish", "input")._data
    mid = (x > -3) & (x < 3)

    def d(ns, x, xd):
        return ns.mask(mid, x) * (x * (1 / 3) + 0.5) + ns.mask(xd >= 3, x)

    return P.unary(input, x * np.clip(x + 3, 0, 6) / 6, d, "Hardswish")


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between."""
    x = _float_tensor(input, "hardsigmoid", "input")._data
    mid = (x > -3) & (x < 3)
    return P.unary(input, np.clip(x / 6 + 0.5, 0, 1), lambda ns, x, xd: ns.mask(mid, x) / 6,
                   "Hardsigmoid")


def softsign(input):
    """``x / (1 + |x|)``."""
    x = _float_tensor(input, "softsign", "input")._data

    def d(ns, x, xd):
        s = 1 + ns.abs(x)
        return 1 / (s * s)

    return P.unary(input, x / (1 + np.abs(x)), d, "Softsign")


def logsigmoid(input):
    """``log(sigmoid(x)) = -softplus(-x)``, finite for any ``x``."""
    x = _float_tensor(input, "logsigmoid", "input")._data
    return P.unary(input, -P.softplus_array(-x), lambda ns, x, xd: ns.sigmoid(-x), "LogSigmoid")


def tanhshrink(input):
    """``x - tanh(x)``."""
    x = _float_tensor(input, "tanhshrink", "input")._data

    def d(ns, x, xd):
        t = ns.tanh(x)
        return t * t

    return P.unary(input, x - np.tanh(x), d, "Tanhshrink")


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    lambd = _number(lambd, "softshrink", "lambd")
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    x = _float_tensor(input, "softshrink", "input")._data
    outside = np.abs(x) > lambd
    value = np.where(outside, x - np.sign(x) * lambd, 0)
    return P.unary(input, value, lambda ns, x, xd: ns.mask(outside, x), "Softshrink")


def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0."""
    lambd = _number(lambd, "hardshrink", "lambd")
    x = _float_tensor(input, "hardshrink", "input")._data
    outside = (x > lambd) | (x < -lambd)
    return P.unary(input, np.where(outside, x, 0), lambda ns, x, xd: ns.mask(outside, x),
                   "Hardshrink")


def threshold(input, threshold, value, inplace=False):
    """``x`` where ``x > threshold``, else ``value``."""
    th = _number(threshold, "threshold", "threshold")
    val = _number(value, "threshold", "value")
    x = _float_tensor(input, "threshold", "input")._data
    keep = x > th
    return P.unary(input, np.where(keep, x, val), lambda ns, x, xd: ns.mask(keep, x), "Threshold")


def prelu(input, weight):
    """``x`` where ``x > 0``, else ``weight * x``; ``weight`` has one element or one per
    channel (dim 1 of the input; an input of fewer than 2 dims has one channel, as PyTorch)."""
    _float_tensor(input, "prelu", "input")
    _float_tensor(weight, "prelu", "weight")
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 1-d (one slope or one per channel), got shape "
                         f"{tuple(weight.shape)}")
    n = weight._data.size
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise ValueError(f"prelu: mismatch of parameter numbers and input channel size. Found "
                         f"parameter numbers = {n} and channel size = {channels}.")
    shape = [1] * input.ndim
    if n > 1:
        shape[1] = n
    x = input._data
    w = weight._data.reshape(shape) if input.ndim else weight._data.reshape(())
    pos = x > 0
    axes = tuple(i for i, s in enumerate(shape) if s == 1) if n > 1 else None

    def backward(g, out):
        if not grad_mode.enabled():
            gd = g._data
            gx = Tensor._wrap(np.where(pos, gd, gd * w).astype(x.dtype, copy=False))
            gw = np.sum(np.where(pos, 0, gd * x), axis=axes)
            return gx, Tensor._wrap(np.asarray(gw, dtype=weight.dtype).reshape(weight.shape))
        wt = weight.reshape(tuple(shape)) if input.ndim else weight.reshape(())
        neg = Tensor._wrap((~pos).astype(x.dtype))
        gx = g * (Tensor._wrap(pos.astype(x.dtype)) + neg * wt)
        gw = (g * input * neg).sum(dim=axes) if axes is not None else (g * input * neg).sum()
        return gx, gw.reshape(weight.shape)

    return make(np.where(pos, x, w * x).astype(x.dtype, copy=False), (input, weight), backward,
                "Prelu", SAVES_INPUTS)


def glu(input, dim=-1):
    """Gated linear unit: split ``input`` in halves ``a, b`` along ``dim``, return
    ``a * sigmoid(b)``."""
    _float_tensor(input, "glu", "input")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim if -input.ndim <= dim < input.ndim else None
    if d is None:
        raise IndexError(f"glu: dim {dim} is out of range for a {input.ndim}-d input")
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = np.split(input._data, 2, axis=d)
    s = _sigmoid_array(b)

    def backward(g, out):
        if not grad_mode.enabled():
            gd = g._data
            return (Tensor._wrap(np.concatenate([gd * s, gd * a * s * (1 - s)], axis=d)),)
        at, bt = input.chunk(2, dim=d)
        st = sigmoid(bt)
        return (cat([g * st, g * at * st * (1 - st)], dim=d),)

    return make(a * s, (input,), backward, "Glu", SAVES_INPUTS)


def _implicit_dim(fn, ndim):
    warnings.warn(f"Implicit dimension choice for {fn} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim`` (PyTorch's implicit choice, with its warning, when
    ``dim`` is None); ``dtype`` casts the input first."""
    _tensor(input, "softmin", "input")
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim)
    return softmax(-input, dim)
