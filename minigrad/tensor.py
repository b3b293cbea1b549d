"""The Tensor: a numpy array plus the graph node that reverse-mode autodiff walks.

A Tensor produced by a differentiable op keeps ``_ctx = (backward, parents, op_name)``.
``backward(g, out)`` receives the gradient of the output (a Tensor) and the output itself,
and returns one gradient (Tensor or None) per parent, already reduced to the parent's shape.
Backward rules are written with Tensor ops, so running them with graph recording on
(``create_graph=True``) gives gradients of gradients. The output is passed in rather than
captured, so no node references itself (no reference cycles, graphs die with their last
reference).
"""
import itertools

import numpy as np

from . import grad_mode
from ._tensor_ops import TensorOps

float16 = np.float16
float32 = np.float32
float64 = np.float64
int32 = np.int32
int64 = np.int64
bool_ = np.bool_

_DEFAULT_FLOAT = np.dtype(np.float32)
_DTYPE_ALIASES = {
    "float": np.float32, "float32": np.float32, "double": np.float64, "float64": np.float64,
    "half": np.float16, "float16": np.float16, "long": np.int64, "int64": np.int64,
    "int": np.int32, "int32": np.int32, "bool": np.bool_,
}


def _resolve_dtype(dtype):
    if dtype is None:
        return None
    if isinstance(dtype, str) and dtype in _DTYPE_ALIASES:
        dtype = _DTYPE_ALIASES[dtype]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unsupported dtype {dtype!r}") from None
    if dt.kind not in "fiub":
        raise TypeError(f"unsupported dtype {dt}: minigrad supports float, int and bool tensors")
    return dt


def _as_array(data, dtype=None):
    """numpy array for ``data`` with PyTorch's default dtypes (floats -> float32)."""
    dt = _resolve_dtype(dtype)
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)  # a numpy scalar keeps its dtype, as a numpy array does
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
            data = [x._data if isinstance(x, Tensor) else x for x in data]
        arr = np.asarray(data)
        if dt is None and arr.dtype.kind == "f":
            # Python floats are float32 by default, as in PyTorch.
            arr = arr.astype(_DEFAULT_FLOAT)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"cannot make a tensor from data of dtype {arr.dtype}")
    if dt is not None and arr.dtype != dt:
        arr = arr.astype(dt)
    if arr.dtype.kind == "u" and arr.dtype != np.uint8:
        arr = arr.astype(np.int64)
    return arr


class Tensor(TensorOps):
    """An n-dimensional array that can record the operations applied to it.

    Attributes follow PyTorch: ``data`` (the numpy array), ``grad`` (a Tensor or None),
    ``requires_grad``, ``shape``, ``dtype``. Create tensors with :func:`minigrad.tensor`.
    """

    __slots__ = ("_data", "grad", "requires_grad", "_ctx", "_grad_view", "_retains_grad",
                 "_seq", "_version", "_saved_version", "__weakref__")
    __array_priority__ = 1000  # make ndarray + Tensor call Tensor.__radd__

    def __init__(self, *data, dtype=None, requires_grad=False, device=None):
        from ._tensor_compat import constructor_array
        self._data = constructor_array(data, dtype, device)
        self.grad = None
        self._version = 0
        self._ctx = None
        self._grad_view = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ----- construction helpers used by the ops -------------------------------------
    @classmethod
    def _wrap(cls, array):
        """A constant Tensor around ``array`` (no copy, no graph)."""
        t = object.__new__(Tensor)
        t._data = array
        t.grad = None
        t._version = 0
        t.requires_grad = False
        t._ctx = None
        t._grad_view = None
        t._retains_grad = False
        return t

    # ----- attributes ------------------------------------------------------------------
    @property
    def shape(self):
        return self._data.shape

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op (their ``.grad`` is filled)."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The backward node that produced this tensor (``name()``, ``next_functions``, as
        PyTorch's), or None for a leaf. Built on demand from ``_ctx``."""
        if self._ctx is None:
            return None
        from .autograd.graph import Node
        return Node(self)

    def size(self, dim=None):
        """The shape as a tuple, or the length of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        return self._data.shape[_norm_dim(dim, self.ndim, "size")]

    def numel(self):
        return self._data.size

    def dim(self):
        return self._data.ndim

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ----- conversion ------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise ValueError(
                f"item(): only a tensor with one element can be converted to a Python "
                f"scalar, this one has shape {self.shape}")
        return self._data.item()

    @property
    def data(self):
        """This tensor's values as a new Tensor that shares its memory, does not require grad
        and is not recorded, as PyTorch's ``.data``. Writes through it are not tracked by the
        version counter: this is the documented escape that makes ``p.data -= lr * p.grad``
        legal. Prefer :meth:`detach` (tracked) elsewhere."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: assigned value must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def numpy(self, *, force=False):
        """The underlying numpy array (shared memory), as PyTorch's ``numpy()``.

        Like PyTorch, refused on a tensor that requires grad unless ``force=True`` (the same
        as ``t.detach().numpy()``).
        """
        if self.requires_grad and not force:
            raise RuntimeError("numpy(): can't call numpy() on a Tensor that requires grad; "
                               "use tensor.detach().numpy() instead")
        return self._data

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return np.asarray(self._data, dtype=dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous")
        return bool(self._data.item())

    def __index__(self):
        if self.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data.item())

    def detach(self):
        """A new leaf tensor sharing this tensor's data, cut from the graph."""
        return Tensor._wrap(self._data)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place; only float tensors may require grad."""
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.dtype}")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor during backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True

    def astype(self, dtype):
        """This tensor converted to ``dtype`` (differentiable between float dtypes)."""
        from .ops import elementwise
        return elementwise.cast(self, _resolve_dtype(dtype))

    def float(self):
        return self.astype(np.float32)

    def double(self):
        return self.astype(np.float64)

    def long(self):
        return self.astype(np.int64)

    def int(self):
        return self.astype(np.int32)

    def bool(self):
        return self.astype(np.bool_)

    # ----- in-place data helpers (no graph; used by init code and optimizers) ------------
    def _check_inplace(self, name):
        if self.requires_grad and self.is_leaf and grad_mode._enabled:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad cannot be modified in place while "
                "gradients are recorded; wrap it in minigrad.no_grad()")

    def zero_(self):
        self._check_inplace("zero_")
        self._data[...] = 0
        self._version += 1
        return self

    def fill_(self, value):
        self._check_inplace("fill_")
        self._data[...] = value
        self._version += 1
        return self

    def copy_(self, src):
        self._check_inplace("copy_")
        src = src._data if isinstance(src, Tensor) else np.asarray(src)
        try:
            np.copyto(self._data, np.broadcast_to(src, self.shape), casting="same_kind")
        except ValueError:
            raise ValueError(
                f"copy_: source of shape {np.shape(src)} does not broadcast to {self.shape}") from None
        self._version += 1
        return self

    def _inplace(self, ufunc, other, name):
        """``self._data <ufunc>= other`` in place. Like PyTorch, refused on a tensor that
        requires grad while gradients are recorded; without this, ``p -= lr * p.grad`` would
        silently rebind ``p`` to a new tensor and leave the parameter unchanged."""
        if self.requires_grad and grad_mode._enabled:
            if self.is_leaf:
                raise RuntimeError(
                    f"{name}: a leaf tensor that requires grad cannot be modified in place while "
                    "gradients are recorded; wrap the update in minigrad.no_grad()")
            raise RuntimeError(
                f"{name}: minigrad does not record in-place ops in the graph; write the "
                "out-of-place form instead (y = y + r rather than y += r)")
        other = other._data if isinstance(other, Tensor) else other
        try:
            ufunc(self._data, other, out=self._data, casting="same_kind")
        except ValueError:
            raise ValueError(f"{name}: operand of shape {np.shape(other)} does not broadcast "
                             f"to the tensor's shape {self.shape}") from None
        except TypeError:
            raise TypeError(f"{name}: cannot update a {self.dtype} tensor in place with "
                            f"{np.asarray(other).dtype} values") from None
        self._version += 1
        return self

    def add_(self, other):
        return self._inplace(np.add, other, "add_")

    def sub_(self, other):
        return self._inplace(np.subtract, other, "sub_")

    def mul_(self, other):
        return self._inplace(np.multiply, other, "mul_")

    def div_(self, other):
        return self._inplace(np.true_divide, other, "div_")

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    # ----- autograd --------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``gradient`` is required unless this tensor holds a single element. Gradients
        accumulate (``+=``) across calls, as in PyTorch; ``create_graph=True`` records the
        backward pass so the gradients can be differentiated again. The graph is freed
        afterwards unless ``retain_graph`` (default: ``create_graph``) is true.
        """
        from .autograd import engine
        engine.backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                        inputs=inputs)

    # ----- repr ------------------------------------------------------------------------
    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self._ctx[2]}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    __hash__ = object.__hash__


def _norm_dim(dim, ndim, op):
    """Normalise a possibly negative dim, with an error naming the op and the valid range."""
    if type(dim) is int and -ndim <= dim < ndim:
        return dim % ndim
    if isinstance(dim, Tensor):
        dim = int(dim)
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(dim, (int, np.integer)) or not lo <= dim <= hi:
        raise IndexError(f"{op}: dim {dim!r} out of range for a {ndim}-d tensor "
                         f"(expected an int in [{lo}, {hi}])")
    return int(dim) % max(ndim, 1)


_sequence = itertools.count()


def make(data, parents, backward, op):
    """Output tensor of an op: records the graph node only if a parent needs a gradient.

    Recorded nodes get an increasing sequence number: a node is always created after its
    parents, so visiting nodes by decreasing number is a topological order (as PyTorch's
    engine does with its sequence_nr).
    """
    t = object.__new__(Tensor)
    t._data = data
    t.grad = None
    t._grad_view = None
    t._retains_grad = False
    t._version = 0
    if grad_mode._enabled:
        for p in parents:
            if p.requires_grad:
                t.requires_grad = True
                t._ctx = (backward, parents, op)
                t._seq = next(_sequence)
                # versions only grow, so their sum changes iff an input was modified in place
                t._saved_version = sum([q._version for q in parents])
                return t
    t.requires_grad = False
    t._ctx = None
    return t


def floating(a):
    """``a`` itself if it is a float tensor, else a float32 copy: functions such as exp or
    softmax on integer or bool tensors compute in float32, as PyTorch's do."""
    if a._data.dtype.kind == "f":
        return a
    return Tensor._wrap(a._data.astype(_DEFAULT_FLOAT))


def as_tensor_like(x, like):
    """``x`` as a constant Tensor; Python scalars take ``like``'s dtype when it is float."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float, np.number)) and not isinstance(x, np.ndarray):
        kind = like.dtype.kind
        if kind == "f":
            return Tensor._wrap(np.asarray(x, dtype=like.dtype))
        if isinstance(x, (float, np.floating)):
            return Tensor._wrap(np.asarray(x, dtype=_DEFAULT_FLOAT))
        return Tensor._wrap(np.asarray(x, dtype=like.dtype if kind != "b" else np.int64))
    return Tensor._wrap(_as_array(x))


def tensor(data, dtype=None, requires_grad=False, *, device=None, pin_memory=False):
    """Create a leaf Tensor from ``data`` (a number, nested list, numpy array or Tensor).

    Float data defaults to float32; a float64 numpy array stays float64; ``dtype`` overrides.
    The data is copied, as ``torch.tensor`` does. ``device`` must be the CPU.
    """
    if device is not None:
        from ._device import resolve
        resolve(device, "tensor")
    arr = _as_array(data, dtype)
    if arr is data or (isinstance(data, Tensor) and arr is data._data):
        arr = arr.copy()
    return Tensor(arr, requires_grad=requires_grad)


from . import _tensor_ops  # noqa: E402

_tensor_ops.bind_ops()
