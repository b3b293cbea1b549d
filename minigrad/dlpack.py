"""DLPack: hand a tensor's memory to another library, or take one from it, without copying.

``torch.from_dlpack(t)`` and ``numpy.from_dlpack(t)`` read a minigrad tensor through
``Tensor.__dlpack__`` / ``Tensor.__dlpack_device__``; :func:`from_dlpack` turns a torch
tensor, a numpy array (or anything else speaking the protocol) into a minigrad tensor. In
both directions the two objects share one buffer: a write through either is seen by both.
minigrad's tensors live in numpy arrays, so numpy does the protocol's low-level work here.

As in PyTorch, a tensor that requires grad is not exported (the other library could write
into it behind autograd's back): export ``t.detach()``. Writes made by the other library
are not counted by minigrad's version counter either, for the same reason.
"""
import numpy as np

from .tensor import Tensor

__all__ = ["from_dlpack", "to_dlpack"]

# numpy's DLPack device type for main memory (DLDeviceType.kDLCPU)
_CPU = 1
# dtypes a minigrad tensor holds as they are; other unsigned ints would need a copy
_SHAREABLE = {np.dtype(t) for t in (np.float16, np.float32, np.float64, np.int8, np.int16,
                                    np.int32, np.int64, np.uint8, np.bool_)}
_NAMES = "float16/32/64, int8/16/32/64, uint8 and bool"


def to_dlpack(tensor, *, stream=None, max_version=None, dl_device=None, copy=None):
    """The DLPack capsule of ``tensor`` (what ``Tensor.__dlpack__`` returns); the arguments
    are those of the array API's ``__dlpack__``. Raises RuntimeError for a tensor that
    requires grad, as PyTorch does."""
    if tensor.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    kwargs = {k: v for k, v in (("max_version", max_version), ("dl_device", dl_device),
                                ("copy", copy)) if v is not None}
    # A TypeError for keywords an older numpy does not know tells the consumer to retry
    # with the plain protocol, which consumers such as torch do.
    return tensor._writable_array().__dlpack__(stream=stream, **kwargs)


def from_dlpack(ext_tensor, *, copy=None):
    """A minigrad tensor sharing memory with ``ext_tensor``, any object with ``__dlpack__``
    (a torch tensor, a numpy array, a minigrad tensor), as ``torch.from_dlpack``.

    The result is a leaf that does not require grad. ``copy=True`` copies instead of
    sharing, ``copy=False`` refuses to copy. The data must be in main memory (minigrad
    runs on the CPU) and of a dtype minigrad holds: float16/32/64, int8/16/32/64, uint8 or
    bool; anything else raises naming it (torch's bfloat16: convert with ``.float()``).
    A torch tensor that requires grad must be detached first (torch refuses to export it).
    """
    if not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an object with a __dlpack__ method (a torch "
                        f"tensor, a numpy array, ...), got {type(ext_tensor).__name__}; pass the "
                        "tensor itself rather than a DLPack capsule")
    if hasattr(ext_tensor, "__dlpack_device__"):
        device_type, device_id = ext_tensor.__dlpack_device__()
        if int(device_type) != _CPU:
            raise BufferError(f"from_dlpack: minigrad runs on the CPU only, and this tensor is on "
                              f"DLPack device type {int(device_type)} (id {device_id}); move it to "
                              "the CPU first (for torch: t.cpu())")
    try:
        arr = np.from_dlpack(ext_tensor) if copy is None else np.from_dlpack(ext_tensor, copy=copy)
    except (RuntimeError, BufferError, ValueError) as exc:
        # numpy's messages ("Unsupported dtype in DLTensor.") do not say what was refused
        hint = ""
        if "dtype" in str(exc).lower():
            hint = f"; minigrad holds {_NAMES}: convert first (for torch's bfloat16: .float())"
        raise type(exc)(f"from_dlpack: cannot take this {type(ext_tensor).__name__} (dtype "
                        f"{getattr(ext_tensor, 'dtype', 'unknown')}): {str(exc).rstrip('.')}{hint}") from None
    if arr.dtype not in _SHAREABLE:
        raise TypeError(f"from_dlpack: dtype {arr.dtype} is not a minigrad tensor dtype ({_NAMES}); "
                        "convert it first")
    return Tensor._wrap(arr)
