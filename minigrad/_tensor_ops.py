"""Operators and method forms of the ops (``t + u``, ``t.sum()``, ``t.reshape(...)``): the
Tensor's arithmetic interface, kept apart from its storage and autograd core in ``tensor.py``.
Each method calls the op function of the same name in :mod:`minigrad.ops`."""
import numpy as np

from ._tensor_compat import TensorCompat
from ._tensor_ops_more import TensorOpsMore
from ._methods_math import TensorMathMethods
from ._methods_products import TensorProductMethods
from ._methods_scatter import TensorScatterMethods
from ._methods_stats import TensorStatsMethods
from ._methods_types import TensorTypeMethods
from ._methods_decompositions import TensorDecompositionMethods
from ._lazy import LazyModule

_api = _ar = _ew = _ix = _la = _mask = _red = _sh = _sort = None
_bw = LazyModule("minigrad.ops.math_bitwise", globals(), "_bw")  # & | ~


def bind_ops():
    """Import the op modules. They import ``Tensor``, so this runs once ``tensor.py`` has
    defined it."""
    global _api, _ar, _ew, _ix, _la, _mask, _red, _sh, _sort
    from .ops import arithmetic as _ar
    from .ops import elementwise as _ew
    from .ops import indexing as _ix
    from .ops import linalg as _la
    from .ops import reduction as _red
    from .ops import shape as _sh
    from .ops import masking as _mask
    from .ops import sorting as _sort
    from . import _api
    from . import _tensor_ops_more
    _tensor_ops_more.bind_ops()


class TensorOps(TensorCompat, TensorOpsMore, TensorMathMethods, TensorProductMethods,
                TensorScatterMethods, TensorStatsMethods, TensorTypeMethods,
                TensorDecompositionMethods):
    """Mixin of :class:`minigrad.Tensor`: operators and op methods."""

    __slots__ = ()

    # ----- operators -------------------------------------------------------------------
    def __add__(self, other):
        return _ar.add(self, other)

    def __radd__(self, other):
        return _ar.add(other, self)

    def __sub__(self, other):
        return _ar.sub(self, other)

    def __rsub__(self, other):
        return _ar.sub(other, self)

    def __mul__(self, other):
        return _ar.mul(self, other)

    def __rmul__(self, other):
        return _ar.mul(other, self)

    def __truediv__(self, other):
        return _ar.div(self, other)

    def __rtruediv__(self, other):
        return _ar.div(other, self)

    def __pow__(self, other):
        return _ar.pow(self, other)

    def __rpow__(self, other):
        return _ar.pow(other, self)

    def __neg__(self):
        return _ar.neg(self)

    def __abs__(self):
        return _ar.abs(self)

    def __matmul__(self, other):
        return _la.matmul(self, other)

    def __rmatmul__(self, other):
        return _la.matmul(other, self)

    def __getitem__(self, index):
        return _ix.getitem(self, index)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # comparisons build no graph and return bool tensors
    def __lt__(self, other):
        return _ar.compare(np.less, self, other)

    def __le__(self, other):
        return _ar.compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _ar.compare(np.greater, self, other)

    def __ge__(self, other):
        return _ar.compare(np.greater_equal, self, other)

    def __eq__(self, other):
        return _ar.compare(np.equal, self, other)

    def __ne__(self, other):
        return _ar.compare(np.not_equal, self, other)

    # bitwise, as PyTorch: logical on bool tensors, bitwise on integers, refused on floats
    def __invert__(self):
        return _bw.bitwise_not(self)

    def __and__(self, other):
        return _bw.bitwise_and(self, other)

    def __or__(self, other):
        return _bw.bitwise_or(self, other)

    # ----- method forms of the ops --------------------------------------------------------
    def add(self, other, *, alpha=1):
        return _ar.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        return _ar.sub(self, other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other):
        return _ar.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return _ar.div(self, other)
        return _api.divide_rounded(self, other, rounding_mode)

    divide = div

    def neg(self):
        return _ar.neg(self)

    def abs(self):
        return _ar.abs(self)

    def maximum(self, other):
        return _ar.maximum(self, other)

    def minimum(self, other):
        return _ar.minimum(self, other)

    def clamp(self, min=None, max=None):
        return _ar.clamp(self, min, max)

    clip = clamp

    def where(self, condition, other):
        return _ar.where(condition, self, other)

    def exp(self):
        return _ew.exp(self)

    def log(self):
        return _ew.log(self)

    def sqrt(self):
        return _ew.sqrt(self)

    def sin(self):
        return _ew.sin(self)

    def cos(self):
        return _ew.cos(self)

    def tanh(self):
        return _ew.tanh(self)

    def sigmoid(self):
        return _ew.sigmoid(self)

    def relu(self):
        return _ew.relu(self)

    def leaky_relu(self, negative_slope=0.01):
        return _ew.leaky_relu(self, negative_slope)

    def gelu(self, approximate="none"):
        return _ew.gelu(self, approximate)

    def softplus(self, beta=1.0, threshold=20.0):
        return _ew.softplus(self, beta, threshold)

    def erf(self):
        return _ew.erf(self)

    def pow(self, exponent):
        return _ar.pow(self, exponent)

    def square(self):
        return _ar.mul(self, self)

    # numpy's keepdims/axis spellings (accepted by PyTorch) take the slower path
    # (``out`` is there for numpy: ``np.sum(t)`` calls ``t.sum(axis=..., out=...)``)
    def sum(self, dim=None, keepdim=False, *, dtype=None, keepdims=None, axis=None, out=None):
        if dtype is None and keepdims is None and axis is None and out is None:
            return _red.sum(self, dim, keepdim)
        return _api.sum(self, dim, keepdim, dtype=dtype, keepdims=keepdims, axis=axis, out=out)

    def mean(self, dim=None, keepdim=False, *, dtype=None, keepdims=None, axis=None, out=None):
        if dtype is None and keepdims is None and axis is None and out is None:
            return _red.mean(self, dim, keepdim)
        return _api.mean(self, dim, keepdim, dtype=dtype, keepdims=keepdims, axis=axis, out=out)

    def var(self, dim=None, unbiased=None, keepdim=False, correction=None, *, keepdims=None,
            axis=None):
        dim, keepdim = _api.np_aliases(dim, keepdim, axis, keepdims, "var")
        return _red.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim=None, unbiased=None, keepdim=False, correction=None, *, keepdims=None,
            axis=None):
        dim, keepdim = _api.np_aliases(dim, keepdim, axis, keepdims, "std")
        return _red.std(self, dim, unbiased, keepdim, correction)

    def max(self, dim=None, keepdim=False, *, keepdims=None, axis=None, out=None):
        return _api.max(self, dim, keepdim, keepdims=keepdims, axis=axis, out=out)

    def min(self, dim=None, keepdim=False, *, keepdims=None, axis=None, out=None):
        return _api.min(self, dim, keepdim, keepdims=keepdims, axis=axis, out=out)

    def amax(self, dim=None, keepdim=False, *, keepdims=None, axis=None):
        return _api.amax(self, dim, keepdim, keepdims=keepdims, axis=axis)

    def amin(self, dim=None, keepdim=False, *, keepdims=None, axis=None):
        return _api.amin(self, dim, keepdim, keepdims=keepdims, axis=axis)

    def logsumexp(self, dim=None, keepdim=False, *, keepdims=None, axis=None):
        return _api.logsumexp(self, dim, keepdim, keepdims=keepdims, axis=axis)

    def argmax(self, dim=None, keepdim=False, *, keepdims=None, axis=None):
        return _api.argmax(self, dim, keepdim, keepdims=keepdims, axis=axis)

    def argmin(self, dim=None, keepdim=False, *, keepdims=None, axis=None):
        return _api.argmin(self, dim, keepdim, keepdims=keepdims, axis=axis)

    def softmax(self, dim=-1, dtype=None):
        return _red.softmax(_api.with_dtype(self, dtype), dim)

    def log_softmax(self, dim=-1, dtype=None):
        return _red.log_softmax(_api.with_dtype(self, dtype), dim)

    def matmul(self, other):
        return _la.matmul(self, other)

    def reshape(self, *shape):
        return _sh.reshape(self, *shape)

    view = reshape

    def transpose(self, dim0, dim1):
        return _sh.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _sh.permute(self, *dims)

    @property
    def T(self):
        if self.ndim == 2:
            return _sh.transpose(self, 0, 1)
        return _sh.permute(self, *range(self.ndim - 1, -1, -1))

    @property
    def mT(self):
        return _sh.transpose(self, -2, -1)

    def flatten(self, start_dim=0, end_dim=-1):
        return _sh.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return _sh.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _sh.unsqueeze(self, dim)

    def expand(self, *sizes):
        return _sh.expand(self, *sizes)

    def broadcast_to(self, shape):
        return _sh.broadcast_to(self, shape)

    def expand_as(self, other):
        return _sh.broadcast_to(self, other.shape)

    def split(self, split_size_or_sections, dim=0):
        return _sh.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _sh.chunk(self, chunks, dim)

    def gather(self, dim, index):
        return _ix.gather(self, dim, index)

    def sort(self, dim=-1, descending=False, stable=False):
        return _sort.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _sort.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _sort.topk(self, k, dim, largest, sorted)

    def tril(self, diagonal=0):
        return _mask.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _mask.triu(self, diagonal)

    def masked_fill(self, mask, value):
        return _mask.masked_fill(self, mask, value)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        from .sampling import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)

    # ----- DLPack (minigrad/dlpack.py): zero-copy exchange with torch, numpy, ... -------------
    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        from .dlpack import to_dlpack
        return to_dlpack(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self):
        return self._writable_array().__dlpack_device__()
