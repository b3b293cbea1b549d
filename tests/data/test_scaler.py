"""StandardScaler against the numpy formula and scikit-learn."""

import numpy as np
import pytest

import minigrad
from minigrad.data import StandardScaler


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((50, 4)) * [1.0, 10.0, 0.1, 3.0] + [5.0, -2.0, 0.0, 100.0]).astype(np.float32)


def test_matches_the_formula(X):
    Z = StandardScaler().fit_transform(X)
    x = X.astype(np.float64)
    np.testing.assert_allclose(Z, (x - x.mean(0)) / x.std(0), rtol=1e-5, atol=1e-6)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(Z.std(0), 1, atol=1e-5)


def test_attributes(X):
    s = StandardScaler().fit(X)
    x = X.astype(np.float64)
    np.testing.assert_allclose(s.mean_, x.mean(0))
    np.testing.assert_allclose(s.var_, x.var(0))
    np.testing.assert_allclose(s.scale_, x.std(0))
    assert s.n_features_in_ == 4 and s.n_samples_seen_ == 50


def test_matches_scikit_learn(X):
    sk = pytest.importorskip("sklearn.preprocessing")
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(StandardScaler().fit_transform(X64), sk.StandardScaler().fit_transform(X64), atol=1e-12)


def test_inverse_transform_round_trip(X):
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X, rtol=1e-5, atol=1e-4)


def test_test_set_uses_training_statistics(X):
    s = StandardScaler().fit(X[:30])
    x = X.astype(np.float64)
    np.testing.assert_allclose(s.transform(X[30:]), (x[30:] - x[:30].mean(0)) / x[:30].std(0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("value", [0.0, 0.1, -7.3, 1e30])
def test_zero_variance_columns_become_exact_zeros(value):
    X = np.column_stack([np.full(9, value), np.arange(9.0)])
    s = StandardScaler().fit(X)
    Z = s.transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 0], 0.0)
    assert s.scale_[0] == 1.0 and s.var_[0] == 0.0
    np.testing.assert_array_equal(s.inverse_transform(Z)[:, 0], value)


def test_single_sample_is_safe():
    Z = StandardScaler().fit_transform(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(Z, [[0.0, 0.0]])


def test_without_mean_or_std(X):
    x = X.astype(np.float64)
    np.testing.assert_allclose(StandardScaler(with_mean=False).fit_transform(X), x / x.std(0), rtol=1e-5)
    np.testing.assert_allclose(StandardScaler(with_std=False).fit_transform(X), x - x.mean(0), rtol=1e-5, atol=1e-4)


def test_dtypes():
    ints = np.arange(12).reshape(6, 2)
    assert StandardScaler().fit_transform(ints).dtype == np.float32
    assert StandardScaler().fit_transform(ints.astype(np.float64)).dtype == np.float64


def test_tensors_in_tensors_out(X):
    Z = StandardScaler().fit_transform(minigrad.tensor(X))
    assert isinstance(Z, minigrad.Tensor) and Z.dtype == np.float32 and not Z.requires_grad
    np.testing.assert_allclose(Z.detach().numpy(), StandardScaler().fit_transform(X))


def test_errors(X):
    with pytest.raises(RuntimeError, match="not fitted yet"):
        StandardScaler().transform(X)
    with pytest.raises(ValueError, match=r"2-d array.*reshape\(-1, 1\)"):
        StandardScaler().fit(np.arange(5.0))
    with pytest.raises(ValueError, match="has 3 features, but the scaler was fitted on 4"):
        StandardScaler().fit(X).transform(X[:, :3])
    with pytest.raises(ValueError, match="0 samples"):
        StandardScaler().fit(np.zeros((0, 2)))
    with pytest.raises(TypeError, match="numeric"):
        StandardScaler().fit(np.array([["a"]]))
