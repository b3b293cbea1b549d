"""The fused normalisation op behind batch norm (training mode) and layer norm.

``y = (x - mean) / sqrt(var + eps) * weight + bias`` with ``mean`` and the biased ``var``
taken over ``stat_dims``. Composed from Tensor ops this is a dozen graph nodes; as one op
the forward is plain numpy, and the first-order backward is the closed form

    xhat = (x - mean) / sqrt(var + eps),   gh = g * weight
    dx = (gh - mean(gh) - xhat * mean(gh * xhat)) / sqrt(var + eps)
    dweight = sum(g * xhat),   dbias = sum(g)

(means over ``stat_dims``, sums over ``param_dims``). Under ``create_graph=True`` the same
formula is evaluated with Tensor ops, so second derivatives stay exact.
"""
import numpy as np

from .. import grad_mode
from ..tensor import Tensor, make
from . import _norm_kernels


def normalize(x, weight, bias, stat_dims, param_shape, param_dims, eps):
    """Returns ``(y, mean, var)``; ``mean`` and ``var`` are numpy arrays with the stat dims
    kept. ``weight``/``bias`` (or None) are viewed as ``param_shape`` to broadcast, and
    their gradients are summed over ``param_dims``."""
    xd = x._data
    mean = xd.mean(axis=stat_dims, keepdims=True)
    xc = xd - mean
    var = np.mean(xc * xc, axis=stat_dims, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * invstd
    y = xhat
    if weight is not None:
        y = y * weight._data.reshape(param_shape)
    if bias is not None:
        y = y + bias._data.reshape(param_shape)
    parents = tuple(t for t in (x, weight, bias) if t is not None)

    def backward(g, out):
        if not grad_mode.enabled():
            grads = _backward_array(g._data, xhat, invstd, weight, bias, stat_dims, param_shape,
                                    param_dims, x.requires_grad)
        else:
            grads = _backward_tensor(g, x, weight, bias, stat_dims, param_shape, param_dims,
                                     eps)
        return tuple(gr for gr, t in zip(grads, (x, weight, bias)) if t is not None)

    return make(y.astype(xd.dtype, copy=False), parents, backward, "Normalize"), mean, var


def _backward_array(g, xhat, invstd, weight, bias, stat_dims, param_shape, param_dims, need_x):
    wrap = Tensor._wrap
    gx = gw = gb = None
    if need_x:
        gh = g * weight._data.reshape(param_shape) if weight is not None else g
        gx = (gh - gh.mean(axis=stat_dims, keepdims=True)
              - xhat * (gh * xhat).mean(axis=stat_dims, keepdims=True)) * invstd
        gx = wrap(gx.astype(g.dtype, copy=False))
    if weight is not None and weight.requires_grad:
        gw = wrap((g * xhat).sum(axis=param_dims).reshape(weight.shape).astype(weight.dtype, copy=False))
    if bias is not None and bias.requires_grad:
        gb = wrap(g.sum(axis=param_dims).reshape(bias.shape).astype(bias.dtype, copy=False))
    return gx, gw, gb


def _backward_tensor(g, x, weight, bias, stat_dims, param_shape, param_dims, eps):
    xc = x - x.mean(dim=stat_dims, keepdim=True)
    invstd = ((xc * xc).mean(dim=stat_dims, keepdim=True) + eps) ** -0.5
    xhat = xc * invstd
    gx = gw = gb = None
    if x.requires_grad:
        gh = g * weight.reshape(param_shape) if weight is not None else g
        gx = (gh - gh.mean(dim=stat_dims, keepdim=True)
              - xhat * (gh * xhat).mean(dim=stat_dims, keepdim=True)) * invstd
    if weight is not None and weight.requires_grad:
        gw = (g * xhat).sum(dim=param_dims).reshape(weight.shape)
    if bias is not None and bias.requires_grad:
        gb = g.sum(dim=param_dims).reshape(bias.shape)
    return gx, gw, gb


def layer_norm_rows(x, weight, bias, normalized_shape, eps):
    """Layer norm over the trailing ``normalized_shape`` dims by the row kernels of
    :mod:`._norm_kernels` (one pass forward, one backward); the same numbers as
    :func:`normalize`, which it falls back to when numba's JIT is off."""
    stat_dims = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    lead = tuple(range(x.ndim - len(normalized_shape)))
    if not _norm_kernels.available(x._data):
        return normalize(x, weight, bias, stat_dims, normalized_shape, lead, eps)[0]
    n = int(np.prod(normalized_shape))
    x2 = np.ascontiguousarray(x._data).reshape(-1, n)
    w = None if weight is None else np.ascontiguousarray(weight._data, x2.dtype).reshape(n)
    b = None if bias is None else np.ascontiguousarray(bias._data, x2.dtype).reshape(n)
    y, mean, invstd = _norm_kernels.forward(x2, w, b, eps)
    parents = tuple(t for t in (x, weight, bias) if t is not None)

    def backward(g, out):
        if grad_mode.enabled():
            grads = _backward_tensor(g, x, weight, bias, stat_dims, normalized_shape, lead, eps)
        else:
            gx, gw, gb = _norm_kernels.backward(
                g._data.reshape(-1, n), x2, w, mean, invstd, x.requires_grad,
                weight is not None and weight.requires_grad,
                bias is not None and bias.requires_grad)
            wrap = Tensor._wrap
            grads = (None if gx is None else wrap(gx.reshape(x.shape)),
                     None if gw is None else wrap(gw.reshape(weight.shape).astype(weight.dtype,
                                                                                   copy=False)),
                     None if gb is None else wrap(gb.reshape(bias.shape).astype(bias.dtype,
                                                                                copy=False)))
        return tuple(gr for gr, t in zip(grads, (x, weight, bias)) if t is not None)

    return make(y.reshape(x.shape), parents, backward, "LayerNorm")
