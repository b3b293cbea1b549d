"""The constraints that ``validate_args`` checks (parameters in ``__init__``, values in
``log_prob``), with torch.distributions.constraints' names. ``check(value)`` returns a
boolean numpy array over the batch (the event dims folded in)."""
import numpy as np

from ..tensor import Tensor

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "half_open_interval", "independent", "integer_interval",
           "interval", "is_dependent", "less_than", "lower_cholesky", "nonnegative",
           "nonnegative_integer", "one_hot", "positive", "positive_definite", "real",
           "real_vector", "simplex", "unit_interval"]


def _np(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


class Constraint:
    """A region of valid values. ``event_dim`` is the number of rightmost dims that form
    one event; ``is_discrete`` whether the values are integers."""
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """A constraint that depends on other parameters: not checked."""

    def __init__(self, *, is_discrete=False, event_dim=0):
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __call__(self, *, is_discrete=False, event_dim=0):
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, value):
        raise ValueError("cannot determine validity of a dependent constraint")


def is_dependent(constraint):
    return isinstance(constraint, _Dependent)


class dependent_property(property):
    """A property that is also a dependent constraint (Uniform's support)."""

    def __init__(self, fn=None, *, is_discrete=False, event_dim=0):
        super().__init__(fn)
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __call__(self, fn):
        return dependent_property(fn, is_discrete=self.is_discrete, event_dim=self.event_dim)


class _Elementwise(Constraint):
    def __init__(self, test, name, is_discrete=False):
        self._test, self._name, self.is_discrete = test, name, is_discrete

    def check(self, value):
        with np.errstate(invalid="ignore"):
            return self._test(_np(value))

    def __repr__(self):
        return self._name


class _Bounded(Constraint):
    """Bounds that may be tensors: ``lower <op> value <op> upper``."""

    def __init__(self, name, lower=None, upper=None, lower_strict=False, upper_strict=False):
        self.lower_bound, self.upper_bound = lower, upper
        self._name, self._ls, self._us = name, lower_strict, upper_strict

    def check(self, value):
        v = _np(value)
        ok = ~np.isnan(v)
        with np.errstate(invalid="ignore"):
            if self.lower_bound is not None:
                lo = _np(self.lower_bound)
                ok = ok & ((v > lo) if self._ls else (v >= lo))
            if self.upper_bound is not None:
                hi = _np(self.upper_bound)
                ok = ok & ((v < hi) if self._us else (v <= hi))
        return ok

    def __repr__(self):
        bounds = [f"{k}={_np(b).tolist() if np.ndim(_np(b)) == 0 else '...'}"
                  for k, b in (("lower_bound", self.lower_bound), ("upper_bound", self.upper_bound))
                  if b is not None]
        return f"{self._name}({', '.join(bounds)})"


def greater_than(lower):
    return _Bounded("GreaterThan", lower=lower, lower_strict=True)


def greater_than_eq(lower):
    return _Bounded("GreaterThanEq", lower=lower)


def less_than(upper):
    return _Bounded("LessThan", upper=upper, upper_strict=True)


def interval(lower, upper):
    return _Bounded("Interval", lower, upper)


def half_open_interval(lower, upper):
    return _Bounded("HalfOpenInterval", lower, upper, upper_strict=True)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower, upper):
        self.lower_bound, self.upper_bound = lower, upper

    def check(self, value):
        v = _np(value)
        with np.errstate(invalid="ignore"):
            ok = (v % 1 == 0) & (v >= self.lower_bound)
            return ok & (v <= self.upper_bound) if self.upper_bound is not None else ok

    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


def integer_interval(lower, upper):
    return _IntegerInterval(lower, upper)


class _Independent(Constraint):
    """``base`` with its ``n`` rightmost batch dims counted as event dims."""

    def __init__(self, base, reinterpreted_batch_ndims):
        self.base_constraint, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete
        self.event_dim = base.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        ok = np.asarray(self.base_constraint.check(value))
        n = self.reinterpreted_batch_ndims
        if n:
            if ok.ndim < n:
                raise ValueError(f"expected a value with at least {self.event_dim} dims, got "
                                 f"shape {tuple(_np(value).shape)}")
            ok = ok.reshape(ok.shape[:ok.ndim - n] + (-1,)).all(-1)
        return ok

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


def independent(base, reinterpreted_batch_ndims):
    return _Independent(base, reinterpreted_batch_ndims)


class _EventCheck(Constraint):
    def __init__(self, test, name, event_dim, is_discrete=False):
        self._test, self._name = test, name
        self.event_dim, self.is_discrete = event_dim, is_discrete

    def check(self, value):
        with np.errstate(invalid="ignore"):
            return self._test(_np(value))

    def __repr__(self):
        return self._name


def _simplex(v):
    return np.all(v >= 0, axis=-1) & (np.abs(v.sum(-1) - 1) < 1e-6)


def _one_hot(v):
    return np.all((v == 0) | (v == 1), axis=-1) & (v.sum(-1) == 1)


def _lower_cholesky(v):
    if v.ndim < 2 or v.shape[-1] != v.shape[-2]:
        return np.zeros(v.shape[:-2], dtype=bool)
    lower = np.all(np.triu(v, 1) == 0, axis=(-2, -1))
    return lower & np.all(np.diagonal(v, axis1=-2, axis2=-1) > 0, axis=-1)


def _positive_definite(v):
    if v.ndim < 2 or v.shape[-1] != v.shape[-2]:
        return np.zeros(v.shape[:-2], dtype=bool)
    flat = v.reshape((-1,) + v.shape[-2:])
    ok = np.zeros(flat.shape[0], dtype=bool)
    for i, m in enumerate(flat):
        if np.allclose(m, m.T, atol=1e-6) and np.all(np.isfinite(m)):
            try:
                np.linalg.cholesky(m)
                ok[i] = True
            except np.linalg.LinAlgError:
                pass
    return ok.reshape(v.shape[:-2])


real = _Elementwise(lambda v: v == v, "Real()")  # everything but nan
positive = greater_than(0.0)
nonnegative = greater_than_eq(0.0)
unit_interval = interval(0.0, 1.0)
boolean = _Elementwise(lambda v: (v == 0) | (v == 1), "Boolean()", is_discrete=True)
nonnegative_integer = _IntegerInterval(0, None)
real_vector = independent(real, 1)
simplex = _EventCheck(_simplex, "Simplex()", 1)
one_hot = _EventCheck(_one_hot, "OneHot()", 1, is_discrete=True)
lower_cholesky = _EventCheck(_lower_cholesky, "LowerCholesky()", 2)
positive_definite = _EventCheck(_positive_definite, "PositiveDefinite()", 2)
dependent = _Dependent()
