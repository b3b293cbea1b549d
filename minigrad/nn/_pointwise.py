"""Pointwise functions (activations, elementwise losses) as single graph nodes.

Each function supplies its value as a numpy array and its derivative once, written against
a small namespace of primitives: :data:`ARRAY` (numpy) or :data:`TENSOR` (Tensor ops). The
first-order backward evaluates the derivative on arrays, without building a graph; under
``create_graph=True`` the same formula runs on Tensors, so gradients of any order are exact.
A derivative has the signature ``derivative(ns, x, xd)``: ``x`` is the input as an array or
a Tensor (per ``ns``) and ``xd`` always its numpy array, for masks (which are constants).
"""
import numpy as np

from .. import grad_mode
from ..ops.arithmetic import where
from ..ops.elementwise import _sigmoid_array, exp, sigmoid, softplus, tanh
from ..tensor import SAVES_INPUTS, Tensor, make
from ._loss_op import _reduce_array


def softplus_array(x):
    """``log(1 + exp(x))`` without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class _Namespace:
    def __init__(self, **functions):
        self.__dict__.update(functions)


ARRAY = _Namespace(
    sigmoid=_sigmoid_array, tanh=np.tanh, exp=np.exp, abs=np.abs, softplus=softplus_array,
    where=np.where, mask=lambda m, like: m.astype(like.dtype))

TENSOR = _Namespace(
    sigmoid=sigmoid, tanh=tanh, exp=exp, abs=lambda t: t.abs(),
    softplus=lambda t: softplus(t, 1.0, float("inf")),
    where=lambda cond, a, b: where(Tensor._wrap(cond), a, b),
    mask=lambda m, like: Tensor._wrap(m.astype(like.dtype)))


def unary(input, value, derivative, name):
    """``f(input)`` as one node; ``value`` is ``f`` of ``input``'s array."""
    x = input._data

    def backward(g, out):
        if not grad_mode.enabled():
            return (Tensor._wrap((g._data * derivative(ARRAY, x, x)).astype(x.dtype, copy=False)),)
        return (g * derivative(TENSOR, input, x),)

    return make(np.asarray(value, dtype=x.dtype), (input,), backward, name, SAVES_INPUTS)


def difference_loss(input, target, reduction, value, derivative, name):
    """``reduce(f(input - target))`` as one node; ``value(d)`` gives ``f`` on the array of
    differences, ``derivative(ns, d, dd)`` its derivative (see the module docstring)."""
    d = input._data - target._data
    dtype = input.dtype
    data = _reduce_array(value(d), reduction, dtype)
    scale = 1.0 / d.size if reduction == "mean" and d.size else 1.0

    def backward(g, out):
        if not grad_mode.enabled():
            gd = (g._data * scale * derivative(ARRAY, d, d)).astype(dtype, copy=False)
            return (Tensor._wrap(gd) if input.requires_grad else None,
                    Tensor._wrap(-gd.astype(target.dtype)) if target.requires_grad else None)
        gd = (g * scale) * derivative(TENSOR, input - target, d)
        return (gd if input.requires_grad else None, -gd if target.requires_grad else None)

    return make(data, (input, target), backward, name, SAVES_INPUTS)
