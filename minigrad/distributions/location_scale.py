"""What Normal and Laplace share: a location ``loc`` and a positive ``scale``, broadcast
together, with the mean and the mode at ``loc``."""
from ..ops.introspection import Size
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class LocationScale(Distribution):
    """Base of a reparameterized real-valued family with parameters ``loc`` and ``scale``
    (> 0), numbers or tensors broadcast together. Subclasses give the density, sampling,
    entropy and the spread."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale, names=["loc", "scale"])
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        # the family (Normal, Laplace): a user's subclass of it that changes __init__ must
        # write its own expand, as in PyTorch
        family = next(c for c in type(self).__mro__ if LocationScale in c.__bases__)
        new = self._get_checked_instance(family, _instance)
        batch_shape = Size(batch_shape)
        new.loc, new.scale = self.loc.expand(*batch_shape), self.scale.expand(*batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc
