"""The fused scaled-dot-product attention op behind ``F.scaled_dot_product_attention`` and
``nn.MultiheadAttention``.

With ``s = scale * q k^T + mask`` (blocked positions set to ``-inf``), ``p = softmax(s)``
over the keys, ``d`` the dropout keep-mask scaled by ``1 / (1 - dropout_p)`` (or 1) and
``out = (p * d) v``, the first-order backward is

    dv = (p * d)^T g,    dp = (g v^T) * d,    ds = p * (dp - sum(dp * p, keys))
    dq = scale * ds k,   dk = scale * ds^T q,  dmask = ds

As one graph node the forward and backward are a handful of batched matmuls and two row
kernels (:mod:`._attention_kernels`) instead of the dozen nodes and temporaries of the
composed expression: attention is the hot path of a transformer. :func:`packed_attention`
takes the (N, L, 3E) output of one q/k/v projection and returns (N, L, E) with the heads
merged, so self-attention needs no split, head reshapes or transposes in the graph, and
its backward writes one (N, L, 3E) gradient. Under ``create_graph=True`` the formulas run as
Tensor ops, so second derivatives stay exact.

A row whose keys are all blocked (``-inf``) gives probabilities 0, so its output and its
gradients are 0: PyTorch's rule since 2.5 (its "safe softmax"), not the NaN of a plain
softmax. Arguments arrive validated by the callers.
"""
import functools

import numpy as np

from .. import grad_mode
from .. import random as _random
from ..ops.broadcast import unbroadcast, unbroadcast_array
from ..ops.shape import cat
from ..tensor import Tensor, make
from . import _attention_kernels as kernels


@functools.lru_cache(maxsize=16)
def causal_blocked(n_queries, n_keys):
    """(L, S) bool, True above the diagonal: the future positions ``is_causal`` blocks
    (PyTorch aligns the mask top-left: ``ones(L, S).tril()`` is what is allowed).
    Cached and read-only."""
    blocked = np.triu(np.ones((n_queries, n_keys), dtype=bool), 1)
    blocked.flags.writeable = False
    return blocked


# ----- numpy core ----------------------------------------------------------------------------
def _forward_arrays(q, k, v, mask, blocked, causal, dropout_p, scale):
    """``(out, probs, dropped, keep)`` for arrays q (..., L, E), k (..., S, E), v (..., S, Ev)
    (views of any strides). ``keep`` is the scaled dropout mask or None."""
    dtype = q.dtype
    scores = np.matmul(q, np.swapaxes(k, -1, -2))
    scores *= dtype.type(scale)
    if mask is not None:
        scores += mask
    if blocked is not None:
        np.copyto(scores, -np.inf, where=blocked)
    probs = kernels.softmax_(scores, q.shape[-2], causal)
    keep, dropped = None, probs
    if dropout_p > 0:
        # the keep-mask is saved for backward: the gradient sees the same dropped weights
        keep = _random.default_generator().random(probs.shape, dtype=np.float32) >= dropout_p
        keep = keep * dtype.type(1.0 / (1.0 - dropout_p) if dropout_p < 1 else 0.0)
        dropped = probs * keep
    return np.matmul(dropped, v), probs, dropped, keep


def _backward_arrays(g, q, k, v, probs, dropped, keep, scale, need_q, need_k, need_v,
                     need_scores):
    """``(dq, dk, dv, dscores)`` as arrays in the broadcast batch shape (None where not
    needed); ``dscores`` is the gradient of the scores before scaling (the mask's)."""
    dq = dk = dv = ds = None
    if need_v:
        dv = np.matmul(np.swapaxes(dropped, -1, -2), g)
    if need_q or need_k or need_scores:
        ds = np.matmul(g, np.swapaxes(v, -1, -2))
        if keep is not None:
            ds *= keep
        kernels.softmax_backward_(ds, probs)
        dss = ds * ds.dtype.type(scale) if need_scores else _scaled_inplace(ds, scale)
        if need_q:
            dq = np.matmul(dss, k)
        if need_k:
            dk = np.matmul(np.swapaxes(dss, -1, -2), q)
    return dq, dk, dv, ds


def _scaled_inplace(a, scale):
    a *= a.dtype.type(scale)
    return a


# ----- separate q, k, v --------------------------------------------------------------------
def _repeat_heads(a, groups):
    """Grouped-query attention: each key/value head serves ``groups`` query heads."""
    return a if groups == 1 else np.repeat(a, groups, axis=-3)


def _sum_groups(a, groups):
    """Adjoint of :func:`_repeat_heads`: add the gradients of the query heads a key/value
    head served."""
    if groups == 1:
        return a
    return a.reshape(a.shape[:-3] + (a.shape[-3] // groups, groups) + a.shape[-2:]).sum(-3)


def attention(q, k, v, mask, blocked, causal, dropout_p, scale, groups=1):
    """``softmax(scale * q k^T + mask, blocked -> -inf) v`` with dropout on the
    probabilities, as one graph node.

    ``mask``: a float Tensor of the query's dtype, broadcastable to the scores
    ``(..., L, S)``, or None. ``blocked``: a bool array broadcastable to the scores, True
    where a query may not attend, or None. ``causal``: block keys after each query (with
    ``blocked`` None). ``groups``: query heads per key/value head.
    """
    kd, vd = _repeat_heads(k._data, groups), _repeat_heads(v._data, groups)
    out, probs, dropped, keep = _forward_arrays(q._data, kd, vd, None if mask is None
                                                else mask._data, blocked, causal, dropout_p,
                                                scale)
    parents = (q, k, v) if mask is None else (q, k, v, mask)

    def backward(g, out_tensor):
        if grad_mode.enabled():
            if causal:
                blk = causal_blocked(q.shape[-2], k.shape[-2])
            else:
                blk = blocked
            grads = _backward_tensor(g, q, k, v, mask, blk, probs, keep, scale, groups)
            return grads[:len(parents)]
        need_mask = mask is not None and mask.requires_grad
        dq, dk, dv, ds = _backward_arrays(g._data, q._data, kd, vd, probs, dropped, keep,
                                          scale, q.requires_grad, k.requires_grad,
                                          v.requires_grad, need_mask)
        wrap = Tensor._wrap
        grads = (None if dq is None else wrap(unbroadcast_array(dq, q.shape)),
                 None if dk is None else wrap(unbroadcast_array(_sum_groups(dk, groups), k.shape)),
                 None if dv is None else wrap(unbroadcast_array(_sum_groups(dv, groups), v.shape)),
                 wrap(np.array(unbroadcast_array(ds, mask.shape))) if need_mask else None)
        return grads[:len(parents)]

    return make(out, parents, backward, "ScaledDotProductAttention")


# ----- packed self-attention ---------------------------------------------------------------
def _unpack(qkv, num_heads):
    """Views q, k, v (N, heads, L, head_dim) of a packed (N, L, 3 E) array."""
    n, length, three_e = qkv.shape
    e = three_e // 3
    split = qkv.reshape(n, length, 3, num_heads, e // num_heads)
    return tuple(split[:, :, i].transpose(0, 2, 1, 3) for i in range(3))


def packed_attention(qkv, num_heads, mask, blocked, causal, dropout_p, scale):
    """Multi-head self-attention from ``qkv`` (N, L, 3 E), the concatenated q, k and v
    projections, to (N, L, E) with the heads merged; masks as in :func:`attention`,
    broadcastable to (N, heads, L, L)."""
    n, length, three_e = qkv.shape
    e = three_e // 3
    q, k, v = _unpack(qkv._data, num_heads)
    out, probs, dropped, keep = _forward_arrays(q, k, v, None if mask is None else mask._data,
                                                blocked, causal, dropout_p, scale)
    merged = out.transpose(0, 2, 1, 3).reshape(n, length, e)
    parents = (qkv,) if mask is None else (qkv, mask)

    def backward(g, out_tensor):
        if grad_mode.enabled():
            return _packed_backward_tensor(g, qkv, num_heads, mask, blocked, causal, probs, keep,
                                           scale)[:len(parents)]
        need_mask = mask is not None and mask.requires_grad
        gh = g._data.reshape(n, length, num_heads, e // num_heads).transpose(0, 2, 1, 3)
        dq, dk, dv, ds = _backward_arrays(gh, q, k, v, probs, dropped, keep, scale, True, True,
                                          True, need_mask)
        grad = np.empty_like(qkv._data)
        for view, part in zip(_unpack(grad, num_heads), (dq, dk, dv)):
            view[...] = part
        gm = Tensor._wrap(np.array(unbroadcast_array(ds, mask.shape))) if need_mask else None
        return (Tensor._wrap(grad), gm)[:len(parents)]

    return make(merged, parents, backward, "PackedSelfAttention")


def _packed_backward_tensor(g, qkv, num_heads, mask, blocked, causal, probs, keep, scale):
    n, length, three_e = qkv.shape
    hd = three_e // 3 // num_heads

    def heads(t):
        return t.reshape(n, length, num_heads, hd).transpose(1, 2)

    q, k, v = (heads(t) for t in qkv.chunk(3, dim=-1))
    blk = causal_blocked(length, length) if causal else blocked
    gq, gk, gv, gm = _backward_tensor(heads(g), q, k, v, mask, blk, probs, keep, scale, 1)
    merged = [t.transpose(1, 2).reshape(n, length, three_e // 3) for t in (gq, gk, gv)]
    return cat(merged, -1), gm


# ----- recorded backward (create_graph=True) ------------------------------------------------
def _repeat_heads_tensor(a, groups):
    if groups == 1:
        return a
    shape = a.shape[:-3] + (a.shape[-3], groups) + a.shape[-2:]
    merged = a.shape[:-3] + (a.shape[-3] * groups,) + a.shape[-2:]
    return a.unsqueeze(-3).expand(*shape).reshape(merged)


def _sum_groups_tensor(a, groups):
    if groups == 1:
        return a
    return a.reshape(a.shape[:-3] + (a.shape[-3] // groups, groups) + a.shape[-2:]).sum(-3)


def _backward_tensor(g, q, k, v, mask, blocked, probs_array, keep, scale, groups):
    """The backward formulas as Tensor ops (recorded, for gradients of gradients). The
    probabilities are recomputed from the inputs so that they carry their own graph; rows
    that were fully masked get finite stand-in scores and probabilities 0."""
    kk, vv = _repeat_heads_tensor(k, groups), _repeat_heads_tensor(v, groups)
    scores = q.matmul(kk.mT) * scale
    if mask is not None:
        scores = scores + mask
    if blocked is not None:
        scores = scores.where(Tensor._wrap(~blocked), -np.inf)
    dead = probs_array.sum(-1, keepdims=True) == 0
    if dead.any():
        alive = Tensor._wrap(~dead)
        probs = scores.where(alive, 0.0).softmax(-1) * alive.astype(q.dtype)
    else:
        probs = scores.softmax(-1)
    keep_t = None if keep is None else Tensor._wrap(keep)
    dropped = probs if keep_t is None else probs * keep_t
    gq = gk = gv = gm = None
    if v.requires_grad:
        gv = unbroadcast(_sum_groups_tensor(dropped.mT.matmul(g), groups), v.shape)
    dp = g.matmul(vv.mT)
    if keep_t is not None:
        dp = dp * keep_t
    ds = probs * (dp - (dp * probs).sum(-1, keepdim=True))
    if mask is not None and mask.requires_grad:
        gm = unbroadcast(ds, mask.shape)
    if q.requires_grad:
        gq = unbroadcast(ds.matmul(kk) * scale, q.shape)
    if k.requires_grad:
        gk = unbroadcast(_sum_groups_tensor(ds.mT.matmul(q) * scale, groups), k.shape)
    return gq, gk, gv, gm
