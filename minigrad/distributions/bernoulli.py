"""``Bernoulli(probs=None, logits=None)``: 1 with probability ``probs`` (or
``sigmoid(logits)``), else 0."""
from ..ops.introspection import Size
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits, softplus


def _one_of(probs, logits, name):
    if (probs is None) == (logits is None):
        raise ValueError(f"{name}: either `probs` or `logits` must be specified, but not both.")


class Bernoulli(Distribution):
    """The Bernoulli distribution, from exactly one of ``probs`` (in [0, 1]) or ``logits``
    (log-odds); samples are 0.0/1.0 in the parameter's dtype."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits, "Bernoulli")
        if probs is not None:
            self.probs = broadcast_all(probs, names=["probs"])
            param = self.probs
        else:
            self.logits = broadcast_all(logits, names=["logits"])
            param = self.logits
        self._param = param
        super().__init__(param.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(*batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(*batch_shape)
            new._param = new.logits
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return Size(self._param.shape)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        from .. import where
        p = self.probs
        return where(p == 0.5, float("nan"), (p >= 0.5).to(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        from .. import bernoulli
        from ..grad_mode import no_grad
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return bernoulli(self.probs.expand(*shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        from .. import broadcast_tensors
        logits, value = broadcast_tensors(self.logits, value.to(self.logits.dtype))
        # minus binary_cross_entropy_with_logits(logits, value), as
        # v log sigmoid(x) + (1 - v) log sigmoid(-x): no cancellation at large |x|
        return -(value * softplus(-logits) + (1 - value) * softplus(logits))

    def entropy(self):
        p, x = self.probs, self.logits
        return p * softplus(-x) + (1 - p) * softplus(x)

    def enumerate_support(self, expand=True):
        from .. import arange
        values = arange(2, dtype=self._param.dtype).reshape((2,) + (1,) * len(self._batch_shape))
        return values.expand(2, *self._batch_shape) if expand else values
