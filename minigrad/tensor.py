"""The Tensor: a numpy array plus the graph node that reverse-mode autodiff walks.

A Tensor produced by a differentiable op keeps ``_ctx = (backward, parents, op_name, saves)``
(``saves``: which values the backward reads, see :func:`make`). ``backward(g, out)``
receives the gradient of the output (a Tensor) and the output itself, and returns one
gradient (Tensor or None) per parent, already reduced to the parent's shape.
Backward rules are written with Tensor ops, so running them with graph recording on
(``create_graph=True``) gives gradients of gradients. The output is passed in rather than
captured, so no node references itself (no reference cycles, graphs die with their last
reference).
"""
import itertools

import numpy as np

from .grad_mode import enabled as grad_enabled
from ._tensor_ops import TensorOps
from ._inplace import TensorInplace

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


class Tensor(TensorOps, TensorInplace):
    """An n-dimensional array that can record the operations applied to it.

    Attributes follow PyTorch: ``data`` (a Tensor sharing this one's memory, not recorded),
    ``grad`` (a Tensor or None), ``requires_grad``, ``shape``, ``dtype``, ``_version``.
    Create tensors with :func:`minigrad.tensor`; see ``docs/tensor.md`` for the storage
    model (views, version counters, in-place writes).

    Slots: ``_data`` the numpy array (the one private name for the raw values);
    ``_ctx = (backward, parents, op_name, saves)`` the graph node, None for a leaf;
    ``_vc`` the version counter ``[version, write clock of the last write]``, shared by every
    alias of the memory (views, ``detach()``), None until something needs it; ``_history``
    None, ``(root, steps)`` for a view, or the :class:`minigrad._storage.History` of a tensor
    written in place while recorded; ``_hooks`` backward hooks (``register_hook``,
    ``retain_grad``).
    """

    __slots__ = ("_data", "grad", "requires_grad", "_ctx", "_grad_view", "_hooks",
                 "_seq", "_vc", "_recorded_at", "_history", "__weakref__")
    __array_priority__ = 1000  # make ndarray + Tensor call Tensor.__radd__

    def __init__(self, *data, dtype=None, requires_grad=False, device=None):
        from ._tensor_compat import constructor_array
        self._data, self._vc = constructor_array(data, dtype, device)
        self.grad = None
        self._history = None
        self._ctx = None
        self._grad_view = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ----- construction helpers used by the ops -------------------------------------
    @classmethod
    def _wrap(cls, array):
        """A constant Tensor around ``array`` (no copy, no graph, a version counter of its
        own)."""
        t = object.__new__(Tensor)
        t._data = array
        t.grad = None
        t._vc = None
        t._history = None
        t.requires_grad = False
        t._ctx = None
        t._grad_view = None
        t._hooks = None
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

    @property
    def _version(self):
        """How many in-place writes the memory has had through this tensor or an alias that
        shares its counter (views, ``detach()``), as PyTorch's ``_version``."""
        vc = self._vc
        return 0 if vc is None else vc[0]

    @property
    def _base(self):
        """The tensor this one is a view of (None if it is not a view), as PyTorch's."""
        view = _storage.view_info(self)
        return None if view is None else view[0]

    def _is_view(self):
        return self._base is not None

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
        and is not recorded, as PyTorch's ``.data``. It has a version counter of its own, so
        writes through it are not seen by autograd: this is PyTorch's documented escape that
        makes ``p.data -= lr * p.grad`` legal. Use :meth:`detach` (tracked) elsewhere."""
        return Tensor._wrap(self._writable_array())

    @data.setter
    def data(self, value):
        """``t.data = other`` makes ``t`` share ``other``'s memory (shape and dtype may
        change), as in PyTorch; ``t`` keeps its graph identity and version counter."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: assigned value must be a Tensor, got {type(value).__name__}")
        self._data = value._writable_array()

    def numpy(self, *, force=False):
        """The underlying numpy array (shared memory), as PyTorch's ``numpy()``.

        Like PyTorch, refused on a tensor that requires grad unless ``force=True`` (the same
        as ``t.detach().numpy()``). Writes into the array are not seen by the version counter.
        """
        if self.requires_grad and not force:
            raise RuntimeError("numpy(): can't call numpy() on a Tensor that requires grad; "
                               "use tensor.detach().numpy() instead")
        return self._writable_array()

    def _writable_array(self):
        """``_data`` as an ndarray that aliases this tensor's memory. Ops may leave a numpy
        scalar (immutable) as a 0-d result; it is swapped for a 0-d array the first time
        something needs to share or write the memory."""
        a = self._data
        if type(a) is not np.ndarray:
            a = self._data = np.asarray(a)
        return a

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
        """A new leaf tensor sharing this tensor's memory and version counter, cut from the
        graph (as PyTorch: an in-place write through it makes a backward that needs the
        original values raise)."""
        t = Tensor._wrap(self._writable_array())
        t._vc = _storage.shared_counter(self)
        return t

    def detach_(self):
        """Cut this tensor from the graph in place (it becomes a leaf that does not require
        grad), as PyTorch's ``detach_``; refused on views.

        Departure: refused too while the tensor's graph is alive (no backward has freed it
        yet), since ops recorded from it would lose their gradient; use ``detach()`` there.
        After ``backward()`` (truncated backpropagation's ``hidden.detach_()``) it is fine."""
        if self._base is not None:
            raise RuntimeError("detach_: can't detach views in place; use detach() instead")
        if self._ctx is not None and self._ctx[0] is not None:
            raise RuntimeError("detach_: this tensor's graph has not been run by backward yet, "
                               "and ops recorded from it would lose their gradient; use "
                               "t = t.detach() instead (minigrad departs from PyTorch here)")
        if self._ctx is not None:
            _storage.record_rebase(self, next(_sequence), _inplace._identity(self))
        self._ctx = None
        self.requires_grad = False
        return self

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
        """Keep ``.grad`` for this non-leaf tensor during backward (a no-op on leaves)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        if self._ctx is None:
            return
        hooks = self._hooks
        if hooks is None:
            self._hooks = [_RETAIN_GRAD]
        elif _RETAIN_GRAD not in hooks:
            hooks.append(_RETAIN_GRAD)

    @property
    def retains_grad(self):
        hooks = self._hooks
        return hooks is not None and _RETAIN_GRAD in hooks

    def register_hook(self, hook):
        """Call ``hook(grad)`` each time the gradient with respect to this tensor is computed
        in a backward pass; a non-None return value replaces the gradient, as PyTorch's
        ``register_hook``. Hooks run in registration order, before the gradient is
        accumulated into ``.grad`` (leaves) or passed on. Returns a handle with ``remove()``.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not callable(hook):
            raise TypeError(f"register_hook: hook must be callable, got {type(hook).__name__}")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

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
        from .ops.introspection_runtime import repr_kwargs  # set_printoptions' settings
        body = np.array2string(np.asarray(self._data), separator=", ", prefix="tensor(",
                               **repr_kwargs())
        extras = []
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self._ctx[2]}Backward>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    __hash__ = object.__hash__


#: Marks ``retain_grad()`` in a tensor's hook list (it runs after the user's hooks).
_RETAIN_GRAD = object()


class _HookHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook. It holds the hook
    list rather than the tensor: an in-place write hands the list to the tensor's old value,
    whose hook it is (see :mod:`minigrad._inplace`)."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


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

#: What a node's backward reads, so what an in-place write may not change before backward
#: (``make(..., saves=...)``): bit flags for every input, the output, the first input only,
#: the second input only.
SAVES_NOTHING, SAVES_INPUTS, SAVES_OUTPUT, SAVES_ALL = 0, 1, 2, 3
SAVES_FIRST, SAVES_SECOND = 4, 8


def saves_factors(a, b):
    """``saves`` for a product of ``a`` and ``b`` (mul, matmul, linear): each factor's
    gradient reads the other factor, so a factor's value matters only if the other one
    requires grad (as in PyTorch, ``x * 2`` saves nothing about ``x``)."""
    return (SAVES_SECOND if a.requires_grad else 0) | (SAVES_FIRST if b.requires_grad else 0)


def make(data, parents, backward, op, saves=SAVES_ALL):
    """Output tensor of an op: records the graph node only if a parent needs a gradient.

    Recorded nodes get an increasing sequence number: a node is always created after its
    parents, so visiting nodes by decreasing number is a topological order (as PyTorch's
    engine does with its sequence_nr). ``saves`` says which values the backward reads;
    backward raises if one of them was written in place since the node was recorded. To
    know that without per-tensor work here, the node keeps the *write clock* (a count of all
    in-place writes, :data:`minigrad._storage.clock`) and each version counter the clock of
    its last write. The default is the safe choice; ops whose backward reads no values (add,
    views, sums, ...) pass ``SAVES_NOTHING`` so writes into their inputs stay legal, as in
    PyTorch.
    """
    t = object.__new__(Tensor)
    t._data = data
    t.grad = None
    t._grad_view = None
    t._hooks = None
    t._vc = None
    t._history = None
    if grad_enabled():
        for p in parents:
            if p.requires_grad:
                t.requires_grad = True
                t._ctx = (backward, parents, op, saves)
                t._seq = next(_sequence)
                t._recorded_at = _clock[0]
                return t
    t.requires_grad = False
    t._ctx = None
    return t


def written_since_recorded(node):
    """Whether a value that ``node``'s backward reads (per its ``saves`` flags) was written in
    place after the node was recorded."""
    backward, parents, op, saves = node._ctx
    if saves & 1:
        tensors = list(parents)
    else:
        tensors = [parents[i] for i, bit in ((0, 4), (1, 8)) if saves & bit]
    if saves & 2:
        tensors.append(node)
    t0 = node._recorded_at
    return any(q._vc is not None and q._vc[1] > t0 for q in tensors)


def make_view(data, parent, backward, op, step):
    """Output of a view op (``data`` aliases ``parent``'s memory): a node that saves
    nothing, sharing ``parent``'s version counter, and remembering how to redo the view
    from its root (``step``, see :mod:`minigrad._storage`) for in-place writes through it."""
    t = make(data, (parent,), backward, op, SAVES_NOTHING)
    vc = parent._vc
    if vc is None:
        vc = parent._vc = [0, 0]
    t._vc = vc
    ph = parent._history
    if ph is None:
        t._history = (parent, (step,))
    else:
        pv = ph if type(ph) is tuple else ph.view
        t._history = (parent, (step,)) if pv is None else (pv[0], pv[1] + (step,))
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


from . import _inplace, _storage, _tensor_ops  # noqa: E402

_clock = _storage.clock
_tensor_ops.bind_ops()
_inplace.bind()
