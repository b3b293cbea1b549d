"""Row lookup ``weight[idx]`` and its adjoint, the row scatter-add, for ``Embedding``.

The two ops are each other's backward, so gradients of any order work. The scatter sums
the gradient rows of repeated indices with one stable sort and ``np.add.reduceat``,
a few times faster than ``np.add.at``.
"""
import numpy as np

from ..tensor import make


def lookup(weight, idx):
    """``weight[idx]`` for an integer array ``idx`` (validated by the caller)."""
    num = weight.shape[0]

    def backward(g, out):
        return (scatter_rows(g, idx, num),)

    return make(weight._data[idx], (weight,), backward, "Embedding")


def scatter_rows(g, idx, num):
    """``zeros((num,) + row shape)`` with the rows of ``g`` added at ``idx``."""
    row_shape = g.shape[idx.ndim:]
    flat_idx = idx.reshape(-1)
    rows = g._data.reshape((flat_idx.size,) + row_shape)
    out = np.zeros((num,) + row_shape, dtype=g.dtype)
    if flat_idx.size:
        order = np.argsort(flat_idx, kind="stable")
        sorted_idx = flat_idx[order]
        starts = np.flatnonzero(np.r_[True, sorted_idx[1:] != sorted_idx[:-1]])
        out[sorted_idx[starts]] = np.add.reduceat(rows[order], starts, axis=0)

    def backward(G, o):
        return (lookup(G, idx),)

    return make(out, (g,), backward, "EmbeddingBackward")
