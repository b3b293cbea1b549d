"""minigrad: a tiny reverse-mode autograd engine on numpy, with PyTorch's API.

Importing minigrad loads numpy only; numba is imported (and kernels compiled) the first
time an optimizer steps.
"""
from ._malloc import tune_malloc as _tune_malloc

_tune_malloc()

from . import autograd  # noqa: E402
from .autograd import Function, GradcheckError, gradcheck, gradgradcheck  # noqa: E402
from .creation import (arange, as_tensor, empty, eye, from_numpy, full, full_like, linspace, ones,
                       ones_like, rand, randint, randn, zeros, zeros_like)
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops.arithmetic import clamp, clip, maximum, minimum, where
from .ops.elementwise import (erf, exp, gelu, leaky_relu, log, relu, sigmoid, sin, cos,
                              softplus, sqrt, tanh)
from .ops.indexing import gather
from .ops.linalg import linear, matmul
from .ops.reduction import (amax, amin, argmax, argmin, logsumexp, log_softmax, mean, softmax,
                            std, var)
from .ops.reduction import max, min, sum  # noqa: A004  (PyTorch's names)
from .ops.shape import (broadcast_to, cat, chunk, expand, flatten, pad, permute, reshape,
                        split, squeeze, stack, transpose, unsqueeze)
from .ops.masking import masked_fill, tril, triu
from .ops.sorting import argsort, sort, topk
from .random import Generator, manual_seed
from .sampling import multinomial
from .tensor import (Tensor, bool_, float16, float32, float64, int32, int64, tensor)

__version__ = "0.1.0"


def abs(input):  # noqa: A001  (PyTorch's name)
    return input.abs()


def __getattr__(name):
    # Subpackages load on first use so that `import minigrad` stays light.
    import importlib
    if name in ("nn", "optim", "data", "datasets", "viz", "onnx", "safetensors", "dlpack",
                "models"):
        return importlib.import_module(f"minigrad.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module("minigrad.serialization"), name)
    if name in ("save_safetensors", "load_safetensors"):
        return getattr(importlib.import_module("minigrad.safetensors"), name)
    if name == "from_dlpack":
        return importlib.import_module("minigrad.dlpack").from_dlpack
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
