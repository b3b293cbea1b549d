"""Vector norms and distances, ``torch.nn.functional``'s names: ``normalize,
cosine_similarity, pairwise_distance``.

They rest on :func:`vector_norm`, one graph node whose gradient at a zero vector is 0 (the
subgradient PyTorch picks), where composing ``sqrt(sum(x * x))`` would give NaN.
"""
import math

import numpy as np

from .. import grad_mode
from ..ops.arithmetic import where
from ..ops.shape import broadcast_to
from ..tensor import Tensor, _norm_dim, make
from ._checks import _float_tensor

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "vector_norm"]


def _order(p, fn):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or p <= 0:
        raise ValueError(f"{fn}: p must be a positive number or inf, got {p!r}")
    return float(p)


def vector_norm(input, p, dim, keepdim=False):
    """``||x||_p`` along ``dim``: ``(sum |x|^p)^(1/p)``, the maximum of ``|x|`` for
    ``p = inf``. The gradient is ``sign(x) |x|^(p-1) / norm^(p-1)`` (0 where the norm is
    0); for ``inf`` it is shared equally by the elements that reach the maximum."""
    x = input._data
    d = _norm_dim(dim, input.ndim, "norm")
    a = np.abs(x)
    if p == math.inf:
        n = a.max(axis=d, keepdims=True)
    elif p == 2:
        n = np.sqrt(np.sum(x * x, axis=d, keepdims=True))
    elif p == 1:
        n = a.sum(axis=d, keepdims=True)
    else:
        n = np.sum(a ** p, axis=d, keepdims=True) ** (1 / p)
    n = n.astype(x.dtype, copy=False)

    def scale_array():
        """d norm / d x as an array."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == math.inf:
                hit = (a == n) & (n > 0)
                return np.sign(x) * hit / np.maximum(hit.sum(axis=d, keepdims=True), 1)
            if p == 1:
                return np.sign(x)
            if p == 2:
                return np.where(n > 0, x / n, 0)
            # 0 at a zero element too: for p < 1, |x|^(p-1) is inf there (0 * inf = nan)
            return np.where((n > 0) & (a > 0), np.sign(x) * (a / n) ** (p - 1), 0)

    def backward(g, out):
        gk = g if keepdim else g.unsqueeze(d)
        if not grad_mode.enabled():
            return (Tensor._wrap((gk._data * scale_array()).astype(x.dtype, copy=False)),)
        if p in (1, math.inf):
            return (gk * Tensor._wrap(scale_array()),)  # piecewise constant
        nk = out if keepdim else out.unsqueeze(d)
        nonzero = Tensor._wrap(n > 0)
        safe = where(nonzero, nk, 1.0)
        if p == 2:
            return (gk * where(nonzero, input / safe, 0.0),)
        sign = Tensor._wrap(np.sign(x))
        used = Tensor._wrap((n > 0) & (a > 0))
        ratio = where(used, input.abs(), 1.0) / safe  # no 0 ** (p - 1) in any branch
        return (gk * where(used, sign * ratio ** (p - 1), 0.0),)

    return make(n if keepdim else n.squeeze(d), (input,), backward, "Norm")


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``. ``out``, when given, receives the
    result (only without autograd, as in PyTorch)."""
    fn = "normalize"
    _float_tensor(input, fn, "input")
    p = _order(p, fn)
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have at least 1 dim, got a scalar")
    result = input / vector_norm(input, p, dim, keepdim=True).clamp(min=eps)
    if out is None:
        return result
    if result.requires_grad:
        raise RuntimeError("normalize(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if not isinstance(out, Tensor) or out.shape != result.shape:
        raise ValueError(f"{fn}: out must be a Tensor of shape {tuple(result.shape)}")
    np.copyto(out._data, result._data, casting="same_kind")
    return out


def _broadcast_pair(x1, x2, fn):
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"{fn}: shapes {tuple(x1.shape)} and {tuple(x2.shape)} cannot be "
                         "broadcast together") from None
    return broadcast_to(x1, shape), broadcast_to(x2, shape)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``; the inputs
    broadcast. As in PyTorch, the clamp at ``eps`` changes the value only: the gradient is
    that of ``x / ||x||`` (which is what makes tiny vectors' gradients large)."""
    fn = "cosine_similarity"
    _float_tensor(x1, fn, "x1")
    _float_tensor(x2, fn, "x2")
    x1, x2 = _broadcast_pair(x1, x2, fn)
    if x1.ndim == 0:
        raise ValueError(f"{fn}: inputs must have at least 1 dim, got scalars")
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim=dim)


def _clamped_norm(x, dim, eps):
    """The 2-norm along ``dim`` (kept), its value raised to at least ``eps`` while its
    gradient stays the norm's: PyTorch clamps it in place under no_grad."""
    n = vector_norm(x, 2, dim, keepdim=True)
    return n + Tensor._wrap(np.maximum(n._data, eps) - n._data)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` along the last dim; the inputs broadcast."""
    fn = "pairwise_distance"
    _float_tensor(x1, fn, "x1")
    _float_tensor(x2, fn, "x2")
    p = _order(p, fn)
    x1, x2 = _broadcast_pair(x1, x2, fn)
    if x1.ndim == 0:
        raise ValueError(f"{fn}: inputs must have at least 1 dim, got scalars")
    return vector_norm(x1 - x2 + eps, p, -1, keepdim)
