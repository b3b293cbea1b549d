"""Counting and searching with PyTorch's names: unique, unique_consecutive, count_nonzero,
bincount, histc, histogram, bucketize, searchsorted, isin (exported through
:mod:`minigrad.ops.statistics`).

None of these is differentiable in PyTorch except through ``unique``'s output, whose
backward PyTorch does not implement either; here every result is a constant tensor.
"""
from collections import namedtuple

import numpy as np

from ..tensor import Tensor, _norm_dim

__all__ = ["unique", "unique_consecutive", "count_nonzero", "bincount", "histc", "histogram",
           "bucketize", "searchsorted", "isin"]

HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])


def _tensor_arg(x, name, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: {arg} must be a Tensor, got {type(x).__name__}")
    return x._data


def _const(a, dtype=None):
    return Tensor._wrap(np.asarray(a if dtype is None else np.asarray(a).astype(dtype)))


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    out = [_const(values)]
    if return_inverse:
        out.append(_const(inverse, np.int64))
    if return_counts:
        out.append(_const(counts, np.int64))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (with ``dim``: the distinct slices along ``dim``), sorted, and
    optionally ``inverse`` (where each input element went: the input's shape, or the size of
    ``dim``) and ``counts``. Returns a tensor, or a tuple when either flag is set, as
    PyTorch. Always sorted (PyTorch's CPU kernel sorts even with ``sorted=False``); each NaN
    is distinct. Departure: the output does not require grad (PyTorch's has a ``grad_fn``
    whose backward is not implemented)."""
    x = _tensor_arg(input, "unique", "input")
    if dim is None:
        flat = x.reshape(-1)
        values, inv, counts = np.unique(flat, return_inverse=True, return_counts=True,
                                        equal_nan=False)
        inv = inv.reshape(x.shape)
    else:
        d = _norm_dim(dim, x.ndim, "unique")
        if x.shape[d] == 0:
            return _unique_result(x.copy(), np.zeros(0), np.zeros(0), return_inverse,
                                  return_counts)
        values, inv, counts = np.unique(x, return_inverse=True, return_counts=True, axis=d)
        inv = inv.reshape(-1)
    return _unique_result(values, inv, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Like :func:`unique`, collapsing only runs of equal consecutive elements (or slices
    along ``dim``), in their order: ``[1, 1, 2, 1]`` gives ``[1, 2, 1]``."""
    x = _tensor_arg(input, "unique_consecutive", "input")
    if dim is None:
        flat = x.reshape(-1)
        change = flat[1:] != flat[:-1]
        lead = flat
        d = 0
    else:
        d = _norm_dim(dim, x.ndim, "unique_consecutive")
        lead = np.moveaxis(x, d, 0)
        change = (lead[1:] != lead[:-1]).reshape(max(lead.shape[0] - 1, 0), -1).any(axis=1)
    n = lead.shape[0]
    if n == 0:
        return _unique_result(lead if dim is None else x.copy(), np.zeros(x.shape if dim is None
                              else 0), np.zeros(0), return_inverse, return_counts)
    starts = np.concatenate([[True], change])
    first = np.flatnonzero(starts)
    inv = np.cumsum(starts) - 1
    counts = np.diff(np.append(first, n))
    values = lead[first] if dim is None else np.moveaxis(lead[first], 0, d)
    if dim is None:
        inv = inv.reshape(x.shape)
    return _unique_result(values, inv, counts, return_inverse, return_counts)


def count_nonzero(input, dim=None):
    """The number of non-zero elements (NaN counts) over ``dim`` (an int or a tuple; all dims
    when None), as int64."""
    from .reduction import _dims
    x = _tensor_arg(input, "count_nonzero", "input")
    dims = _dims(dim, x.ndim, "count_nonzero")
    return _const(np.count_nonzero(x, axis=dims), np.int64)


def _int_1d(x, name, what):
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
        raise ValueError(f"{name}: {what} must be a 1-D tensor of non-negative integers, got "
                         f"shape {x.shape} and dtype {x.dtype}")


def bincount(input, weights=None, minlength=0):
    """``out[i]`` = how many elements of the 1-D non-negative integer ``input`` equal ``i``
    (with ``weights``: the sum of their weights); length ``max(input) + 1`` or ``minlength``.
    int64 without weights; with weights their dtype if float32, else float64 (PyTorch's
    rule). Not differentiable, as PyTorch's."""
    x = _tensor_arg(input, "bincount", "input")
    _int_1d(x, "bincount", "input")
    if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)) \
            or minlength < 0:
        raise ValueError(f"bincount: minlength must be a non-negative int, got {minlength!r}")
    if weights is None:
        return _const(np.bincount(x, minlength=int(minlength)), np.int64)
    w = _tensor_arg(weights, "bincount", "weights")
    if w.shape != x.shape:
        raise ValueError(f"bincount: weights must be 1-D and as long as input, got shape "
                         f"{w.shape} for input of shape {x.shape}")
    dt = np.float32 if w.dtype == np.float32 else np.float64
    return _const(np.bincount(x, weights=w.astype(np.float64), minlength=int(minlength)), dt)


def _number(v, name, what):
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: {what} must be a number, got {v!r}")
    return v


def _bins_count(bins, name):
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise ValueError(f"{name}: bins must be a positive int, got {bins!r}")
    return int(bins)


def _float_input(input, name):
    x = _tensor_arg(input, name, "input")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got dtype {x.dtype}")
    return x


def _auto_range(x, lo, hi, pad, name):
    """``(lo, hi)``; when equal, the data's range, widened by ``pad`` if still empty."""
    if lo == hi and x.size:
        finite = x[np.isfinite(x)] if np.isnan(x).any() else x
        lo, hi = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
    if lo == hi:
        lo, hi = lo - pad, hi + pad
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name}: range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise ValueError(f"{name}: max must be larger than min, got min={lo}, max={hi}")
    return lo, hi


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002  (PyTorch's names)
    """Histogram of ``bins`` equal-width bins over ``[min, max]`` (the data's range when
    ``min == max``, widened by 1 either side if that is empty): element ``x`` goes to bin
    ``floor((x - min) * bins / (max - min))``, ``max`` to the last bin; elements outside and
    NaN are ignored. Floating-point input; the result has its dtype."""
    from .._out import write_out
    x = _float_input(input, "histc")
    nb = _bins_count(bins, "histc")
    lo, hi = _auto_range(x, _number(min, "histc", "min"), _number(max, "histc", "max"), 1,
                         "histc")
    dt = x.dtype.type
    lo, hi = dt(lo), dt(hi)
    flat = x.reshape(-1)
    inside = flat[(flat >= lo) & (flat <= hi)]
    # the bin in the input's dtype, in PyTorch's order of operations (bin edges agree)
    with np.errstate(invalid="ignore", over="ignore"):
        pos = ((inside - lo) * dt(nb) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, nb - 1)
    return write_out(_const(np.bincount(pos, minlength=nb), x.dtype), out, "histc")


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):  # noqa: A002
    """``(hist, bin_edges)``: ``bins`` equal-width bins over ``range`` (default: the data's
    range, widened by 0.5 either side if empty), or the given increasing 1-D tensor of edges.
    Bins are ``[e[i], e[i+1])``, the last one closed. ``weight`` sums weights instead of
    counting; ``density`` divides by the total and the bin widths. The edges are computed
    as PyTorch's scalar ``linspace`` path; its vectorised path can round an edge one ulp
    apart, so an element within an ulp of an edge may land in the neighbouring bin."""
    x = _float_input(input, "histogram")
    flat = x.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data
        if edges.ndim != 1 or edges.size < 1 or edges.dtype != x.dtype:
            raise ValueError(f"histogram: bins tensor must be 1-D, non-empty and of the "
                             f"input's dtype {x.dtype}, got shape {edges.shape}, dtype "
                             f"{edges.dtype}")
        if np.any(np.diff(edges) < 0):
            raise ValueError("histogram: bin edges must be increasing")
    else:
        nb = _bins_count(bins, "histogram")
        if range is None:
            lo, hi = _auto_range(x, 0, 0, 0.5, "histogram")
        else:
            if len(range) != 2:
                raise ValueError(f"histogram: range must be (min, max), got {range!r}")
            lo, hi = _auto_range(x, _number(range[0], "histogram", "range"),
                                 _number(range[1], "histogram", "range"), 0.5, "histogram")
        edges = _linspace(lo, hi, nb, x.dtype.type)
    w = None
    if weight is not None:
        w = _tensor_arg(weight, "histogram", "weight")
        if w.shape != x.shape:
            raise ValueError(f"histogram: weight must have the input's shape {x.shape}, got "
                             f"{w.shape}")
        w = w.reshape(-1)
    nbins = edges.size - 1
    pos = np.searchsorted(edges, flat, side="right") - 1
    pos[flat == edges[-1]] = nbins - 1
    keep = (pos >= 0) & (pos < nbins) & (flat >= edges[0]) & (flat <= edges[-1])
    hist = np.bincount(pos[keep], weights=None if w is None else w[keep], minlength=nbins)
    hist = hist[:max(nbins, 0)].astype(x.dtype)
    if density:
        with np.errstate(invalid="ignore", divide="ignore"):
            hist = hist / (hist.sum() * np.diff(edges))
    result = HistogramResult(_const(hist, x.dtype), _const(edges.copy(), x.dtype))
    if out is None:
        return result
    from .._api import _write_out_pair
    return HistogramResult(*_write_out_pair(result, out, "histogram"))


def _linspace(lo, hi, nb, dt):
    """``nb + 1`` edges from ``lo`` to ``hi`` as PyTorch's ``linspace`` computes them in the
    input's dtype (each half stepped from its own end), so data on an edge lands alike."""
    lo, hi = dt(lo), dt(hi)
    step = (hi - lo) / dt(nb)
    i = np.arange(nb + 1)
    return np.where(i < (nb + 1) // 2, lo + i.astype(dt) * step,
                    hi - (nb - i).astype(dt) * step).astype(dt)


def _side(right, side, name):
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise ValueError(f"{name}: side must be 'left' or 'right', got {side!r}")
    if side == "left" and right:
        raise ValueError(f"{name}: side and right can't be set to opposites, got side of left "
                         "while right was True")
    return side


def _values(v, name, arg):
    if isinstance(v, Tensor):
        return v._data, False
    if isinstance(v, (bool, int, float, np.number)):
        return np.asarray(v), True
    raise TypeError(f"{name}: {arg} must be a Tensor or a number, got {type(v).__name__}")


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 out=None, sorter=None):
    """Indices where the elements of ``input`` would be inserted into ``sorted_sequence``
    (searched along its last dim) to keep it sorted: the first such place, or the last with
    ``right=True``/``side='right'``. A 1-D sequence serves every element of ``input``; an
    N-D one needs ``input``'s leading dims to match its own. ``sorter`` gives the indices
    that sort an unsorted sequence. int64, or int32 with ``out_int32``."""
    from .._out import write_out
    seq = _tensor_arg(sorted_sequence, "searchsorted", "sorted_sequence")
    v, scalar = _values(input, "searchsorted", "input")
    s = _side(right, side, "searchsorted")
    if seq.ndim == 0:
        raise ValueError("searchsorted: sorted_sequence must have at least one dim")
    if scalar and seq.ndim != 1:
        raise ValueError("searchsorted: a scalar input needs a 1-D sorted_sequence")
    if seq.ndim > 1 and (v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]):
        raise ValueError(f"searchsorted: sorted_sequence must be 1-D or have the same leading "
                         f"dims as input, got shapes {seq.shape} and {v.shape}")
    if sorter is not None:
        so = _tensor_arg(sorter, "searchsorted", "sorter")
        n = seq.shape[-1]
        if so.shape != seq.shape or so.dtype.kind not in "iu" or (so.size and (
                so.min() < 0 or so.max() >= n)):
            raise ValueError(f"searchsorted: sorter must be an integer tensor of "
                             f"sorted_sequence's shape {seq.shape} with values in [0, {n})")
        seq = np.take_along_axis(seq, so.astype(np.int64), axis=-1)
    if seq.ndim == 1:
        idx = np.searchsorted(seq, v, side=s)
    else:
        rows, vs = seq.reshape(-1, seq.shape[-1]), v.reshape(-1, v.shape[-1])
        idx = np.stack([np.searchsorted(r, q, side=s) for r, q in zip(rows, vs)])
        idx = idx.reshape(v.shape)
    return write_out(_const(idx, np.int32 if out_int32 else np.int64), out, "searchsorted")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """For each element ``x`` of ``input``, the index ``i`` of its bucket among the 1-D
    increasing ``boundaries``: ``boundaries[i-1] < x <= boundaries[i]``, or with
    ``right=True`` ``boundaries[i-1] <= x < boundaries[i]``. int64, or int32 with
    ``out_int32``."""
    from .._out import write_out
    b = _tensor_arg(boundaries, "bucketize", "boundaries")
    if b.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-D, got shape {b.shape}")
    v, _ = _values(input, "bucketize", "input")
    idx = np.searchsorted(b, v, side="right" if right else "left")
    return write_out(_const(idx, np.int32 if out_int32 else np.int64), out, "bucketize")


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Bool tensor of ``elements``' shape: whether each element is in ``test_elements``
    (``invert=True``: is not). Either (not both) may be a number. NaN is in nothing."""
    e, e_scalar = _values(elements, "isin", "elements")
    t, t_scalar = _values(test_elements, "isin", "test_elements")
    if e_scalar and t_scalar:
        raise TypeError("isin: elements and test_elements can't both be numbers")
    r = np.isin(e, t.reshape(-1), assume_unique=bool(assume_unique), invert=bool(invert))
    return _const(r, np.bool_)
