"""``out=`` arguments, as PyTorch's: the result is written into the given tensor, which is
returned."""
import warnings

import numpy as np

from . import grad_mode


def check_out(out, name, dtype, shape, requires_grad=False):
    """The refusals of :func:`write_out` that need only the result's dtype and shape. Random
    functions call it before they draw, so that a refused ``out=`` leaves the generator where
    it was (a call that raises changes nothing)."""
    if out is None:
        return
    from .tensor import Tensor
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}: out must be a Tensor, got {type(out).__name__}")
    if grad_mode.enabled() and (out.requires_grad or requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad")
    if not np.can_cast(dtype, out.dtype, casting="same_kind"):
        raise TypeError(f"{name}: result type {dtype} can't be cast to the desired output "
                        f"type {out.dtype}")
    from . import _storage
    if tuple(shape) == out.shape:
        if not out._data.flags.writeable:
            from ._inplace import read_only_error
            raise read_only_error(name)
    elif _storage.live_aliases(out):
        raise RuntimeError(f"{name}: out= of shape {out.shape} would have to be resized to "
                           f"{tuple(shape)}, but other tensors share its memory (views of it, "
                           "or the tensor it is a view of)")


def write_out(result, out, name):
    """Copy ``result`` (a Tensor) into ``out`` and return ``out``; without ``out``, return
    ``result``. Like PyTorch, refused while gradients are recorded if ``out`` or an input
    requires grad (``out=`` is not differentiable); an ``out`` of another shape is resized
    (with PyTorch's warning when it had elements); the result must cast to ``out``'s dtype
    within its kind order (float to int is refused)."""
    if out is None:
        return result
    src = result._data
    check_out(out, name, src.dtype, src.shape, result.requires_grad)
    from . import _storage
    from ._inplace import write_region
    if src.shape == out.shape:
        def apply(a):
            np.copyto(a, src, casting="same_kind")

        return write_region(out, name, (), result.detach(), apply)
    if out._data.size:
        warnings.warn(f"{name}: an output with one or more elements was resized since it had "
                      f"shape {list(out.shape)}, which does not match the required output "
                      f"shape {list(src.shape)}", UserWarning, stacklevel=3)
    out._data = src.astype(out.dtype, copy=True)
    _storage.bump(out)
    return out
