"""Method forms of :mod:`minigrad.ops.introspection`: a mixin of :class:`minigrad.Tensor`.

Layout queries (``stride``, ``storage_offset``, ``nbytes``, ``itemsize``, ``layout``), the
short dtype casts (``half``, ``byte``, ``char``, ``short``), the complex-number surface of real
tensors (``real``, ``imag``, ``conj``, ``H``, ``mH``, ``adjoint``), the memory-placement
no-ops (``pin_memory``, ``share_memory_``) and the Python-callable fills ``apply_``/``map_``.
"""
import numpy as np

from ._lazy import LazyModule

_ops = LazyModule("minigrad.ops.introspection", globals(), "_ops")


def _never(*args):
    # write() calls its compute function only when the write is recorded in the graph, which
    # apply_/map_ rule out beforehand (they refuse tensors that require grad).
    raise AssertionError("apply_/map_ writes are never recorded")


def _python_values(fn, name, args, dtype, shape):
    """``fn`` on each tuple of Python numbers in ``args``, as an array of ``dtype`` (results
    are cast as PyTorch does: 2.7 into an int tensor is 2). Computed before anything is
    written, so a failing callable leaves the tensor as it was."""
    out = []
    for vals in args:
        r = fn(*vals)
        if isinstance(r, np.ndarray) or not isinstance(r, (bool, int, float, np.number)):
            if hasattr(r, "item") and getattr(r, "ndim", None) == 0:
                r = r.item()
            else:
                raise TypeError(f"{name}: the callable must return a number, got "
                                f"{type(r).__name__} {r!r}")
        out.append(r)
    try:
        values = np.array(out, dtype=np.float64 if dtype.kind == "f" else object).astype(dtype)
    except (OverflowError, ValueError) as e:
        raise RuntimeError(f"{name}: a value returned by the callable does not fit the tensor's "
                         f"dtype {dtype}: {e}") from None
    return values.reshape(shape)


class TensorTypeMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.introspection`."""

    __slots__ = ()

    # ----- layout -----------------------------------------------------------------------
    def stride(self, dim=None):
        """The step in elements between neighbours along each dim (a tuple), or along ``dim``,
        as PyTorch's. minigrad's values are numpy's strides divided by the item size, which
        are PyTorch's for contiguous tensors and for views made by transpose, permute,
        slicing and expand (0 along expanded dims)."""
        a = np.asarray(self._data)
        strides = tuple(s // a.itemsize for s in a.strides)
        if dim is None:
            return strides
        from .tensor import _norm_dim
        return strides[_norm_dim(dim, a.ndim, "stride")]

    def storage_offset(self):
        """Where this tensor's first element sits in its memory block, in elements (0 unless
        it is a view that starts further in), as PyTorch's."""
        a = np.asarray(self._data)
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        start = _byte_bounds(root)[0]
        return (a.__array_interface__["data"][0] - start) // a.itemsize

    @property
    def nbytes(self):
        """The bytes taken by the elements (``numel() * itemsize``; an expanded view counts
        each element it shows, as PyTorch's)."""
        return self._data.size * self._data.itemsize

    @property
    def itemsize(self):
        """The bytes per element (``element_size()``)."""
        return self._data.itemsize

    @property
    def layout(self):
        """``strided``: minigrad tensors are dense."""
        return _ops.strided

    def is_complex(self):
        """False: minigrad has no complex dtypes."""
        return False

    def is_signed(self):
        """True for signed dtypes (floats and signed integers), False for bool and uint8."""
        return self.dtype.kind in "if"

    def is_nonzero(self):
        return _ops.is_nonzero(self)

    # ----- short dtype casts (differentiable between float dtypes) --------------------------
    def half(self, memory_format=None):
        """This tensor as float16."""
        return self.astype(np.float16)

    def byte(self, memory_format=None):
        """This tensor as uint8."""
        return self.astype(np.uint8)

    def char(self, memory_format=None):
        """This tensor as int8."""
        return self.astype(np.int8)

    def short(self, memory_format=None):
        """This tensor as int16."""
        return self.astype(np.int16)

    def bfloat16(self, memory_format=None):
        """Always an error: numpy, and so minigrad, has no bfloat16 dtype."""
        raise TypeError("bfloat16(): minigrad has no bfloat16 dtype (numpy has none); use "
                        "half() for float16 or float() for float32")

    # ----- complex-number surface of real tensors ------------------------------------------
    @property
    def real(self):
        """The real part: the tensor itself (minigrad tensors are real), as PyTorch's."""
        return self

    @property
    def imag(self):
        """An error, as PyTorch's for real tensors."""
        return _ops.imag(self)

    def conj(self):
        return self

    def conj_physical(self):
        return self

    def resolve_conj(self):
        return self

    def resolve_neg(self):
        return self

    def is_conj(self):
        return False

    def is_neg(self):
        return False

    def adjoint(self):
        return _ops.adjoint(self)

    @property
    def mH(self):
        """The conjugate transpose of the last two dims (``transpose(-2, -1)`` for real
        tensors), a view; at least 2 dims, as PyTorch's."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        """The conjugate transpose of a matrix (``transpose(0, 1)`` for a real 2-D tensor),
        a view. A 0-d tensor gives itself (PyTorch warns that this is deprecated); other
        dims are an error, as PyTorch's."""
        if self.ndim == 0:
            return self
        if self.ndim != 2:
            hint = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.{hint}")
        return self.transpose(0, 1)

    # ----- memory placement: no-ops on the CPU ---------------------------------------------
    def pin_memory(self, device=None):
        """The tensor itself: there is no accelerator to pin memory for. Departure: PyTorch
        without an accelerator raises; returning the tensor lets ``pin_memory=True`` data
        loading code run."""
        return self

    def is_pinned(self, device=None):
        """False: minigrad never pins memory."""
        return False

    def share_memory_(self):
        """The tensor itself, unchanged. Departure: PyTorch moves the memory into shared
        memory for ``multiprocessing`` workers; minigrad's memory is a numpy array, which
        worker processes receive as a copy, so Hogwild-style sharing does not happen."""
        return self

    def is_shared(self):
        """False: minigrad tensors are never in shared memory (see :meth:`share_memory_`)."""
        return False

    # ----- Python-callable fills (slow: one Python call per element) -----------------------
    def apply_(self, callable):  # noqa: A002  (PyTorch's argument name)
        """Replace each element ``x`` by ``callable(x)`` (Python numbers in and out; results
        are cast to the dtype), in place, as PyTorch's CPU-only ``apply_``. Refused on tensors
        that require grad (use ``t.detach().apply_(f)``), as PyTorch's. The version counter
        is bumped (PyTorch's is not)."""
        if not _is_callable(callable):
            raise TypeError(f"apply_(): argument 'callable' must be callable, got "
                            f"{type(callable).__name__}")
        _refuse_grad(self, "apply_")
        values = _python_values(callable, "apply_",
                                ((v,) for v in np.ravel(self._data).tolist()),
                                self.dtype, self.shape)
        return _write(self, "apply_", values)

    def map_(self, tensor, callable):  # noqa: A002  (PyTorch's argument names)
        """Replace each element ``x`` by ``callable(x, y)``, ``y`` the matching element of
        ``tensor`` (broadcast to this shape, same dtype), in place, as PyTorch's CPU-only
        ``map_``. Refused when either tensor requires grad, as PyTorch's."""
        from .tensor import Tensor
        if not isinstance(tensor, Tensor):
            raise TypeError(f"map_(): argument 'tensor' must be Tensor, not "
                            f"{type(tensor).__name__}")
        if not _is_callable(callable):
            raise TypeError(f"map_(): argument 'callable' must be callable, got "
                            f"{type(callable).__name__}")
        _refuse_grad(self, "map_")
        _refuse_grad(tensor, "map_")
        if tensor.dtype != self.dtype:
            raise TypeError(f"map_(): argument 'tensor' must have this tensor's dtype "
                            f"{self.dtype}, got {tensor.dtype}")
        try:
            other = np.broadcast_to(tensor._data, self.shape)
        except ValueError:
            raise RuntimeError(f"map_(): argument 'tensor' of shape {tensor.shape} does not "
                               f"broadcast to this tensor's shape {self.shape}") from None
        pairs = zip(np.ravel(self._data).tolist(), np.ravel(other).tolist())
        values = _python_values(callable, "map_", pairs, self.dtype, self.shape)
        return _write(self, "map_", values)


_is_callable = callable

try:
    from numpy.lib.array_utils import byte_bounds as _byte_bounds
except ImportError:  # numpy < 2
    _byte_bounds = np.byte_bounds


def _refuse_grad(t, name):
    if t.requires_grad:
        raise RuntimeError(f"{name}(): can't call {name}() on a tensor that requires grad; "
                           f"use t.detach().{name}(...) instead")


def _write(t, name, values):
    from . import _inplace

    def apply(a):
        np.copyto(a, values, casting="unsafe")

    return _inplace.write(t, name, apply, _never)
