"""Rearrangements with PyTorch's names: movedim, swapaxes, unflatten, tensor_split and the
h/v/dsplits, atleast_*d, column_stack, dstack, row_stack, rot90, meshgrid,
broadcast_tensors/shapes, tri*_indices, unfold, diff, diag_embed.

The ones PyTorch returns as views are built from the view ops (permute, transpose, reshape,
slicing, expand), so they share memory and the version counter and the storage machinery
knows them; the others are compositions of recorded ops, so their gradients (and gradients
of gradients) come for free.
"""
import numpy as np

from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, make, make_view
from .indexing import index_add_zeros
from .selection import _diagonal, diagonal_array
from .shape import broadcast_to, cat, permute, reshape, transpose

__all__ = ["movedim", "moveaxis", "swapaxes", "swapdims", "unflatten", "tensor_split",
           "hsplit", "vsplit", "dsplit", "atleast_1d", "atleast_2d", "atleast_3d",
           "column_stack", "dstack", "row_stack", "rot90", "meshgrid", "broadcast_tensors",
           "broadcast_shapes", "triu_indices", "tril_indices", "unfold", "diff", "diag_embed"]


def _dims(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def movedim(input, source, destination):
    """``input`` with the dims ``source`` moved to positions ``destination`` (the others keep
    their order): a view, as ``torch.movedim``."""
    src, dst = _dims(source), _dims(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source ({len(src)} dims) and destination ({len(dst)} "
                         f"dims) must have the same number of elements")
    nd = input.ndim
    src = [_norm_dim(s, max(nd, 1), "movedim") for s in src]
    dst = [_norm_dim(s, max(nd, 1), "movedim") for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in source {source} or destination "
                         f"{destination}")
    if nd == 0:
        return input.view(())
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    order = [next(rest) if o is None else o for o in order]
    return permute(input, *order)


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    """``transpose(input, axis0, axis1)``: a view, as ``torch.swapaxes``."""
    if input.ndim < 2:
        _norm_dim(axis0, max(input.ndim, 1), "swapaxes")
        _norm_dim(axis1, max(input.ndim, 1), "swapaxes")
        return input.view(input.shape)
    return transpose(input, axis0, axis1)


def swapdims(input, dim0, dim1):
    """``transpose(input, dim0, dim1)``: a view, as ``torch.swapdims``."""
    return swapaxes(input, dim0, dim1)


def unflatten(input, dim, sizes):
    """Dim ``dim`` expanded into the dims ``sizes`` (one may be -1): a view when the layout
    allows (as ``reshape``), as ``torch.unflatten``."""
    d = _norm_dim(dim, input.ndim, "unflatten")
    sizes = tuple(int(s) for s in _dims(sizes))
    if not sizes:
        raise ValueError("unflatten: sizes must be non-empty")
    n = input.shape[d]
    known = int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) > 1 or (-1 not in sizes and known != n) or \
            (-1 in sizes and (known == 0 or n % known)):
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to dim {d}'s size {n}")
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1:])


def tensor_split(input, indices_or_sections, dim=0):
    """Views of ``input`` split along ``dim``: into ``n`` parts (the first ``size % n`` one
    element longer) for an int, or at the given indices, as ``torch.tensor_split``."""
    d = _norm_dim(dim, input.ndim, "tensor_split")
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.dtype.kind not in "iu" or ios.ndim > 1:
            raise TypeError("tensor_split: a tensor indices_or_sections must be a 0-d or 1-d "
                            "integer (int64) tensor")
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, (list, tuple)):
        bounds = [0] + [int(i) for i in ios] + [n]
    else:
        if isinstance(ios, bool) or not isinstance(ios, (int, np.integer)) or ios <= 0:
            raise ValueError(f"tensor_split: number of sections must be a positive int, got "
                             f"{ios!r}")
        q, r = divmod(n, int(ios))
        sizes = [q + 1] * r + [q] * (int(ios) - r)
        bounds = list(np.cumsum([0] + sizes))
    pre = (slice(None),) * d
    return tuple(input[pre + (slice(int(lo), max(int(lo), int(hi))),)]
                 for lo, hi in zip(bounds[:-1], bounds[1:]))


def _hvd(name, input, ios, dim, need):
    if input.ndim < need:
        raise ValueError(f"{name}: the input must have at least {need} dimensions, got "
                         f"{input.ndim}")
    if not isinstance(ios, (list, tuple, Tensor)):
        if isinstance(ios, bool) or not isinstance(ios, (int, np.integer)) or ios <= 0 or \
                input.shape[dim] % ios:
            raise ValueError(f"{name}: dim {dim} of size {input.shape[dim]} cannot be split "
                             f"into {ios!r} equal parts")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-d input), sections dividing it exactly."""
    return _hvd("hsplit", input, indices_or_sections, 0 if input.ndim == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    """``tensor_split`` along dim 0 of an at least 2-d input, sections dividing it exactly."""
    return _hvd("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """``tensor_split`` along dim 2 of an at least 3-d input, sections dividing it exactly."""
    return _hvd("dsplit", input, indices_or_sections, 2, 3)


def _atleast(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(fn(t) for t in tensors[0])
    if len(tensors) == 1:
        return fn(tensors[0])
    return tuple(fn(t) for t in tensors)


def _as_tensor(t, name):
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: expected Tensors, got {type(t).__name__}")
    return t


def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (0-d becomes shape (1,)); a tuple for several."""
    return _atleast(tensors, lambda t: _as_tensor(t, "atleast_1d").view(
        t.shape if t.ndim else (1,)))


def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims (a 1-d ``(n,)`` becomes ``(1, n)``)."""
    return _atleast(tensors, lambda t: _as_tensor(t, "atleast_2d").view(
        t.shape if t.ndim >= 2 else (1,) * (2 - t.ndim) + t.shape))


def _to3(t):
    _as_tensor(t, "atleast_3d")
    shape = {0: (1, 1, 1), 1: (1,) + t.shape + (1,), 2: t.shape + (1,)}.get(t.ndim, t.shape)
    return t.view(shape)


def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims: ``(n,)`` becomes ``(1, n, 1)`` and ``(m, n)``
    becomes ``(m, n, 1)``, as PyTorch's."""
    return _atleast(tensors, _to3)


def column_stack(tensors):
    """Join as columns: 0-d and 1-d tensors become ``(n, 1)`` columns, then concatenate along
    dim 1, as ``torch.column_stack``."""
    ts = [_as_tensor(t, "column_stack") for t in tensors]
    if not ts:
        raise ValueError("column_stack: expected a non-empty sequence of tensors")
    return cat([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts], 1)


def dstack(tensors):
    """Join along the third dim after :func:`atleast_3d`, as ``torch.dstack``."""
    ts = [_to3(t) for t in tensors]
    if not ts:
        raise ValueError("dstack: expected a non-empty sequence of tensors")
    return cat(ts, 2)


def row_stack(tensors):
    """Alias of :func:`minigrad.vstack`."""
    from .._api import vstack
    return vstack(tensors)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims``, from the first dim towards the
    second, as ``torch.rot90``."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise ValueError(f"rot90: dims must have length 2, got {len(dims)}")
    if input.ndim < 2:
        raise ValueError(f"rot90: the input must have at least 2 dimensions, got {input.ndim}")
    d0, d1 = (_norm_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise ValueError(f"rot90: the two dims must differ, got {dims}")
    k = int(k) % 4
    if k == 1:
        return transpose(input.flip(d1), d0, d1)
    if k == 2:
        return input.flip((d0, d1))
    if k == 3:
        return transpose(input.flip(d0), d0, d1)
    return input.clone()


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids of 0-d or 1-d tensors, each an expanded view, as ``torch.meshgrid``;
    ``indexing='xy'`` swaps the first two output dims. Departure: no warning when
    ``indexing`` is left out (its default is PyTorch's, ``'ij'``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise ValueError("meshgrid: expected at least one tensor")
    ts = [_as_tensor(t, "meshgrid") for t in tensors]
    if any(t.ndim > 1 for t in ts):
        raise ValueError(f"meshgrid: expected 0-d or 1-d tensors, got shapes "
                         f"{[tuple(t.shape) for t in ts]}")
    sizes = [t.numel() for t in ts]
    order = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for i, t in enumerate(ts):
        pos = order.index(i)
        view = [1] * len(ts)
        view[pos] = sizes[i]
        out.append(broadcast_to(t.view(tuple(view)), shape))
    return tuple(out)


def broadcast_shapes(*shapes):
    """The shape the given shapes broadcast to (ints count as 1-d shapes), as a tuple."""
    ss = [(int(s),) if isinstance(s, (int, np.integer)) else tuple(int(x) for x in s)
          for s in shapes]
    try:
        return tuple(np.broadcast_shapes(*ss))
    except ValueError:
        raise ValueError(f"broadcast_shapes: shapes {ss} cannot be broadcast together") from None


def broadcast_tensors(*tensors):
    """The tensors expanded (as views) to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = [_as_tensor(t, "broadcast_tensors") for t in tensors]
    shape = broadcast_shapes(*[t.shape for t in ts])
    return tuple(broadcast_to(t, shape) for t in ts)


def _tri_indices(name, row, col, offset, dtype, lower):
    for what, v in (("row", row), ("col", col), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name}: {what} must be an int, got {v!r}")
    if row < 0 or col < 0:
        raise ValueError(f"{name}: row and col must be non-negative, got {row} and {col}")
    from ..tensor import _resolve_dtype
    dt = _resolve_dtype(dtype if dtype is not None else np.int64)
    if dt.kind not in "iu":
        raise TypeError(f"{name}: dtype must be an integer dtype, got {dt}")
    r, c = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    return Tensor._wrap(np.stack([r, c]).astype(dt))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the upper triangle (``j - i >= offset``) of a ``row x col``
    matrix, row by row, as a ``2 x N`` int64 tensor, as ``torch.triu_indices``."""
    return _tri_indices("triu_indices", row, col, offset, dtype, False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the lower triangle (``j - i <= offset``) of a ``row x col``
    matrix, row by row, as a ``2 x N`` int64 tensor, as ``torch.tril_indices``."""
    return _tri_indices("tril_indices", row, col, offset, dtype, True)


def unfold(input, dimension, size, step):
    """All windows of ``size`` elements along ``dimension``, ``step`` apart, in a new last
    dim (the windowed dim has ``(n - size) // step + 1`` entries): a view sharing memory and
    the version counter, as PyTorch's ``Tensor.unfold``; overlapping windows alias the same
    elements, so write into it only if they do not overlap."""
    nd = max(input.ndim, 1)
    d = _norm_dim(dimension, nd, "unfold")
    n = input.shape[d] if input.ndim else 1
    for what, v in (("size", size), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"unfold: {what} must be an int, got {v!r}")
    if not 0 <= size <= n:
        raise ValueError(f"unfold: size {size} is out of range for dim {d} of size {n}")
    if step <= 0:
        raise ValueError(f"unfold: step must be positive, got {step}")
    if input.ndim == 0:
        return input.view(1)
    arr = input._writable_array()
    nwin = (n - size) // step + 1
    # The windows as an advanced index of shape (nwin, size) in place of dim d, then the
    # size dim permuted to the end: both the step the storage model redoes and the layout
    # of the strided view below.
    win = np.arange(nwin)[:, None] * step + np.arange(size)
    index = (slice(None),) * d + (win,)
    st = arr.strides
    data = np.lib.stride_tricks.as_strided(
        arr, arr.shape[:d] + (nwin, size) + arr.shape[d + 1:],
        st[:d] + (st[d] * step, st[d]) + st[d + 1:], writeable=arr.flags.writeable)
    shape = input.shape

    def backward(g, out):
        return (index_add_zeros(g, shape, index, True),)

    mid = make_view(data, input, backward, "Unfold", ("index", index))
    order = list(range(d + 1)) + list(range(d + 2, input.ndim + 1)) + [d + 1]
    return permute(mid, *order) if order != list(range(input.ndim + 1)) else mid


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference ``out[i] = x[i + 1] - x[i]`` along ``dim`` (``!=`` for
    bool tensors), after concatenating ``prepend`` and ``append``, as ``torch.diff``."""
    if input.ndim == 0:
        raise ValueError("diff: expected a tensor with at least 1 dimension")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"diff: n must be a non-negative int, got {n!r}")
    d = _norm_dim(dim, input.ndim, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    for p in parts:
        if not isinstance(p, Tensor):
            raise TypeError(f"diff: prepend and append must be Tensors, got {type(p).__name__}")
        if p.ndim != input.ndim:
            raise ValueError(f"diff: prepend/append must have {input.ndim} dims like the "
                             f"input, got shape {p.shape}")
    x = cat(parts, d) if len(parts) > 1 else input
    pre = (slice(None),) * d
    for _ in range(n):
        if x.shape[d] == 0:
            break
        hi, lo = x[pre + (slice(1, None),)], x[pre + (slice(None, -1),)]
        x = hi != lo if x.dtype == np.bool_ else hi - lo
    return x


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose (``dim1``, ``dim2``) planes have ``input``'s last dim on their
    ``offset``-th diagonal and zeros elsewhere, as ``torch.diag_embed``."""
    if input.ndim == 0:
        raise ValueError("diag_embed: expected a tensor with at least 1 dimension")
    nd = input.ndim + 1
    d1, d2 = _norm_dim(dim1, nd, "diag_embed"), _norm_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise ValueError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and {dim2}")
    if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)):
        raise TypeError(f"diag_embed: offset must be an int, got {offset!r}")
    m = input.shape[-1] + abs(int(offset))
    rest = iter(input.shape[:-1])
    shape = tuple(m if i in (d1, d2) else next(rest) for i in range(nd))
    data = np.zeros(shape, input.dtype)
    diagonal_array(data, int(offset), d1, d2)[...] = input._data
    k = int(offset)
    return make(data, (input,), lambda g, out: (_diagonal(g, k, d1, d2),), "DiagEmbed",
                SAVES_NOTHING)
