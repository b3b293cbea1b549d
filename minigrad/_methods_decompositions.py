"""Method forms of :mod:`minigrad.ops.decompositions`: a mixin of :class:`minigrad.Tensor`."""

from ._lazy import LazyModule

_ops = LazyModule("minigrad.ops.decompositions", globals(), "_ops")


class TensorDecompositionMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.decompositions`."""

    __slots__ = ()

    def inverse(self):
        return _ops.inverse(self)

    def det(self):
        return _ops.det(self)

    def logdet(self):
        return _ops.logdet(self)

    def slogdet(self):
        return _ops.slogdet(self)

    def cholesky(self, upper=False):
        return _ops.cholesky(self, upper)

    def cholesky_solve(self, input2, upper=False):
        return _ops.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper=False):
        return _ops.cholesky_inverse(self, upper)

    def qr(self, some=True):
        return _ops.qr(self, some)

    def svd(self, some=True, compute_uv=True):
        return _ops.svd(self, some, compute_uv)

    def pinverse(self, rcond=1e-15):
        return _ops.pinverse(self, rcond)

    def matrix_power(self, n):
        return _ops.matrix_power(self, n)
