"""Fused loss ops whose composite forms would be slow or unstable: cross-entropy from
logits, binary cross-entropy and binary cross-entropy from logits.

Each forward is plain numpy. Each backward has a numpy fast path used when no graph is
recorded (ordinary training) and a Tensor-op path under ``create_graph=True``, so second
derivatives stay exact. Arguments arrive validated by ``functional``.
"""
import numpy as np

from .. import grad_mode
from ..ops.elementwise import _sigmoid_array
from ..tensor import Tensor, make


def cross_entropy(input, target, reduction, label_smoothing, ignore_index):
    """Cross-entropy of logits ``input`` (classes along dim 1, or dim 0 when 1-d) against
    integer class ``target`` (``ignore_index`` entries contribute nothing) or, when
    ``target`` is floating point of the input's shape, class probabilities.

    Per sample, with ``lsm = log_softmax(input)``, ``C`` classes, ``eps = label_smoothing``:
    ``loss = -sum_c q_c lsm_c`` where ``q = (1 - eps) * onehot(target) + eps / C`` (or the
    smoothed probabilities). The gradient in the logits is ``softmax * sum(q) - q``,
    scaled by the reduction, so the backward costs one subtraction.
    """
    x = input._data
    all_kept = True
    cdim = 0 if x.ndim == 1 else 1
    n_classes = x.shape[cdim]
    shifted = x - np.max(x, axis=cdim, keepdims=True)
    exp = np.exp(shifted)
    sumexp = exp.sum(axis=cdim, keepdims=True)
    lsm = shifted - np.log(sumexp)
    eps = float(label_smoothing)
    probs_target = target.dtype.kind == "f"

    if probs_target:
        q = target._data.astype(x.dtype, copy=False)
        if eps:
            q = q * (1 - eps) + eps / n_classes
        per = -(q * lsm).sum(axis=cdim)
        mask = None
        count = per.size
    else:
        t = target._data
        mask = t != ignore_index
        tk = np.expand_dims(np.where(mask, t, 0), cdim)
        per = -np.take_along_axis(lsm, tk, axis=cdim).squeeze(cdim)
        if eps:
            per = (1 - eps) * per - eps * lsm.mean(axis=cdim)
        per = np.where(mask, per, 0).astype(x.dtype, copy=False)
        count = int(mask.sum())
        all_kept = count == mask.size
        q = None  # built lazily in backward

    if reduction == "none":
        data = per.astype(x.dtype, copy=False)
    elif reduction == "sum":
        data = np.asarray(per.sum(), dtype=x.dtype)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            data = np.asarray(per.sum() / count, dtype=x.dtype)  # all ignored -> nan, as torch

    def targets_q():
        """Dense smoothed targets in input layout (zero rows where ignored)."""
        if probs_target:
            return q
        dense = np.full(x.shape, eps / n_classes, dtype=x.dtype)
        np.put_along_axis(dense, tk, (1 - eps) + eps / n_classes, axis=cdim)
        dense *= np.expand_dims(mask, cdim)
        return dense

    def row_scale():
        """Per-sample weight of the upstream gradient (kept class dim), or a scalar."""
        if reduction == "mean":
            return 1.0 / count if count else np.nan
        return 1.0

    def fast_class_grad(g):
        """First-order logits gradient for class targets, without a dense one-hot:
        ``softmax - eps/C``, minus ``1 - eps`` at each target, zero rows where ignored."""
        grad = exp / sumexp
        if eps:
            grad -= eps / n_classes
        if grad.ndim == 2:
            grad[np.arange(grad.shape[0]), tk[:, 0]] -= 1 - eps
        else:
            np.put_along_axis(grad, tk, np.take_along_axis(grad, tk, cdim) - (1 - eps), cdim)
        if not all_kept:
            grad *= np.expand_dims(mask, cdim)
        gd = g._data if reduction != "none" else np.expand_dims(g._data, cdim)
        grad *= gd * row_scale()
        return Tensor._wrap(grad)

    def backward(g, out):
        if not probs_target and not grad_mode.enabled():
            return (fast_class_grad(g) if input.requires_grad else None), None
        qd = targets_q()
        sum_q = qd.sum(axis=cdim, keepdims=True)
        scale = row_scale()
        gx = gt = None
        if not grad_mode.enabled():
            gd = g._data if reduction != "none" else np.expand_dims(g._data, cdim)
            if input.requires_grad:
                gx = Tensor._wrap(((exp / sumexp) * sum_q - qd) * (gd * scale))
            if probs_target and target.requires_grad:
                smooth = (1 - eps) if eps else 1.0
                gt = Tensor._wrap(-lsm * (gd * scale * smooth))
        else:
            gk = g if reduction != "none" else g.unsqueeze(cdim)
            if input.requires_grad:
                if probs_target:  # q depends on the target: keep it in the graph
                    qt = target * (1 - eps) + eps / n_classes if eps else target
                    sq = qt.sum(dim=cdim, keepdim=True)
                else:
                    qt, sq = Tensor._wrap(qd), Tensor._wrap(sum_q)
                gx = (input.softmax(dim=cdim) * sq - qt) * (gk * scale)
            if probs_target and target.requires_grad:
                smooth = (1 - eps) if eps else 1.0
                gt = -input.log_softmax(dim=cdim) * (gk * (scale * smooth))
        return gx, gt

    return make(data, (input, target), backward, "CrossEntropy")


_LOG_FLOOR = -100.0  # PyTorch clamps the logs of binary_cross_entropy at -100


def _reduce_array(per, reduction, dtype):
    if reduction == "none":
        return per.astype(dtype, copy=False)
    total = per.sum()
    if reduction == "mean":
        # sum / n rather than per.mean(): the same value without np.mean's ~5 us of overhead
        total = total / per.size if per.size else np.nan
    return np.asarray(total, dtype=dtype)


def _upstream(g, reduction, size):
    """The upstream gradient of each element (a Tensor, broadcastable to the input):
    the elementwise losses' own gradient for 'none', shared equally for 'mean'."""
    if reduction == "mean":
        return g * (1.0 / size)
    return g


def _upstream_array(g, reduction, size):
    if reduction == "mean":
        return g._data * (1.0 / size)
    return g._data


def binary_cross_entropy(input, target, reduction):
    """``-(t log x + (1 - t) log(1 - x))``, reduced, with both logs clamped at -100 (so the
    loss is finite at x = 0 or 1). Gradient as PyTorch: ``(x - t) / max(x (1 - x), 1e-12)``
    in the input, ``log(1 - x) - log(x)`` (clamped logs) in the target."""
    x, t = input._data, target._data
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), _LOG_FLOOR)
        log_1mx = np.maximum(np.log1p(-x), _LOG_FLOOR)
    data = _reduce_array(-(t * log_x + (1 - t) * log_1mx), reduction, x.dtype)

    def backward(g, out):
        gx = gt = None
        if not grad_mode.enabled():
            ga = _upstream_array(g, reduction, x.size)
            if input.requires_grad:
                gx = Tensor._wrap(ga * (x - t) / np.maximum(x * (1 - x), 1e-12))
            if target.requires_grad:
                gt = Tensor._wrap(ga * (log_1mx - log_x))
        else:
            g = _upstream(g, reduction, x.size)
            if input.requires_grad:
                gx = g * (input - target) / (input * (1 - input)).clamp(min=1e-12)
            if target.requires_grad:
                # The clamped logs as Tensor ops; the inner where keeps log() away from 0
                # so no 0 * inf appears in their own gradients.
                ok_x = Tensor._wrap(log_x > _LOG_FLOOR)
                ok_1 = Tensor._wrap(log_1mx > _LOG_FLOOR)
                lx = input.where(ok_x, 1.0).log().where(ok_x, _LOG_FLOOR)
                l1 = (1 - input).where(ok_1, 1.0).log().where(ok_1, _LOG_FLOOR)
                gt = g * (l1 - lx)
        return gx, gt

    return make(data, (input, target), backward, "BinaryCrossEntropy")


def binary_cross_entropy_with_logits(input, target, reduction):
    """Reduced ``-(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z)))`` computed as
    ``max(z, 0) - z t + log(1 + exp(-|z|))``, finite for any logit. Gradient
    ``sigmoid(z) - t`` in the logits and ``-z`` in the target."""
    z, t = input._data, target._data
    data = _reduce_array(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))), reduction,
                         z.dtype)

    def backward(g, out):
        gz = gt = None
        if not grad_mode.enabled():
            ga = _upstream_array(g, reduction, z.size)
            if input.requires_grad:
                gz = Tensor._wrap(ga * (_sigmoid_array(z) - t))
            if target.requires_grad:
                gt = Tensor._wrap(-ga * z)
        else:
            g = _upstream(g, reduction, z.size)
            if input.requires_grad:
                gz = g * (input.sigmoid() - target)
            if target.requires_grad:
                gt = -g * input
        return gz, gt

    return make(data, (input, target), backward, "BinaryCrossEntropyWithLogits")
