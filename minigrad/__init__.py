"""minigrad: a tiny reverse-mode autograd engine on numpy, with PyTorch's API.

Importing minigrad loads numpy only; numba is imported (and kernels compiled) the first
time an optimizer steps.
"""
from ._malloc import tune_malloc as _tune_malloc

_tune_malloc()

from . import autograd  # noqa: E402
from .autograd import Function, GradcheckError, gradcheck, gradgradcheck  # noqa: E402
from ._default_dtype import get_default_dtype, set_default_dtype
from ._device import device, get_default_device, set_default_device
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, ones, ones_like, rand, randint, randn, zeros, zeros_like)
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops.arithmetic import maximum, minimum, where
from .ops.elementwise import erf, gelu, leaky_relu, relu, softplus
from .ops.elementwise_more import (ceil, exp2, expm1, fix, floor, frac, log1p, log2, log10,
                                   reciprocal, round, rsqrt, sign, trunc)
from .ops.indexing import gather
from .ops.linalg import linear
from .ops.logical import (all, allclose, any, eq, equal, ge, gt, isclose, isfinite, isinf,
                          isnan, isneginf, isposinf, le, logical_and, logical_not, logical_or,
                          logical_xor, lt, ne)
from .ops.masking import masked_fill, tril, triu
from .ops.norms import norm, std_mean, var_mean
from .ops.products import einsum
from .ops.selection import (argwhere, diag, diagonal, flip, fliplr, flipud, index_select,
                            masked_select, narrow, nonzero, repeat_interleave, roll, select,
                            tile, trace, unbind)
from .ops.shape import (broadcast_to, chunk, expand, flatten, pad, permute, reshape, split,
                        squeeze, transpose, unsqueeze)
from .ops.sorting import argsort, sort, topk
from ._api import (abs, absolute, add, amax, amin, argmax, argmin, bmm, cat, clamp, clip,
                   concat, concatenate, cos, cumprod, cumsum, div, divide, dot, exp, fmod,
                   floor_divide, ger, hstack, log, log_softmax, logsumexp, matmul, max, mean,
                   min, mm, mul, multiply, mv, nansum, neg, negative, outer, pow, prod,
                   remainder, sigmoid, sin, softmax, sqrt, square, stack, std, sub, subtract,
                   sum, t, tanh, true_divide, var, vstack)
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
                     IntTensor, LongTensor, ShortTensor)
from .random import (Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state)
from .random import default_generator_object as default_generator
from .sampling import (bernoulli, multinomial, normal, rand_like, randint_like, randn_like,
                       randperm)
from .tensor import (Tensor, bool_, float16, float32, float64, int32, int64, tensor)

# PyTorch's dtype names (numpy dtypes underneath)
import numpy as _np  # noqa: E402

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16 = _np.int16
int8 = _np.int8
uint8 = _np.uint8
bool = bool_  # noqa: A001

__version__ = "0.1.0"


# The later op groups load on first use (see minigrad._lazy): their public names (each
# module's __all__) resolve through __getattr__ below.
_LAZY_OP_MODULES = ("math_more", "products_more", "scatter", "statistics", "introspection",
                    "decompositions")


def _lazy_op(name):
    import importlib
    for module_name in _LAZY_OP_MODULES:
        module = importlib.import_module(f"minigrad.ops.{module_name}")
        if name in module.__all__:
            value = globals()[name] = getattr(module, name)
            return value
    return None


def __dir__():
    import importlib
    names = set(globals())
    for module_name in _LAZY_OP_MODULES:
        names.update(importlib.import_module(f"minigrad.ops.{module_name}").__all__)
    return sorted(names)


def __getattr__(name):
    # Subpackages load on first use so that `import minigrad` stays light.
    import importlib
    if name in ("nn", "optim", "data", "datasets", "viz", "onnx", "safetensors", "dlpack",
                "models", "utils", "cuda", "backends", "accelerator", "linalg", "distributions"):
        return importlib.import_module(f"minigrad.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module("minigrad.serialization"), name)
    if name in ("save_safetensors", "load_safetensors"):
        return getattr(importlib.import_module("minigrad.safetensors"), name)
    if name == "from_dlpack":
        return importlib.import_module("minigrad.dlpack").from_dlpack
    if not name.startswith("__"):
        value = _lazy_op(name)
        if value is not None:
            return value
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
