"""Matrix multiplication: 1-D, 2-D and batched (broadcast) operands, as ``np.matmul``."""
import numpy as np

from ..tensor import Tensor, as_tensor_like, make
from .broadcast import unbroadcast


def _shape_error(a, b):
    if a.ndim == 0 or b.ndim == 0:
        return ValueError(f"matmul: both operands need at least 1 dimension, got shapes "
                          f"{a.shape} and {b.shape}")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        return ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                          f"{k_a} (last dim of the first) != {k_b} "
                          f"({'second-to-last' if b.ndim > 1 else 'only'} dim of the second)")
    return ValueError(f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be "
                      "broadcast together")


def matmul(a, b):
    """``a @ b``. A 1-D first operand is a row vector, a 1-D second operand a column
    vector (the added dim is removed from the result); leading dims broadcast."""
    if not isinstance(a, Tensor):
        a = as_tensor_like(a, b)
    if not isinstance(b, Tensor):
        b = as_tensor_like(b, a)
    try:
        data = np.matmul(a.data, b.data)
    except ValueError:
        raise _shape_error(a, b) from None

    def backward(g, out):
        # Work on the 2-D (or batched) forms; the 1-D cases add and then drop a unit dim.
        a2 = a.reshape(1, a.shape[0]) if a.ndim == 1 else a
        b2 = b.reshape(b.shape[0], 1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1 and b.ndim == 1:
            g2 = g.reshape(1, 1)
        elif a.ndim == 1:
            g2 = g.unsqueeze(-2)
        elif b.ndim == 1:
            g2 = g.unsqueeze(-1)
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(matmul(g2, b2.mT), a2.shape)
            if a.ndim == 1:
                ga = ga.reshape(a.shape)
        if b.requires_grad:
            gb = unbroadcast(matmul(a2.mT, g2), b2.shape)
            if b.ndim == 1:
                gb = gb.reshape(b.shape)
        return ga, gb

    return make(data, (a, b), backward, "MatMul")
