"""``minigrad.nn.functional`` (conventionally ``F``): layers, activations and losses as
functions of tensors, with ``torch.nn.functional``'s names and arguments.

Layers with parameters take them as arguments (``F.linear(x, weight, bias)``); the module
classes in ``minigrad.nn`` own the parameters and call these functions.

Losses take ``reduction='mean' | 'sum' | 'none'``. Argument errors name the function, the
argument and what is allowed.
"""
import numpy as np

from .. import random as _random
from ..ops.elementwise import gelu as _gelu
from ..ops.elementwise import leaky_relu as _leaky_relu
from ..ops.elementwise import relu as _relu
from ..ops.elementwise import sigmoid as _sigmoid
from ..ops.elementwise import softplus as _softplus
from ..ops.elementwise import tanh as _tanh
from ..ops.linalg import linear as _linear
from ..ops.reduction import log_softmax as _log_softmax
from ..ops.reduction import softmax as _softmax
from ..ops.shape import pad as _pad
from ..tensor import Tensor
from . import _conv_op, _embedding_op, _loss_op, _norm_op, _pool_op
from ._functional_attention import multi_head_attention_forward, scaled_dot_product_attention

__all__ = [
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout", "batch_norm", "layer_norm",
    "embedding", "relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softplus", "softmax",
    "log_softmax", "pad", "flatten", "mse_loss", "l1_loss", "huber_loss", "cross_entropy",
    "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "scaled_dot_product_attention", "multi_head_attention_forward",
]

_REDUCTIONS = ("mean", "sum", "none")


# ----- argument checks -----------------------------------------------------------------
def _tensor(x, fn, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {name} must be a Tensor, got {type(x).__name__}")
    return x


def _float_tensor(x, fn, name):
    _tensor(x, fn, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def _as_target(target, fn, like=None):
    """Targets may be Tensors, numpy arrays or lists (they are constants); float arrays
    take the input's float dtype so a float32 model keeps float32 losses."""
    if isinstance(target, Tensor):
        return target
    arr = np.asarray(target)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{fn}: target must be numeric, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and like is not None and like.dtype.kind == "f":
        arr = arr.astype(like.dtype, copy=False)
    return Tensor._wrap(arr)


def _check_reduction(reduction, fn):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _same_shape(input, target, fn):
    if input.shape != target.shape:
        raise ValueError(f"{fn}: target shape {tuple(target.shape)} must equal input shape "
                         f"{tuple(input.shape)} (no implicit broadcasting)")


def _pair(value, fn, name, minimum):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value), int(value))
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        raise TypeError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in value):
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {tuple(value)}")
    return int(value[0]), int(value[1])


def _batched_4d(input, fn):
    """Accept (N, C, H, W) or unbatched (C, H, W); returns (4-d input, was_unbatched)."""
    _float_tensor(input, fn, "input")
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise ValueError(f"{fn}: input must be 4-d (N, C, H, W) or 3-d (C, H, W), got shape "
                         f"{tuple(input.shape)}")
    return input, False


def _check_output_size(in_hw, kernel, stride, padding, fn):
    out = tuple(_conv_op.out_size(s, k, st, p) for s, k, st, p in zip(in_hw, kernel, stride, padding))
    if min(out) < 1:
        raise ValueError(f"{fn}: kernel {kernel} with padding {padding} does not fit the input's "
                         f"spatial size {tuple(in_hw)} (output would be {out})")
    return out


# ----- layers ---------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as one fused op; ``input`` is ``(*, in_features)``,
    ``weight`` ``(out_features, in_features)``, ``bias`` ``(out_features,)`` or None."""
    if not isinstance(input, Tensor):
        raise TypeError(f"linear: input must be a Tensor, got {type(input).__name__} "
                        "(wrap arrays with minigrad.tensor)")
    return _linear(input, weight, bias)


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """2-D cross-correlation of ``input`` (N, C_in, H, W) with ``weight``
    (C_out, C_in, kh, kw), plus ``bias`` (C_out,). ``padding`` is an int, a pair, ``'valid'``
    (0) or ``'same'`` (stride 1, odd kernel). Output spatial size:
    ``floor((H + 2 padding - kh) / stride) + 1``."""
    x, unbatched = _batched_4d(input, "conv2d")
    _float_tensor(weight, "conv2d", "weight")
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-d (out_channels, in_channels, kh, kw), got "
                         f"shape {tuple(weight.shape)}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"conv2d: input has {x.shape[1]} channels but weight expects "
                         f"{weight.shape[1]} (input shape {tuple(input.shape)}, weight shape "
                         f"{tuple(weight.shape)})")
    kernel = weight.shape[2:]
    stride = _pair(stride, "conv2d", "stride", 1)
    if padding == "valid":
        padding = 0
    elif padding == "same":
        if stride != (1, 1) or any(k % 2 == 0 for k in kernel):
            raise ValueError("conv2d: padding='same' needs stride 1 and an odd kernel size")
        padding = (kernel[0] // 2, kernel[1] // 2)
    padding = _pair(padding, "conv2d", "padding", 0)
    _check_output_size(x.shape[2:], kernel, stride, padding, "conv2d")
    if bias is not None:
        _float_tensor(bias, "conv2d", "bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"conv2d: bias must have shape ({weight.shape[0]},), got "
                             f"{tuple(bias.shape)}")
    y = _conv_op.conv(x, weight, stride, padding, bias)
    return y.squeeze(0) if unbatched else y


def _pool_args(input, kernel_size, stride, padding, fn):
    x, unbatched = _batched_4d(input, fn)
    kernel = _pair(kernel_size, fn, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, fn, "stride", 1)
    padding = _pair(padding, fn, "padding", 0)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{fn}: padding {padding} must be at most half of kernel_size {kernel}")
    _check_output_size(x.shape[2:], kernel, stride, padding, fn)
    return x, unbatched, kernel, stride, padding


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Maximum over each ``kernel_size`` window (stride defaults to the kernel size;
    padding counts as ``-inf``). The gradient goes to the first maximum of each window."""
    x, unbatched, kernel, stride, padding = _pool_args(input, kernel_size, stride, padding,
                                                       "max_pool2d")
    y = _pool_op.max_pool(x, kernel, stride, padding)
    return y.squeeze(0) if unbatched else y


def _no_ceil_mode(ceil_mode, fn):
    if ceil_mode:
        raise ValueError(f"{fn}: ceil_mode=True is not supported (windows must fit the input)")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over each window; zero padding is counted in the divisor unless
    ``count_include_pad=False`` (PyTorch's default is True). Arguments in PyTorch's order;
    ``ceil_mode=True`` is not supported."""
    _no_ceil_mode(ceil_mode, "avg_pool2d")
    x, unbatched, kernel, stride, padding = _pool_args(input, kernel_size, stride, padding,
                                                       "avg_pool2d")
    y = _pool_op.avg_pool(x, kernel, stride, padding, count_include_pad)
    return y.squeeze(0) if unbatched else y


def dropout(input, p=0.5, training=True):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)`` so the expectation is unchanged; identity when ``training`` is False.
    Draws from minigrad's global generator (``minigrad.manual_seed``)."""
    _float_tensor(input, "dropout", "input")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p!r}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    # float32 uniforms are half the work of float64 and plenty to resolve p
    keep = _random.default_generator().random(input.shape, dtype=np.float32) >= p
    mask = keep.astype(input.dtype) * input.dtype.type(1.0 / (1.0 - p))
    return input * Tensor._wrap(mask)


def _param_shape(ndim):
    """Shape that broadcasts a per-channel vector over (N, C, *)."""
    return (1, -1) + (1,) * (ndim - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation over every dim but the channel dim 1:
    ``y = (x - mean) / sqrt(var + eps) * weight + bias``.

    Training: ``mean`` and the biased ``var`` come from the batch, and when running
    statistics are given they are updated in place with
    ``running = (1 - momentum) * running + momentum * batch_stat``, using the unbiased batch
    variance ``var * n / (n - 1)`` for ``running_var`` (PyTorch's rule). Evaluation: the
    running statistics are used.
    """
    _float_tensor(input, "batch_norm", "input")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C) or (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for {c} channels, got "
                             f"{tuple(t.shape)}")
    shape = _param_shape(input.ndim)
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        n = input._data.size // c
        if n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input shape {tuple(input.shape)}")
        y, mean, var = _norm_op.normalize(input, weight, bias, dims, shape, dims, eps)
        if running_mean is not None:
            m = running_mean._data
            m *= 1 - momentum
            m += momentum * mean.reshape(c)
        if running_var is not None:
            v = running_var._data
            v *= 1 - momentum
            v += momentum * var.reshape(c) * (n / (n - 1))
        return y
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when "
                         "training=False")
    inv_std = Tensor._wrap((1.0 / np.sqrt(running_var._data + eps)).astype(input.dtype))
    y = (input - Tensor._wrap(running_mean._data.astype(input.dtype)).reshape(shape)) \
        * inv_std.reshape(shape)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` dims:
    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` with the biased variance."""
    _float_tensor(input, "layer_norm", "input")
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.shape[input.ndim - k:] != normalized_shape:
        raise ValueError(f"layer_norm: input shape {tuple(input.shape)} does not end in "
                         f"normalized_shape {normalized_shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise ValueError(f"layer_norm: {name} must have shape {normalized_shape}, got "
                             f"{tuple(t.shape)}")
    return _norm_op.layer_norm_rows(input, weight, bias, normalized_shape, eps)


def embedding(input, weight, padding_idx=None):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer indices ``input``;
    output shape ``input.shape + (dim,)``. The backward scatter-adds, so repeated indices
    accumulate. Rows at ``padding_idx`` receive no gradient."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got dtype {idx.dtype}")
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx[(idx < 0) | (idx >= num)]
        raise IndexError(f"embedding: index out of range: indices must be in [0, {num}) for "
                         f"num_embeddings={num}, got {bad.ravel()[:5].tolist()}")
    out = _embedding_op.lookup(weight, idx)
    if padding_idx is not None:
        pi = padding_idx % num if padding_idx < 0 else padding_idx
        keep = Tensor._wrap(np.expand_dims(idx != pi, -1))
        out = out.where(keep, out.detach())
    return out


# ----- activations ----------------------------------------------------------------------
def relu(input, inplace=False):
    """``max(x, 0)`` (gradient 0 at 0). ``inplace`` is accepted for compatibility; the
    result is always a new tensor."""
    return _relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _leaky_relu(input, negative_slope)


def tanh(input):
    return _tanh(input)


def sigmoid(input):
    return _sigmoid(input)


def gelu(input, approximate="none"):
    return _gelu(input, approximate)


def softplus(input, beta=1.0, threshold=20.0):
    return _softplus(input, beta, threshold)


def softmax(input, dim=-1):
    return _softmax(input, dim)


def log_softmax(input, dim=-1):
    return _log_softmax(input, dim)


def pad(input, pad, mode="constant", value=0.0):
    """Constant padding; ``pad`` lists (before, after) pairs from the last dim backwards."""
    return _pad(input, pad, mode, value)


def flatten(input, start_dim=1, end_dim=-1):
    return input.flatten(start_dim, end_dim)


# ----- losses ---------------------------------------------------------------------------
def mse_loss(input, target, reduction="mean"):
    """Mean squared error: ``(x - y)^2``, reduced."""
    _float_tensor(input, "mse_loss", "input")
    target = _as_target(target, "mse_loss", input)
    _check_reduction(reduction, "mse_loss")
    _same_shape(input, target, "mse_loss")
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: ``|x - y|``, reduced (gradient 0 where x == y)."""
    _float_tensor(input, "l1_loss", "input")
    target = _as_target(target, "l1_loss", input)
    _check_reduction(reduction, "l1_loss")
    _same_shape(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss with ``d = x - y``: ``0.5 d^2`` where ``|d| < delta``, else
    ``delta (|d| - 0.5 delta)``; reduced."""
    _float_tensor(input, "huber_loss", "input")
    target = _as_target(target, "huber_loss", input)
    _check_reduction(reduction, "huber_loss")
    _same_shape(input, target, "huber_loss")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta!r}")
    d = input - target
    a = d.abs()
    small = Tensor._wrap(a._data < delta)
    loss = (0.5 * d * d).where(small, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction)


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
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"{fn}: target values must be class indices in [0, {n_classes}) "
                         f"(or ignore_index={ignore_index}), got {t[bad].ravel()[:5].tolist()}")
    return cdim


def cross_entropy(input, target, reduction="mean", label_smoothing=0.0, ignore_index=-100):
    """Cross-entropy from logits, fused with log-softmax (finite for any finite logits).

    ``input``: (N, C), (C,) or (N, C, d1, ...) logits. ``target``: integer class indices of
    shape (N,) / () / (N, d1, ...), or floating-point class probabilities of the input's
    shape. With ``lsm = log_softmax(input, dim=1)`` and ``eps = label_smoothing``::

        loss_n = (1 - eps) * (-lsm[n, target_n]) + eps * mean_c(-lsm[n, c])

    Targets equal to ``ignore_index`` contribute nothing, and ``'mean'`` averages over the
    other samples.
    """
    fn = "cross_entropy"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    _check_reduction(reduction, fn)
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have at least 1 dim (classes), got a scalar")
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be a float in [0, 1], got "
                         f"{label_smoothing!r}")
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
    return _loss_op.cross_entropy(input, target, reduction, label_smoothing, ignore_index)


def nll_loss(input, target, reduction="mean", ignore_index=-100):
    """Negative log-likelihood of log-probabilities ``input`` ((N, C), (C,) or
    (N, C, d1, ...)) at integer ``target``: ``loss_n = -input[n, target_n]``; targets equal
    to ``ignore_index`` are skipped (and excluded from the mean)."""
    fn = "nll_loss"
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    _check_reduction(reduction, fn)
    if input.ndim == 0:
        raise ValueError(f"{fn}: input must have at least 1 dim (classes), got a scalar")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{fn}: target must be an integer tensor of class indices, got dtype "
                        f"{target.dtype}")
    cdim = _class_target(input, target, fn, ignore_index)
    mask = target._data != ignore_index
    safe = np.where(mask, target._data, 0)
    picked = input.gather(cdim, Tensor._wrap(np.expand_dims(safe, cdim))).squeeze(cdim)
    loss = -picked * Tensor._wrap(mask.astype(input.dtype))
    if reduction == "mean":
        return loss.sum() * (1.0 / mask.sum() if mask.any() else float("nan"))
    return _reduce(loss, reduction)


def _binary_args(input, target, weight, reduction, fn):
    _float_tensor(input, fn, "input")
    target = _as_target(target, fn, input)
    _check_reduction(reduction, fn)
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


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1]:
    ``-(t log x + (1 - t) log(1 - x))``, each log clamped at -100 as in PyTorch;
    optional elementwise ``weight``; reduced."""
    fn = "binary_cross_entropy"
    target, weight = _binary_args(input, target, weight, reduction, fn)
    x = input._data
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        raise ValueError(f"{fn}: input must be probabilities in [0, 1] (apply sigmoid, or use "
                         "binary_cross_entropy_with_logits for raw scores)")
    if weight is None:
        return _loss_op.binary_cross_entropy(input, target, reduction)
    return _reduce(_loss_op.binary_cross_entropy(input, target, "none") * weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits as
    ``max(z, 0) - z t + log(1 + exp(-|z|))``; optional elementwise ``weight``; reduced."""
    fn = "binary_cross_entropy_with_logits"
    target, weight = _binary_args(input, target, weight, reduction, fn)
    if weight is None:  # the reduction is fused into the op: one graph node
        return _loss_op.binary_cross_entropy_with_logits(input, target, reduction)
    loss = _loss_op.binary_cross_entropy_with_logits(input, target, "none")
    return _reduce(loss * weight, reduction)

