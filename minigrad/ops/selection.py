"""Picking and rearranging elements with PyTorch's names: select, narrow, unbind,
index_select, masked_select, nonzero, flip, roll, repeat, tile, repeat_interleave, diag,
diagonal, trace.

``diagonal`` is a view, as PyTorch's (a write through it reaches the input); most others are
indexing in disguise and reuse ``__getitem__``'s node (its backward scatter-adds, so
repeated indices accumulate); flip and roll are their own inverses' mirror images.
"""
import numpy as np

from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, make, make_view
from .indexing import getitem, index_add_zeros


def _int(x, name, what):
    if isinstance(x, Tensor):
        if x._data.size != 1 or x.dtype.kind not in "iu":
            raise TypeError(f"{name}: {what} must be an int, got a tensor of shape {x.shape}")
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{name}: {what} must be an int, got {x!r}")
    return int(x)


def _along(d, index):
    return (slice(None),) * d + (index,)


def select(input, dim, index):
    """The slice at ``index`` along ``dim`` (that dim removed), as ``input[..., index, ...]``."""
    d = _norm_dim(dim, input.ndim, "select")
    i = _int(index, "select", "index")
    n = input.shape[d]
    if not -n <= i < n:
        raise IndexError(f"select: index {i} is out of range for dim {d} of size {n}")
    return getitem(input, _along(d, i))


def narrow(input, dim, start, length):
    """``length`` elements from ``start`` along ``dim`` (a view in PyTorch)."""
    d = _norm_dim(dim, input.ndim, "narrow")
    s, n = _int(start, "narrow", "start"), _int(length, "narrow", "length")
    size = input.shape[d]
    if s < 0:
        s += size
    if not (0 <= s <= size and 0 <= n and s + n <= size):
        raise IndexError(f"narrow: start ({start}) + length ({length}) exceeds dim {d} of size {size}")
    return getitem(input, _along(d, slice(s, s + n)))


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple (that dim removed)."""
    d = _norm_dim(dim, input.ndim, "unbind")
    return tuple(getitem(input, _along(d, i)) for i in range(input.shape[d]))


def index_select(input, dim, index):
    """The entries at the 1-D integer ``index`` along ``dim``; repeated indices repeat (and
    their gradients add up)."""
    d = _norm_dim(dim, input.ndim, "index_select") if input.ndim else 0
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu" or idx.ndim > 1:
        raise TypeError(f"index_select: index must be a 1-D integer tensor, got dtype {idx.dtype} "
                        f"and shape {idx.shape}")
    idx = idx.reshape(-1)
    n = input.shape[d] if input.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index_select: index out of range [0, {n}) for dim {d}")
    if input.ndim == 0:
        return getitem(input.reshape(1), (idx,)).reshape(idx.shape)
    return getitem(input, _along(d, idx))


def masked_select(input, mask):
    """The elements where the bool ``mask`` (broadcast with ``input``) is true, as a 1-D tensor."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_select: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(input.shape, m.shape)
    except ValueError:
        raise ValueError(f"masked_select: mask of shape {m.shape} does not broadcast with the "
                         f"input's shape {input.shape}") from None
    x = input if input.shape == shape else input.expand(*shape)
    return getitem(x, np.broadcast_to(m, shape))


def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero elements: an int64 ``(n, ndim)`` tensor, or with
    ``as_tuple=True`` one 1-D index tensor per dim."""
    idx = np.nonzero(input._data) if input.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64) if idx else
                        np.zeros((0, 0), np.int64))


def argwhere(input):
    """The same as :func:`nonzero`: an int64 ``(n, ndim)`` tensor of indices."""
    return nonzero(input)


def _dims_arg(dims, ndim, name):
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    out = tuple(_norm_dim(d, ndim, name) for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: dims {dims} name a dimension twice")
    return out


def flip(input, dims):
    """Reverse the order of elements along each of ``dims``."""
    ds = _dims_arg(dims, input.ndim, "flip")
    data = np.flip(input._data, ds).copy() if ds else input._data.copy()
    return make(data, (input,), lambda g, out: (flip(g, ds),), "Flip")


def fliplr(input):
    """Reverses dim 1 (left-right)."""
    return flip(input, 1)


def flipud(input):
    """Reverses dim 0 (up-down)."""
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor when
    ``dims`` is None)."""
    if dims is None:
        s = _int(shifts, "roll", "shifts") if not isinstance(shifts, (tuple, list)) else None
        if s is None:
            raise ValueError("roll: with dims=None, shifts must be a single int")
        flat = input.reshape(-1)
        return roll(flat, s, 0).reshape(input.shape)
    sh = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    ds = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(sh) != len(ds):
        raise ValueError(f"roll: shifts {sh} and dims {ds} must have the same length")
    ds = tuple(_norm_dim(d, input.ndim, "roll") for d in ds)
    sh = tuple(int(s) for s in sh)
    data = np.roll(input._data, sh, ds)
    return make(data, (input,), lambda g, out: (roll(g, tuple(-s for s in sh), ds),), "Roll")


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along dim ``i``, as ``Tensor.repeat`` (``sizes``
    may have more entries than dims: leading dims are added)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(_int(s, "repeat", "each size") for s in sizes)
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat: {len(sizes)} sizes given for a {input.ndim}-d tensor; give at "
                         "least one per dim")
    if any(s < 0 for s in sizes):
        raise ValueError(f"repeat: sizes must be non-negative, got {sizes}")
    src = (1,) * (len(sizes) - input.ndim) + input.shape
    data = np.tile(input._data.reshape(src), sizes)

    def backward(g, out):
        # view the gradient as (r0, s0, r1, s1, ...) and sum the repeat axes
        inter = [v for pair in zip(sizes, src) for v in pair]
        gs = g.reshape(*inter).sum(dim=tuple(range(0, 2 * len(sizes), 2)))
        return (gs.reshape(input.shape),)

    return make(data, (input,), backward, "Repeat")


def tile(input, dims):
    """Like :func:`repeat`, but with fewer ``dims`` than the tensor's the missing leading
    ones count as 1 (``numpy.tile``'s rule)."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, *dims)


def repeat_interleave(input, repeats, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (a number, or one count per element along
    ``dim``); with ``dim=None`` the flattened tensor is used."""
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = _norm_dim(dim, input.ndim, "repeat_interleave")
    n = input.shape[d]
    r = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if r.dtype.kind not in "iu":
        raise TypeError(f"repeat_interleave: repeats must be integers, got dtype {r.dtype}")
    if r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
        raise ValueError(f"repeat_interleave: repeats must be one number or {n} numbers, got "
                         f"shape {r.shape}")
    if np.any(r < 0):
        raise ValueError("repeat_interleave: repeats must be non-negative")
    idx = np.repeat(np.arange(n), r.reshape(-1) if r.ndim else int(r))
    return getitem(input, _along(d, idx))


def diag(input, diagonal=0):
    """A 1-D tensor becomes a square matrix with it on the ``diagonal``-th diagonal; a 2-D
    tensor gives its ``diagonal``-th diagonal as a 1-D tensor."""
    k = _int(diagonal, "diag", "diagonal")
    if input.ndim == 1:
        n = input.shape[0] + abs(k)
        i = np.arange(input.shape[0])
        rows, cols = (i, i + k) if k >= 0 else (i - k, i)
        return index_add_zeros(input, (n, n), (rows, cols), True)
    if input.ndim == 2:
        return _diagonal(input, k).clone()  # torch.diag copies; torch.diagonal is the view
    raise ValueError(f"diag: expected a 1-D or 2-D tensor, got shape {input.shape}")


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the (``dim1``, ``dim2``) planes, in the last dim: a view
    sharing ``input``'s memory and version counter, as PyTorch's."""
    return _diagonal(input, offset, dim1, dim2)


def diagonal_array(arr, k, d1, d2):
    """numpy's ``diagonal``, writable when ``arr`` is (numpy marks it read-only only to keep
    old code that expected a copy from writing through it)."""
    view = np.diagonal(arr, k, d1, d2)
    if arr.flags.writeable:
        view.flags.writeable = True
    return view


def _diagonal(input, offset=0, dim1=0, dim2=1):
    # (a separate name: diag's `diagonal` argument shadows this module's function)
    d1, d2 = _norm_dim(dim1, input.ndim, "diagonal"), _norm_dim(dim2, input.ndim, "diagonal")
    if d1 == d2:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
    k = _int(offset, "diagonal", "offset")
    shape = input.shape

    def backward(g, out):
        return (_diagonal_scatter(g, shape, k, d1, d2),)

    return make_view(diagonal_array(input._writable_array(), k, d1, d2), input, backward,
                     "Diagonal", ("diagonal", (k, d1, d2)))


def _diagonal_scatter(g, shape, k, d1, d2):
    """``zeros(shape)`` with ``g`` on the diagonal (the adjoint of :func:`diagonal`)."""
    z = np.zeros(shape, dtype=g.dtype)
    diagonal_array(z, k, d1, d2)[...] = g._data

    def backward(gg, out):
        return (_diagonal(gg, k, d1, d2),)

    return make(z, (g,), backward, "DiagonalBackward", SAVES_NOTHING)


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise ValueError(f"trace: expected a 2-D tensor, got shape {input.shape}")
    return _diagonal(input).sum()
