"""``StandardScaler``: standardise features to zero mean and unit variance."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._convert import is_tensor, to_array, to_tensor


class StandardScaler:
    """Standardise each feature (column): ``z = (x - mean_) / scale_``.

    Same names and conventions as scikit-learn's: ``scale_`` is the population
    standard deviation (``ddof=0``), and a constant column (zero variance) gets
    ``scale_ = 1`` so it maps to exactly 0 instead of dividing by zero. Fit on the
    training set only, then apply the same transform to the test set.

    Input is a 2-d ``(n_samples, n_features)`` numpy array or minigrad Tensor; the
    output has the same kind. Float inputs keep their dtype, integer inputs become
    float32. Statistics are computed in float64 and stored as float64 arrays
    ``mean_``, ``var_`` and ``scale_``. Transforms are preprocessing, not part of the
    autograd graph: a Tensor output is a new leaf with ``requires_grad=False``.

    Args:
        with_mean: subtract the mean (else ``mean_`` is None).
        with_std: divide by the standard deviation (else ``scale_`` is None).
    """

    def __init__(self, *, with_mean: bool = True, with_std: bool = True):
        self.with_mean = with_mean
        self.with_std = with_std
        self.mean_: np.ndarray | None = None
        self.var_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_in_: int | None = None
        self.n_samples_seen_: int | None = None

    def fit(self, X: Any) -> "StandardScaler":
        """Compute the per-feature mean and standard deviation of ``X``; returns self."""
        x = self._check_2d(X, "fit").astype(np.float64)
        if len(x) == 0:
            raise ValueError("StandardScaler.fit: X has 0 samples")
        constant = np.all(x == x[:1], axis=0)
        mean = x.mean(axis=0)
        # A constant column's float64 mean can differ from its value by rounding;
        # use the value itself so the column transforms to exactly 0.
        mean[constant] = x[0, constant]
        var = x.var(axis=0)
        var[constant] = 0.0
        self.n_features_in_ = x.shape[1]
        self.n_samples_seen_ = x.shape[0]
        self.mean_ = mean if self.with_mean else None
        self.var_ = var if self.with_std else None
        if self.with_std:
            scale = np.sqrt(var)
            scale[constant] = 1.0  # zero variance: leave the (centred) column as is
            self.scale_ = scale
        else:
            self.scale_ = None
        return self

    def transform(self, X: Any) -> Any:
        """Return ``(X - mean_) / scale_``."""
        x, dtype = self._prepare(X, "transform")
        if self.mean_ is not None:
            x = x - self.mean_
        if self.scale_ is not None:
            x = x / self.scale_
        return self._wrap(X, x.astype(dtype))

    def fit_transform(self, X: Any) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Any) -> Any:
        """Undo :meth:`transform`: return ``Z * scale_ + mean_``."""
        z, dtype = self._prepare(Z, "inverse_transform")
        if self.scale_ is not None:
            z = z * self.scale_
        if self.mean_ is not None:
            z = z + self.mean_
        return self._wrap(Z, z.astype(dtype))

    # ------------------------------------------------------------------ helpers

    def _prepare(self, X: Any, method: str) -> tuple[np.ndarray, np.dtype]:
        if self.n_features_in_ is None:
            raise RuntimeError(f"StandardScaler.{method}: this scaler is not fitted yet; call fit(X) first")
        x = self._check_2d(X, method)
        if x.shape[1] != self.n_features_in_:
            raise ValueError(
                f"StandardScaler.{method}: X has {x.shape[1]} features, but the scaler was fitted "
                f"on {self.n_features_in_}"
            )
        dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float32)
        return x.astype(np.float64), dtype

    @staticmethod
    def _check_2d(X: Any, method: str) -> np.ndarray:
        x = to_array(X)
        if x.ndim != 2:
            raise ValueError(
                f"StandardScaler.{method}: expected a 2-d array of shape (n_samples, n_features); "
                f"got shape {x.shape} (use X.reshape(-1, 1) for a single feature)"
            )
        if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
            raise TypeError(f"StandardScaler.{method}: expected numeric data; got dtype {x.dtype}")
        return x

    @staticmethod
    def _wrap(original: Any, result: np.ndarray) -> Any:
        return to_tensor(result) if is_tensor(original) else result

    def __repr__(self) -> str:
        return f"StandardScaler(with_mean={self.with_mean}, with_std={self.with_std})"
