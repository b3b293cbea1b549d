"""Method forms of :mod:`minigrad.ops.scatter`: a mixin of :class:`minigrad.Tensor`."""

from ._lazy import LazyModule

_ops = LazyModule("minigrad.ops.scatter", globals(), "_ops")


class TensorScatterMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.scatter`."""

    __slots__ = ()

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return _ops.scatter_(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return _ops.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        return _ops.scatter_add_(self, dim, index, src)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return _ops.scatter_reduce_(self, dim, index, src, reduce, include_self=include_self)

    def index_fill(self, dim, index, value):
        return _ops.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        return _ops.index_fill_(self, dim, index, value)

    def index_copy(self, dim, index, source):
        return _ops.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return _ops.index_copy_(self, dim, index, source)

    def masked_scatter(self, mask, source):
        return _ops.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return _ops.masked_scatter_(self, mask, source)

    def put(self, index, source, accumulate=False):
        return _ops.put(self, index, source, accumulate)

    def put_(self, index, source, accumulate=False):
        return _ops.put_(self, index, source, accumulate)

    def take(self, index):
        return _ops.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _ops.take_along_dim(self, indices, dim)

    def fill_diagonal_(self, fill_value, wrap=False):
        return _ops.fill_diagonal_(self, fill_value, wrap)

    def triu_(self, diagonal=0):
        return _ops.triu_(self, diagonal)

    def tril_(self, diagonal=0):
        return _ops.tril_(self, diagonal)

    def movedim(self, source, destination):
        return _ops.movedim(self, source, destination)

    def moveaxis(self, source, destination):
        return _ops.movedim(self, source, destination)

    def swapaxes(self, axis0, axis1):
        return _ops.swapaxes(self, axis0, axis1)

    def swapdims(self, dim0, dim1):
        return _ops.swapdims(self, dim0, dim1)

    def unflatten(self, dim, sizes):
        return _ops.unflatten(self, dim, sizes)

    def tensor_split(self, indices_or_sections, dim=0):
        return _ops.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, indices_or_sections):
        return _ops.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections):
        return _ops.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections):
        return _ops.dsplit(self, indices_or_sections)

    def rot90(self, k=1, dims=(0, 1)):
        return _ops.rot90(self, k, dims)

    def unfold(self, dimension, size, step):
        return _ops.unfold(self, dimension, size, step)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _ops.diff(self, n, dim, prepend, append)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _ops.diag_embed(self, offset, dim1, dim2)
