"""Masking by position or by a bool mask: tril, triu, masked_fill. Each keeps some elements
and replaces the others by a constant, so the gradient passes where an element was kept."""
import numpy as np

from ..tensor import Tensor, as_tensor_like, make
from .broadcast import unbroadcast


def _triangle(a, diagonal, lower, name):
    if a.ndim < 2:
        raise ValueError(f"{name}: input must have at least 2 dimensions, got shape {a.shape}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, (int, np.integer)):
        raise TypeError(f"{name}: diagonal must be an int, got {diagonal!r}")
    n, m = a.shape[-2:]
    keep = np.tri(n, m, k=int(diagonal), dtype=bool)
    if not lower:
        keep = ~np.tri(n, m, k=int(diagonal) - 1, dtype=bool)
    data = np.where(keep, a._data, np.zeros((), a.dtype))
    return make(data, (a,), lambda g, out: (_triangle(g, diagonal, lower, name),), name.capitalize())


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements ``j - i <= diagonal``), the rest 0,
    as ``torch.tril``."""
    return _triangle(input, diagonal, True, "tril")


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements ``j - i >= diagonal``), the rest 0,
    as ``torch.triu``."""
    return _triangle(input, diagonal, False, "triu")


def masked_fill(input, mask, value):
    """``input`` with ``value`` wherever the bool ``mask`` is true, as ``torch.masked_fill``:
    ``mask`` and ``input`` broadcast together; ``value`` is a number or a 0-d tensor (which
    receives the sum of the gradient over the filled elements) and takes ``input``'s dtype."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    v = as_tensor_like(value, input)
    if v.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got a tensor "
                         f"of shape {v.shape}")
    try:
        shape = np.broadcast_shapes(input.shape, m.shape)
    except ValueError:
        raise ValueError(f"masked_fill: mask of shape {m.shape} does not broadcast with the "
                         f"input's shape {input.shape}") from None
    if v.dtype != input.dtype:
        v = v.to(input.dtype) if input.dtype.kind == "f" and v.dtype.kind == "f" else \
            Tensor._wrap(v._data.astype(input.dtype))
    data = np.where(m, v._data, input._data)
    if data.dtype != input.dtype:
        data = data.astype(input.dtype)
    c = Tensor._wrap(m)

    def backward(g, out):
        zero = Tensor._wrap(np.zeros((), g.dtype))
        gi = unbroadcast(masked_fill(g, c, zero), input.shape) if input.requires_grad else None
        gv = masked_fill(g, ~Tensor._wrap(np.broadcast_to(m, shape)), zero).sum() \
            if v.requires_grad else None
        return gi, gv

    return make(data, (input, v), backward, "MaskedFill")
