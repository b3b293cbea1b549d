"""``Linear``: the affine layer ``y = x W^T + b``."""
import math

import numpy as np

from .. import _device
from .._default_dtype import get_default_dtype
from .. import grad_mode
from . import init
from .functional import linear
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """``y = x @ weight.T + bias`` on input of shape ``(*, in_features)``.

    ``weight`` has shape ``(out_features, in_features)`` and ``bias`` ``(out_features,)``,
    both float32. PyTorch's default initialisation: ``kaiming_uniform_(weight, a=sqrt(5))``,
    which is U(-1/sqrt(in_features), 1/sqrt(in_features)), and the same bound for ``bias``.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _device.resolve(device, "Linear")
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {v!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dt = np.dtype(dtype or get_default_dtype())
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.in_features == 0:  # no fan-in: the weight is empty, the bias stays zero
            if self.bias is not None:
                init.zeros_(self.bias)
            return
        with grad_mode.no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                bound = 1 / math.sqrt(self.in_features)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
