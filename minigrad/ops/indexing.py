"""Indexing (``__getitem__``) and gather; their backwards scatter-add, so repeated indices
accumulate."""
import numpy as np

from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, make, make_view


def _normalise_index(index):
    """Tensors and lists become arrays; returns (index, is_advanced)."""
    items = index if isinstance(index, tuple) else (index,)
    out, advanced = [], False
    for item in items:
        if isinstance(item, Tensor):
            item = item._data
        elif isinstance(item, list):
            item = np.asarray(item)
        if isinstance(item, np.ndarray):
            if item.dtype.kind not in "iub":
                raise IndexError(f"index arrays must be integer or bool, got dtype {item.dtype}")
            advanced = True
        out.append(item)
    return (tuple(out) if isinstance(index, tuple) else out[0]), advanced


def getitem(a, index):
    """``a[index]``. Basic indices (ints, slices, None, Ellipsis) give a view sharing ``a``'s
    memory and version counter, as in PyTorch; integer arrays and masks give a copy."""
    index, advanced = _normalise_index(index)
    arr = a._writable_array()
    try:
        data = arr[index]
    except IndexError as e:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {a.shape}: {e}") from None
    src = a.shape

    def backward(g, out):
        return (index_add_zeros(g, src, index, advanced),)

    if advanced:
        return make(data, (a,), backward, "Index", SAVES_NOTHING)
    if not isinstance(data, np.ndarray):
        # all ints: numpy returns a scalar copy; with a trailing Ellipsis, a 0-d view
        index = (index if isinstance(index, tuple) else (index,)) + (Ellipsis,)
        data = arr[index]
    return make_view(data, a, backward, "Slice", ("index", index))


def index_add_zeros(g, shape, index, advanced):
    """``zeros(shape)`` with ``g`` added at ``index`` (the adjoint of ``x[index]``)."""
    z = np.zeros(shape, dtype=g.dtype)
    if advanced:
        np.add.at(z, index, g._data)
    else:
        z[index] = g._data  # basic indices never repeat an element

    def backward(gg, out):
        return (gg[index],)

    return make(z, (g,), backward, "IndexBackward", SAVES_NOTHING)


def _full_index(index, dim):
    """Index tuple selecting ``index`` along ``dim`` and everything along the other dims."""
    grids = list(np.meshgrid(*[np.arange(s) for s in index.shape], indexing="ij", sparse=True))
    grids[dim] = index
    return tuple(grids)


def gather(a, dim, index):
    """``out[i][j] = a[index[i][j]][j]`` for ``dim=0`` (and so on), as ``torch.gather``;
    ``index`` has the same number of dims as ``a``."""
    d = _norm_dim(dim, a.ndim, "gather")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got dtype {idx.dtype}")
    if idx.ndim != a.ndim:
        raise ValueError(f"gather: index has {idx.ndim} dims but the input has {a.ndim} "
                         f"(shapes {idx.shape} and {a.shape})")
    if any(si > sa for i, (si, sa) in enumerate(zip(idx.shape, a.shape)) if i != d):
        raise ValueError(f"gather: index of shape {idx.shape} is larger than the input's "
                         f"shape {a.shape} outside dim {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= a.shape[d]):
        raise IndexError(f"gather: index values out of range [0, {a.shape[d]}) for dim {d} "
                         f"of an input of shape {a.shape}")
    full = _full_index(idx, d)
    try:
        data = a._data[full]
    except IndexError:
        raise IndexError(f"gather: index values out of range [0, {a.shape[d]}) for dim {d} "
                         f"of an input of shape {a.shape}") from None
    src = a.shape
    return make(data, (a,), lambda g, out: (index_add_zeros(g, src, full, True),), "Gather",
                SAVES_NOTHING)
