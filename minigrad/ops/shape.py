"""Shape ops: reshape, transpose, permute, flatten, squeeze, unsqueeze, expand, cat, stack,
split, chunk, pad. Each backward undoes the rearrangement on the gradient."""
import numpy as np

from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, make, make_view
from .broadcast import unbroadcast


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(a, *shape):
    """``a`` in a new shape (one -1 is inferred). A view sharing ``a``'s memory when the
    layout allows it (always for contiguous ``a``), else a copy, as PyTorch's ``reshape``."""
    shape = _shape_args(shape)
    arr = a._writable_array()
    try:
        data = arr.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                         f"({arr.size} elements) into shape {shape}") from None
    src = a.shape

    def backward(g, out):
        return (g.reshape(src),)

    base = data.base
    if base is not None and (base is arr or base is arr.base):
        return make_view(data, a, backward, "View", ("reshape", data.shape))
    return make(data, (a,), backward, "Reshape", SAVES_NOTHING)


def transpose(a, dim0, dim1):
    d0, d1 = _norm_dim(dim0, a.ndim, "transpose"), _norm_dim(dim1, a.ndim, "transpose")
    if a.ndim < 2:
        return a
    return make_view(np.swapaxes(a._writable_array(), d0, d1), a,
                     lambda g, out: (g.transpose(d0, d1),), "Transpose", ("transpose", (d0, d1)))


def permute(a, *dims):
    dims = _shape_args(dims)
    if sorted(_norm_dim(d, a.ndim, "permute") for d in dims) != list(range(a.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the {a.ndim} dims "
                         f"of a tensor of shape {a.shape}")
    dims = tuple(d % a.ndim for d in dims)
    inverse = tuple(np.argsort(dims))
    return make_view(np.transpose(a._writable_array(), dims), a,
                     lambda g, out: (g.permute(*inverse),), "Permute", ("permute", dims))


def flatten(a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return a.reshape(1)
    s, e = _norm_dim(start_dim, a.ndim, "flatten"), _norm_dim(end_dim, a.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) comes after end_dim ({end_dim})")
    shape = a.shape[:s] + (int(np.prod(a.shape[s:e + 1])),) + a.shape[e + 1:]
    return a.reshape(shape)


def squeeze(a, dim=None):
    if dim is None:
        shape = tuple(s for s in a.shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {_norm_dim(d, a.ndim, "squeeze") for d in dims}
        shape = tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1))
    return a.reshape(shape)


def unsqueeze(a, dim):
    d = _norm_dim(dim, a.ndim + 1, "unsqueeze")
    return a.reshape(a.shape[:d] + (1,) + a.shape[d:])


def broadcast_to(a, shape):
    shape = tuple(int(s) for s in shape)
    if shape == a.shape:
        return a
    try:
        data = np.broadcast_to(a._writable_array(), shape)
    except ValueError:
        raise ValueError(f"expand: a tensor of shape {a.shape} cannot be expanded to "
                         f"shape {shape}") from None
    src = a.shape
    return make_view(data, a, lambda g, out: (unbroadcast(g, src),), "Expand",
                     ("expand", shape))


def expand(a, *sizes):
    """Broadcast to ``sizes``; -1 keeps that dim's size. Returns a read-only view."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes given for a {a.ndim}-d tensor of "
                         f"shape {a.shape}")
    shape = tuple(a.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return broadcast_to(a, shape)


def _select(g, dim, index):
    return g[(slice(None),) * dim + (index,)]


def cat(tensors, dim=0):
    """Concatenate along an existing ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    d = _norm_dim(dim, tensors[0].ndim, "cat")
    for t in tensors[1:]:
        if t.ndim != tensors[0].ndim or any(
                s != s0 for i, (s, s0) in enumerate(zip(t.shape, tensors[0].shape)) if i != d):
            raise ValueError(f"cat: shapes {[tuple(x.shape) for x in tensors]} do not match "
                             f"outside dim {d}")
    data = np.concatenate([t._data for t in tensors], axis=d)
    bounds = np.cumsum([0] + [t.shape[d] for t in tensors])

    def backward(g, out):
        return tuple(_select(g, d, slice(int(lo), int(hi))) if t.requires_grad else None
                     for t, lo, hi in zip(tensors, bounds[:-1], bounds[1:]))

    return make(data, tuple(tensors), backward, "Cat", SAVES_NOTHING)


def stack(tensors, dim=0):
    """Stack equal-shaped tensors along a new ``dim``."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got "
                         f"{[tuple(t.shape) for t in tensors]}")
    d = _norm_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(d) for t in tensors], dim=d)


def split(a, split_size_or_sections, dim=0):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the given sizes."""
    d = _norm_dim(dim, a.ndim, "split")
    n = a.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} do not add up to dim {d}'s size {n}")
    else:
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be a positive int, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    bounds = np.cumsum([0] + sizes)
    return tuple(_select(a, d, slice(int(lo), int(hi))) for lo, hi in zip(bounds[:-1], bounds[1:]))


def chunk(a, chunks, dim=0):
    """Split into ``chunks`` pieces of ``ceil(n / chunks)`` (fewer if n is small), as PyTorch."""
    if int(chunks) <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks}")
    n = a.shape[_norm_dim(dim, a.ndim, "chunk")]
    return split(a, max(-(-n // int(chunks)), 1), dim)


def pad(a, pad, mode="constant", value=0.0):
    """Pad with a constant. ``pad`` lists (before, after) pairs starting from the LAST dim,
    as ``torch.nn.functional.pad``: ``(1, 1, 2, 0)`` pads the last dim by 1 on each side and
    the one before it by 2 at the start."""
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > a.ndim:
        raise ValueError(f"pad: expected an even number of at most {2 * a.ndim} values for a "
                         f"{a.ndim}-d tensor, got {len(pad)}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {pad} is not supported")
    widths = [(0, 0)] * a.ndim
    for i in range(len(pad) // 2):
        widths[a.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    data = np.pad(a._data, widths, mode="constant", constant_values=value)
    region = tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, a.shape))
    return make(data, (a,), lambda g, out: (g[region],), "Pad", SAVES_NOTHING)
