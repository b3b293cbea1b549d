"""Reductions over all or given dims (``keepdim`` as in PyTorch), softmax and log-softmax."""
import math
from collections import namedtuple

import numpy as np

from .. import grad_mode
from ..tensor import SAVES_NOTHING, SAVES_OUTPUT, Tensor, _norm_dim, floating, make

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def _dims(dim, ndim, op):
    """Normalised tuple of dims to reduce (all dims when ``dim`` is None)."""
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return tuple(range(ndim))  # an empty dim list reduces everything, as in PyTorch
    if isinstance(dim, (list, tuple)):
        dims = tuple(_norm_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise ValueError(f"{op}: dim {tuple(dim)} names a dimension twice")
        return dims
    return (_norm_dim(dim, ndim, op),) if ndim else ()


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dims."""
    if not grad_mode.enabled():
        gd = g._data if keepdim else g._data.reshape(_kept_shape(shape, dims))
        return Tensor._wrap(np.broadcast_to(gd, shape))
    if not keepdim:
        g = g.reshape(_kept_shape(shape, dims))
    return g.expand(*shape)


def sum(a, dim=None, keepdim=False):
    """Sum over ``dim`` (all dims when None). Bool and integer tensors sum to int64, as in
    PyTorch (so ``(pred == y).sum()`` counts, and narrow ints do not wrap)."""
    dims = _dims(dim, a.ndim, "sum")
    dtype = np.int64 if a.dtype.kind in "biu" else a.dtype
    data = np.asarray(np.sum(a._data, axis=dims, keepdims=keepdim, dtype=dtype), dtype=dtype)

    def backward(g, out):
        return (_expand_back(g, a.shape, dims, keepdim),)

    return make(data, (a,), backward, "Sum", SAVES_NOTHING)


def mean(a, dim=None, keepdim=False):
    if a.dtype.kind != "f":
        raise TypeError(f"mean: expected a floating-point tensor, got dtype {a.dtype}")
    dims = _dims(dim, a.ndim, "mean")
    count = math.prod(a.shape[d] for d in dims)
    # sum * (1/count) rather than np.mean: same value, a third of np.mean's call overhead.
    # An empty slice has mean nan and an empty gradient, as in PyTorch.
    inverse = 1.0 / count if count else math.nan
    data = np.asarray(np.sum(a._data, axis=dims, keepdims=keepdim) * a.dtype.type(inverse),
                      dtype=a.dtype)

    def backward(g, out):
        return (_expand_back(g * inverse, a.shape, dims, keepdim),)

    return make(data, (a,), backward, "Mean", SAVES_NOTHING)


def var(a, dim=None, unbiased=None, keepdim=False, correction=None):
    """Variance ``sum((a - mean)^2) / (N - correction)``, default ``correction=1``.
    Positional order as PyTorch's ``var(dim, unbiased, keepdim)``; ``unbiased=False`` means
    ``correction=0``."""
    correction = _correction(unbiased, correction)
    dims = _dims(dim, a.ndim, "var")
    count = math.prod(a.shape[d] for d in dims)
    d = a - a.mean(dim=dims, keepdim=True)
    # N <= correction has no defined variance: NaN, as numpy and PyTorch give
    scale = 1.0 / (count - correction) if count > correction else float("nan")
    return (d * d).sum(dim=dims, keepdim=keepdim) * scale


def std(a, dim=None, unbiased=None, keepdim=False, correction=None):
    """Standard deviation, ``sqrt(var)``, same arguments as :func:`var`. Where it is 0 (a
    constant slice) the gradient is 0, as in PyTorch, not ``g / 0``."""
    v = var(a, dim, unbiased, keepdim, correction)
    out = np.sqrt(v._data)

    def backward(g, out_t):
        positive = Tensor._wrap(out > 0)
        return ((g / (2 * out_t.where(positive, 1.0))).where(positive, 0.0),)

    return make(out, (v,), backward, "Std", SAVES_OUTPUT)


def _correction(unbiased, correction):
    if unbiased is not None and correction is not None:
        raise ValueError("var/std: pass either unbiased or correction, not both")
    if correction is None:
        return 1 if unbiased is None or unbiased else 0
    return correction


def _extreme(a, dim, keepdim, fn, name):
    """amax/amin: the gradient is shared evenly between tied extremes (as torch.amax)."""
    if a._data.size == 0:
        raise ValueError(f"{name}: cannot reduce an empty tensor")
    dims = _dims(dim, a.ndim, name)
    kept = fn(a._data, axis=dims, keepdims=True)
    data = kept if keepdim else kept.reshape([s for i, s in enumerate(a.shape) if i not in dims])

    def backward(g, out):
        mask = (a._data == kept).astype(a.dtype)
        mask /= mask.sum(axis=dims, keepdims=True)
        return (_expand_back(g, a.shape, dims, keepdim) * Tensor._wrap(mask),)

    return make(np.asarray(data), (a,), backward, name.capitalize())


def amax(a, dim=None, keepdim=False):
    return _extreme(a, dim, keepdim, np.max, "amax")


def amin(a, dim=None, keepdim=False):
    return _extreme(a, dim, keepdim, np.min, "amin")


def _max_min(a, dim, keepdim, largest):
    if isinstance(dim, Tensor):  # torch.max(input, other): the elementwise form
        from .arithmetic import maximum, minimum
        return maximum(a, dim) if largest else minimum(a, dim)
    if dim is None:
        return amax(a) if largest else amin(a)
    d = _norm_dim(dim, a.ndim, "max" if largest else "min")
    idx = (np.argmax if largest else np.argmin)(a._data, axis=d, keepdims=True)
    values = a.gather(d, Tensor._wrap(idx))
    if not keepdim:
        values = values.squeeze(d)
        idx = idx.squeeze(d)
    return MaxResult(values, Tensor._wrap(idx))


def max(a, dim=None, keepdim=False):
    """Without ``dim``: the largest element (gradient shared among ties). With ``dim``:
    ``(values, indices)`` as in PyTorch, the gradient going to the returned index."""
    return _max_min(a, dim, keepdim, True)


def min(a, dim=None, keepdim=False):
    """Like :func:`max`, for the smallest element."""
    return _max_min(a, dim, keepdim, False)


def argmax(a, dim=None, keepdim=False):
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(a._data), dtype=np.int64))
    d = _norm_dim(dim, a.ndim, "argmax")
    return Tensor._wrap(np.argmax(a._data, axis=d, keepdims=keepdim).astype(np.int64))


def argmin(a, dim=None, keepdim=False):
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(a._data), dtype=np.int64))
    d = _norm_dim(dim, a.ndim, "argmin")
    return Tensor._wrap(np.argmin(a._data, axis=d, keepdims=keepdim).astype(np.int64))


def _shift(x, dims):
    """The max over ``dims`` (kept), replaced by 0 where it is not finite, so that rows of
    all ``-inf`` give ``-inf`` rather than NaN."""
    m = np.max(x, axis=dims, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


def logsumexp(a, dim=None, keepdim=False):
    """``log(sum(exp(a)))`` over ``dim``, shifted by the max so it is finite for any finite
    input; a slice of all ``-inf`` gives ``-inf`` (with zero gradient)."""
    a = floating(a)
    dims = _dims(dim, a.ndim, "logsumexp")
    m = _shift(a._data, dims)
    with np.errstate(divide="ignore"):
        kept = np.log(np.sum(np.exp(a._data - m), axis=dims, keepdims=True)) + m
    data = kept if keepdim else kept.reshape([s for i, s in enumerate(a.shape) if i not in dims])
    data = np.asarray(data, dtype=a.dtype)

    def backward(g, out):
        outk = out if keepdim else out.reshape(_kept_shape(a.shape, dims))
        finite = Tensor._wrap(np.isfinite(outk._data))
        weights = (a - outk.where(finite, 0.0)).exp().where(finite, 0.0)
        return (_expand_back(g, a.shape, dims, keepdim) * weights,)

    return make(data, (a,), backward, "Logsumexp")


def softmax(a, dim=-1):
    """``exp(a) / sum(exp(a))`` along ``dim`` (default -1; PyTorch has no default), shifted
    by the max so logits of any magnitude stay finite."""
    a = floating(a)
    d = _norm_dim(dim, a.ndim, "softmax")
    e = np.exp(a._data - _shift(a._data, (d,)))
    data = (e / e.sum(axis=d, keepdims=True)).astype(a.dtype, copy=False)

    def backward(g, out):
        return (out * (g - (g * out).sum(dim=d, keepdim=True)),)

    return make(data, (a,), backward, "Softmax", SAVES_OUTPUT)


def log_softmax(a, dim=-1):
    """``a - logsumexp(a)`` along ``dim`` (default -1), computed stably."""
    a = floating(a)
    d = _norm_dim(dim, a.ndim, "log_softmax")
    shifted = a._data - _shift(a._data, (d,))
    data = (shifted - np.log(np.exp(shifted).sum(axis=d, keepdims=True))).astype(a.dtype, copy=False)

    def backward(g, out):
        return (g - out.exp() * g.sum(dim=d, keepdim=True),)

    return make(data, (a,), backward, "LogSoftmax", SAVES_OUTPUT)
