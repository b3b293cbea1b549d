"""Index writes with PyTorch's names: index_fill, index_copy, masked_scatter, put, take,
take_along_dim (their in-place forms are in :mod:`minigrad.ops.scatter`). Each writes or
reads through a constant index, so its backward routes the gradient through the same index
with recorded ops."""
import numpy as np

from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, as_tensor_like, make
from .indexing import gather
from .masking import masked_fill
from .shape import pad

__all__ = ["index_fill", "index_copy", "masked_scatter", "put", "take", "take_along_dim"]


def _index_array(index, name, what="index"):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: {what} must be an integer (int64) tensor, got dtype {idx.dtype}")
    return idx


def _src_tensor(src, input, name):
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise TypeError(f"{name}: src must have the same dtype as the input, got "
                            f"{src.dtype} and {input.dtype}")
        return src
    raise TypeError(f"{name}: src must be a Tensor, got {type(src).__name__}")


# ----- index writes -------------------------------------------------------------------------
def _dim_index(name, input, dim, index):
    d = _norm_dim(dim, max(input.ndim, 1), name)
    idx = _index_array(index, name)
    if idx.ndim > 1:
        raise IndexError(f"{name}: index must be a 0-d or 1-d integer tensor, got shape "
                         f"{idx.shape}")
    idx = idx.reshape(-1)
    n = input.shape[d] if input.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"{name}: index {bad} is out of range for dim {d} of size {n}")
    return d, idx % max(n, 1)


def index_fill(input, dim, index, value):
    """``input`` with every slice ``index[i]`` along ``dim`` set to ``value`` (a number or a
    0-d tensor, which receives the sum of the gradient over the filled slices), as
    ``torch.index_fill``."""
    d, idx = _dim_index("index_fill", input, dim, index)
    v = as_tensor_like(value, input)
    if v.ndim != 0:
        raise ValueError(f"index_fill: value must be a number or a 0-d tensor, got a tensor "
                         f"of shape {v.shape}")
    if v.dtype != input.dtype:
        v = v.to(input.dtype) if input.dtype.kind == "f" and v.dtype.kind == "f" else \
            Tensor._wrap(v._data.astype(input.dtype))
    mask = np.zeros(input.shape, bool)
    mask[(slice(None),) * d + (idx,)] = True
    data = np.where(mask, v._data, input._data).astype(input.dtype, copy=False)
    mt = Tensor._wrap(mask)

    def backward(g, out):
        zero = Tensor._wrap(np.zeros((), g.dtype))
        return (masked_fill(g, mt, zero) if input.requires_grad else None,
                (g * Tensor._wrap(mask.astype(g.dtype))).sum() if v.requires_grad else None)

    return make(data, (input, v), backward, "IndexFill", SAVES_NOTHING)


def index_copy(input, dim, index, source):
    """``input`` with slice ``i`` of ``source`` along ``dim`` copied to slice ``index[i]``,
    as ``torch.index_copy`` (with repeated indices one copy wins, unspecified in PyTorch)."""
    d, idx = _dim_index("index_copy", input, dim, index)
    source = _src_tensor(source, input, "index_copy")
    expected = input.shape[:d] + (idx.size,) + input.shape[d + 1:]
    if source.shape != expected and not (input.ndim == 0 and source.numel() == idx.size):
        raise ValueError(f"index_copy: source of shape {source.shape} does not match the "
                         f"expected shape {expected} (the input's, with len(index) in dim {d})")
    if input.ndim == 0:
        return index_copy(input.reshape(1), 0, index, source.reshape(-1)).reshape(())
    sel = (slice(None),) * d + (idx,)
    data = input._data.copy()
    data[sel] = source._data
    keep = np.ones(input.shape, bool)
    keep[sel] = False
    keep = Tensor._wrap(keep)

    def backward(g, out):
        return (g * keep if input.requires_grad else None,
                g[sel] if source.requires_grad else None)

    return make(data, (input, source), backward, "IndexCopy", SAVES_NOTHING)


def _bool_mask(mask, name):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{name}: mask must be a bool tensor, got dtype {m.dtype}")
    return m


def masked_scatter(input, mask, source):
    """``input`` with the positions where ``mask`` (broadcast with ``input``) is true filled,
    in row-major order, with the first elements of ``source``, as ``torch.masked_scatter``."""
    m = _bool_mask(mask, "masked_scatter")
    source = _src_tensor(source, input, "masked_scatter")
    try:
        shape = np.broadcast_shapes(input.shape, m.shape)
    except ValueError:
        raise ValueError(f"masked_scatter: mask of shape {m.shape} does not broadcast with the "
                         f"input's shape {input.shape}") from None
    if shape != input.shape:
        input = input.expand(shape)
    m = np.broadcast_to(m, shape)
    k = int(m.sum())
    if k > source.numel():
        raise ValueError(f"masked_scatter: mask has {k} true elements but source has only "
                         f"{source.numel()}")
    data = input._data.copy()
    data[m] = source._data.reshape(-1)[:k]
    mt = Tensor._wrap(m)

    def backward(g, out):
        gi = masked_fill(g, mt, 0) if input.requires_grad else None
        gs = None
        if source.requires_grad:
            gs = pad(g[m], (0, source.numel() - k)).reshape(source.shape)
        return gi, gs

    return make(data, (input, source), backward, "MaskedScatter", SAVES_NOTHING)


def _flat_index(name, input, index):
    idx = _index_array(index, name)
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"{name}: index {bad} is out of range for a tensor of {n} elements")
    return idx % max(n, 1)


def take(input, index):
    """``input`` read as 1-d at ``index`` (negative indices count from the end); the result
    has ``index``'s shape, as ``torch.take``."""
    idx = _flat_index("take", input, index)
    return input.reshape(-1)[Tensor._wrap(idx)] if idx.ndim else \
        input.reshape(-1)[Tensor._wrap(idx.reshape(1))].reshape(())


def put(input, index, source, accumulate=False):
    """``input`` read as 1-d with ``source``'s elements written (added, with ``accumulate``)
    at ``index``, as ``torch.put``; ``source`` has as many elements as ``index``."""
    idx = _flat_index("put", input, index).reshape(-1)
    source = _src_tensor(source, input, "put")
    if source.numel() != idx.size:
        raise ValueError(f"put: source has {source.numel()} elements but index has {idx.size}")
    flat = input._data.reshape(-1).copy()
    if accumulate:
        np.add.at(flat, idx, source._data.reshape(-1))
    else:
        flat[idx] = source._data.reshape(-1)
    keep = None
    if not accumulate:
        keep = np.ones(flat.size, bool)
        keep[idx] = False
        keep = Tensor._wrap(keep.reshape(input.shape))
    ti = Tensor._wrap(idx)

    def backward(g, out):
        gi = (g if accumulate else g * keep) if input.requires_grad else None
        gs = g.reshape(-1)[ti].reshape(source.shape) if source.requires_grad else None
        return gi, gs

    return make(flat.reshape(input.shape), (input, source), backward, "Put", SAVES_NOTHING)


def take_along_dim(input, indices, dim=None):
    """``gather`` with ``indices`` broadcast against ``input`` outside ``dim``, as
    ``torch.take_along_dim``; with ``dim=None`` both are flattened first."""
    idx = _index_array(indices, "take_along_dim", "indices")
    if dim is None:
        return take(input, idx.reshape(-1))
    d = _norm_dim(dim, input.ndim, "take_along_dim")
    if idx.ndim != input.ndim:
        raise ValueError(f"take_along_dim: input ({input.ndim}-d) and indices ({idx.ndim}-d) "
                         f"must have the same number of dimensions")
    n = input.shape[d]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take_along_dim: indices out of range [-{n}, {n}) for dim {d}")
    try:
        sa = np.broadcast_shapes(input.shape[:d] + (1,) + input.shape[d + 1:],
                                 idx.shape[:d] + (1,) + idx.shape[d + 1:])
    except ValueError:
        raise ValueError(f"take_along_dim: input of shape {input.shape} and indices of shape "
                         f"{idx.shape} do not broadcast outside dim {d}") from None
    a = input.expand(sa[:d] + (n,) + sa[d + 1:])
    i = np.broadcast_to(idx % max(n, 1), sa[:d] + (idx.shape[d],) + sa[d + 1:])
    return gather(a, d, Tensor._wrap(np.ascontiguousarray(i)))
