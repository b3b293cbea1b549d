"""``MultivariateNormal(loc, covariance_matrix=None, precision_matrix=None, scale_tril=None)``:
the Gaussian of dimension ``k = loc.shape[-1]``, from exactly one of the three matrices;
everything is computed from the lower Cholesky factor ``L`` (``cov = L L^T``)."""
import math

from ..ops.introspection import Size
from . import constraints
from .distribution import Distribution
from .utils import as_float_tensor, lazy_property


def batch_mahalanobis(L, x):
    """``x^T (L L^T)^{-1} x`` over the last dim of ``x``, ``L`` broadcast against ``x``'s
    batch dims."""
    from .. import broadcast_shapes
    from ..linalg import solve_triangular
    batch = broadcast_shapes(tuple(L.shape[:-2]), tuple(x.shape[:-1]))
    n = x.shape[-1]
    Lb = L.expand(*batch, n, n)
    xb = x.expand(*batch, n).unsqueeze(-1)
    return (solve_triangular(Lb, xb, upper=False) ** 2).sum((-2, -1))


def _eye_like(L):
    from .. import eye
    return eye(L.shape[-1], dtype=L.dtype)


def _diag(m):
    return m.diagonal(0, -2, -1)


class MultivariateNormal(Distribution):
    """The multivariate normal with mean ``loc`` (at least 1-D) and one of
    ``covariance_matrix``, ``precision_matrix`` (both symmetric positive definite) or
    ``scale_tril`` (lower triangular with a positive diagonal); reparameterized."""
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        from .. import broadcast_shapes
        from ..linalg import cholesky, inv
        loc = as_float_tensor(loc, "loc")
        if loc.ndim < 1:
            raise ValueError("MultivariateNormal: loc must be at least one-dimensional.")
        given = [(k, v) for k, v in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if v is not None]
        if len(given) != 1:
            raise ValueError("MultivariateNormal: exactly one of covariance_matrix or "
                             "precision_matrix or scale_tril may be specified.")
        name, matrix = given[0]
        matrix = as_float_tensor(matrix, name)
        if matrix.ndim < 2:
            raise ValueError(f"MultivariateNormal: {name} must be at least two-dimensional, "
                             "with optional leading batch dimensions")
        if matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(f"MultivariateNormal: {name} of shape {tuple(matrix.shape)} must be "
                             f"square and match the event size {loc.shape[-1]} of loc "
                             f"(shape {tuple(loc.shape)})")
        try:
            batch_shape = broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        except (ValueError, RuntimeError):
            raise ValueError(f"MultivariateNormal: the batch shapes of loc {tuple(loc.shape)} "
                             f"and {name} {tuple(matrix.shape)} cannot be broadcast") from None
        k = loc.shape[-1]
        setattr(self, name, matrix.expand(*batch_shape, k, k))
        self.loc = loc.expand(*batch_shape, k)
        super().__init__(batch_shape, (k,), validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(inv(matrix))

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        k = self._event_shape[0]
        new.loc = self.loc.expand(*batch_shape, k)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(*batch_shape, k, k))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        k = self._event_shape[0]
        return tuple(self._batch_shape) + (k, k)

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(*self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.mT).expand(*self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        from ..linalg import solve_triangular
        L = self._unbroadcasted_scale_tril
        L_inv = solve_triangular(L, _eye_like(L).expand(*L.shape), upper=False)
        return (L_inv.mT @ L_inv).expand(*self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        k = self._event_shape[0]
        return (self._unbroadcasted_scale_tril ** 2).sum(-1).expand(
            *self._batch_shape, k)

    def rsample(self, sample_shape=()):
        from .. import randn
        shape = self._extended_shape(sample_shape)
        eps = randn(*shape, dtype=self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = _diag(self._unbroadcasted_scale_tril).log().sum(-1)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self):
        k = self._event_shape[0]
        half_log_det = _diag(self._unbroadcasted_scale_tril).log().sum(-1)
        H = 0.5 * k * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H.expand(*self._batch_shape) if self._batch_shape else H
