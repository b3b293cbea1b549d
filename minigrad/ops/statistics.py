"""Order statistics and counting with PyTorch's names: unique, median, mode, kthvalue, quantile,
cummax, bincount, searchsorted, and friends.

The order statistics pick elements with numpy (a stable sort, NaN counted as the largest
value, as PyTorch's sort) and take them with ``gather``, so the gradient goes to the chosen
element and differentiates again. Counting and searching (in :mod:`.statistics_counting`)
return integer or constant tensors, as PyTorch's do.
"""
from collections import namedtuple

import numpy as np

from ..tensor import Tensor, _norm_dim, make
from .statistics_counting import *  # noqa: F401,F403
from .statistics_counting import __all__ as _counting_all

__all__ = ["median", "nanmedian", "mode", "kthvalue", "quantile", "nanquantile", "nanmean",
           "cummax", "cummin", "logcumsumexp", "aminmax", "msort"] + _counting_all

# PyTorch's torch.return_types.* (named as they are, like sorting.SortResult)
MedianResult = namedtuple("median", ["values", "indices"])
NanmedianResult = namedtuple("nanmedian", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
CummaxResult = namedtuple("cummax", ["values", "indices"])
CumminResult = namedtuple("cummin", ["values", "indices"])
AminmaxResult = namedtuple("aminmax", ["min", "max"])

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_tensor(x, name, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: {arg} must be a Tensor, got {type(x).__name__}")


def _reduce_dim(input, dim, name):
    """Normalised dim; a 0-d tensor accepts 0 and -1, as in PyTorch. Refuses an empty dim."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an int, got {dim!r}")
    d = _norm_dim(dim, input.ndim, name)
    if input.ndim and input.shape[d] == 0:
        raise IndexError(f"{name}: expected reduction dim {d} to have non-zero size")
    return d


def _pick(input, d, pos, keepdim, result):
    """``(values, indices)`` of the elements at sorted position ``pos`` (an int array of the
    kept shape) along ``d``; the values are a ``gather``, so the gradient flows to them."""
    if input.ndim == 0:
        return result(input.clone(), Tensor._wrap(np.zeros((), np.int64)))
    order = np.argsort(input._data, axis=d, kind="stable")
    idx = np.take_along_axis(order, pos, axis=d).astype(np.int64, copy=False)
    values = input.gather(d, Tensor._wrap(idx))
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return result(values, Tensor._wrap(idx))


def _evenly(input, value):
    """PyTorch's gradient for the median of all elements: shared evenly among the elements
    equal to the result (NaN counting as equal to a NaN result)."""
    x = input._data
    if x.dtype.kind != "f":
        return Tensor._wrap(np.asarray(value, dtype=x.dtype))

    def backward(g, out):
        mask = ((x == value) | (np.isnan(x) & np.isnan(value))).astype(x.dtype)
        mask /= np.maximum(mask.sum(), 1)
        return (g * Tensor._wrap(mask),)

    return make(np.asarray(value, dtype=x.dtype), (input,), backward, "Median")


def _median_all(input, ignore_nan, name):
    x = input._data.reshape(-1)
    isnan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    valid = x[~isnan] if ignore_nan else x
    if valid.size == 0 or (not ignore_nan and isnan.any()):
        if x.dtype.kind != "f":
            raise IndexError(f"{name}: cannot compute the median of an empty tensor")
        v = np.asarray(np.nan, x.dtype)
    else:
        v = np.partition(valid, (valid.size - 1) // 2)[(valid.size - 1) // 2]
    return _evenly(input, v)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median: with ``n`` elements, the ``(n - 1) // 2``-th smallest (no averaging
    of the two middle ones, as PyTorch). Without ``dim``: a tensor; its gradient is shared
    evenly among the elements equal to the median (PyTorch's rule). With ``dim``:
    ``(values, indices)``, the gradient going to the returned index. A NaN in a slice makes
    its median NaN (its index is the first NaN's). Which of several equal elements the index
    names is unspecified in PyTorch; here it is the one a stable sort puts at the position."""
    _check_tensor(input, "median")
    if dim is None:
        return _write(_median_all(input, False, "median"), out, "median")
    d = _reduce_dim(input, dim, "median")
    if input.ndim == 0:
        return _write(_pick(input, 0, None, keepdim, MedianResult), out, "median")
    x = input._data
    n = x.shape[d]
    pos = np.full(_kept(x.shape, d), (n - 1) // 2, np.int64)
    if x.dtype.kind == "f":
        nans = np.isnan(x).sum(axis=d, keepdims=True)
        pos = np.where(nans > 0, n - nans, pos)  # sorted NaNs sit last: the first one
    return _write(_pick(input, d, pos, keepdim, MedianResult), out, "median")


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """:func:`median` ignoring NaN: the lower median of the other elements (NaN where a
    slice holds only NaN)."""
    _check_tensor(input, "nanmedian")
    if dim is None:
        return _write(_median_all(input, True, "nanmedian"), out, "nanmedian")
    d = _reduce_dim(input, dim, "nanmedian")
    if input.ndim == 0:
        return _write(_pick(input, 0, None, keepdim, NanmedianResult), out, "nanmedian")
    x = input._data
    count = x.shape[d]
    if x.dtype.kind == "f":
        count = x.shape[d] - np.isnan(x).sum(axis=d, keepdims=True)
    pos = np.broadcast_to(np.maximum(count - 1, 0) // 2, _kept(x.shape, d)).astype(np.int64)
    return _write(_pick(input, d, pos, keepdim, NanmedianResult), out, "nanmedian")


def _kept(shape, d):
    return tuple(1 if i == d else s for i, s in enumerate(shape))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """``(values, indices)`` of the ``k``-th smallest element (``k`` counts from 1) along
    ``dim``; NaN counts as the largest value. The gradient goes to the returned index."""
    _check_tensor(input, "kthvalue")
    d = _reduce_dim(input, dim, "kthvalue")
    n = input.shape[d] if input.ndim else 1
    if isinstance(k, Tensor):
        k = k.item()
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValueError(f"kthvalue: k must be an int in [1, {n}] (the size of dim {d}), "
                         f"got {k!r}")
    if input.ndim == 0:
        return _write(_pick(input, 0, None, keepdim, KthvalueResult), out, "kthvalue")
    pos = np.full(_kept(input.shape, d), int(k) - 1, np.int64)
    return _write(_pick(input, d, pos, keepdim, KthvalueResult), out, "kthvalue")


def mode(input, dim=-1, keepdim=False, *, out=None):
    """``(values, indices)`` of the most frequent value along ``dim``: among equally frequent
    values the smallest, and the index of its last occurrence (PyTorch's CPU choice). Each
    NaN counts as a value of its own. The gradient goes to the returned index."""
    _check_tensor(input, "mode")
    d = _reduce_dim(input, dim, "mode")
    if input.ndim == 0:
        return _write(_pick(input, 0, None, keepdim, ModeResult), out, "mode")
    x = np.moveaxis(input._data, d, -1)
    n = x.shape[-1]
    flat = x.reshape(-1, n)
    order = np.argsort(flat, axis=1, kind="stable")
    s = np.take_along_axis(flat, order, axis=1)
    ar = np.broadcast_to(np.arange(n), s.shape)
    starts = np.ones(s.shape, bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones(s.shape, bool)
    ends[:, :-1] = starts[:, 1:]
    run_start = np.maximum.accumulate(np.where(starts, ar, 0), axis=1)
    run_end = np.flip(np.minimum.accumulate(np.flip(np.where(ends, ar, n), 1), axis=1), 1)
    # argmax picks the first longest run: sorted ascending, so the smallest value
    best = np.argmax(np.where(starts, run_end - run_start, -1), axis=1)
    last = run_end[np.arange(flat.shape[0]), best]
    idx = order[np.arange(flat.shape[0]), last].reshape(x.shape[:-1] + (1,))
    idx = np.moveaxis(idx, -1, d)
    values = input.gather(d, Tensor._wrap(idx))
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return _write(ModeResult(values, Tensor._wrap(idx)), out, "mode")


def _write(result, out, name):
    from .._api import _write_out_pair
    return _write_out_pair(result, out, name)


# ----- quantiles ----------------------------------------------------------------------------
def _q_array(q, input, name):
    """``(q as a 1-D float array, whether q was a scalar)``, checked as PyTorch does."""
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise ValueError(f"{name}: q must be a scalar or a 1-D tensor, got shape {q.shape}")
        if q.dtype != input.dtype:
            raise TypeError(f"{name}: q tensor must have the input's dtype {input.dtype}, got "
                            f"{q.dtype}")
        scalar, qa = q.ndim == 0, q._data.reshape(-1)
    elif isinstance(q, (int, float, np.integer, np.floating)) and not isinstance(q, bool):
        scalar, qa = True, np.asarray([q], dtype=input.dtype)
    else:
        raise TypeError(f"{name}: q must be a number or a 1-D tensor, got {type(q).__name__}")
    if not np.all((qa >= 0) & (qa <= 1)):
        raise ValueError(f"{name}: q must be in the range [0, 1], got {q!r}")
    return qa, scalar


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    _check_tensor(input, name)
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got dtype "
                        f"{input.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{name}: interpolation must be one of {', '.join(_INTERPOLATIONS)}, "
                         f"got {interpolation!r}")
    qa, scalar = _q_array(q, input, name)
    if input._data.size == 0:
        raise ValueError(f"{name}: input tensor must be non-empty")
    if dim is None:
        x = input.reshape(-1)
        kept = (1,) * input.ndim
    else:
        d = _norm_dim(dim, input.ndim, name) if input.ndim else 0
        x = input.reshape(1) if input.ndim == 0 else _movedim(input, d, -1)
        kept = _kept(input.shape, d) if input.ndim else ()
    # rank of each quantile among each slice's sorted values, as PyTorch computes it (in the
    # input's dtype); a slice with a NaN (nanquantile: only NaN) takes a NaN, sorted last
    n = x.shape[-1]
    xs = x.sort(dim=-1).values
    nans = np.isnan(x._data).sum(axis=-1, keepdims=True)
    valid = n - nans if ignore_nan else np.full(nans.shape, n)
    bad = (valid == 0) if ignore_nan else (nans > 0)
    rank = qa * (np.maximum(valid, 1) - 1).astype(input.dtype)
    rank = np.where(bad, n - 1, rank)
    if interpolation == "nearest":
        rank = np.round(rank)
    lo = np.floor(rank).astype(np.int64)
    hi = np.ceil(rank).astype(np.int64)
    if interpolation in ("lower", "nearest"):
        hi = lo
    elif interpolation == "higher":
        lo = hi
    below = xs.gather(-1, Tensor._wrap(lo))
    if interpolation in ("linear", "midpoint"):
        above = xs.gather(-1, Tensor._wrap(hi))
        w = np.broadcast_to(np.asarray(0.5 if interpolation == "midpoint" else rank - lo,
                                       dtype=input.dtype), rank.shape)
        diff = above - below
        # PyTorch's lerp: from the nearer end, so the rounding agrees in float32
        r = (below + diff * Tensor._wrap(w)).where(
            Tensor._wrap(w < 0.5), above - diff * Tensor._wrap(1 - w))
    else:
        r = below
    r = _movedim(r, -1, 0)  # the q dim goes first, as PyTorch
    shape = (len(qa),) + (kept if keepdim else r.shape[1:])
    r = r.reshape(*shape)
    return r.squeeze(0) if scalar else r


def _movedim(t, src, dst):
    order = list(range(t.ndim))
    order.insert(dst % t.ndim, order.pop(src % t.ndim))
    return t.permute(*order)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (``q`` a number or a 1-D tensor in [0, 1]) of all elements or
    along ``dim``. With ``n`` values sorted as ``v``, rank ``r = q (n - 1)``; ``linear`` gives
    ``v[floor r] + (r - floor r) (v[ceil r] - v[floor r])``, ``lower`` ``v[floor r]``,
    ``higher`` ``v[ceil r]``, ``midpoint`` their mean, ``nearest`` ``v[round r]`` (half to
    even). A 1-D ``q`` adds a first dim. A slice holding a NaN gives NaN. Differentiable (the
    gradient goes to the sorted elements used)."""
    return _write(_quantile(input, q, dim, keepdim, interpolation, False, "quantile"), out,
                  "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """:func:`quantile` ignoring NaN (NaN only where a slice holds only NaN)."""
    return _write(_quantile(input, q, dim, keepdim, interpolation, True, "nanquantile"), out,
                  "nanquantile")


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements, ``nansum(input) / count(not isnan(input))``, over
    ``dim`` (all dims when None; an int or a tuple); NaN where a slice holds only NaN.
    Floating-point input only, as PyTorch."""
    from .reduction import _dims
    _check_tensor(input, "nanmean")
    x = input
    if dtype is not None:
        from ..tensor import _resolve_dtype
        dt = _resolve_dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"nanmean: dtype must be a floating-point dtype, got {dt}")
        x = x.to(dt)
    if x.dtype.kind != "f":
        raise TypeError(f"nanmean: expected a floating-point tensor, got dtype {x.dtype}")
    dims = _dims(dim, x.ndim, "nanmean")
    keep = ~np.isnan(x._data)
    count = np.sum(keep, axis=dims, keepdims=keepdim).astype(x.dtype)
    total = x.where(Tensor._wrap(keep), 0.0).sum(dim=dims, keepdim=keepdim)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _write(total / Tensor._wrap(count), out, "nanmean")


# ----- running extremes ---------------------------------------------------------------------
def _cum_extreme(input, dim, largest, result, name):
    _check_tensor(input, name)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an int, got {dim!r}")
    d = _norm_dim(dim, input.ndim, name)
    if input.ndim == 0:
        return result(input.clone(), Tensor._wrap(np.zeros((), np.int64)))
    x = input._data
    if x.shape[d] == 0:
        return result(input.clone(), Tensor._wrap(np.zeros(x.shape, np.int64)))
    acc = (np.maximum if largest else np.minimum).accumulate(x, axis=d)
    # The running extreme changes only where an element equals it; the latest such element
    # is the index (PyTorch's `>=`: the last of equal extremes, and a NaN sticks).
    hit = x == acc
    if x.dtype.kind == "f":
        hit |= np.isnan(x)
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    ar = np.arange(x.shape[d]).reshape(shape)
    idx = np.maximum.accumulate(np.where(hit, ar, 0), axis=d).astype(np.int64)
    return result(input.gather(d, Tensor._wrap(idx)), Tensor._wrap(idx))


def cummax(input, dim, *, out=None):
    """``(values, indices)``: the running maximum along ``dim`` and where it was reached (the
    latest of equal maxima); once a NaN is met the values stay NaN. The gradient goes to the
    indexed elements."""
    return _write(_cum_extreme(input, dim, True, CummaxResult, "cummax"), out, "cummax")


def cummin(input, dim, *, out=None):
    """``(values, indices)``: the running minimum along ``dim``, as :func:`cummax`."""
    return _write(_cum_extreme(input, dim, False, CumminResult, "cummin"), out, "cummin")


def logcumsumexp(input, dim, *, out=None):
    """``out[i] = log(exp(input[0]) + ... + exp(input[i]))`` along ``dim``, computed stably
    (``logaddexp`` running), so it is finite for any finite input. Floating-point input only,
    as PyTorch."""
    _check_tensor(input, "logcumsumexp")
    if input.dtype.kind != "f":
        raise TypeError(f"logcumsumexp: expected a floating-point tensor, got dtype "
                        f"{input.dtype}")
    d = _norm_dim(dim, input.ndim, "logcumsumexp") if input.ndim else 0
    if input.ndim == 0:
        return _write(input.clone(), out, "logcumsumexp")
    data = np.logaddexp.accumulate(input._data, axis=d).astype(input.dtype, copy=False)

    def backward(g, out_t):
        # grad[k] = sum_{j >= k} g[j] exp(x[k] - out[j]); summed in log space with the positive
        # and negative parts of g apart, so nothing overflows (TensorFlow's and PyTorch's way)
        return (_logcumsumexp_grad(input, g, out_t, d),)

    return _write(make(data, (input,), backward, "Logcumsumexp"), out, "logcumsumexp")


def _logcumsumexp_grad(x, g, out, d):
    ninf = float("-inf")
    # out[j] = -inf only where every x[k <= j] is -inf; those terms are exp(-inf) = 0 anyway,
    # and a finite stand-in keeps -inf - -inf (NaN) out of the graph
    finite = Tensor._wrap(np.isfinite(out._data))
    out = out.where(finite, 0.0)

    def reverse_lcse(t):
        return logcumsumexp(t.flip(d), d).flip(d)

    def part(mask_arr, signed):
        mask = Tensor._wrap(mask_arr)
        logg = signed.where(mask, 1.0).log().where(mask, ninf)
        return (reverse_lcse(logg - out) + x).exp()

    gd = g._data
    pos, neg = gd > 0, gd < 0
    if not neg.any():
        return part(pos, g) if pos.any() else g * 0.0
    if not pos.any():
        return -part(neg, -g)
    return part(pos, g) - part(neg, -g)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``(min, max)`` over all elements or along ``dim``, as ``(amin(input), amax(input))``
    (the gradient of each shared evenly among tied extremes, as PyTorch's)."""
    from .reduction import amax, amin
    _check_tensor(input, "aminmax")
    if input._data.size == 0 or (dim is not None and input.ndim
                                 and input.shape[_norm_dim(dim, input.ndim, "aminmax")] == 0):
        raise ValueError("aminmax: cannot compute aminmax over an empty dimension (the "
                         "operation has no identity)")
    if dim is not None:
        dim = _norm_dim(dim, input.ndim, "aminmax") if input.ndim else None
    return _write(AminmaxResult(amin(input, dim, keepdim), amax(input, dim, keepdim)), out,
                  "aminmax")


def msort(input, *, out=None):
    """``sort(input, dim=0).values``: sorted along the first dim (differentiable)."""
    from .sorting import sort
    _check_tensor(input, "msort")
    return _write(sort(input, 0).values, out, "msort")
