"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d``."""
from . import functional as F
from .module import Module


class MaxPool2d(Module):
    """Maximum over ``kernel_size`` windows of ``(N, C, H, W)`` input; ``stride`` defaults
    to ``kernel_size``, padding (at most half the kernel) counts as ``-inf``."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        F._pair(kernel_size, "MaxPool2d", "kernel_size", 1)
        F._pair(self.stride, "MaxPool2d", "stride", 1)
        F._pair(padding, "MaxPool2d", "padding", 0)

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over ``kernel_size`` windows; zero padding is counted in the divisor unless
    ``count_include_pad=False``. Arguments in PyTorch's order; ``ceil_mode=True`` is not
    supported."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        F._no_ceil_mode(ceil_mode, "AvgPool2d")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.count_include_pad = count_include_pad
        F._pair(kernel_size, "AvgPool2d", "kernel_size", 1)
        F._pair(self.stride, "AvgPool2d", "stride", 1)
        F._pair(padding, "AvgPool2d", "padding", 0)

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            count_include_pad=self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
