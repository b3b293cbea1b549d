"""``Conv2d``: 2-D convolution over NCHW input."""
import math

import numpy as np

from .. import _device
from .._default_dtype import get_default_dtype
from .. import grad_mode
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Conv2d(Module):
    """2-D convolution (cross-correlation, as PyTorch) of ``(N, C_in, H, W)`` input with
    ``weight`` of shape ``(out_channels, in_channels, kh, kw)``, plus ``bias``.

    Output ``(N, out_channels, OH, OW)`` with ``OH = floor((H + 2 padding - kh) / stride) + 1``.
    Vectorised: im2col as a strided view and one matmul; see ``F.conv2d``. Initialised as
    PyTorch: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    with ``fan_in = in_channels * kh * kw``, and the same bound for ``bias``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 device=None, dtype=None):
        super().__init__()
        _device.resolve(device, "Conv2d")
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {v!r}")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = F._pair(kernel_size, "Conv2d", "kernel_size", 1)
        self.stride = F._pair(stride, "Conv2d", "stride", 1)
        self.padding = padding if isinstance(padding, str) else F._pair(padding, "Conv2d",
                                                                          "padding", 0)
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Conv2d: padding must be an int, a pair, 'same' or 'valid', got "
                             f"{padding!r}")
        dt = np.dtype(dtype or get_default_dtype())
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels) + self.kernel_size,
                                         dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        with grad_mode.no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding not in ((0, 0), "valid"):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s
