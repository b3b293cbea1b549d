"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (PyTorch's
``torch.nn.utils``). Both modify ``p.grad`` in place, so gradients that live in an optimizer's
flat buffer stay there."""
import math

import numpy as np

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    from ...tensor import Tensor
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients together so that their joint norm is at most ``max_norm``.

    ``total = (sum_p ||g_p||_q^q)^(1/q)`` with ``q = norm_type`` (``inf``: the largest
    ``|g|``), i.e. the norm of all gradients concatenated; then every gradient is multiplied by
    ``min(1, max_norm / (total + 1e-6))``. Returns ``total`` (before clipping) as a 0-d Tensor.
    With ``error_if_nonfinite`` a NaN or infinite total raises RuntimeError instead.
    """
    from ...tensor import Tensor
    grads = _grads(parameters)
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    dtype = np.result_type(*[g._data.dtype for g in grads])
    if norm_type == math.inf:
        norms = [np.max(np.abs(g._data)) if g._data.size else 0.0 for g in grads]
        total = np.max(np.asarray(norms, dtype=dtype))
    else:
        norms = [np.linalg.norm(g._data.ravel(), ord=norm_type) for g in grads]
        total = np.linalg.norm(np.asarray(norms, dtype=dtype), ord=norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite, so it cannot be clipped. To disable this error and scale the "
            f"gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = min(max_norm / (float(total) + 1e-6), 1.0)
    for g in grads:
        g._data *= g._data.dtype.type(coef)
    return Tensor(total)


def clip_grad_value_(parameters, clip_value):
    """Clip every gradient element to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
