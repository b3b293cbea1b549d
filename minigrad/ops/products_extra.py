"""Distances, covariance, integration and constructions with PyTorch's names: cdist, dist,
renorm, cov, corrcoef, trapezoid (trapz), cumulative_trapezoid, block_diag, cartesian_prod and
combinations. Exported through :mod:`minigrad.ops.products_more`.

As there, every differentiable op is a composition of recorded minigrad ops (or, for
block_diag, a node whose backward slices the gradient), so gradients differentiate again.
"""
import itertools
import math
import warnings

import numpy as np

from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, floating, make
from .norms import vector_norm
from .shape import stack

__all__ = ["cdist", "dist", "renorm", "cov", "corrcoef", "trapezoid", "trapz",
           "cumulative_trapezoid", "block_diag", "cartesian_prod", "combinations"]


def _tensor(x, name, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: argument '{arg}' must be a Tensor, not {type(x).__name__}")
    return x


def _float_only(t, name, arg):
    if t.dtype.kind != "f":
        raise TypeError(f"{name}: {arg} must be a floating-point tensor, got dtype {t.dtype} "
                        "(as PyTorch)")


def _p(p, name):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: p must be a number, got {type(p).__name__}")
    p = float(p)
    if math.isnan(p) or p < 0:
        raise ValueError(f"{name}: p must be a non-negative number, got {p}")
    return p


# ----- distances and norms -----------------------------------------------------------------
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of ``x1`` ``(..., P, M)`` and of ``x2``
    ``(..., R, M)``: ``out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p``, shape
    ``(..., P, R)`` (batch dims broadcast). ``compute_mode`` is accepted and ignored: the
    differences are always formed directly (PyTorch may use a matrix product for p=2, which
    is faster but less accurate); this takes ``P * R * M`` memory."""
    a = _tensor(x1, "cdist", "x1")
    b = _tensor(x2, "cdist", "x2")
    p = _p(p, "cdist")
    for arg, t in (("x1", a), ("x2", b)):
        if t.ndim < 2:
            raise ValueError(f"cdist: {arg} must have at least 2 dims, got shape {tuple(t.shape)}")
        _float_only(t, "cdist", arg)
    if a.dtype != b.dtype:
        raise TypeError(f"cdist: x1 and x2 must have the same dtype, got {a.dtype} and {b.dtype}")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"cdist: x1 and x2 must have the same number of columns, got "
                         f"{a.shape[-1]} and {b.shape[-1]}")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"cdist: batch dims of shapes {tuple(a.shape)} and {tuple(b.shape)} "
                         "cannot be broadcast together") from None
    if compute_mode not in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"cdist: {compute_mode!r} is not a valid compute_mode")
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)
    return vector_norm(diff, p, dim=-1)


def dist(input, other, p=2):
    """``||input - other||_p`` over all elements (the operands broadcast), a 0-d tensor."""
    a = _tensor(input, "dist", "input")
    b = _tensor(other, "dist", "other")
    p = _p(p, "dist")
    _float_only(a, "dist", "input")
    _float_only(b, "dist", "other")
    return vector_norm(a - b, p)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice ``input.select(dim, i)`` whose p-norm exceeds ``maxnorm`` is scaled to norm
    ``maxnorm``: ``out_i = input_i * (maxnorm / (norm_i + 1e-7) if norm_i > maxnorm else 1)``
    (PyTorch's formula, with its 1e-7); the gradient flows through the norm too."""
    from .._out import write_out
    x = _tensor(input, "renorm", "input")
    _float_only(x, "renorm", "input")
    p = _p(p, "renorm")
    if p == 0:
        raise ValueError("renorm: p must be positive, got 0")
    if isinstance(maxnorm, bool) or not isinstance(maxnorm, (int, float, np.integer, np.floating)):
        raise TypeError(f"renorm: maxnorm must be a number, got {type(maxnorm).__name__}")
    if maxnorm < 0:
        raise ValueError(f"renorm: maxnorm must be >= 0, got {maxnorm}")
    if x.ndim < 2:
        raise ValueError(f"renorm: input needs at least 2 dims, got shape {tuple(x.shape)}")
    d = _norm_dim(dim, x.ndim, "renorm")
    others = tuple(i for i in range(x.ndim) if i != d)
    norm = vector_norm(x, p, dim=others, keepdim=True)
    over = Tensor._wrap(norm._data > maxnorm)
    factor = (maxnorm / (norm + 1e-7)).where(over, 1.0)
    return write_out(x * factor, out, "renorm")


def renorm_(self, p, dim, maxnorm):
    """In-place :func:`renorm` (a method of Tensor)."""
    from .products_more import inplace
    return inplace(self, "renorm_", lambda s: renorm(s, p, dim, maxnorm), (), needs_old=True)


# ----- covariance -----------------------------------------------------------------------------
def _weights(w, name, n, integral):
    _tensor(w, "cov", name)
    if w.ndim > 1:
        raise ValueError(f"cov: {name} must have one or fewer dims, got shape {tuple(w.shape)}")
    if integral and w.dtype.kind not in "iu":
        raise TypeError(f"cov: {name} must have an integer dtype, got {w.dtype}")
    if not integral and w.dtype.kind != "f":
        raise TypeError(f"cov: {name} must have a floating-point dtype, got {w.dtype}")
    if w.numel() != n:
        raise ValueError(f"cov: {name} must have one element per observation ({n}), got "
                         f"{w.numel()}")
    if np.any(w._data < 0):
        raise ValueError(f"cov: {name} cannot be negative")
    return w.reshape(-1)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables in the rows of ``input`` (observations in the columns; a
    1-D input is one variable): with weights ``w = fweights * aweights`` (1 when absent),
    ``mean = sum(w x) / sum(w)`` and
    ``cov = (x - mean) diag(w) (x - mean)^T / (sum(w) - correction * sum(w * aweights) / sum(w))``
    (``sum(w) - correction`` without aweights). Integer inputs give float32. When the
    denominator is <= 0, warns and divides by 0, as PyTorch. The result is squeezed (a 0-d
    tensor for one variable)."""
    x = _tensor(input, "cov", "input")
    if x.ndim > 2:
        raise ValueError(f"cov: input must have two or fewer dims, got shape {tuple(x.shape)}")
    if isinstance(correction, bool) or not isinstance(correction, (int, np.integer)):
        raise TypeError(f"cov: correction must be an int, got {correction!r}")
    x = floating(x)
    if x.ndim < 2:
        x = x.reshape(1, -1)
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = _weights(fweights, "fweights", n, integral=True)
    if aweights is not None:
        aw = _weights(aweights, "aweights", n, integral=False)
        w = aw if w is None else w * aw
    if w is None:
        w_sum = n
        avg = x.mean(1) if n else _nan_mean(x)
        norm_factor = n - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm_factor = w_sum
        elif aweights is None:
            norm_factor = w_sum - correction
        else:
            norm_factor = w_sum - correction * (w * aw).sum() / w_sum
    nf = norm_factor.item() if isinstance(norm_factor, Tensor) else norm_factor
    if nf <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm_factor = 0.0
    xm = x - avg.unsqueeze(1)
    c = xm.matmul((xm if w is None else xm * w).mT)
    return (c / norm_factor).squeeze()


def _nan_mean(x):
    # no observations: every mean is 0/0 = NaN, as PyTorch's
    return Tensor._wrap(np.full(x.shape[:1], np.nan, dtype=x.dtype))


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``:
    ``C[i, j] = cov[i, j] / sqrt(cov[i, i] * cov[j, j])``, clipped to [-1, 1] as PyTorch
    does to absorb rounding; a 1-D input gives ``cov / cov`` (1, or NaN for a constant)."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    sd = c.diagonal().sqrt()
    c = c / sd.unsqueeze(1)
    c = c / sd.unsqueeze(0)
    return c.clamp(-1.0, 1.0)


# ----- integration ---------------------------------------------------------------------------
def _trapezoids(y, x, dx, dim, name):
    """The areas ``(x[k+1] - x[k]) * (y[k+1] + y[k]) / 2`` along ``dim`` and that dim."""
    y = _tensor(y, name, "y")
    if y.ndim == 0:
        raise IndexError(f"{name}: y must have at least one dim, got a 0-d tensor")
    y = floating(y)
    d = _norm_dim(dim, y.ndim, name)
    n = y.shape[d]
    if x is not None and dx is not None:
        raise TypeError(f"{name}: pass x or dx, not both")
    if n == 0:
        return y.narrow(d, 0, 0), d, True
    ys = y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)
    if x is None:
        if dx is None:
            dx = 1
        if isinstance(dx, Tensor):
            dx = dx.item()
        if isinstance(dx, bool) or not isinstance(dx, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}: dx must be a number, got {type(dx).__name__}")
        return ys * (dx / 2), d, False
    _tensor(x, name, "x")
    if x.ndim == 1:
        if x.shape[0] != n:
            raise ValueError(f"{name}: there must be one x value for each sample point: x has "
                             f"{x.shape[0]} and y has {n} along dim {dim}")
        shape = [1] * y.ndim
        shape[d] = n - 1
        steps = (x[1:] - x[:-1]).reshape(shape)
    else:
        xd = _norm_dim(dim, x.ndim, name)
        m = x.shape[xd]
        steps = x.narrow(xd, 1, m - 1) - x.narrow(xd, 0, m - 1) if m else x
    try:
        return steps * ys / 2, d, False
    except ValueError:
        raise ValueError(f"{name}: x of shape {tuple(x.shape)} does not broadcast with y of "
                         f"shape {tuple(y.shape)}") from None


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Trapezoidal rule along ``dim``: ``sum_k (x[k+1] - x[k]) * (y[k] + y[k+1]) / 2``, with
    sample points ``x`` (1-D along ``dim``, or broadcastable with ``y``) or a constant
    spacing ``dx`` (default 1). Integer inputs give float32; an empty dim gives zeros."""
    parts, d, empty = _trapezoids(y, x, dx, dim, "trapezoid")
    return parts.sum(d)


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid` (PyTorch's older name)."""
    parts, d, empty = _trapezoids(y, x, dx, dim, "trapz")
    return parts.sum(d)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal rule along ``dim``: ``out[k] = sum_{i<=k} (x[i+1] - x[i]) *
    (y[i] + y[i+1]) / 2``, one element fewer than ``y`` along ``dim`` (same arguments as
    :func:`trapezoid`)."""
    parts, d, empty = _trapezoids(y, x, dx, dim, "cumulative_trapezoid")
    return parts if empty or parts.shape[d] == 0 else parts.cumsum(d)


# ----- constructions -------------------------------------------------------------------------
def block_diag(*tensors):
    """Block-diagonal matrix of the given tensors (0-d tensors are 1x1 blocks, 1-D ones a
    single row), zero elsewhere; the dtypes promote. With no tensors, a ``(1, 0)`` tensor,
    as PyTorch."""
    blocks = []
    for i, t in enumerate(tensors):
        _tensor(t, "block_diag", f"tensors[{i}]")
        if t.ndim > 2:
            raise ValueError(f"block_diag: input tensors must have 2 or fewer dims, "
                             f"tensors[{i}] has shape {tuple(t.shape)}")
        blocks.append(t.reshape(1, -1) if t.ndim == 1 else t.reshape(1, 1) if t.ndim == 0 else t)
    if not blocks:
        return Tensor._wrap(np.zeros((1, 0), dtype=np.float32))
    dt = _promote([b.dtype for b in blocks])
    rows = np.cumsum([0] + [b.shape[0] for b in blocks])
    cols = np.cumsum([0] + [b.shape[1] for b in blocks])
    data = np.zeros((int(rows[-1]), int(cols[-1])), dtype=dt)
    for b, r, c in zip(blocks, rows, cols):
        data[r:r + b.shape[0], c:c + b.shape[1]] = b._data

    def backward(g, out):
        grads = []
        for b, r, c in zip(blocks, rows, cols):
            if not b.requires_grad:
                grads.append(None)
                continue
            gb = g[int(r):int(r) + b.shape[0], int(c):int(c) + b.shape[1]]
            grads.append(gb if gb.dtype == b.dtype else gb.to(b.dtype))
        return tuple(grads)

    return make(data, tuple(blocks), backward, "BlockDiag", SAVES_NOTHING)


def _promote(dtypes):
    # PyTorch's rule: floats win over ints without widening to numpy's float64
    floats = [d for d in dtypes if d.kind == "f"]
    return np.result_type(*(floats or dtypes))


def _vector(t, name, i):
    _tensor(t, name, f"tensors[{i}]")
    if t.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D tensor, got shape {tuple(t.shape)}")


def cartesian_prod(*tensors):
    """Cartesian product of 1-D tensors: the rows are every ``(a[i], b[j], ...)``, the last
    tensor varying fastest (``itertools.product``'s order). A single tensor is returned
    as it is, as PyTorch."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise ValueError("cartesian_prod: expected at least one tensor")
    for i, t in enumerate(tensors):
        _vector(t, "cartesian_prod", i)
        if t.dtype != tensors[0].dtype:
            raise TypeError(f"cartesian_prod: all tensors must have the same dtype, got "
                            f"{tensors[0].dtype} and {t.dtype}")
    if len(tensors) == 1:
        return tensors[0]
    grids = np.meshgrid(*[np.arange(t.shape[0]) for t in tensors], indexing="ij")
    return stack([t[g.reshape(-1)] for t, g in zip(tensors, grids)], dim=1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of the elements of the 1-D ``input``, one per row, in
    ``itertools.combinations`` order (``combinations_with_replacement`` with
    ``with_replacement=True``); differentiable (the rows gather from ``input``)."""
    _vector(input, "combinations", 0)
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)):
        raise TypeError(f"combinations: r must be an int, got {type(r).__name__}")
    if r < 0:
        raise ValueError(f"combinations: r must be non-negative, got {r}")
    if r == 0:
        return Tensor._wrap(np.zeros((0,), dtype=input.dtype))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[idx]
