"""Devices, as ``torch.device``: minigrad computes on the CPU only.

A ``device`` is a descriptor: ``device("cuda")`` can be built (scripts write
``device("cuda" if cuda.is_available() else "cpu")``), but asking for data on any device
other than the CPU (``device=`` on a creation function, ``.to(...)``, ``.cuda()``,
``set_default_device``) raises a ``RuntimeError`` that names the device.
"""
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


class device:  # noqa: N801  (PyTorch's name)
    """A device descriptor: ``device("cpu")``, ``device("cpu", 0)``, ``device("cpu:0")`` or
    ``device(other_device)``. Attributes ``type`` (str) and ``index`` (int or None).

    Equality, hashing, ``repr`` and ``str`` follow PyTorch: ``device("cpu") != "cpu"``
    (compare ``str(d)`` or ``d.type`` with a string), ``repr`` is ``device(type='cpu')``.
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's argument name)
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device: index cannot be given with a device object")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(f"device({type}): an integer means an accelerator index, and "
                               "minigrad has no accelerator (it runs on the CPU only)")
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string, a device or an int, got "
                            f"{builtins_type(type).__name__}")
        name, sep, idx = type.partition(":")
        if name not in _DEVICE_TYPES:
            raise RuntimeError(f"device: expected one of {', '.join(_DEVICE_TYPES)} at the start "
                               f"of the device string, got {type!r}")
        if sep:
            if index is not None:
                raise RuntimeError(f"device: index given twice, in {type!r} and as index={index}")
            if not idx.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(idx)
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"device: index must be an int, got {index!r}")
            if index < 0:
                raise RuntimeError(f"device: index must not be negative, got {index}")
        self._type, self._index = name, index

    @property
    def type(self):  # noqa: A003
        return self._type

    @property
    def index(self):
        return self._index

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self):
        return hash((self._type, self._index))

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self):
        return (device, (self._type, self._index))


builtins_type = type
CPU = device("cpu")
_default_device = CPU


def resolve(dev, name):
    """The CPU device for a ``device=`` argument (None: the default device). Any other device
    raises a RuntimeError naming it and the function ``name`` that was asked."""
    if dev is None:
        return _default_device
    if isinstance(dev, device):
        d = dev
    elif isinstance(dev, str) or (isinstance(dev, int) and not isinstance(dev, bool)):
        d = device(dev)
    else:
        raise TypeError(f"{name}: device must be a string or a minigrad.device, got "
                        f"{builtins_type(dev).__name__}")
    if d._type != "cpu":
        raise RuntimeError(
            f"{name}: device {str(d)!r} is not available: minigrad runs on the CPU only "
            "(minigrad.cuda.is_available() is False); use device='cpu'")
    return d


def is_device(x):
    """True when ``x`` reads as a device (a device object or a device string such as 'cpu',
    'cuda:0'), so ``to(x)`` and ``type(x)`` can tell devices from dtypes."""
    if isinstance(x, device):
        return True
    return isinstance(x, str) and x.partition(":")[0] in _DEVICE_TYPES


def set_default_device(dev):
    """Set the device creation functions use when ``device=`` is not given. Only the CPU
    (or None, which restores it) is accepted."""
    global _default_device
    _default_device = CPU if dev is None else resolve(dev, "set_default_device")


def get_default_device():
    """The device creation functions use by default (always the CPU)."""
    return _default_device
