"""The fused scaled-dot-product attention op behind ``F.scaled_dot_product_attention``.

With ``s = scale * q k^T + mask`` (blocked positions set to ``-inf``), ``p = softmax(s)``
over the keys, ``d`` the dropout keep-mask scaled by ``1 / (1 - dropout_p)`` (or 1) and
``out = (p * d) v``, the first-order backward is

    dv = (p * d)^T g,    dp = (g v^T) * d,    ds = p * (dp - sum(dp * p, keys))
    dq = scale * ds k,   dk = scale * ds^T q,  dmask = ds

As one graph node the forward and backward are a handful of batched matmuls and one
softmax in numpy, instead of the dozen nodes (and their temporaries) of the composed
expression: attention is the hot path of a transformer. Under ``create_graph=True`` the
same formulas run as Tensor ops, so second derivatives stay exact.

A row whose keys are all blocked (``-inf``) gives probabilities 0, so its output and its
gradients are 0: PyTorch's rule since 2.5 (its "safe softmax"), not the NaN of a plain
softmax. Arguments arrive validated by :func:`minigrad.nn.functional.scaled_dot_product_attention`.
"""
import functools

import numpy as np

from .. import grad_mode
from .. import random as _random
from ..ops.broadcast import unbroadcast, unbroadcast_array
from ..tensor import Tensor, make


@functools.lru_cache(maxsize=16)
def causal_blocked(n_queries, n_keys):
    """(L, S) bool, True above the diagonal: the future positions ``is_causal`` blocks
    (PyTorch aligns the mask top-left: ``ones(L, S).tril()`` is what is allowed).
    Cached and read-only, as every training step of a model asks for the same one."""
    blocked = np.triu(np.ones((n_queries, n_keys), dtype=bool), 1)
    blocked.flags.writeable = False
    return blocked


def _repeat_heads(a, groups):
    """Grouped-query attention: each key/value head serves ``groups`` query heads."""
    return a if groups == 1 else np.repeat(a, groups, axis=-3)


def _sum_groups(a, groups):
    """Adjoint of :func:`_repeat_heads`: add the gradients of the query heads a key/value
    head served."""
    if groups == 1:
        return a
    shape = a.shape[:-3] + (a.shape[-3] // groups, groups) + a.shape[-2:]
    return a.reshape(shape).sum(axis=-3)


def _softmax_rows(scores):
    """Softmax over the last dim, in place. Rows that are all ``-inf`` become zeros.
    Returns ``(probs, dead)`` with ``dead`` the (..., L, 1) bool of such rows, or None."""
    top = scores.max(axis=-1, keepdims=True)
    dead = top == -np.inf
    if dead.any():
        top[dead] = 0  # exp(-inf - 0) = 0 everywhere in the row, no NaN from -inf - -inf
    else:
        dead = None
    scores -= top
    np.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    if dead is not None:
        total[dead] = 1
    scores /= total
    return scores, dead


def attention(q, k, v, mask, blocked, dropout_p, scale, groups):
    """``softmax(scale * q k^T + mask, blocked -> -inf) v`` with dropout on the
    probabilities, as one graph node.

    ``mask``: a float Tensor of the query's dtype, broadcastable to the scores
    ``(..., L, S)``, or None. ``blocked``: a bool array broadcastable to the scores, True
    where a query may not attend, or None. ``groups``: query heads per key/value head.
    """
    qd, kd, vd = q._data, _repeat_heads(k._data, groups), _repeat_heads(v._data, groups)
    dtype = qd.dtype
    scores = np.matmul(qd, np.swapaxes(kd, -1, -2))
    scores *= dtype.type(scale)
    if mask is not None:
        scores += mask._data
    if blocked is not None:
        np.copyto(scores, -np.inf, where=blocked)
    probs, dead = _softmax_rows(scores)
    keep = None
    dropped = probs
    if dropout_p > 0:
        # the keep-mask is saved for backward: the gradient sees the same dropped weights
        keep = _random.default_generator().random(probs.shape, dtype=np.float32) >= dropout_p
        keep = keep * dtype.type(1.0 / (1.0 - dropout_p))
        dropped = probs * keep
    out = np.matmul(dropped, vd)
    parents = (q, k, v) if mask is None else (q, k, v, mask)

    def backward(g, out_tensor):
        if grad_mode._enabled:
            grads = _backward_tensor(g, q, k, v, mask, blocked, dead, keep, scale, groups)
        else:
            grads = _backward_array(g._data, q, k, v, kd, vd, mask, probs, dropped, keep,
                                    scale, groups)
        return grads[:len(parents)]

    return make(out, parents, backward, "ScaledDotProductAttention")


def _backward_array(g, q, k, v, kd, vd, mask, probs, dropped, keep, scale, groups):
    wrap = Tensor._wrap
    gq = gk = gv = gm = None
    if v.requires_grad:
        gv = _sum_groups(np.matmul(np.swapaxes(dropped, -1, -2), g), groups)
        gv = wrap(unbroadcast_array(gv, v.shape))
    need_scores = q.requires_grad or k.requires_grad or (mask is not None and mask.requires_grad)
    if need_scores:
        ds = np.matmul(g, np.swapaxes(vd, -1, -2))
        if keep is not None:
            ds *= keep
        row = (ds * probs).sum(axis=-1, keepdims=True)
        ds -= row
        ds *= probs
        if mask is not None and mask.requires_grad:
            gm = wrap(np.array(unbroadcast_array(ds, mask.shape)))  # a copy: ds is scaled next
        ds *= ds.dtype.type(scale)
        if q.requires_grad:
            gq = wrap(unbroadcast_array(np.matmul(ds, kd), q.shape))
        if k.requires_grad:
            gk = _sum_groups(np.matmul(np.swapaxes(ds, -1, -2), q._data), groups)
            gk = wrap(unbroadcast_array(gk, k.shape))
    return gq, gk, gv, gm


def _repeat_heads_tensor(a, groups):
    if groups == 1:
        return a
    shape = a.shape[:-3] + (a.shape[-3], groups) + a.shape[-2:]
    merged = a.shape[:-3] + (a.shape[-3] * groups,) + a.shape[-2:]
    return a.unsqueeze(-3).expand(*shape).reshape(merged)


def _backward_tensor(g, q, k, v, mask, blocked, dead, keep, scale, groups):
    """The backward formulas as Tensor ops (recorded, for gradients of gradients). The
    probabilities are recomputed from the inputs so that they carry their own graph."""
    kk, vv = _repeat_heads_tensor(k, groups), _repeat_heads_tensor(v, groups)
    scores = q.matmul(kk.mT) * scale
    if mask is not None:
        scores = scores + mask
    if blocked is not None:
        scores = scores.where(Tensor._wrap(~blocked), -np.inf)
    if dead is not None:  # finite stand-in scores for dead rows, whose probabilities are 0
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


def _sum_groups_tensor(a, groups):
    if groups == 1:
        return a
    shape = a.shape[:-3] + (a.shape[-3] // groups, groups) + a.shape[-2:]
    return a.reshape(shape).sum(-3)
