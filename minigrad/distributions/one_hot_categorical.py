"""``OneHotCategorical(probs=None, logits=None)``: a Categorical whose samples are one-hot
vectors of length K (event_shape ``(K,)``)."""
from ..ops.introspection import Size
from . import constraints
from .categorical import Categorical
from .distribution import Distribution


class OneHotCategorical(Distribution):
    """One-hot samples of a :class:`Categorical` with ``probs`` or ``logits``."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(
        constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=False)
        if probs is not None:
            self.probs = self._categorical.probs
        else:
            self.logits = self._categorical.logits
        param = self._categorical._param
        super().__init__(param.shape[:-1], param.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = Size(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        for k in ("probs", "logits"):
            if k in self.__dict__:
                setattr(new, k, getattr(new._categorical, k))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    def __getattr__(self, name):
        # probs / logits not given: computed (and cached) by the wrapped Categorical
        if name in ("probs", "logits"):
            return getattr(self.__dict__["_categorical"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        from .. import zeros_like
        probs = self._categorical.probs
        index = probs.argmax(-1, keepdim=True)
        return zeros_like(probs).scatter(-1, index, 1.0)

    @property
    def variance(self):
        p = self._categorical.probs
        return p * (1 - p)

    def sample(self, sample_shape=()):
        from .. import zeros
        shape = self._extended_shape(sample_shape)
        indices = self._categorical.sample(sample_shape)
        return zeros(*shape, dtype=self._categorical.probs.dtype).scatter(
            -1, indices.unsqueeze(-1), 1.0)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        indices = value.max(-1)[1]
        return self._categorical.log_prob(indices)

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        from .. import eye
        n = self._event_shape[0]
        values = eye(n, dtype=self._param.dtype).reshape(
            (n,) + (1,) * len(self._batch_shape) + (n,))
        return values.expand(n, *self._batch_shape, n) if expand else values
