"""The parts of PyTorch's Tensor interface that are about where a tensor lives and what it is
called rather than about arithmetic: ``device``, ``to``, ``cpu``/``cuda``, the legacy
``type()`` names, ``new_*`` constructors, size aliases, memory-layout queries. A mixin of
:class:`minigrad.Tensor` (through :class:`minigrad._tensor_ops.TensorOps`)."""
import numpy as np

from . import _device

# PyTorch's legacy tensor type names, by dtype
LEGACY_TYPE_NAMES = {
    np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
    np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.bool_): "BoolTensor",
}
LEGACY_TYPES = {name: dt for dt, name in LEGACY_TYPE_NAMES.items()}


def legacy_type_dtype(name, where):
    """The dtype of a legacy type name: "torch.FloatTensor", "minigrad.FloatTensor" or
    "FloatTensor" (the prefix is the module's name, which is "torch" when minigrad is
    imported under that name)."""
    short = name.rpartition(".")[2]
    if short not in LEGACY_TYPES or name.count(".") > 1:
        raise ValueError(f"{where}: invalid type {name!r}; expected a dtype or a name such as "
                         f"'torch.FloatTensor' ({', '.join(sorted(LEGACY_TYPES))})")
    return LEGACY_TYPES[short]


def constructor_array(args, dtype, device):
    """``(array, counter)`` for ``Tensor(*args)``, PyTorch's legacy constructor: ``Tensor()``
    is empty, ``Tensor(2, 3)`` has that shape (zeros, where PyTorch leaves memory
    uninitialised), and ``Tensor(list)`` is the default float dtype. ``Tensor(t)`` of the
    same dtype is an alias of ``t``, as in PyTorch: ``counter`` is then ``t``'s version
    counter, to share (else None). Departure: a numpy array or a Tensor keeps its dtype
    (PyTorch converts a numpy array to the default float dtype), because the package wraps
    arrays with ``Tensor(array)``."""
    from . import _storage
    from ._default_dtype import get_default_dtype
    from .tensor import Tensor, _as_array, _resolve_dtype
    _device.resolve(device, "Tensor")
    if not args:
        return np.zeros((0,), dtype=_resolve_dtype(dtype) or get_default_dtype()), None
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in args):
        if any(a < 0 for a in args):
            raise ValueError(f"Tensor: sizes must be non-negative, got {tuple(int(a) for a in args)}")
        shape = tuple(int(a) for a in args)
        return np.zeros(shape, dtype=_resolve_dtype(dtype) or get_default_dtype()), None
    if len(args) > 1:
        raise TypeError(f"Tensor(): expected sizes (ints) or one data argument, got {args!r}")
    data = args[0]
    if isinstance(data, Tensor):
        arr = _as_array(data._writable_array(), dtype)
        return arr, _storage.shared_counter(data) if arr is data._data else None
    if isinstance(data, (np.ndarray, np.generic)):
        return _as_array(data, dtype), None
    if isinstance(data, (float, complex, bool)):
        raise TypeError(f"Tensor(): data must be a sequence (got {type(data).__name__}); use "
                        "tensor(value) for a 0-d tensor")
    return _as_array(data, dtype or get_default_dtype()), None


def _is_dtype_like(x):
    from .tensor import _DTYPE_ALIASES
    if isinstance(x, str):
        return x in _DTYPE_ALIASES
    if isinstance(x, type) and getattr(x, "_legacy_dtype", None) is not None:
        return False
    try:
        np.dtype(x)
    except TypeError:
        return False
    return not isinstance(x, (int, float)) or isinstance(x, type)


def parse_to_args(args, dtype, device, name):
    """The dtype asked for by the arguments of ``Tensor.to``/``Module.to`` (None: keep), after
    checking that the device, if any, is the CPU."""
    from .tensor import Tensor
    if len(args) > 3:
        raise TypeError(f"{name}() takes at most 3 positional arguments, got {len(args)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype if dtype is None else dtype
        elif _device.is_device(a):
            if device is not None:
                raise TypeError(f"{name}(): device given twice")
            device = a
        elif isinstance(a, bool):  # the non_blocking flag of to(dtype, non_blocking)
            continue
        elif _is_dtype_like(a):
            if dtype is not None:
                raise TypeError(f"{name}(): dtype given twice")
            dtype = a
        else:
            raise TypeError(f"{name}(): expected a dtype, a device or a tensor, got {a!r}")
    _device.resolve(device if device is not None else "cpu", name)
    return dtype


class TensorCompat:
    """Mixin: device, conversion and legacy-API methods of the Tensor."""

    __slots__ = ()

    # ----- devices --------------------------------------------------------------------
    @property
    def device(self):
        """Where the tensor lives: always ``device(type='cpu')``."""
        return _device.CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    def get_device(self):
        """-1, PyTorch's index for the CPU."""
        return -1

    def cpu(self, memory_format=None):
        """The tensor itself (it is on the CPU already)."""
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """Always an error: minigrad has no CUDA device."""
        name = "cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else str(device)
        raise RuntimeError(f"cuda(): device {name!r} is not available: minigrad runs on the CPU "
                           "only (minigrad.cuda.is_available() is False)")

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False,
           memory_format=None):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)`` or the
        keyword forms, as PyTorch. The device must be the CPU (anything else raises naming it).
        Returns the tensor itself when nothing changes, unless ``copy=True``; a dtype change is
        differentiable between float dtypes."""
        from .tensor import _resolve_dtype
        dtype = parse_to_args(args, dtype, device, "to")
        out = self if dtype is None else self.astype(_resolve_dtype(dtype))
        if copy and out is self:
            out = self.clone()
        return out

    # ----- legacy type names ---------------------------------------------------------------
    def type(self, dtype=None, non_blocking=False, **kwargs):  # noqa: A003  (PyTorch's name)
        """Without an argument: the legacy type name, such as ``"torch.FloatTensor"`` (PyTorch's
        spelling, whatever name minigrad was imported under). With a dtype, a legacy name
        (``"torch.LongTensor"``, also ``"minigrad.LongTensor"``) or a legacy type
        (``LongTensor``): the tensor converted, as :meth:`to`."""
        if dtype is None:
            return "torch." + LEGACY_TYPE_NAMES.get(self.dtype, f"{self.dtype}Tensor")
        if isinstance(dtype, str):
            dt = legacy_type_dtype(dtype, "type")
        elif getattr(dtype, "_legacy_dtype", None) is not None:
            dt = dtype._legacy_dtype
        else:
            from .tensor import _resolve_dtype
            dt = _resolve_dtype(dtype)
        return self.to(dt)

    def type_as(self, other):
        """This tensor converted to ``other``'s dtype."""
        return self.to(other.dtype)

    # ----- new_* constructors: same dtype (and device) unless told ------------------------
    def _new_dtype(self, dtype):
        from .tensor import _resolve_dtype
        return _resolve_dtype(dtype) or self.dtype

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
        from . import creation
        return creation.zeros(*size, dtype=self._new_dtype(dtype), device=device,
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False):
        from . import creation
        return creation.ones(*size, dtype=self._new_dtype(dtype), device=device,
                             requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
        from . import creation
        return creation.empty(*size, dtype=self._new_dtype(dtype), device=device,
                              requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
                 layout=None, pin_memory=False):
        from . import creation
        return creation.full(size, fill_value, dtype=self._new_dtype(dtype), device=device,
                             requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
        """A copy of ``data`` as a new leaf tensor with this tensor's dtype (unless told)."""
        from .tensor import tensor
        return tensor(data, dtype=self._new_dtype(dtype), device=device,
                      requires_grad=requires_grad)

    def __format__(self, format_spec):
        """``f"{t:.4f}"`` formats a 0-d tensor as its Python number, as PyTorch does; other
        tensors accept only the empty format (their repr)."""
        if self._data.ndim == 0:
            return self._data.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    # ----- sizes and layout -------------------------------------------------------------
    def nelement(self):
        """The number of elements (``numel``)."""
        return self._data.size

    def ndimension(self):
        """The number of dims (``dim``)."""
        return self._data.ndim

    def element_size(self):
        return self._data.itemsize

    def is_contiguous(self, memory_format=None):
        """True when the elements are laid out in row-major order without gaps."""
        return bool(self._data.flags["C_CONTIGUOUS"])

    def contiguous(self, memory_format=None):
        """The tensor itself when contiguous, else a contiguous copy (differentiable)."""
        if self.is_contiguous():
            return self
        from .ops import elementwise
        return elementwise.clone(self)

    def clone(self, *, memory_format=None):
        """A copy with its own memory, recorded in the graph (gradient passes through).
        ``memory_format`` is accepted for PyTorch's signature; the copy is row-major."""
        from .ops import elementwise
        return elementwise.clone(self)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def is_floating_point(self):
        """True for float dtypes, as PyTorch's ``is_floating_point()``."""
        return self.dtype.kind == "f"

    # ----- random fills in place (constant values, written like fill_) -----------------------
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with samples uniform on ``[a, b)``."""
        from .sampling import fill_random_
        return fill_random_(self, "uniform_", generator,
                            lambda rng, shape: rng.uniform(a, b, shape))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with samples of ``N(mean, std**2)``."""
        from .sampling import fill_random_
        if std < 0:
            raise ValueError(f"normal_: std must be >= 0, got {std}")
        return fill_random_(self, "normal_", generator,
                            lambda rng, shape: mean + std * rng.standard_normal(shape))

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor)."""
        from .sampling import fill_random_
        prob = p._data if hasattr(p, "_data") else p
        return fill_random_(self, "bernoulli_", generator,
                            lambda rng, shape: rng.random(shape) < prob)

    def random_(self, from_=0, to=None, *, generator=None):
        """Fill with integers uniform on ``[from_, to)`` (``random_(to)`` means from 0)."""
        from .sampling import fill_random_
        if to is None:
            if from_ == 0:
                raise ValueError("random_: give an upper bound (random_(to) or random_(from_, to))")
            from_, to = 0, from_
        return fill_random_(self, "random_", generator,
                            lambda rng, shape: rng.integers(from_, to, shape))

    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill with samples of the exponential distribution of rate ``lambd``."""
        from .sampling import fill_random_
        return fill_random_(self, "exponential_", generator,
                            lambda rng, shape: rng.exponential(1.0 / lambd, shape))

    def bernoulli(self, p=None, *, generator=None):
        """0/1 samples, 1 with probability given by this tensor (or ``p``)."""
        from .sampling import bernoulli
        return bernoulli(self, p, generator=generator)
