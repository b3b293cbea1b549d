"""``Laplace(loc, scale)``: density ``exp(-|x - loc| / scale) / (2 scale)``, reparameterized."""
import math

import numpy as np

from .location_scale import LocationScale
from .utils import rng, wrap


class Laplace(LocationScale):
    """The Laplace distribution with location ``loc`` and scale ``scale`` (> 0)."""

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale ** 2

    def rsample(self, sample_shape=()):
        # u uniform on (-1, 1) (open at -1, as PyTorch), x = loc - scale sign(u) log(1 - |u|)
        shape = tuple(self._extended_shape(sample_shape))
        dt = self.loc.dtype
        eps = float(np.finfo(dt).eps)
        u = rng("Laplace.rsample").uniform(eps - 1, 1, shape)
        noise = wrap(-np.sign(u) * np.log1p(-np.abs(u)), dt)
        return self.loc + self.scale * noise

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * (-d.abs() / self.scale).expm1()

    def icdf(self, value):
        from .. import log1p
        term = value - 0.5
        return self.loc - self.scale * term.sign() * log1p(-2 * term.abs())

    def entropy(self):
        return 1 + (2 * self.scale).log()
