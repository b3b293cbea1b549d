"""Helpers shared by the distributions: broadcasting of the parameters, the probs/logits
conversions, a stable softplus, and the draws from minigrad's global generator."""
import numbers

import numpy as np

from ..ops.introspection import Size
from ..random import numpy_generator
from ..tensor import Tensor


def as_size(shape, name="sample_shape"):
    """``shape`` (an int, a tuple or a Size) as a Size, or a TypeError naming ``name``."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        if isinstance(shape, (str, bytes)):
            raise TypeError
        out = Size(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of ints or a Size, got {shape!r}") from None
    if any(s < 0 for s in out):
        raise ValueError(f"{name} must not contain negative sizes, got {tuple(out)}")
    return out


def broadcast_all(*values, names=None):
    """The values as tensors broadcast to one shape, as torch's ``broadcast_all``: numbers
    take the dtype of the tensors among them (the default dtype if there is none)."""
    from .. import broadcast_tensors, get_default_dtype, tensor
    names = names or [f"argument {i}" for i in range(len(values))]
    tensors = [v for v in values if isinstance(v, Tensor)]
    for v, n in zip(values, names):
        if not isinstance(v, Tensor) and (isinstance(v, bool) or not isinstance(v, numbers.Number)):
            raise TypeError(f"{n} must be a Tensor or a number, got {type(v).__name__}")
    dtype = tensors[0].dtype if tensors else get_default_dtype()
    if dtype.kind != "f":
        dtype = get_default_dtype()
    converted = [v if isinstance(v, Tensor) else tensor(float(v), dtype=dtype) for v in values]
    if len(converted) == 1:
        return converted[0]
    try:
        return tuple(broadcast_tensors(*converted))
    except (ValueError, RuntimeError):
        shapes = ", ".join(f"{n} {tuple(v.shape)}" for n, v in zip(names, converted))
        raise ValueError(f"the parameters' shapes cannot be broadcast together: {shapes}") from None


def as_float_tensor(value, name):
    """A tensor argument (a number becomes a tensor of the default dtype)."""
    from .. import get_default_dtype, tensor
    if isinstance(value, Tensor):
        if value.dtype.kind != "f":
            value = value.to(get_default_dtype())
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"{name} must be a Tensor or a number, got {type(value).__name__}")
    return tensor(float(value), dtype=get_default_dtype())


def eps_of(t):
    return float(np.finfo(t.dtype).eps)


def clamp_probs(probs):
    """Probabilities kept inside ``[eps, 1 - eps]`` (as torch's ``clamp_probs``)."""
    eps = eps_of(probs)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-odds (binary) or log-probabilities (categorical) of clamped probabilities."""
    from .. import log, log1p
    p = clamp_probs(probs)
    return log(p) - log1p(-p) if is_binary else log(p)


def logits_to_probs(logits, is_binary=False):
    from .. import sigmoid, softmax
    return sigmoid(logits) if is_binary else softmax(logits, -1)


def softplus(x):
    """``log(1 + exp(x))`` exactly for every x (no threshold), from recorded ops: the
    branch not taken sees 0, so neither its value nor its gradient can overflow."""
    from .. import exp, log1p, where
    pos = x > 0
    xp = where(pos, x, 0.0)
    xn = where(pos, 0.0, x)
    return where(pos, xp + log1p(exp(-xp)), log1p(exp(xn)))


def sum_rightmost(value, dim):
    """``value`` summed over its ``dim`` rightmost dims."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.ndim - dim]) + (-1,)).sum(-1)


def rng(name):
    """The numpy Generator behind minigrad's global random functions (``manual_seed``
    seeds it), looked up on every draw."""
    return numpy_generator(None, name)


def wrap(array, dtype):
    return Tensor._wrap(np.asarray(array, dtype=dtype))


class lazy_property:
    """A property computed once on first access and then stored on the instance."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.fn(instance)
        instance.__dict__[self.__name__] = value
        return value
