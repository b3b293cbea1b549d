"""Matrix multiplication: 1-D, 2-D and batched (broadcast) operands, as ``np.matmul``."""
import numpy as np

from .. import grad_mode
from ..tensor import Tensor, as_tensor_like, make, saves_factors
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
    rows = a.ndim >= 2 and b.ndim == 2  # (..., K) @ (K, M): one GEMM over all rows
    try:
        data = _rows_matmul(a._data, b._data) if rows else np.matmul(a._data, b._data)
    except ValueError:
        raise _shape_error(a, b) from None

    def backward(g, out):
        if rows and not grad_mode.enabled():
            gd, ad, bd = g._data, a._data, b._data
            ga = gb = None
            if a.requires_grad:
                ga = Tensor._wrap(_rows_matmul(gd, bd.T))
            if b.requires_grad:
                gb = Tensor._wrap(ad.reshape(-1, ad.shape[-1]).T @ gd.reshape(-1, gd.shape[-1]))
            return ga, gb
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

    return make(data, (a, b), backward, "MatMul", saves_factors(a, b))


def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` as one op (``weight`` is ``(out, in)``, as ``nn.Linear``).

    Fusing saves the transpose, matmul and add nodes of the unfused expression: on small
    layers the per-node cost, not the arithmetic, dominates a training step.
    """
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not match weight of shape "
                         f"{weight.shape}: last dim {x.shape[-1] if x.ndim else None} != in_features {weight.shape[1]}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    data = _rows_matmul(x._data, weight._data.T)
    if bias is not None:
        data += bias._data
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g, out):
        if not grad_mode.enabled():
            return _linear_backward_array(g._data, x, weight, bias)
        gx = matmul(g, weight) if x.requires_grad else None
        gw = gb = None
        if weight.requires_grad or (bias is not None and bias.requires_grad):
            g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
            if weight.requires_grad:
                x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
                gw = matmul(g2.mT, x2) if x.ndim > 1 else matmul(g.reshape(-1, 1), x.reshape(1, -1))
            if bias is not None and bias.requires_grad:
                gb = g2.sum(0) if g.ndim > 1 else g
        return (gx, gw) if bias is None else (gx, gw, gb)

    return make(data, parents, backward, "Linear", saves_factors(x, weight))


def _linear_backward_array(g, x, weight, bias):
    """First-order backward of :func:`linear` in plain numpy (no graph to record)."""
    wrap = Tensor._wrap
    gx = wrap(_rows_matmul(g, weight._data)) if x.requires_grad else None
    g2 = g.reshape(-1, g.shape[-1])
    gw = wrap(g2.T @ x._data.reshape(-1, x.shape[-1])) if weight.requires_grad else None
    if bias is None:
        return gx, gw
    return gx, gw, (wrap(g2.sum(0)) if bias.requires_grad else None)


def _rows_matmul(a, b):
    """``a @ b`` for a 2-D ``b``, with the leading dims of ``a`` merged into rows: one large
    GEMM instead of numpy's loop of one GEMM per leading index (faster, and it threads;
    3x on (22000, 4, 20) @ (20, 68) here)."""
    if a.ndim <= 2:
        return np.matmul(a, b)
    return np.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[-1],))
