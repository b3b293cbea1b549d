"""Hyperparameter checks shared by the optimizers: range checks whose messages name the
argument and the allowed range (PyTorch's wording), and the type checks that
:meth:`Optimizer._check_types` derives from each constructor's defaults."""
import functools
import inspect
import numbers

import numpy as np


def check_range(name, value, lo=0.0, hi=None, lo_open=False, hi_open=True):
    """Raise ValueError unless ``value`` is a real number (not a string, not None) with
    ``lo <= value`` (``<`` if lo_open) and ``value < hi``."""
    check_real(name, value)
    v = float(value)
    bad = v != v or (v <= lo if lo_open else v < lo)
    if hi is not None:
        bad = bad or (v >= hi if hi_open else v > hi)
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        rng = f"{left}{lo}, {hi}{right}" if hi is not None else f"{left}{lo}, inf)"
        raise ValueError(f"Invalid {name}: {value} (must be in {rng})")


def check_adam_family(group):
    """The hyperparameters the Adam family shares: lr, eps and weight_decay >= 0, betas in
    [0, 1)."""
    check_range("learning rate", group["lr"])
    check_range("epsilon value", group["eps"])
    check_betas(group["betas"])
    check_range("weight_decay value", group["weight_decay"])


def check_betas(betas):
    """Raise ValueError unless ``betas`` is a pair with each beta in [0, 1)."""
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"Invalid betas: {betas!r} (must be a pair (beta1, beta2))") from None
    check_range("beta parameter at index 0", beta1, 0.0, 1.0)
    check_range("beta parameter at index 1", beta2, 0.0, 1.0)


def check_real(name, value):
    """Raise ValueError unless ``value`` is a real number (Python or numpy; bools count, as in
    Python). ``"0.1"`` is refused: it would pass ``float()`` and fail only inside a step."""
    if not isinstance(value, numbers.Real):
        raise ValueError(f"Invalid {name}: {value!r} (must be a number)")


def check_flag(name, value):
    """Raise ValueError unless ``value`` is True or False (numpy bools and the ints 0 and 1
    count). PyTorch takes any truthy value; here ``maximize="False"`` would mean True."""
    if not isinstance(value, (bool, np.bool_)) and not (
            isinstance(value, numbers.Integral) and value in (0, 1)):
        raise ValueError(f"Invalid {name}: {value!r} (must be True or False)")


_IMMUTABLE_TYPES = frozenset([int, float, bool, str, type(None), np.float64, np.float32,
                              np.int64, np.int32, np.bool_])


def _immutable(values):
    """True if the tuple ``values`` holds only immutable numbers, strings and tuples of
    those: then equal values mean nothing changed since they were checked."""
    types = _IMMUTABLE_TYPES
    for v in values:
        if type(v) is tuple:
            if not all(type(x) in types for x in v):
                return False
        elif type(v) not in types:
            return False
    return True


@functools.lru_cache(maxsize=None)
def _hyper_kinds(cls):
    """``cls``'s constructor arguments by the type of their defaults: the names of the flags
    (bools), of the real numbers, and ``(name, length)`` of the tuples of numbers."""
    try:
        parameters = list(inspect.signature(cls.__init__).parameters.values())
    except (TypeError, ValueError):
        return (), (), ()
    flags = tuple(p.name for p in parameters if isinstance(p.default, bool))
    reals = tuple(p.name for p in parameters if isinstance(p.default, numbers.Real)
                  and not isinstance(p.default, bool))
    tuples = tuple((p.name, len(p.default)) for p in parameters
                   if isinstance(p.default, tuple) and p.default
                   and all(isinstance(x, numbers.Real) for x in p.default))
    return flags, reals, tuples
