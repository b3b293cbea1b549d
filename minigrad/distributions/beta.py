"""``Beta(concentration1, concentration0)``: density proportional to
``x**(a-1) (1-x)**(b-1)`` on [0, 1], with a = concentration1, b = concentration0.

Samples come from numpy's beta sampler (not differentiable): minigrad has no ``rsample``
for Beta (PyTorch's uses an implicit-reparameterization gradient of the Dirichlet)."""
import numpy as np

from ..ops.introspection import Size
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, rng, wrap


class Beta(Distribution):
    """The beta distribution with ``concentration1`` (alpha > 0) and ``concentration0``
    (beta > 0)."""
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = False

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(
            concentration1, concentration0, names=["concentration1", "concentration0"])
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        batch_shape = Size(batch_shape)
        new.concentration1 = self.concentration1.expand(*batch_shape)
        new.concentration0 = self.concentration0.expand(*batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        # (a-1)/(a+b-2) when a, b >= 1; 0 or 1 when one is < 1; when both are < 1 the
        # density is infinite at both ends and PyTorch (via its Dirichlet) answers 1
        from .. import where
        a, b = self.concentration1, self.concentration0
        am1, bm1 = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        mode = am1 / (am1 + bm1)
        both_small = (a < 1) & (b < 1)
        return where(both_small, 1.0, mode)

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total ** 2 * (total + 1))

    def sample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        dt = self.concentration1.dtype
        a = np.broadcast_to(self.concentration1.detach().numpy(), shape)
        b = np.broadcast_to(self.concentration0.detach().numpy(), shape)
        x = rng("Beta.sample").beta(a, b)
        # kept off 0 and 1 in the parameters' dtype, as PyTorch's samples are
        finfo = np.finfo(dt)
        return wrap(np.clip(x.astype(dt), finfo.tiny, 1 - finfo.eps), dt)

    def log_prob(self, value):
        from .. import lgamma, xlogy
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (xlogy(a - 1, value) + xlogy(b - 1, 1 - value)
                + lgamma(a + b) - lgamma(a) - lgamma(b))

    def entropy(self):
        from .. import digamma, lgamma
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (lgamma(a) + lgamma(b) - lgamma(total) + (total - 2) * digamma(total)
                - (a - 1) * digamma(a) - (b - 1) * digamma(b))
