"""Stacking a list of samples into one batch (the generic, per-sample path)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._convert import is_tensor, to_array, to_tensor


def collate(samples: Sequence[Any]) -> Any:
    """Stack ``samples`` (as returned by ``dataset[i]``) into a batch of Tensors.

    Mirrors PyTorch's ``default_collate``: a sample that is a tuple or list gives a
    tuple of batches (one per field), a dict gives a dict of batches, and anything
    else (a Tensor, array or number) gives a single batch Tensor whose first
    dimension is the batch. Arrays and Tensors keep their dtype; Python floats
    become float32 and Python ints int64 (``minigrad.tensor``'s defaults).
    """
    if len(samples) == 0:
        raise ValueError("collate() needs at least one sample")
    first = samples[0]
    if isinstance(first, (tuple, list)):
        width = len(first)
        for i, s in enumerate(samples):
            if not isinstance(s, (tuple, list)) or len(s) != width:
                raise ValueError(
                    f"all samples in a batch must have the same structure: sample 0 has {width} "
                    f"fields, sample {i} is {_describe(s)}"
                )
        return tuple(_stack_field([s[j] for s in samples], f"field {j}") for j in range(width))
    if isinstance(first, dict):
        keys = list(first)
        for i, s in enumerate(samples):
            if not isinstance(s, dict) or set(s) != set(keys):
                raise ValueError(f"all samples in a batch must have the same keys as sample 0 {keys}; sample {i} differs")
        return {k: _stack_field([s[k] for s in samples], f"key {k!r}") for k in keys}
    return _stack_field(samples, "sample")


def _stack_field(values: list, what: str) -> Any:
    import minigrad

    if all(isinstance(v, (bool, int, float)) and not isinstance(v, np.generic) for v in values):
        return minigrad.tensor(list(values))  # Python numbers: let tensor() pick float32/int64
    if not all(is_tensor(v) or isinstance(v, (np.ndarray, np.generic, bool, int, float)) for v in values):
        bad = next(v for v in values if not (is_tensor(v) or isinstance(v, (np.ndarray, np.generic, bool, int, float))))
        raise TypeError(
            f"cannot batch {what}: samples must hold Tensors, numpy arrays or numbers, got {type(bad).__name__}"
        )
    arrays = [to_array(v) for v in values]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(f"cannot batch {what}: samples have different shapes {sorted(shapes)}")
    return to_tensor(np.stack(arrays))


def _describe(s: Any) -> str:
    if isinstance(s, (tuple, list)):
        return f"a {type(s).__name__} of {len(s)} fields"
    return f"a {type(s).__name__}"


#: PyTorch's name for :func:`collate`.
default_collate = collate


def default_convert(data: Any) -> Any:
    """What a loader without automatic batching (``batch_size=None``) yields per sample:
    numpy arrays become Tensors (inside tuples, lists and dicts too); Tensors, numbers and
    anything else pass unchanged, as PyTorch's ``default_convert``."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc":
        return to_tensor(data)
    if isinstance(data, tuple):
        return type(data)(*map(default_convert, data)) if hasattr(data, "_fields") else \
            tuple(default_convert(d) for d in data)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    if isinstance(data, dict):
        return {k: default_convert(v) for k, v in data.items()}
    return data
