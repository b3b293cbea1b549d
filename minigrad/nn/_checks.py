"""Argument checks shared by the functional layers, activations and losses: every error
names the function, the argument and what is allowed."""
import warnings

import numpy as np

from ..tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _tensor(x, fn, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {name} must be a Tensor, got {type(x).__name__}")
    return x


def _float_tensor(x, fn, name):
    _tensor(x, fn, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def _as_target(target, fn, like=None):
    """Targets may be Tensors, numpy arrays or lists (they are constants); float arrays
    take the input's float dtype so a float32 model keeps float32 losses."""
    if isinstance(target, Tensor):
        return target
    arr = np.asarray(target)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{fn}: target must be numeric, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and like is not None and like.dtype.kind == "f":
        arr = arr.astype(like.dtype, copy=False)
    return Tensor._wrap(arr)


def _check_reduction(reduction, fn, allowed=REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"{fn}: reduction must be one of {allowed}, got {reduction!r}")


def _legacy_reduction(size_average, reduce, reduction, fn, allowed=REDUCTIONS):
    """The reduction to use: PyTorch's deprecated ``size_average``/``reduce`` pair, when
    either is given, overrides ``reduction`` (with PyTorch's warning); then it is checked."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    _check_reduction(reduction, fn, allowed)
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _same_shape(input, target, fn):
    if input.shape != target.shape:
        raise ValueError(f"{fn}: target shape {tuple(target.shape)} must equal input shape "
                         f"{tuple(input.shape)} (no implicit broadcasting)")


