"""Running and whole products and sums: cumsum, cumprod, prod.

Integer and bool inputs accumulate in int64, as PyTorch. Gradients are exact where inputs
are zero: products leave out the element being differentiated instead of dividing by it.
"""
import numpy as np

from .. import grad_mode
from ..tensor import Tensor, _norm_dim, make
from .reduction import _dims, _expand_back


def _acc_dtype(a, dtype):
    from ..tensor import _resolve_dtype
    if dtype is not None:
        return _resolve_dtype(dtype)
    return np.dtype(np.int64) if a.dtype.kind in "biu" else a.dtype


def _cast_input(a, dtype):
    dt = _acc_dtype(a, dtype)
    return a if a.dtype == dt else (a.to(dt) if a.dtype.kind == "f" and dt.kind == "f"
                                    else Tensor._wrap(a._data.astype(dt)))


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``: ``out[i] = input[0] + ... + input[i]``."""
    a = _cast_input(input, dtype)
    d = _norm_dim(dim, a.ndim, "cumsum") if a.ndim else 0
    data = np.cumsum(a._data, axis=d) if a.ndim else a._data.copy()

    def backward(g, out):
        if a.ndim == 0:
            return (g,)
        # each input element feeds every later output: a reversed running sum
        return (cumsum(g.flip(d), d).flip(d),)

    return make(np.asarray(data, dtype=a.dtype), (a,), backward, "Cumsum")


def _exclusive_cumprod(x, d):
    """``[1, x0, x0*x1, ...]`` along ``d`` (numpy)."""
    shifted = np.concatenate([np.ones_like(np.take(x, [0], axis=d)), np.take(x, np.arange(x.shape[d] - 1), axis=d)], axis=d)
    return np.cumprod(shifted, axis=d)


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim``: ``out[i] = input[0] * ... * input[i]``."""
    a = _cast_input(input, dtype)
    d = _norm_dim(dim, a.ndim, "cumprod") if a.ndim else 0
    data = np.cumprod(a._data, axis=d) if a.ndim else a._data.copy()

    def backward(g, out):
        if a.ndim == 0:
            return (g,)
        # d out[j] / d x[k] = prod_{i<=j, i!=k} x[i] for j >= k. With S[k] = g[k] + x[k+1] S[k+1]
        # (a reversed recurrence), grad[k] = exclusive_cumprod(x)[k] * S[k]: no division by x.
        n = a.shape[d]
        if not grad_mode.enabled():
            x, gd = a._data, g._data
            s = np.empty_like(gd)
            idx = [slice(None)] * a.ndim
            acc = None
            for k in range(n - 1, -1, -1):
                idx[d] = k
                gk = gd[tuple(idx)]
                if acc is None:
                    acc = gk.copy()
                else:
                    idx[d] = k + 1
                    acc = gk + x[tuple(idx)] * acc
                idx[d] = k
                s[tuple(idx)] = acc
            return (Tensor._wrap(_exclusive_cumprod(x, d) * s),)
        parts = [None] * n
        acc = None
        for k in range(n - 1, -1, -1):
            gk = g.select(d, k)
            acc = gk if acc is None else gk + a.select(d, k + 1) * acc
            parts[k] = acc
        s = parts[0].unsqueeze(d) if n == 1 else _stack(parts, d)
        left = _exclusive_cumprod_tensor(a, d)
        return (left * s,)

    return make(np.asarray(data, dtype=a.dtype), (a,), backward, "Cumprod")


def _stack(parts, d):
    from .shape import stack
    return stack(parts, dim=d)


def _exclusive_cumprod_tensor(a, d):
    from .shape import cat
    ones = Tensor._wrap(np.ones_like(np.take(a._data, [0], axis=d)))
    if a.shape[d] == 1:
        return ones
    return cumprod(cat([ones, a.narrow(d, 0, a.shape[d] - 1)], d), d)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along ``dim`` (``keepdim`` as in :func:`sum`)."""
    a = _cast_input(input, dtype)
    if isinstance(dim, (list, tuple)):
        raise TypeError("prod: dim must be a single int (PyTorch reduces one dim at a time)")
    dims = _dims(dim, a.ndim, "prod")
    data = np.asarray(np.prod(a._data, axis=dims, keepdims=keepdim), dtype=a.dtype)

    def backward(g, out):
        # the product of the other elements, by running products from both ends
        if dim is None:
            flat = a.reshape(-1)
            others = _others_product(flat, 0).reshape(a.shape)
        else:
            others = _others_product(a, dims[0])
        return (_expand_back(g, a.shape, dims, keepdim) * others,)

    return make(data, (a,), backward, "Prod")


def _others_product(a, d):
    """``out[k] = prod_{i != k} a[i]`` along ``d``, without dividing."""
    if a.shape[d] == 0:
        return a
    left = _exclusive_cumprod_tensor(a, d)
    right = _exclusive_cumprod_tensor(a.flip(d), d).flip(d)
    return left * right

