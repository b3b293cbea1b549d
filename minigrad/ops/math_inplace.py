"""In-place forms of :mod:`minigrad.ops.math_more` (``asin_``, ``atan2_``, ``lerp_``, ...):
each computes the out-of-place function and writes it through :mod:`minigrad._inplace`, so
versions bump, leaves that require grad are refused and writes into graph tensors are
recorded. Everything is checked before anything is written."""
import sys

import numpy as np

from .. import _inplace
from ..tensor import Tensor
from .math_more import _check_tensor, lerp

# the module, not minigrad.tensor (an attribute that is the tensor() function once minigrad
# has finished importing; this module loads later, on first use)
_tensor = sys.modules["minigrad.tensor"]


def _check_inplace_dtype(t, name, float_result):
    _check_tensor(t, name, "self")
    if float_result and t.dtype.kind != "f":
        raise RuntimeError(f"{name}: result type {_tensor._DEFAULT_FLOAT} can't be cast to "
                           f"the desired output type {t.dtype}")


def inplace_unary(t, name, fn, needs_old, float_result=True):
    """``t.<name>()``: ``fn(t)`` written into ``t`` with the in-place machinery.
    ``needs_old``: ``fn``'s backward reads its input."""
    _check_inplace_dtype(t, name, float_result)
    return _inplace._unary_write(t, name, fn, needs_old)


def inplace_binary(t, name, fn, other, needs_old, float_result=True):
    """``t.<name>(other)``: ``fn(t, other)`` written into ``t``; the result must keep ``t``'s
    shape, checked before anything is written."""
    _check_inplace_dtype(t, name, float_result)
    o = _inplace._operand(t, other, name)
    try:
        shape = np.broadcast_shapes(t.shape, o.shape)
    except ValueError:
        shape = None
    if shape != t.shape:
        raise RuntimeError(f"{name}: other of shape {o.shape} does not broadcast to the "
                           f"tensor's shape {t.shape}")
    if not float_result:
        result = np.result_type(t._data, o._data)
        if not np.can_cast(result, t.dtype, "same_kind"):
            raise RuntimeError(f"{name}: result type {result} can't be cast to the desired "
                               f"output type {t.dtype}")

    def apply(arr):
        np.copyto(arr, fn(Tensor._wrap(arr), o)._data, casting="same_kind")

    return _inplace.write(t, name, apply, fn, o, needs_old)


def lerp_inplace(t, end, weight):
    """``t.lerp_(end, weight)``: :func:`lerp` written into ``t`` (``end`` and ``weight`` must
    broadcast to ``t``'s shape), differentiable with respect to all three."""
    _check_tensor(t, "lerp_", "self")
    r = lerp(t.detach(), end.detach() if isinstance(end, Tensor) else end,
             weight.detach() if isinstance(weight, Tensor) else weight)  # checks, no graph
    if r.shape != t.shape:
        raise RuntimeError(f"lerp_: end and weight must broadcast to the tensor's shape "
                           f"{t.shape}, the result has shape {r.shape}")
    if isinstance(weight, Tensor) and weight.requires_grad and not end.requires_grad:
        # the machinery records a write when t or its one operand requires grad: the operand
        # is the weight then, and end is a constant of the computation
        if np.may_share_memory(end._data, t._data):
            end = end.clone()
        return _inplace.write(t, "lerp_", lambda a: np.copyto(a, r._data),
                              lambda src, w: lerp(src, end, w), weight, True)
    if isinstance(weight, Tensor) and np.may_share_memory(weight._data, t._data):
        weight = weight.clone()
    return _inplace.write(t, "lerp_", lambda a: np.copyto(a, r._data),
                          lambda src, e: lerp(src, e, weight), end, True)
