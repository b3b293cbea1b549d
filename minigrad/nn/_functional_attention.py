"""Attention as functions: ``scaled_dot_product_attention`` and
``multi_head_attention_forward``, with ``torch.nn.functional``'s names, arguments and
numbers (exported from :mod:`minigrad.nn.functional`).

Mask conventions differ between the two, as in PyTorch: a boolean ``attn_mask`` of
``scaled_dot_product_attention`` marks with True the positions that *take part*, while the
boolean masks of ``multi_head_attention_forward`` (and ``nn.MultiheadAttention``) mark with
True the positions that are *masked out*. A float mask is added to the scores in both.
"""
import math

import numpy as np

from ..tensor import Tensor
from . import _attention_op

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _float_input(x, fn, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {name} must be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def _probability(p, fn, name):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"{fn}: {name} must be a probability in [0, 1], got {p!r}")
    return float(p)


def _mask_array(mask, fn, name):
    """A mask argument as (bool numpy array) or (float Tensor); None stays None."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        mask = Tensor._wrap(np.asarray(mask))
    if mask.dtype == np.bool_:
        return mask._data
    if mask.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be a bool or floating-point tensor, got dtype "
                        f"{mask.dtype}")
    return mask


def _check_broadcast(shape, target, fn, name, target_name):
    try:
        ok = np.broadcast_shapes(tuple(shape), target) == target
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{fn}: {name} of shape {tuple(shape)} does not broadcast to the "
                         f"{target_name} shape {target}")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(query @ key^T * scale + mask) @ value``, as one fused graph node.

    Shapes: ``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, Ev); the leading
    dims broadcast; the output is (..., L, Ev). ``scale`` defaults to ``1 / sqrt(E)``.

    ``attn_mask``, broadcastable to (..., L, S): boolean, True where a query may attend (the
    rest gets ``-inf``), or floating point, added to the scores. ``is_causal=True`` lets
    query ``i`` attend to keys ``j <= i`` (the mask ``ones(L, S).tril()``, aligned top-left)
    and excludes ``attn_mask``. ``dropout_p`` zeroes attention weights with that probability
    and scales the rest by ``1 / (1 - dropout_p)``: it applies whenever it is > 0, so pass
    ``dropout_p=p if training else 0.0`` (minigrad's global generator draws the mask).
    ``enable_gqa=True`` lets ``key``/``value`` have fewer heads (dim -3) than ``query``,
    each serving ``query_heads / kv_heads`` consecutive query heads.

    A query whose keys are all masked gets weights 0, so its output is 0 (PyTorch's rule).
    """
    fn = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        _float_input(t, fn, name)
        if t.ndim < 2:
            raise ValueError(f"{fn}: {name} must have at least 2 dims (..., seq, features), "
                             f"got shape {tuple(t.shape)}")
    if not query.dtype == key.dtype == value.dtype:
        raise TypeError(f"{fn}: query, key and value must have the same dtype, got "
                        f"{query.dtype}, {key.dtype} and {value.dtype}")
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(f"{fn}: query and key must have the same last dim (features), got "
                         f"shapes {tuple(query.shape)} and {tuple(key.shape)}")
    if value.shape[-2] != key.shape[-2]:
        raise ValueError(f"{fn}: key and value must have the same number of positions (dim "
                         f"-2), got shapes {tuple(key.shape)} and {tuple(value.shape)}")
    groups = 1
    k_batch, v_batch = key.shape[:-2], value.shape[:-2]
    if enable_gqa:
        if query.ndim < 3 or key.ndim < 3 or value.ndim < 3:
            raise ValueError(f"{fn}: enable_gqa needs a heads dim (-3) on query, key and value")
        hq, hk = query.shape[-3], key.shape[-3]
        if value.shape[-3] != hk or hk == 0 or hq % hk:
            raise ValueError(f"{fn}: enable_gqa needs key and value to have the same number of "
                             f"heads, dividing the query's {hq}; got {hk} and {value.shape[-3]}")
        groups = hq // hk
        k_batch, v_batch = key.shape[:-3] + (hq,), value.shape[:-3] + (hq,)
    try:
        batch = np.broadcast_shapes(query.shape[:-2], k_batch, v_batch)
    except ValueError:
        raise ValueError(f"{fn}: the batch dims of query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} do not broadcast "
                         "together") from None
    n_q, n_k = query.shape[-2], key.shape[-2]
    dropout_p = _probability(dropout_p, fn, "dropout_p")
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    elif isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)):
        raise TypeError(f"{fn}: scale must be a float or None, got {scale!r}")
    mask = _mask_array(attn_mask, fn, "attn_mask")
    blocked = None
    if is_causal:
        if mask is not None:
            raise ValueError(f"{fn}: pass either attn_mask or is_causal=True, not both "
                             "(is_causal builds its own mask)")
    elif mask is not None:
        _check_broadcast(mask.shape, batch + (n_q, n_k), fn, "attn_mask", "attention scores")
        if isinstance(mask, np.ndarray):
            blocked, mask = ~mask, None
        elif mask.dtype != query.dtype:
            mask = mask.astype(query.dtype)
    return _attention_op.attention(query, key, value, mask, blocked, bool(is_causal), dropout_p,
                                   float(scale), groups)


# ----- multi-head attention --------------------------------------------------------------
def _split_mask(mask, fn, name):
    """MHA masks: bool True (or a float mask's -inf) means masked out. Returns
    ``(blocked bool array or None, float Tensor or None)``."""
    mask = _mask_array(mask, fn, name)
    if isinstance(mask, np.ndarray):
        return mask, None
    return None, mask


def _pad_keys(mask_pair):
    """One more key position (from ``bias_k`` or ``add_zero_attn``) that every query may
    attend: a False/0 column appended to a mask."""
    blocked, add = mask_pair
    if blocked is not None:
        blocked = np.concatenate([blocked, np.zeros(blocked.shape[:-1] + (1,), bool)], -1)
    if add is not None:
        from ..ops.shape import pad
        add = pad(add, (0, 1))
    return blocked, add


def _project(x, weight, bias, start, stop):
    """Rows ``start:stop`` of a packed projection applied to ``x``."""
    from .functional import linear
    w = weight if weight.shape[0] == stop - start else weight[start:stop]
    b = None if bias is None else bias[start:stop]
    return linear(x, w, b)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None,
                                 average_attn_weights=True, is_causal=False, batch_first=False):
    """PyTorch's ``F.multi_head_attention_forward`` (the computation of
    ``nn.MultiheadAttention``), minus ``static_k``/``static_v``; ``batch_first`` is an added
    keyword so that batch-first input needs no transposes.

    Shapes (``batch_first=False``): ``query`` (L, N, E), ``key`` (S, N, kdim), ``value``
    (S, N, vdim), or unbatched (L, E) etc. ``key_padding_mask`` (N, S); ``attn_mask``
    (L, S) or (N * num_heads, L, S). Boolean masks: True = masked out; float masks are
    added. Returns ``(output (L, N, E), weights)`` with ``weights`` (N, L, S) averaged over
    heads (or (N, num_heads, L, S)) when ``need_weights``, else None.

    With ``need_weights=False`` the attention is the fused node of
    :func:`scaled_dot_product_attention` (a fully masked query gets output 0); with
    ``need_weights=True`` it is composed from ops so that the weights can be returned and
    differentiated, and a fully masked query gets NaN, exactly as in PyTorch.
    """
    fn = "multi_head_attention_forward"
    from .functional import dropout, linear
    for name, t in (("query", query), ("key", key), ("value", value)):
        _float_input(t, fn, name)
    batched = query.ndim == 3
    self_attention = query is key and key is value
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"{fn}: query, key and value must all be 3-d (batched) or all 2-d "
                         f"(unbatched), got shapes {tuple(query.shape)}, {tuple(key.shape)} "
                         f"and {tuple(value.shape)}")
    if not batched:
        query = query.unsqueeze(0)
        key, value = (query, query) if self_attention else (key.unsqueeze(0), value.unsqueeze(0))
        if isinstance(key_padding_mask, Tensor):
            key_padding_mask = key_padding_mask.unsqueeze(0)
        elif key_padding_mask is not None:
            key_padding_mask = np.asarray(key_padding_mask)[None]
    elif not batch_first:
        query = query.transpose(0, 1)
        key, value = (query, query) if self_attention else (key.transpose(0, 1),
                                                            value.transpose(0, 1))
    n, n_q, embed_dim = query.shape
    n_k = key.shape[1]
    if embed_dim != embed_dim_to_check:
        raise ValueError(f"{fn}: query has {embed_dim} features, expected embed_dim="
                         f"{embed_dim_to_check}")
    if key.shape[:2] != value.shape[:2] or key.shape[0] != n:
        raise ValueError(f"{fn}: key and value must share batch size and length with each "
                         f"other and the query's batch {n}, got key {tuple(key.shape)} and "
                         f"value {tuple(value.shape)} (batch-first view)")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise ValueError(f"{fn}: embed_dim {embed_dim} is not divisible by num_heads {num_heads}")

    # projections
    qkv = None
    if not use_separate_proj_weight:
        if key.shape[-1] != embed_dim or value.shape[-1] != embed_dim:
            raise ValueError(f"{fn}: the packed in_proj_weight needs key and value with "
                             f"{embed_dim} features, got {key.shape[-1]} and {value.shape[-1]}")
        if self_attention:  # one matmul for q, k and v
            qkv = linear(query, in_proj_weight, in_proj_bias)
        else:
            q = _project(query, in_proj_weight, in_proj_bias, 0, embed_dim)
            k = _project(key, in_proj_weight, in_proj_bias, embed_dim, 2 * embed_dim)
            v = _project(value, in_proj_weight, in_proj_bias, 2 * embed_dim, 3 * embed_dim)
    else:
        for name, w, d in (("q_proj_weight", q_proj_weight, embed_dim),
                           ("k_proj_weight", k_proj_weight, key.shape[-1]),
                           ("v_proj_weight", v_proj_weight, value.shape[-1])):
            if w is None or tuple(w.shape) != (embed_dim, d):
                raise ValueError(f"{fn}: {name} must have shape ({embed_dim}, {d}), got "
                                 f"{None if w is None else tuple(w.shape)}")
        q = _project(query, q_proj_weight, in_proj_bias, 0, embed_dim)
        k = _project(key, k_proj_weight, in_proj_bias, embed_dim, 2 * embed_dim)
        v = _project(value, v_proj_weight, in_proj_bias, 2 * embed_dim, 3 * embed_dim)

    # masks, in the batch-first (N, heads, L, S) layout
    if is_causal and attn_mask is None:
        raise ValueError(f"{fn}: is_causal=True is a hint that attn_mask is the causal mask; "
                         "pass attn_mask as well (nn.Transformer.generate_square_subsequent_mask)")
    use_causal = is_causal and key_padding_mask is None and not need_weights
    attn = (None, None)
    if attn_mask is not None and not use_causal:
        attn = _split_mask(attn_mask, fn, "attn_mask")
        shape = tuple((attn[0] if attn[0] is not None else attn[1]).shape)
        if shape == (n_q, n_k):
            pass
        elif shape == (n * num_heads, n_q, n_k):
            attn = tuple(None if m is None else m.reshape(n, num_heads, n_q, n_k) for m in attn)
        else:
            raise ValueError(f"{fn}: attn_mask must have shape ({n_q}, {n_k}) or "
                             f"({n * num_heads}, {n_q}, {n_k}), got {shape}")
    pad = (None, None)
    if key_padding_mask is not None:
        pad = _split_mask(key_padding_mask, fn, "key_padding_mask")
        shape = tuple((pad[0] if pad[0] is not None else pad[1]).shape)
        if shape != (n, n_k):
            raise ValueError(f"{fn}: key_padding_mask must have shape ({n}, {n_k}) "
                             f"(batch, key length), got {shape}")
        pad = tuple(None if m is None else m.reshape(n, 1, 1, n_k) for m in pad)

    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{fn}: bias_k and bias_v must be given together")
    # the fused self-attention node, unless extra keys or returned weights need the pieces
    packed = qkv is not None and bias_k is None and not add_zero_attn and not need_weights
    if packed:
        q = k = v = None
    else:
        if qkv is not None:
            q, k, v = qkv.chunk(3, dim=-1)
        if bias_k is not None:
            k = _cat_seq(k, bias_k.reshape(1, 1, embed_dim).expand(n, 1, embed_dim))
            v = _cat_seq(v, bias_v.reshape(1, 1, embed_dim).expand(n, 1, embed_dim))
            attn, pad = _pad_keys(attn), _pad_keys(pad)

        def heads(t):
            return t.reshape(n, t.shape[1], num_heads, head_dim).transpose(1, 2)

        q, k, v = heads(q), heads(k), heads(v)
        if add_zero_attn:
            zeros = Tensor._wrap(np.zeros((n, num_heads, 1, head_dim), dtype=k.dtype))
            k, v = _cat_seq(k, zeros, dim=2), _cat_seq(v, zeros, dim=2)
            attn, pad = _pad_keys(attn), _pad_keys(pad)

    blocked = None
    for m in (attn[0], pad[0]):
        if m is not None:
            blocked = m if blocked is None else (blocked | m)
    add = None
    for m in (attn[1], pad[1]):
        if m is not None:
            m = m.astype(query.dtype) if m.dtype != query.dtype else m
            add = m if add is None else add + m
    p = _probability(dropout_p, fn, "dropout_p") if training else 0.0
    scale = 1.0 / math.sqrt(head_dim)

    weights = None
    if packed:
        out = _attention_op.packed_attention(qkv, num_heads, add, blocked, use_causal, p, scale)
    elif need_weights:  # (use_causal is False here: weights are built from attn_mask)
        scores = q.matmul(k.mT) * scale
        if add is not None:
            scores = scores + add
        if blocked is not None:
            scores = scores.where(Tensor._wrap(~blocked), -np.inf)
        with np.errstate(invalid="ignore"):  # a fully masked query: NaN, as PyTorch
            weights = scores.softmax(-1)
        if p > 0:  # PyTorch returns the weights after dropout
            weights = dropout(weights, p)
        out = weights.matmul(v)
        if average_attn_weights:
            weights = weights.mean(1)
    else:
        out = _attention_op.attention(q, k, v, add, blocked, use_causal, p, scale)
    if not packed:
        out = out.transpose(1, 2).reshape(n, n_q, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(0)
        if weights is not None:
            weights = weights.squeeze(0)
    elif not batch_first:
        out = out.transpose(0, 1)
    return out, weights


def _cat_seq(a, b, dim=1):
    from ..ops.shape import cat
    return cat([a, b], dim)
