"""Method forms of the ops added for PyTorch parity (products, more elementwise functions,
cumulative ops, norms, selection, value tests): a mixin of :class:`minigrad.Tensor`, kept
apart from :mod:`minigrad._tensor_ops` so each file stays one idea."""

_api = _cu = _em = _lo = _no = _pr = _se = None


def bind_ops():
    """Import the op modules once ``Tensor`` exists (they import it)."""
    global _api, _cu, _em, _lo, _no, _pr, _se
    from . import _api
    from .ops import cumulative as _cu
    from .ops import elementwise_more as _em
    from .ops import logical as _lo
    from .ops import norms as _no
    from .ops import products as _pr
    from .ops import selection as _se


class TensorOpsMore:
    """Mixin: PyTorch method forms of the parity ops."""

    __slots__ = ()

    # ----- products ---------------------------------------------------------------------
    def mm(self, mat2):
        return _pr.mm(self, mat2)

    def bmm(self, mat2):
        return _pr.bmm(self, mat2)

    def mv(self, vec):
        return _pr.mv(self, vec)

    def dot(self, other):
        return _pr.dot(self, other)

    def outer(self, vec2):
        return _pr.outer(self, vec2)

    ger = outer

    def t(self):
        return _api.t(self)

    # ----- arithmetic spellings ---------------------------------------------------------
    def true_divide(self, other):
        return _api.true_divide(self, other)

    def floor_divide(self, other):
        return _api.floor_divide(self, other)

    def remainder(self, other):
        return _api.remainder(self, other)

    def fmod(self, other):
        return _api.fmod(self, other)

    __mod__ = remainder

    def __floordiv__(self, other):
        return _api.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _api.floor_divide(other, self)

    def negative(self):
        return self.neg()

    def absolute(self):
        return self.abs()

    # ----- elementwise ------------------------------------------------------------------
    def log10(self):
        return _em.log10(self)

    def log2(self):
        return _em.log2(self)

    def log1p(self):
        return _em.log1p(self)

    def expm1(self):
        return _em.expm1(self)

    def exp2(self):
        return _em.exp2(self)

    def rsqrt(self):
        return _em.rsqrt(self)

    def reciprocal(self):
        return _em.reciprocal(self)

    def sign(self):
        return _em.sign(self)

    def floor(self):
        return _em.floor(self)

    def ceil(self):
        return _em.ceil(self)

    def round(self, decimals=0, *, out=None):
        return _api.write_out(_em.round(self, decimals=decimals), out, "round")

    def trunc(self):
        return _em.trunc(self)

    fix = trunc

    def frac(self):
        return _em.frac(self)

    # ----- cumulative and norms -----------------------------------------------------------
    def cumsum(self, dim, *, dtype=None):
        return _cu.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        return _cu.cumprod(self, dim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None, keepdims=None, axis=None, out=None):
        return _api.prod(self, dim, keepdim, dtype=dtype, keepdims=keepdims, axis=axis, out=out)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _no.norm(self, p, dim, keepdim, dtype=dtype)

    # ----- selection ----------------------------------------------------------------------
    def select(self, dim, index):
        return _se.select(self, dim, index)

    def narrow(self, dim, start, length):
        return _se.narrow(self, dim, start, length)

    def unbind(self, dim=0):
        return _se.unbind(self, dim)

    def index_select(self, dim, index):
        return _se.index_select(self, dim, index)

    def masked_select(self, mask):
        return _se.masked_select(self, mask)

    def nonzero(self, *, as_tuple=False):
        return _se.nonzero(self, as_tuple=as_tuple)

    def argwhere(self):
        return _se.argwhere(self)

    def flip(self, *dims):
        return _se.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self):
        return _se.fliplr(self)

    def flipud(self):
        return _se.flipud(self)

    def roll(self, shifts, dims=None):
        return _se.roll(self, shifts, dims)

    def repeat(self, *sizes):
        return _se.repeat(self, *sizes)

    def tile(self, *dims):
        return _se.tile(self, dims[0] if len(dims) == 1 else dims)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _se.repeat_interleave(self, repeats, dim, output_size=output_size)

    def diag(self, diagonal=0):
        return _se.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _se.diagonal(self, offset, dim1, dim2)

    def trace(self):
        return _se.trace(self)

    # ----- value tests (bool results, no gradient) ------------------------------------------
    def isnan(self):
        return _lo.isnan(self)

    def isinf(self):
        return _lo.isinf(self)

    def isfinite(self):
        return _lo.isfinite(self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _lo.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _lo.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        return _lo.equal(self, other)

    def any(self, dim=None, keepdim=False, *, keepdims=None, axis=None, out=None):
        dim, keepdim = _api.np_aliases(dim, keepdim, axis, keepdims, "any")
        return _api.write_out(_lo.any(self, dim, keepdim), out, "any")

    def all(self, dim=None, keepdim=False, *, keepdims=None, axis=None, out=None):
        dim, keepdim = _api.np_aliases(dim, keepdim, axis, keepdims, "all")
        return _api.write_out(_lo.all(self, dim, keepdim), out, "all")

    def eq(self, other):
        return _lo.eq(self, other)

    def ne(self, other):
        return _lo.ne(self, other)

    def lt(self, other):
        return _lo.lt(self, other)

    def le(self, other):
        return _lo.le(self, other)

    def gt(self, other):
        return _lo.gt(self, other)

    def ge(self, other):
        return _lo.ge(self, other)

    def logical_not(self):
        return _lo.logical_not(self)

    def logical_and(self, other):
        return _lo.logical_and(self, other)

    def logical_or(self, other):
        return _lo.logical_or(self, other)

    def logical_xor(self, other):
        return _lo.logical_xor(self, other)
