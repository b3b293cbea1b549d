"""Scatter and index writes, and rearrangements with PyTorch's names: scatter,
scatter_add, scatter_reduce, index_fill, index_copy, take, movedim, meshgrid, and friends.

The scatter family writes ``src[i][j]`` to ``out[index[i][j]][j]`` (for ``dim=0``); its
backward gathers the output gradient back with the same index, so each op's gradient is
built from recorded ops (gather, multiplication by constant masks) and can be differentiated
again. The in-place forms (``scatter_`` ...) go through :func:`minigrad._inplace.write`,
which records them as PyTorch does. The index writes live in
:mod:`minigrad.ops.scatter_index`, the rearrangements in
:mod:`minigrad.ops.scatter_rearrange`; both are re-exported here.
"""
import numpy as np

from .. import _inplace
from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, as_tensor_like, make
from .indexing import _full_index, gather
from .arithmetic import where
from .masking import masked_fill, tril, triu
from .scatter_index import (_index_array, _src_tensor, index_copy, index_fill, masked_scatter,
                            put, take, take_along_dim)  # noqa: F401 (re-exported)
from .scatter_rearrange import *  # noqa: F401,F403
from .scatter_rearrange import __all__ as _rearrange_all
from .shape import pad

__all__ = ["scatter", "scatter_add", "scatter_reduce",
           "index_fill", "index_copy", "masked_scatter", "put", "take", "take_along_dim",
           "scatter_", "scatter_add_", "scatter_reduce_", "index_fill_", "index_copy_",
           "masked_scatter_", "put_", "fill_diagonal_", "triu_", "tril_"] + _rearrange_all

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_index(name, input, dim, index, src_shape):
    """Checks of the scatter family; returns (dim, index array, the full numpy index)."""
    d = _norm_dim(dim, max(input.ndim, 1), name) if input.ndim else 0
    idx = _index_array(index, name)
    nd = max(input.ndim, 1)
    if max(idx.ndim, 1) != nd or (src_shape is not None and max(len(src_shape), 1) != nd):
        raise ValueError(f"{name}: index ({idx.ndim}-d), input ({input.ndim}-d) and src must "
                         f"have the same number of dimensions")
    ishape = input.shape or (1,)
    idx = idx.reshape(idx.shape or (1,))
    for i, s in enumerate(idx.shape):
        if src_shape is not None and s > (src_shape or (1,))[i]:
            raise ValueError(f"{name}: index of shape {idx.shape} is larger than src of shape "
                             f"{src_shape} in dim {i}")
        if i != d and s > ishape[i]:
            raise ValueError(f"{name}: index of shape {idx.shape} is larger than the input's "
                             f"shape {input.shape} in dim {i} (only dim {d} may differ)")
    if idx.size and (idx.min() < 0 or idx.max() >= ishape[d]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{name}: index {bad} is out of bounds for dimension {d} with size "
                         f"{ishape[d]}")
    return d, idx, _full_index(idx, d)


def _grad_src(g, d, idx, src_shape):
    """The gradient of ``src``: ``g`` gathered at the index, zero-padded to ``src``'s shape
    (the elements of a larger ``src`` that the index does not reach get 0; PyTorch's
    ``scatter`` raises in backward there, its ``scatter_reduce`` pads the same way)."""
    return _pad_to(gather(g, d, Tensor._wrap(idx)), src_shape)


def _pad_to(t, shape):
    widths = [w for s, i in reversed(list(zip(shape, t.shape))) for w in (0, s - i)]
    return pad(t, widths) if any(widths) else t


def _region(src, idx):
    return src._data[tuple(slice(0, s) for s in idx.shape)]


def _scattered_mask(shape, full):
    m = np.zeros(shape, bool)
    m[full] = True
    return m


def _with_shape(fn, input, *args):
    """Run on a 1-d form of a 0-d input (PyTorch treats 0-d tensors as 1-element ones)."""
    if input.ndim:
        return fn(input, *args)
    return fn(input.reshape(1), *args).reshape(())


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``out = input.clone(); out[index[i][j]][j] = src[i][j]`` (for ``dim=0``; likewise for
    other dims), as ``torch.scatter``. ``src`` may be a Tensor or a number (``value``).
    With repeated indices one write wins (PyTorch leaves which one unspecified).
    ``reduce='add'``/``'multiply'`` (PyTorch's deprecated form) combines instead; departure:
    that form is differentiable here (as ``scatter_reduce`` with ``'sum'``/``'prod'``), where
    PyTorch raises in backward."""
    if src is None and value is None:
        raise TypeError("scatter: expected a src tensor or a value")
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        r = "sum" if reduce == "add" else "prod"
        if src is None:
            v = as_tensor_like(value, input)
            _scatter_index("scatter", input, dim, index, None)
            src = Tensor._wrap(np.full(np.shape(_index_array(index, "scatter")), v._data,
                                       input.dtype))
        return scatter_reduce(input, dim, index, src, r)
    if src is None:
        v = as_tensor_like(value, input)
        if v.ndim != 0:
            raise ValueError(f"scatter: value must be a number, got a tensor of shape {v.shape}")
        d, idx, full = _scatter_index("scatter", input, dim, index, None)
        data = input._data.copy()
        data[full] = v._data
        keep = Tensor._wrap(~_scattered_mask(input.shape, full))
        return make(data, (input,), lambda g, out: (g * keep,), "ScatterValue", SAVES_NOTHING)
    src = _src_tensor(src, input, "scatter")
    return _with_shape(_scatter, input, dim, index, src)


def _scatter(input, dim, index, src):
    s = src if src.ndim else src.reshape(1)
    d, idx, full = _scatter_index("scatter", input, dim, index, s.shape)
    data = input._data.copy()
    data[full] = _region(s, idx)
    keep = Tensor._wrap(~_scattered_mask(input.shape, full))

    def backward(g, out):
        return (g * keep if input.requires_grad else None,
                _grad_src(g, d, idx, s.shape) if s.requires_grad else None)

    return make(data, (input, s), backward, "Scatter", SAVES_NOTHING)


def scatter_add(input, dim, index, src):
    """``out = input.clone(); out[index[i][j]][j] += src[i][j]`` (for ``dim=0``), every
    contribution added (repeated indices accumulate), as ``torch.scatter_add``."""
    return scatter_reduce(input, dim, index, src, "sum")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce the ``src`` values scattered to each position (``out[index[i][j]][j]`` gets
    ``src[i][j]`` for ``dim=0``) with ``reduce`` in ``'sum'``, ``'prod'``, ``'mean'``,
    ``'amax'``, ``'amin'``, together with the input's value there if ``include_self``;
    positions nothing is scattered to keep the input's value. As ``torch.scatter_reduce``:
    integer ``'mean'`` rounds down, and ``amax``/``amin`` split the gradient evenly between
    the elements equal to the result (with ``include_self=False`` an input equal to the
    result still counts in the split, though it gets no share, as in PyTorch)."""
    if reduce not in _REDUCES:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCES}, got {reduce!r}")
    src = _src_tensor(src, input, "scatter_reduce")
    return _with_shape(_scatter_reduce, input, dim, index, src, reduce, bool(include_self))


_UFUNCS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
           "mean": np.add}
_IDENTITY = {"sum": 0, "prod": 1, "mean": 0}


def _reduce_data(base, full, vals, reduce, include_self):
    out = base.copy()
    hit = _scattered_mask(base.shape, full)
    if not include_self:
        if reduce in _IDENTITY:
            out[hit] = _IDENTITY[reduce]
        else:  # amax/amin: start from the identity so that the first contribution wins
            amin = reduce == "amin"
            kind = base.dtype.kind
            if kind == "f":
                out[hit] = np.inf if amin else -np.inf
            elif kind == "b":
                out[hit] = amin
            else:
                info = np.iinfo(base.dtype)
                out[hit] = info.max if amin else info.min
    _UFUNCS[reduce].at(out, full, vals)
    count = None
    if reduce == "mean":
        count = np.zeros(base.shape, np.int64)
        np.add.at(count, full, 1)
        count = count + 1 if include_self else np.maximum(count, 1)
        if out.dtype.kind == "f":
            out = out / count.astype(out.dtype)
        else:
            out = out // count
    return out, hit, count


def _scatter_reduce(input, dim, index, src, reduce, include_self):
    s = src if src.ndim else src.reshape(1)
    d, idx, full = _scatter_index("scatter_reduce", input, dim, index, s.shape)
    vals = _region(s, idx)
    data, hit, count = _reduce_data(input._data, full, vals, reduce, include_self)
    keep = Tensor._wrap(~hit) if not include_self else None

    def backward(g, out):
        gi = gs = None
        if reduce in ("sum", "mean"):
            if reduce == "mean":
                g = g / Tensor._wrap(count.astype(g.dtype))
            if input.requires_grad:
                gi = g if include_self else g * keep
            if s.requires_grad:
                gs = _grad_src(g, d, idx, s.shape)
        elif reduce in ("amax", "amin"):
            res = out._data
            # PyTorch's rule: the gradient is split between the elements equal to the
            # result, counting the input's even where include_self=False leaves it out
            # (it then gets no share, but the others get less).
            self_tie = input._data == res
            src_tie = vals == res[full]
            ties = self_tie.astype(g.dtype)
            np.add.at(ties, full, src_tie.astype(g.dtype))
            gn = g / Tensor._wrap(np.maximum(ties, 1))
            if input.requires_grad:
                sel = self_tie if include_self else self_tie & ~hit
                gi = gn * Tensor._wrap(sel.astype(g.dtype))
            if s.requires_grad:
                gs = _pad_to(gather(gn, d, Tensor._wrap(idx))
                             * Tensor._wrap(src_tie.astype(g.dtype)), s.shape)
        else:
            gi, gs = _prod_backward(g, out, input, s, d, idx, full, vals, include_self)
        return gi, gs

    saves = SAVES_NOTHING if reduce in ("sum", "mean") else 3
    return make(data, (input, s), backward, "ScatterReduce", saves)


def _prod_backward(g, out, input, s, d, idx, full, vals, include_self):
    """PyTorch's rule: each factor's gradient is the product of the others, computed without
    dividing by a zero factor when it is the only zero at its position."""
    ti = Tensor._wrap(idx)
    gi = gs = None
    if input.requires_grad:
        if include_self:  # d out / d input = the product of what was scattered there
            ones = Tensor._wrap(np.ones(input.shape, input.dtype))
            gi = g * _scatter_reduce(ones, d, ti, s, "prod", True)
        else:
            gi = g * Tensor._wrap((~_scattered_mask(input.shape, full)).astype(g.dtype))
    if s.requires_grad:
        region = s[tuple(slice(0, n) for n in idx.shape)]
        zero = vals == 0
        nz = np.zeros(input.shape, np.int64)
        np.add.at(nz, full, zero)
        single = zero & (nz[full] == 1)
        one = Tensor._wrap(np.ones((), s.dtype))
        masked = masked_fill(region, Tensor._wrap(single), one)
        others = _scatter_reduce(input, d, ti, _pad_to(masked, s.shape) if masked.shape != s.shape
                                 else masked, "prod", include_self) if single.any() else None
        b = gather(g * out, d, ti) / masked_fill(region, Tensor._wrap(zero), one)
        r = b if others is None else where(Tensor._wrap(single), gather(g * others, d, ti), b)
        gs = _pad_to(r, s.shape)
    return gi, gs


# ----- in-place forms -----------------------------------------------------------------------
def _inplace_op(t, name, op, operand, needs_old=False):
    """Run out-of-place ``op(src[, operand])`` as an in-place write into ``t``: computed
    first (so bad arguments raise before anything is written), recorded as PyTorch does."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(t).__name__}")
    with _no_grad():
        r = op(t, operand) if operand is not None else op(t)
    if r.shape != t.shape:
        raise RuntimeError(f"{name}: result of shape {r.shape} does not fit the tensor's "
                           f"shape {t.shape}")
    rd = r._data

    def apply(a):
        np.copyto(a, rd, casting="unsafe")

    if operand is None:
        return _inplace.write(t, name, apply, op, None, needs_old)
    return _inplace.write(t, name, apply, op, operand, needs_old)


def _no_grad():
    from ..grad_mode import no_grad
    return no_grad()


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    """In-place :func:`scatter`."""
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if src is None:
        return _inplace_op(self, "scatter_", lambda x: scatter(
            x, dim, index, value=value, reduce=reduce), None, reduce == "multiply")
    return _inplace_op(self, "scatter_", lambda x, s: scatter(x, dim, index, s, reduce=reduce),
                       src, reduce == "multiply")


def scatter_add_(self, dim, index, src):
    """In-place :func:`scatter_add`."""
    return _inplace_op(self, "scatter_add_", lambda x, s: scatter_add(x, dim, index, s), src)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """In-place :func:`scatter_reduce`."""
    return _inplace_op(self, "scatter_reduce_", lambda x, s: scatter_reduce(
        x, dim, index, s, reduce, include_self=include_self), src,
        reduce in ("prod", "amax", "amin"))


def index_fill_(self, dim, index, value):
    """In-place :func:`index_fill`."""
    if isinstance(value, Tensor):
        return _inplace_op(self, "index_fill_", lambda x, v: index_fill(x, dim, index, v),
                           value)
    return _inplace_op(self, "index_fill_", lambda x: index_fill(x, dim, index, value), None)


def index_copy_(self, dim, index, source):
    """In-place :func:`index_copy`."""
    return _inplace_op(self, "index_copy_", lambda x, s: index_copy(x, dim, index, s), source)


def masked_scatter_(self, mask, source):
    """In-place :func:`masked_scatter`; ``mask`` must broadcast to the tensor's shape."""
    return _inplace_op(self, "masked_scatter_", lambda x, s: masked_scatter(x, mask, s), source)


def put_(self, index, source, accumulate=False):
    """In-place :func:`put`."""
    return _inplace_op(self, "put_", lambda x, s: put(x, index, s, accumulate), source)


def triu_(self, diagonal=0):
    """In-place :func:`minigrad.triu`."""
    return _inplace_op(self, "triu_", lambda x: triu(x, diagonal), None)


def tril_(self, diagonal=0):
    """In-place :func:`minigrad.tril`."""
    return _inplace_op(self, "tril_", lambda x: tril(x, diagonal), None)


def fill_diagonal_(self, fill_value, wrap=False):
    """Set the main diagonal (``self[i, i, ...]``) to ``fill_value``, as PyTorch's
    ``fill_diagonal_``: all dims must have the same size beyond 2-d; for a tall matrix
    ``wrap=True`` starts the diagonal again every ``ncols + 1`` rows."""
    if self.ndim < 2:
        raise ValueError(f"fill_diagonal_: the tensor must have at least 2 dimensions, got "
                         f"shape {self.shape}")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise ValueError(f"fill_diagonal_: all dimensions must have the same length beyond "
                         f"2-d, got shape {self.shape}")
    v = _inplace._operand(self, fill_value, "fill_diagonal_")
    if v.ndim != 0:
        raise ValueError(f"fill_diagonal_: fill_value must be a number, got shape {v.shape}")
    n = min(self.shape)
    if self.ndim == 2 and wrap and self.shape[0] > self.shape[1] + 1:
        flat = np.arange(0, self.shape[0] * self.shape[1], self.shape[1] + 1)
        idx = np.unravel_index(flat, self.shape)
    else:
        idx = (np.arange(n),) * self.ndim
    vd = v._data

    def apply(a):
        a[idx] = vd

    return _inplace.write_region(self, "fill_diagonal_", (("index", idx),), v, apply)
