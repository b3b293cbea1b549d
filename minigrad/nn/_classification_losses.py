"""Classification losses, ``torch.nn.functional``'s signatures: ``cross_entropy, nll_loss,
binary_cross_entropy, binary_cross_entropy_with_logits, soft_margin_loss,
multilabel_soft_margin_loss, multi_margin_loss``.

The common cases (unweighted cross-entropy and binary cross-entropies) are single fused
nodes (``_loss_op``); class ``weight`` and ``pos_weight`` take a composite path of Tensor
ops. Every loss takes ``reduction='mean' | 'sum' | 'none'`` and PyTorch's deprecated
``size_average``/``reduce`` pair where PyTorch does.
"""
import numpy as np

from ..ops.reduction import log_softmax
from ..tensor import Tensor
from . import _loss_op
from ._activations import logsigmoid
from ._checks import _as_target, _float_tensor, _legacy_reduction, _reduce, _same_shape

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "soft_margin_loss", "multilabel_soft_margin_loss",
           "multi_margin_loss"]


def _class_target(input, target, fn, ignore_index):
    """Validate integer class targets against logits/log-probs with classes on dim 1."""
    cdim = 0 if input.ndim == 1 else 1
    expected = input.shape[:cdim] + input.shape[cdim + 1:]
    if target.shape != expected:
        raise ValueError(f"{fn}: for input of shape {tuple(input.shape)} (classes on dim "
                         f"{cdim}) the class-index target must have shape {expected}, got "
                         f"{tuple(target.shape)}")
    t = target._data
    n_classes = input.shape[cdim]
    bad = (t < 0) | (t >= n_classes)
    if ignore_index is not None:
        bad &= t != ignore_index
    if bad.any():
        ignored = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
        raise IndexError(f"{fn}: target values must be class indices in [0, {n_classes})"
                         f"{ignored}, got {t[bad].ravel()[:5].tolist()}")
    return cdim


def _class_args(input, target, size_average, reduce, reduction, fn):
    """The checks shared by the losses of class scores: returns (target, reduction)."""
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have at least 1 dim (classes), got a scalar")
    return target, reduction


def _class_weight(weight, n_classes, fn, like):
    weight = _as_target(weight, fn, like)
    if weight.shape != (n_classes,):
        raise ValueError(f"{fn}: weight must have one entry per class, shape ({n_classes},), "
                         f"got {tuple(weight.shape)}")
    return weight


def _along(vector, cdim, ndim):
    """A (C,) tensor shaped to broadcast along the class dim ``cdim`` of an ndim input."""
    shape = [1] * ndim
    shape[cdim] = -1
    return vector.reshape(tuple(shape))


def _weighted_nll(lsm, target, weight, cdim, ignore_index, reduction, smoothing):
    """The weighted negative log-likelihood of log-probabilities (PyTorch's formula with
    label smoothing: the smoothing term is weighted per class and, for 'mean', divided by
    the same total weight of the targets)."""
    n_classes = lsm.shape[cdim]
    mask = target._data != ignore_index
    safe = np.where(mask, target._data, 0)
    keep = Tensor._wrap(mask.astype(lsm.dtype))
    w_t = weight[Tensor._wrap(safe)] * keep  # weight of each sample's class, 0 if ignored
    picked = lsm.gather(cdim, Tensor._wrap(np.expand_dims(safe, cdim))).squeeze(cdim)
    nll = -picked * w_t
    smooth = None
    if smoothing:
        smooth = -(lsm * _along(weight, cdim, lsm.ndim)).sum(dim=cdim) * keep
    if reduction == "mean":
        total = w_t.sum()
        nll = nll.sum() / total
        smooth = None if smooth is None else smooth.sum() / total
    elif reduction == "sum":
        nll = nll.sum()
        smooth = None if smooth is None else smooth.sum()
    if smooth is None:
        return nll
    return nll * (1 - smoothing) + smooth * (smoothing / n_classes)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy from logits, fused with log-softmax (finite for any finite logits).

    ``input``: (N, C), (C,) or (N, C, d1, ...) logits. ``target``: integer class indices of
    shape (N,) / () / (N, d1, ...), or floating-point class probabilities of the input's
    shape. With ``lsm = log_softmax(input, dim=1)`` and ``eps = label_smoothing``::

        loss_n = (1 - eps) * (-lsm[n, target_n]) + eps * mean_c(-lsm[n, c])

    Targets equal to ``ignore_index`` contribute nothing, and ``'mean'`` averages over the
    other samples. A class ``weight`` (C,) scales each sample's loss by the weight of its
    class and ``'mean'`` divides by the sum of those weights, as PyTorch does.
    """
    fn = "cross_entropy"
    target, reduction = _class_args(input, target, size_average, reduce, reduction, fn)
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be a float in [0, 1], got "
                         f"{label_smoothing!r}")
    cdim = 0 if input.ndim == 1 else 1
    if target.dtype.kind == "f":
        if target.shape != input.shape:
            raise ValueError(f"{fn}: a floating-point target holds class probabilities and "
                             f"must have the input's shape {tuple(input.shape)}, got "
                             f"{tuple(target.shape)}; class indices must be an integer tensor")
    elif target.dtype.kind in "iu":
        _class_target(input, target, fn, ignore_index)
    else:
        raise TypeError(f"{fn}: target must be integer class indices or float probabilities, "
                        f"got dtype {target.dtype}")
    if weight is None:
        return _loss_op.cross_entropy(input, target, reduction, label_smoothing, ignore_index)
    weight = _class_weight(weight, input.shape[cdim], fn, input)
    lsm = log_softmax(input, cdim)
    if target.dtype.kind in "iu":
        return _weighted_nll(lsm, target, weight, cdim, ignore_index, reduction, label_smoothing)
    n_classes = input.shape[cdim]
    q = target * (1 - label_smoothing) + label_smoothing / n_classes if label_smoothing else target
    per = -(lsm * q * _along(weight, cdim, input.ndim)).sum(dim=cdim)
    return _reduce(per, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` ((N, C), (C,) or
    (N, C, d1, ...)) at integer ``target``: ``loss_n = -weight[t_n] * input[n, t_n]``
    (``weight`` defaults to ones); targets equal to ``ignore_index`` are skipped, and
    ``'mean'`` divides by the total weight of the others."""
    fn = "nll_loss"
    target, reduction = _class_args(input, target, size_average, reduce, reduction, fn)
    if target.dtype.kind not in "iu":
        raise TypeError(f"{fn}: target must be an integer tensor of class indices, got dtype "
                        f"{target.dtype}")
    cdim = _class_target(input, target, fn, ignore_index)
    if weight is not None:
        weight = _class_weight(weight, input.shape[cdim], fn, input)
        return _weighted_nll(input, target, weight, cdim, ignore_index, reduction, 0.0)
    mask = target._data != ignore_index
    safe = np.where(mask, target._data, 0)
    picked = input.gather(cdim, Tensor._wrap(np.expand_dims(safe, cdim))).squeeze(cdim)
    loss = -picked * Tensor._wrap(mask.astype(input.dtype))
    if reduction == "mean":
        return loss.sum() * (1.0 / mask.sum() if mask.any() else float("nan"))
    return _reduce(loss, reduction)


def _binary_args(input, target, weight, fn):
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    _same_shape(input, target, fn)
    if target.dtype.kind != "f":
        raise TypeError(f"{fn}: target must be a floating-point tensor (0/1 labels or "
                        f"probabilities), got dtype {target.dtype}")
    if weight is not None:
        weight = _as_target(weight, fn, input)
        try:
            np.broadcast_shapes(weight.shape, input.shape)
        except ValueError:
            raise ValueError(f"{fn}: weight of shape {tuple(weight.shape)} does not broadcast "
                             f"to the input's shape {tuple(input.shape)}") from None
    return target, weight


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1]:
    ``-(t log x + (1 - t) log(1 - x))``, each log clamped at -100 as in PyTorch;
    optional elementwise ``weight``; reduced."""
    fn = "binary_cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    target, weight = _binary_args(input, target, weight, fn)
    x = input._data
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        raise ValueError(f"{fn}: input must be probabilities in [0, 1] (apply sigmoid, or use "
                         "binary_cross_entropy_with_logits for raw scores)")
    if weight is None:
        return _loss_op.binary_cross_entropy(input, target, reduction)
    return _reduce(_loss_op.binary_cross_entropy(input, target, "none") * weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits as
    ``max(z, 0) - z t + log(1 + exp(-|z|))``; optional elementwise ``weight``, and
    ``pos_weight`` (broadcast along the last dim, one per class) multiplying the positive
    term: ``-(pos_weight t log sigmoid(z) + (1 - t) log(1 - sigmoid(z)))``."""
    fn = "binary_cross_entropy_with_logits"
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    target, weight = _binary_args(input, target, weight, fn)
    if pos_weight is None:
        if weight is None:  # the reduction is fused into the op: one graph node
            return _loss_op.binary_cross_entropy_with_logits(input, target, reduction)
        loss = _loss_op.binary_cross_entropy_with_logits(input, target, "none")
        return _reduce(loss * weight, reduction)
    pos_weight = _as_target(pos_weight, fn, input)
    try:
        np.broadcast_shapes(pos_weight.shape, input.shape)
    except ValueError:
        raise ValueError(f"{fn}: pos_weight of shape {tuple(pos_weight.shape)} does not "
                         f"broadcast to the input's shape {tuple(input.shape)}") from None
    log_weight = (pos_weight - 1) * target + 1
    loss = (1 - target) * input - log_weight * logsigmoid(input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-y x))`` for targets ``y`` in {1, -1}."""
    fn = "soft_margin_loss"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    _same_shape(input, target, fn)
    return _reduce(-logsigmoid(input * target), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Multi-label one-versus-all logistic loss: per sample, the mean over the C classes
    of ``-(y log sigmoid(x) + (1 - y) log sigmoid(-x))`` (times ``weight``, per class)."""
    fn = "multilabel_soft_margin_loss"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    _same_shape(input, target, fn)
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have a class dim, got a scalar")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * _as_target(weight, fn, input)
    return _reduce(loss.sum(dim=-1) / input.shape[-1], reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss of scores ``x`` (N, C) or (C,) at class ``y``: per sample
    ``sum_{i != y} max(0, margin - x[y] + x[i])^p / C`` (times ``weight[y]``); ``p`` is 1 or 2."""
    fn = "multi_margin_loss"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if input.ndim not in (1, 2):
        raise ValueError(f"{fn}: input must be (N, C) or (C,), got shape {tuple(input.shape)}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{fn}: target must be an integer tensor of class indices, got dtype "
                        f"{target.dtype}")
    _class_target(input, target, fn, ignore_index=None)
    x = input if input.ndim == 2 else input.unsqueeze(0)
    t = target._data.reshape(-1)
    n_classes = x.shape[1]
    picked = x.gather(1, Tensor._wrap(t[:, None]))
    z = (margin - picked + x).clamp(min=0)
    if p == 2:
        z = z * z
    others = np.ones(x.shape, dtype=input.dtype)
    others[np.arange(len(t)), t] = 0
    z = z * Tensor._wrap(others)
    if weight is not None:
        weight = _class_weight(weight, n_classes, fn, input)
        z = z * weight[Tensor._wrap(t)].unsqueeze(1)
    loss = z.sum(dim=1) / n_classes
    return _reduce(loss if input.ndim == 2 else loss.squeeze(0), reduction)
