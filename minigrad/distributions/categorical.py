"""``Categorical(probs=None, logits=None)``: an index in ``0 .. K-1`` drawn with the
(normalised) weights of the last dim."""
import numpy as np

from ..ops.introspection import Size
from . import constraints
from .distribution import Distribution
from .utils import as_float_tensor, as_size, lazy_property, logits_to_probs, probs_to_logits


class Categorical(Distribution):
    """A categorical distribution over the last dim of ``probs`` (non-negative weights,
    normalised to sum to 1) or ``logits`` (unnormalised log-probabilities); exactly one of
    them. Samples are int64 indices of shape ``sample_shape + batch_shape``."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(
        constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        from .. import logsumexp
        name = type(self).__name__
        if (probs is None) == (logits is None):
            raise ValueError(f"{name}: either `probs` or `logits` must be specified, but not "
                             "both.")
        if probs is not None:
            probs = as_float_tensor(probs, "probs")
            if probs.ndim < 1:
                raise ValueError(f"{name}: `probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            logits = as_float_tensor(logits, "logits")
            if logits.ndim < 1:
                raise ValueError(f"{name}: `logits` parameter must be at least one-dimensional.")
            self.logits = logits - logsumexp(logits, -1, keepdim=True)
            param = self.logits
        self._param = param
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = Size(batch_shape)
        shape = tuple(batch_shape) + (self._num_events,)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(*shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(*shape)
            new._param = new.logits
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return Size(self._param.shape)

    @property
    def mean(self):
        from .. import full
        return full(tuple(self._batch_shape), float("nan"), dtype=self._param.dtype)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=()):
        from .. import multinomial
        sample_shape = as_size(sample_shape)
        n = int(np.prod(sample_shape, dtype=np.int64))
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        if n == 0 or probs_2d.shape[0] == 0:
            from .. import zeros
            return zeros(*self._extended_shape(sample_shape), dtype=np.int64)
        samples_2d = multinomial(probs_2d, n, True).mT  # (n, rows)
        return samples_2d.reshape(*self._extended_shape(sample_shape))

    def log_prob(self, value):
        from .. import broadcast_tensors
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        from .. import arange
        values = arange(self._num_events, dtype=np.int64).reshape(
            (-1,) + (1,) * len(self._batch_shape))
        return values.expand(self._num_events, *self._batch_shape) if expand else values
