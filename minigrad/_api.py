"""The ``minigrad.<op>`` functions with PyTorch's full signatures: keyword forms
(``input=``, ``other=``, ``dim=``), ``out=``, ``alpha=``, ``dtype=``, and numpy's spellings
``keepdims``/``axis`` that PyTorch also accepts. Each delegates to the op in
:mod:`minigrad.ops`; the Tensor's method forms share the argument handling below.
"""
import builtins

import numpy as np

from ._out import write_out
from .ops import arithmetic as _ar
from .ops import cumulative as _cu
from .ops import elementwise as _ew
from .ops import linalg as _la
from .ops import products as _pr
from .ops import reduction as _red
from .ops import shape as _sh
from .tensor import Tensor, _resolve_dtype, as_tensor_like


def np_aliases(dim, keepdim, axis, keepdims, name):
    """``dim``/``keepdim`` after folding in numpy's ``axis``/``keepdims`` spellings."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{name}: pass dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, builtins.bool(keepdim)


def with_dtype(input, dtype):
    """``input`` converted to ``dtype`` first, as PyTorch's ``dtype=`` on reductions."""
    if dtype is None:
        return input
    dt = _resolve_dtype(dtype)
    return input if input.dtype == dt else input.to(dt)


# ----- arithmetic ------------------------------------------------------------------------
def _scaled(other, alpha):
    if alpha == 1:
        return other
    return other * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``."""
    return write_out(_ar.add(input, _scaled(other, alpha)), out, "add")


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    return write_out(_ar.sub(input, _scaled(other, alpha)), out, "sub")


subtract = sub


def mul(input, other, *, out=None):
    return write_out(_ar.mul(input, other), out, "mul")


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode='floor'`` or ``'trunc'`` rounds the quotient (zero
    gradient, as PyTorch's), and integer inputs then stay integers."""
    return write_out(divide_rounded(input, other, rounding_mode), out, "div")


divide = div


def divide_rounded(input, other, rounding_mode):
    if rounding_mode is None:
        return _ar.div(input, other)
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    a = input if isinstance(input, Tensor) else as_tensor_like(input, other)
    b = other if isinstance(other, Tensor) else as_tensor_like(other, a)
    if a.dtype.kind in "iub" and b.dtype.kind in "iub":
        x, y = a._data, b._data
        if np.any(y == 0):
            raise ZeroDivisionError("div: integer division by zero")
        q = np.floor_divide(x, y) if rounding_mode == "floor" else np.trunc(x / y).astype(np.result_type(x, y))
        return Tensor._wrap(np.asarray(q))
    q = _ar.div(a, b)
    return q.floor() if rounding_mode == "floor" else q.trunc()


def true_divide(input, other, *, out=None):
    return write_out(_ar.div(input, other), out, "true_divide")


def floor_divide(input, other, *, out=None):
    return write_out(divide_rounded(input, other, "floor"), out, "floor_divide")


def remainder(input, other, *, out=None):
    """``input - floor(input / other) * other`` (the sign of ``other``, Python's ``%``)."""
    a = input if isinstance(input, Tensor) else as_tensor_like(input, other)
    return write_out(a - divide_rounded(a, other, "floor") * other, out, "remainder")


def fmod(input, other, *, out=None):
    """``input - trunc(input / other) * other`` (the sign of ``input``, C's ``fmod``)."""
    a = input if isinstance(input, Tensor) else as_tensor_like(input, other)
    return write_out(a - divide_rounded(a, other, "trunc") * other, out, "fmod")


def pow(input, exponent, *, out=None):  # noqa: A001  (PyTorch's name)
    return write_out(_ar.pow(input, exponent), out, "pow")


def neg(input, *, out=None):
    return write_out(_ar.neg(input), out, "neg")


negative = neg


def abs(input, *, out=None):  # noqa: A001  (PyTorch's name)
    return write_out(_ar.abs(input), out, "abs")


absolute = abs


def square(input, *, out=None):
    return write_out(_ar.mul(input, input), out, "square")


def matmul(input, other, *, out=None):
    return write_out(_la.matmul(input, other), out, "matmul")


def mm(input, mat2, *, out=None):
    return write_out(_pr.mm(input, mat2), out, "mm")


def bmm(input, mat2, *, out=None):
    return write_out(_pr.bmm(input, mat2), out, "bmm")


def mv(input, vec, *, out=None):
    return write_out(_pr.mv(input, vec), out, "mv")


def dot(input, other, *, out=None):
    return write_out(_pr.dot(input, other), out, "dot")


def outer(input, vec2, *, out=None):
    return write_out(_pr.outer(input, vec2), out, "outer")


ger = outer


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    return write_out(_ar.clamp(input, min, max), out, "clamp")


clip = clamp


# ----- reductions ------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, keepdims=None, axis=None):  # noqa: A001
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "sum")
    return write_out(_red.sum(with_dtype(input, dtype), dim, keepdim), out, "sum")


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "mean")
    return write_out(_red.mean(with_dtype(input, dtype), dim, keepdim), out, "mean")


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    x = with_dtype(input, dtype)
    return _red.sum(x.where(~Tensor._wrap(np.isnan(x._data)), 0.0), dim, keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "prod")
    return write_out(_cu.prod(input, dim, keepdim, dtype=dtype), out, "prod")


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None,
        keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "std")
    return write_out(_red.std(input, dim, unbiased, keepdim, correction), out, "std")


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None,
        keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "var")
    return write_out(_red.var(input, dim, unbiased, keepdim, correction), out, "var")


def max(input, dim=None, keepdim=False, *, out=None, keepdims=None, axis=None):  # noqa: A001
    """The largest element; with ``dim``, ``(values, indices)`` (``out``: a pair of tensors
    for them); with a tensor as second argument, the elementwise maximum."""
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "max")
    return _write_out_pair(_red.max(input, dim, keepdim), out, "max")


def min(input, dim=None, keepdim=False, *, out=None, keepdims=None, axis=None):  # noqa: A001
    """The smallest element; with ``dim``, ``(values, indices)`` (``out``: a pair of tensors
    for them); with a tensor as second argument, the elementwise minimum."""
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "min")
    return _write_out_pair(_red.min(input, dim, keepdim), out, "min")


def _write_out_pair(result, out, name):
    """``write_out`` for max/min, whose result with ``dim`` is a (values, indices) pair."""
    if out is None or not isinstance(result, tuple):
        return write_out(result, out, name)
    if not (isinstance(out, (tuple, list)) and len(out) == 2
            and all(isinstance(o, Tensor) for o in out)):
        raise TypeError(f"{name}: with dim, out must be a (values, indices) pair of tensors")
    for r, o in zip(result, out):  # refuse before writing either
        if not np.can_cast(r.dtype, o.dtype, casting="same_kind"):
            raise TypeError(f"{name}: result type {r.dtype} can't be cast to the desired "
                            f"output type {o.dtype}")
    return type(result)(*(write_out(r, o, name) for r, o in zip(result, out)))


def amax(input, dim=None, keepdim=False, *, out=None, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "amax")
    return write_out(_red.amax(input, dim, keepdim), out, "amax")


def amin(input, dim=None, keepdim=False, *, out=None, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "amin")
    return write_out(_red.amin(input, dim, keepdim), out, "amin")


def argmax(input, dim=None, keepdim=False, *, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "argmax")
    return _red.argmax(input, dim, keepdim)


def argmin(input, dim=None, keepdim=False, *, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "argmin")
    return _red.argmin(input, dim, keepdim)


def logsumexp(input, dim=None, keepdim=False, *, out=None, keepdims=None, axis=None):
    dim, keepdim = np_aliases(dim, keepdim, axis, keepdims, "logsumexp")
    return write_out(_red.logsumexp(input, dim, keepdim), out, "logsumexp")


def softmax(input, dim=None, *, dtype=None):
    return _red.softmax(with_dtype(input, dtype), -1 if dim is None else dim)


def log_softmax(input, dim=None, *, dtype=None):
    return _red.log_softmax(with_dtype(input, dtype), -1 if dim is None else dim)


def cumsum(input, dim, *, dtype=None, out=None):
    return write_out(_cu.cumsum(input, dim, dtype=dtype), out, "cumsum")


def cumprod(input, dim, *, dtype=None, out=None):
    return write_out(_cu.cumprod(input, dim, dtype=dtype), out, "cumprod")


# ----- joining ---------------------------------------------------------------------------
def cat(tensors, dim=0, *, out=None, axis=None):
    dim, _ = np_aliases(None if axis is not None else dim, False, axis, None, "cat")
    return write_out(_sh.cat(tensors, dim), out, "cat")


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    return write_out(_sh.stack(tensors, dim), out, "stack")


def hstack(tensors, *, out=None):
    """Join along columns: dim 1, or dim 0 for 1-D tensors (0-D ones count as 1-D)."""
    ts = [t if t.ndim else t.reshape(1) for t in tensors]
    return write_out(_sh.cat(ts, 0 if ts[0].ndim == 1 else 1), out, "hstack")


def vstack(tensors, *, out=None):
    """Join along rows (dim 0), 0-D and 1-D tensors taken as rows."""
    ts = [t if t.ndim > 1 else t.reshape(1, -1) for t in tensors]
    return write_out(_sh.cat(ts, 0), out, "vstack")


def t(input):
    """Transpose of a tensor with at most 2 dims (0-D and 1-D tensors are returned as is)."""
    if input.ndim > 2:
        raise ValueError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return _sh.transpose(input, 0, 1) if input.ndim == 2 else input


def _unary_with_out(fn, name):
    def op(input, *, out=None):
        return write_out(fn(input), out, name)
    op.__name__ = name
    op.__doc__ = fn.__doc__
    return op


exp = _unary_with_out(_ew.exp, "exp")
log = _unary_with_out(_ew.log, "log")
sqrt = _unary_with_out(_ew.sqrt, "sqrt")
sin = _unary_with_out(_ew.sin, "sin")
cos = _unary_with_out(_ew.cos, "cos")
tanh = _unary_with_out(_ew.tanh, "tanh")
sigmoid = _unary_with_out(_ew.sigmoid, "sigmoid")
relu = _ew.relu
