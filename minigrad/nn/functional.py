"""``minigrad.nn.functional`` (conventionally ``F``): layers, activations and losses as
functions of tensors, with ``torch.nn.functional``'s names and arguments.

Layers with parameters take them as arguments (``F.linear(x, weight, bias)``); the module
classes in ``minigrad.nn`` own the parameters and call these functions. The layers live
here; activations, losses and distances live in their own modules (``_activations``,
``_regression_losses``, ``_classification_losses``, ``_embedding_losses``, ``_distance``)
and are re-exported.

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
from . import (_activations, _classification_losses, _conv_op, _embedding_losses,
               _embedding_op, _norm_op, _pool_op, _regression_losses)
from ._activations import *  # noqa: F401,F403  (re-exported: F.silu, ...)
from ._checks import _float_tensor, _tensor
from ._classification_losses import *  # noqa: F401,F403
from ._distance import cosine_similarity, normalize, pairwise_distance  # noqa: F401
from ._embedding_losses import *  # noqa: F401,F403
from ._functional_attention import (multi_head_attention_forward,  # noqa: F401
                                    scaled_dot_product_attention)
from ._regression_losses import *  # noqa: F401,F403

__all__ = [
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout", "batch_norm", "layer_norm",
    "embedding", "one_hot", "relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softplus",
    "softmax", "log_softmax", "pad", "flatten", "cosine_similarity", "normalize",
    "pairwise_distance", "scaled_dot_product_attention", "multi_head_attention_forward",
] + (_activations.__all__ + _regression_losses.__all__ + _classification_losses.__all__
     + _embedding_losses.__all__)


# ----- argument checks -----------------------------------------------------------------
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


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding: ``out[..., k] = 1`` where ``tensor == k``; ``num_classes=-1``
    uses ``tensor.max() + 1``."""
    fn = "one_hot"
    _tensor(tensor, fn, "tensor")
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{fn}: one_hot is only applicable to index tensor of integer type, got "
                        f"dtype {idx.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"{fn}: num_classes must be an int, got {num_classes!r}")
    if idx.size and idx.min() < 0:
        raise ValueError(f"{fn}: Class values must be non-negative, got {int(idx.min())}")
    if num_classes == -1:
        if not idx.size:
            raise ValueError(f"{fn}: Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    elif num_classes < 0:
        raise ValueError(f"{fn}: num_classes must be -1 or non-negative, got {num_classes}")
    elif idx.size and idx.max() >= num_classes:
        raise ValueError(f"{fn}: Class values must be smaller than num_classes ({num_classes}), "
                         f"got {int(idx.max())}")
    out = np.zeros(idx.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._wrap(out)


def pad(input, pad, mode="constant", value=0.0):
    """Constant padding; ``pad`` lists (before, after) pairs from the last dim backwards."""
    return _pad(input, pad, mode, value)


def flatten(input, start_dim=1, end_dim=-1):
    return input.flatten(start_dim, end_dim)

