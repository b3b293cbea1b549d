"""Method forms of :mod:`minigrad.ops.statistics`: a mixin of :class:`minigrad.Tensor`."""

from ._lazy import LazyModule

_ops = LazyModule("minigrad.ops.statistics", globals(), "_ops")


class TensorStatsMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.statistics` (``bucketize``,
    ``searchsorted`` and ``isin`` are functions only, as in PyTorch)."""

    __slots__ = ()

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return _ops.unique_consecutive(self, return_inverse, return_counts, dim)

    def median(self, dim=None, keepdim=False):
        return _ops.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _ops.nanmedian(self, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _ops.mode(self, dim, keepdim)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _ops.kthvalue(self, k, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _ops.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _ops.nanmean(self, dim, keepdim, dtype=dtype)

    def cummax(self, dim):
        return _ops.cummax(self, dim)

    def cummin(self, dim):
        return _ops.cummin(self, dim)

    def logcumsumexp(self, dim):
        return _ops.logcumsumexp(self, dim)

    def aminmax(self, *, dim=None, keepdim=False):
        return _ops.aminmax(self, dim=dim, keepdim=keepdim)

    def msort(self):
        return _ops.msort(self)

    def count_nonzero(self, dim=None):
        return _ops.count_nonzero(self, dim)

    def bincount(self, weights=None, minlength=0):
        return _ops.bincount(self, weights, minlength)

    def histc(self, bins=100, min=0, max=0):  # noqa: A002  (PyTorch's names)
        return _ops.histc(self, bins, min, max)

    def histogram(self, bins, *, range=None, weight=None, density=False):  # noqa: A002
        return _ops.histogram(self, bins, range=range, weight=weight, density=density)
