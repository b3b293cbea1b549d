"""``Exponential(rate)``: density ``rate * exp(-rate * x)`` on ``x >= 0``, reparameterized."""
from ..ops.introspection import Size
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, rng, wrap


class Exponential(Distribution):
    """The exponential distribution with ``rate`` (> 0)."""
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        self.rate = broadcast_all(rate, names=["rate"])
        super().__init__(self.rate.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = Size(batch_shape)
        new.rate = self.rate.expand(*batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return self.rate * 0

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        # not rate ** -2: minigrad's integer power of a 0-d tensor fails for negative
        # exponents (minigrad/ops: power_array's in-place reciprocal of a numpy scalar)
        return (self.rate * self.rate).reciprocal()

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        e = wrap(rng("Exponential.rsample").standard_exponential(tuple(shape)), self.rate.dtype)
        return e / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        from .. import log1p
        return -log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()
