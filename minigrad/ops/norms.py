"""Vector norms (``norm``, ``linalg.vector_norm``) and the fused statistics ``std_mean`` and
``var_mean``.

The p-norm's gradient at an all-zero slice is 0, as PyTorch's (the formula would give 0/0).
Matrix norms other than Frobenius (which is the vector 2-norm of the entries) are not provided.
"""
import math

import numpy as np

from ..tensor import Tensor, floating, make
from .reduction import _dims, _kept_shape, amax, amin, mean, std, var


def _p_value(p, name):
    if p == "fro":
        return 2.0
    if isinstance(p, str):
        raise ValueError(f"{name}: ord {p!r} is not supported (only numbers, inf and 'fro'); "
                         "matrix norms such as 'nuc' are not implemented in minigrad")
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: p must be a number or 'fro', got {p!r}")
    return float(p)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all dims when None); ``ord`` may be ``inf``
    (max of ``|x|``), ``-inf`` (min), 0 (count of non-zeros, zero gradient) or any number."""
    from ..tensor import _resolve_dtype
    x = floating(x)
    if dtype is not None:
        x = x.to(_resolve_dtype(dtype))
    p = _p_value(ord, "vector_norm")
    dims = _dims(dim, x.ndim, "norm")
    if p == math.inf:
        return amax(x.abs(), dims, keepdim)
    if p == -math.inf:
        return amin(x.abs(), dims, keepdim)
    if p == 0:
        data = np.asarray(np.sum(x._data != 0, axis=dims, keepdims=keepdim), dtype=x.dtype)
        return make(data, (x,), lambda g, out: (x * 0.0,), "Norm")
    a = np.abs(x._data)
    with np.errstate(over="ignore", divide="ignore"):  # a negative p of a zero is inf, as torch
        if p == 2:
            data = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
        elif p == 1:
            data = np.sum(a, axis=dims, keepdims=keepdim)
        else:
            data = np.power(np.sum(np.power(a, p), axis=dims, keepdims=keepdim), 1.0 / p)
    data = np.asarray(data, dtype=x.dtype)

    def backward(g, out):
        gk = g if keepdim else g.reshape(_kept_shape(x.shape, dims))
        if p == 1:
            return (gk * x.sign(),)
        ok = out if keepdim else out.reshape(_kept_shape(x.shape, dims))
        positive = Tensor._wrap(ok._data > 0)
        safe = ok.where(positive, 1.0)
        if p == 2:
            grad = x * (gk / safe)
        else:
            # d/dx (sum |x|^p)^(1/p) = sign(x) |x|^(p-1) / norm^(p-1); a zero element gets 0
            # (PyTorch), where x |x|^(p-2) would be 0 * inf for p < 2
            nonzero = Tensor._wrap(x._data != 0)
            scaled = (x.sign() * x.abs().where(nonzero, 1.0).pow(p - 1)).where(nonzero, 0.0)
            grad = scaled * (gk / safe.pow(p - 1))
        return (grad.where(positive, 0.0),)

    return make(data, (x,), backward, "Norm")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: the vector ``p``-norm over ``dim`` (all elements when None); 'fro' is
    the 2-norm of the entries; 'nuc' the nuclear norm (sum of singular values) of a matrix or
    of the two dims ``dim``."""
    from .._out import write_out
    if isinstance(p, str) and p == "nuc":
        if dim is None and input.ndim != 2:
            raise ValueError(f"norm: p='nuc' needs a 2-D input or two dims, got shape "
                             f"{input.shape}")
        from ..linalg import matrix_norm
        result = matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim,
                             dtype=dtype)
        return write_out(result, out, "norm")
    return write_out(vector_norm(input, p, dim, keepdim, dtype=dtype), out, "norm")


def linalg_norm(input, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):  # noqa: A002
    """``torch.linalg.norm``: over one dim a vector norm (``ord`` a number, default 2), over
    two dims a matrix norm (``ord`` 'fro' (default), 'nuc', 1, -1, 2, -2, inf, -inf). Without
    ``dim``: the 2-norm of all entries when ``ord`` is None, else the vector or matrix norm of
    a 1-D or 2-D input (other inputs are refused, as PyTorch refuses them)."""
    from .._out import write_out
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if dim is None and ord is not None:
        if input.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord and no dim the input must be 1-D or 2-D, "
                             f"got shape {input.shape}")
        dim = tuple(range(input.ndim))
    if dim is not None and len(dim) == 2:
        from ..linalg import matrix_norm
        result = matrix_norm(input, "fro" if ord is None else ord, tuple(dim), keepdim,
                             dtype=dtype)
    else:
        if isinstance(ord, str):
            raise ValueError(f"linalg.norm: ord={ord!r} is a matrix norm: it needs two dims")
        result = vector_norm(input, 2.0 if ord is None else ord, dim, keepdim, dtype=dtype)
    return write_out(result, out, "linalg.norm")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, as ``torch.std_mean``."""
    return std(input, dim, unbiased, keepdim, correction), mean(input, dim, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, as ``torch.var_mean``."""
    return var(input, dim, unbiased, keepdim, correction), mean(input, dim, keepdim)
