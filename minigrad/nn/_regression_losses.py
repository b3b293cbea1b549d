"""Losses between predictions and real-valued targets, ``torch.nn.functional``'s
signatures: ``mse_loss, l1_loss, huber_loss, smooth_l1_loss, kl_div, poisson_nll_loss,
gaussian_nll_loss``.

Every loss takes ``reduction='mean' | 'sum' | 'none'`` and, where PyTorch does, the
deprecated ``size_average``/``reduce`` pair (mapped to a reduction, with PyTorch's warning).
Input and target must have the same shape: PyTorch broadcasts them with a warning that the
result is "likely incorrect"; minigrad raises instead.
"""
import math
import warnings

import numpy as np

from ..tensor import Tensor
from . import _pointwise as P
from ._checks import _as_target, _float_tensor, _legacy_reduction, _reduce, _same_shape

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss"]


def _pair_args(input, target, fn, size_average=None, reduce=None, reduction="mean"):
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn)
    _same_shape(input, target, fn)
    return target, reduction


def _weighted(per, weight, reduction, input, fn, mean_by_weight):
    """``per * weight`` reduced; PyTorch's weighted 'mean' is ``sum / weight.sum()`` for
    mse and l1 but a plain mean for huber (``mean_by_weight``)."""
    weight = _as_target(weight, fn, input)
    if weight.shape != input.shape:
        raise ValueError(f"{fn}: Weights and input must have the same size (weight "
                         f"{tuple(weight.shape)}, input {tuple(input.shape)})")
    loss = per * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _abs_derivative(ns, d, dd):
    return ns.mask(dd > 0, d) - ns.mask(dd < 0, d)  # sign(d), 0 at 0


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Squared error ``(x - y)^2``, reduced; one graph node. With ``weight`` (the input's
    shape) the elements are weighted and ``'mean'`` divides by ``weight.sum()``."""
    fn = "mse_loss"
    target, reduction = _pair_args(input, target, fn, size_average, reduce, reduction)
    if weight is None:
        return P.difference_loss(input, target, reduction, lambda d: d * d,
                                 lambda ns, d, dd: 2 * d, "MseLoss")
    per = P.difference_loss(input, target, "none", lambda d: d * d, lambda ns, d, dd: 2 * d,
                            "MseLoss")
    return _weighted(per, weight, reduction, input, fn, True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Absolute error ``|x - y|``, reduced (gradient 0 where ``x == y``); one graph node.
    ``weight`` as in :func:`mse_loss`."""
    fn = "l1_loss"
    target, reduction = _pair_args(input, target, fn, size_average, reduce, reduction)
    per_reduction = reduction if weight is None else "none"
    loss = P.difference_loss(input, target, per_reduction, np.abs, _abs_derivative, "L1Loss")
    return loss if weight is None else _weighted(loss, weight, reduction, input, fn, True)


def _huber(delta):
    def value(d):
        a = np.abs(d)
        return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    def derivative(ns, d, dd):  # clip(d, -delta, delta)
        return d * ns.mask(np.abs(dd) <= delta, d) + (ns.mask(dd > delta, d)
                                                      - ns.mask(dd < -delta, d)) * delta
    return value, derivative


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss of ``d = x - y``: ``0.5 d^2`` where ``|d| < delta``, else
    ``delta (|d| - 0.5 delta)``; gradient ``clip(d, -delta, delta)``. One graph node.
    With ``weight``, ``'mean'`` is the plain mean of the weighted losses (PyTorch's rule)."""
    fn = "huber_loss"
    target, reduction = _pair_args(input, target, fn, reduction=reduction)
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not delta > 0:
        raise ValueError(f"{fn}: delta must be > 0 (huber_loss does not support non-positive "
                         f"values for delta), got {delta!r}")
    value, derivative = _huber(float(delta))
    if weight is None:
        return P.difference_loss(input, target, reduction, value, derivative, "HuberLoss")
    per = P.difference_loss(input, target, "none", value, derivative, "HuberLoss")
    return _weighted(per, weight, reduction, input, fn, False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1 of ``d = x - y``: ``0.5 d^2 / beta`` where ``|d| < beta``, else
    ``|d| - 0.5 beta`` (``huber_loss / beta``); ``beta=0`` is :func:`l1_loss`. One graph
    node."""
    fn = "smooth_l1_loss"
    target, reduction = _pair_args(input, target, fn, size_average, reduce, reduction)
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or beta < 0:
        raise ValueError(f"{fn}: beta must be >= 0 (smooth_l1_loss does not support negative "
                         f"values for beta), got {beta!r}")
    if beta == 0:
        return P.difference_loss(input, target, reduction, np.abs, _abs_derivative, "L1Loss")
    beta = float(beta)
    value, derivative = _huber(beta)
    return P.difference_loss(input, target, reduction, lambda d: value(d) / beta,
                             lambda ns, d, dd: derivative(ns, d, dd) * (1 / beta),
                             "SmoothL1Loss")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with ``input`` given as log-probabilities: pointwise
    ``target * (log(target) - input)`` (0 where ``target == 0``), or with ``log_target``
    ``exp(target) * (target - input)``. ``reduction='batchmean'`` (the KL divergence proper)
    divides the sum by the batch size; ``'mean'`` divides by the number of elements and
    warns, as PyTorch does."""
    fn = "kl_div"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    reduction = _legacy_reduction(size_average, reduce, reduction, fn,
                                  ("mean", "batchmean", "sum", "none"))
    _same_shape(input, target, fn)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = Tensor._wrap(target._data > 0)
        loss = target * target.where(positive, 1.0).log() - target * input  # xlogy(t, t) - t x
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log-likelihood of ``target`` counts: ``exp(x) - y x`` when the input
    is a log-rate (``log_input``), else ``x - y log(x + eps)``; ``full`` adds Stirling's
    approximation of ``log(y!)``, ``y log y - y + 0.5 log(2 pi y)``, where ``y > 1``."""
    fn = "poisson_nll_loss"
    target, reduction = _pair_args(input, target, fn, size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target._data > 1
        safe = target.where(Tensor._wrap(big), 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (safe * (2 * math.pi)).log()
        loss = loss + stirling * Tensor._wrap(big.astype(input.dtype))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood ``0.5 (log var + (x - y)^2 / var)`` (plus
    ``0.5 log(2 pi)`` with ``full``). ``var`` is a Tensor of the input's shape, or of that
    shape without the last dim or with one dim of size 1 (one variance shared), or a
    non-negative float. ``var`` is clamped to at least ``eps`` for the value while its
    gradient passes unchanged, as in PyTorch."""
    fn = "gaussian_nll_loss"
    target, reduction = _pair_args(input, target, fn, reduction=reduction)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._wrap(np.full(input.shape, var, dtype=input.dtype))
    var = _as_target(var, fn, input)
    if np.any(var._data < 0):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (var.ndim == input.ndim and sum(v for i, v in zip(input.shape, var.shape)
                                                 if i != v) == 1):
            raise ValueError(f"var is of incorrect size: {fn} expects var of shape "
                             f"{tuple(input.shape)}, {tuple(input.shape[:-1])} or with one dim "
                             f"of size 1, got {tuple(var.shape)}")
    # the clamp changes the value only: add the (constant) amount it raises var by
    var = var + Tensor._wrap(np.maximum(var._data, eps) - var._data)
    d = input - target
    loss = 0.5 * (var.log() + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
