"""``Distribution``: the base class of minigrad.distributions, with torch.distributions'
interface (batch_shape, event_shape, sample, rsample, log_prob, entropy, mean, mode,
variance, stddev, expand, validate_args)."""
import numpy as np

from ..ops.introspection import Size
from ..tensor import Tensor
from . import constraints
from .utils import as_size


class Distribution:
    """Base class. Subclasses set ``arg_constraints`` and ``support`` and implement the
    methods they have; ``validate_args`` (default on, as in PyTorch) checks the parameters
    at construction and the values given to ``log_prob``/``cdf``/``icdf``."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for every later distribution."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: value must be True or False, "
                             f"got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = bool(validate_args)
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__:
                    continue  # the form not given (probs when logits were given)
                value = getattr(self, param)
                if not np.all(constraint.check(value)):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")

    # ----- shapes ----------------------------------------------------------------------------
    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        return as_size(sample_shape) + self._batch_shape + self._event_shape

    def expand(self, batch_shape, _instance=None):
        raise NotImplementedError(f"{type(self).__name__}.expand is not implemented")

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"subclass {type(self).__name__} of {cls.__name__} must "
                                      "implement expand")
        return self.__new__(type(self)) if _instance is None else _instance

    # ----- what subclasses define ------------------------------------------------------------
    @property
    def arg_constraints(self):
        return {}

    @property
    def support(self):
        raise NotImplementedError(f"{type(self).__name__} does not define support")

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """Samples of shape ``sample_shape + batch_shape + event_shape``, not differentiable."""
        from ..grad_mode import no_grad
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sampling "
                                  "(rsample); use sample")

    def sample_n(self, n):
        return self.sample(Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError(f"{type(self).__name__} does not implement log_prob")

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def entropy(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def perplexity(self):
        return self.entropy().exp()

    # ----- validation ------------------------------------------------------------------------
    def _validate_sample(self, value):
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        shape = tuple(value.shape)
        n_event = len(self._event_shape)
        if shape[len(shape) - n_event:] != tuple(self._event_shape) or len(shape) < n_event:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{shape} vs {tuple(self._event_shape)}.")
        expected = tuple(self._batch_shape + self._event_shape)
        for i, j in zip(reversed(shape), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{shape} vs {expected}.")
        support = self.support
        if not np.all(support.check(value)):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {shape}) to be "
                f"within the support ({support!r}) of the distribution {self!r}, but found "
                f"invalid values:\n{value}")

    def __repr__(self):
        def show(t):
            return t.reshape(()).item() if t.numel() == 1 else tuple(t.shape)

        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{k}: {show(self.__dict__[k])}" for k in names)
        return f"{type(self).__name__}({args})"
