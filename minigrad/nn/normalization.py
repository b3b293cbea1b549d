"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``."""
import numpy as np

from .. import _device
from .._default_dtype import get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    _expected_ndims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        super().__init__()
        _device.resolve(device, type(self).__name__)
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) \
                or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got "
                             f"{num_features!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got "
                             f"{momentum!r}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = np.dtype(dtype or get_default_dtype())
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dt))
            self.bias = Parameter(np.zeros(num_features, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input):
        if input.ndim not in self._expected_ndims:
            ndims = " or ".join(f"{d}-d" for d in self._expected_ndims)
            raise ValueError(f"{type(self).__name__}: expected {ndims} input, got shape "
                             f"{tuple(input.shape)}")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: input has {input.shape[1]} channels (dim 1) "
                             f"but num_features={self.num_features}")
        # Batch statistics in training, and in eval when no running statistics are kept.
        use_batch = self.training or self.running_mean is None
        track = self.training and self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        if track and self.momentum is None:  # cumulative moving average
            momentum = 1.0 / (int(self.num_batches_tracked._data) + 1)
        out = F.batch_norm(input, self.running_mean if track or not use_batch else None,
                           self.running_var if track or not use_batch else None,
                           self.weight, self.bias, use_batch, momentum, self.eps)
        if track:  # counted only once the batch was accepted
            self.num_batches_tracked._data += 1
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` input, per channel C:
    ``y = (x - mean) / sqrt(var + eps) * weight + bias``.

    Training mode normalises with the batch mean and biased variance and updates the
    buffers ``running_mean`` / ``running_var`` by
    ``running = (1 - momentum) * running + momentum * batch_stat`` (the unbiased batch
    variance for ``running_var``; ``momentum=None`` means a cumulative average). Eval mode
    normalises with the running statistics. ``weight``/``bias`` (``affine=True``) start at
    1 and 0.
    """

    _expected_ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` input per channel C, statistics over
    N, H and W; otherwise as :class:`BatchNorm1d`."""

    _expected_ndims = (4,)


class LayerNorm(Module):
    """Normalise each sample over its last dims ``normalized_shape``:
    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` with the biased variance, the same
    in training and eval. ``weight`` and ``bias`` (shape ``normalized_shape``) start at 1
    and 0 when ``elementwise_affine``."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        _device.resolve(device, "LayerNorm")
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = np.dtype(dtype or get_default_dtype())
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
