"""Sorting and selection along a dim: sort, argsort, topk. The values are a ``gather`` of
the input at the sorted indices, so the gradient scatters back to where each value came from
(and differentiates again)."""
from collections import namedtuple

import numpy as np

from ..tensor import Tensor, _norm_dim

SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])


def _order(x, d, descending):
    """Indices that sort ``x`` along ``d``, stable (equal elements keep their order in both
    directions, as PyTorch's ``stable=True``); NaN counts as the largest value, as in PyTorch."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    n = x.shape[d]
    # sort the reversed array ascending, then reverse: ties come out in their original order
    rev = np.flip(x, axis=d)
    return (n - 1) - np.flip(np.argsort(rev, axis=d, kind="stable"), axis=d)


def _dim(a, dim, name):
    return _norm_dim(dim, a.ndim, name) if a.ndim else 0


def _take(a, d, idx):
    if a.ndim == 0:
        return a.clone(), Tensor._wrap(np.zeros((), np.int64))
    return a.gather(d, Tensor._wrap(idx)), Tensor._wrap(idx.astype(np.int64, copy=False))


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim``, as ``torch.sort``. The sort is
    always stable (``stable`` is accepted for PyTorch's signature): PyTorch's unstable sort
    may order tied elements differently."""
    d = _dim(input, dim, "sort")
    idx = _order(input._data, d, descending) if input.ndim else None
    return SortResult(*_take(input, d, idx))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices :func:`sort` returns (int64, no gradient)."""
    if input.ndim == 0:
        return Tensor._wrap(np.zeros((), np.int64))
    d = _dim(input, dim, "argsort")
    return Tensor._wrap(_order(input._data, d, descending).astype(np.int64, copy=False))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their
    indices, as ``torch.topk``, in sorted order; among equal values the earlier index
    comes first."""
    d = _dim(input, dim, "topk")
    n = input.shape[d] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int in [0, {n}] (the size of dim {d}), got {k!r}")
    if input.ndim == 0:
        return TopkResult(*_take(input, d, None))
    idx = _order(input._data, d, largest)
    idx = np.take(idx, np.arange(int(k)), axis=d)
    return TopkResult(*_take(input, d, idx))
