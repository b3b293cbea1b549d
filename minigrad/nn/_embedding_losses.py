"""Losses on pairs and triplets of embeddings or scores, ``torch.nn.functional``'s
signatures: ``cosine_embedding_loss, margin_ranking_loss, hinge_embedding_loss,
triplet_margin_loss, triplet_margin_with_distance_loss``.

Departure from PyTorch, on purpose: targets that must be 1 or -1 are checked, and any other
value raises a ``ValueError`` (PyTorch silently gives such samples a loss of 0 or a
meaningless one).
"""
import numpy as np

from ..ops.arithmetic import minimum, where
from ..tensor import Tensor
from ._checks import _as_target, _float_tensor, _legacy_reduction, _reduce, _same_shape
from ._distance import pairwise_distance

__all__ = ["cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss"]

_COSINE_EPS = 1e-12  # PyTorch's constant in cosine_embedding_loss


def _signs(target, fn):
    t = target._data
    if not np.all((t == 1) | (t == -1)):
        bad = t[(t != 1) & (t != -1)]
        raise ValueError(f"{fn}: target values must be 1 or -1, got {bad.ravel()[:5].tolist()}")
    return t == 1


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """For rows ``x1, x2`` (N, D) (or single vectors (D,)) with cosine similarity ``cos``:
    ``1 - cos`` where ``target == 1``, ``max(0, cos - margin)`` where ``target == -1``."""
    fn = "cosine_embedding_loss"
    _float_tensor(input1, fn, "input1")
    _float_tensor(input2, fn, "input2")
    target = _as_target(target, fn, input1)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    _same_shape(input1, input2, fn)
    if input1.ndim not in (1, 2) or target.shape != input1.shape[:-1]:
        raise ValueError(f"{fn}: expected inputs (N, D) with target (N,), or inputs (D,) with a "
                         f"0-d target; got inputs {tuple(input1.shape)} and target "
                         f"{tuple(target.shape)}")
    positive = _signs(target, fn)
    prod = (input1 * input2).sum(dim=-1)
    mag1 = (input1 * input1).sum(dim=-1) + _COSINE_EPS
    mag2 = (input2 * input2).sum(dim=-1) + _COSINE_EPS
    cos = prod / (mag1 * mag2).sqrt()
    loss = where(Tensor._wrap(positive), 1 - cos, (cos - margin).clamp(min=0))
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -y (x1 - x2) + margin)``: ``y = 1`` asks for ``x1`` to rank above ``x2``."""
    fn = "margin_ranking_loss"
    _float_tensor(input1, fn, "input1")
    _float_tensor(input2, fn, "input2")
    target = _as_target(target, fn, input1)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    if not input1.shape == input2.shape == target.shape:
        raise ValueError(f"{fn}: All input tensors should have the same shape but got "
                         f"input1: {tuple(input1.shape)}, input2: {tuple(input2.shape)}, "
                         f"target: {tuple(target.shape)}")
    _signs(target, fn)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``x`` where ``y == 1``, ``max(0, margin - x)`` where ``y == -1`` (``x`` is usually
    a distance)."""
    fn = "hinge_embedding_loss"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    _same_shape(input, target, fn)
    positive = _signs(target, fn)
    return _reduce(where(Tensor._wrap(positive), input, (margin - input).clamp(min=0)), reduction)


def _triplet_dims(anchor, positive, negative, fn):
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _float_tensor(t, fn, name)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ValueError(f"{fn}: The anchor, positive, and negative tensors are expected to have "
                         f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                         f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")


def _triplet(d_ap, d_an, d_pn, margin, reduction):
    if d_pn is not None:
        d_an = minimum(d_an, d_pn)
    return _reduce((margin + d_ap - d_an).clamp(min=0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d = pairwise_distance(., ., p, eps)``;
    ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance."""
    fn = "triplet_margin_loss"
    _triplet_dims(anchor, positive, negative, fn)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    if margin <= 0:
        raise ValueError(f"{fn}: margin must be greater than 0, got {margin}")
    d_pn = pairwise_distance(positive, negative, p, eps) if swap else None
    return _triplet(pairwise_distance(anchor, positive, p, eps),
                    pairwise_distance(anchor, negative, p, eps), d_pn, margin, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """:func:`triplet_margin_loss` with any ``distance_function(x1, x2)`` (default
    ``pairwise_distance``)."""
    fn = "triplet_margin_with_distance_loss"
    _triplet_dims(anchor, positive, negative, fn)
    reduction = _legacy_reduction(None, None, reduction, fn)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")
    dist = pairwise_distance if distance_function is None else distance_function
    d_pn = dist(positive, negative) if swap else None
    return _triplet(dist(anchor, positive), dist(anchor, negative), d_pn, margin, reduction)
