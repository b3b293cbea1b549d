"""train_test_split: sizes, alignment, seeding and stratification."""

import numpy as np
import pytest

import minigrad
from minigrad.data import train_test_split as data_split
from minigrad.datasets import train_test_split


def test_exported_from_both_modules():
    assert data_split is train_test_split


@pytest.mark.parametrize("n, test_size, n_test", [(10, 0.25, 3), (100, 0.2, 20), (7, 0.5, 4), (10, 1, 1), (10, 9, 9)])
def test_sizes(n, test_size, n_test):
    train, test = train_test_split(np.arange(n), test_size=test_size, seed=0)
    assert len(test) == n_test and len(train) == n - n_test
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(n))  # a partition


def test_arrays_stay_aligned():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20) * 10
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, seed=1)
    np.testing.assert_array_equal(X_tr[:, 0] * 5, y_tr)
    np.testing.assert_array_equal(X_te[:, 0] * 5, y_te)


def test_seeding():
    a = train_test_split(np.arange(50), seed=3)
    b = train_test_split(np.arange(50), random_state=3)
    c = train_test_split(np.arange(50), seed=4)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    minigrad.manual_seed(9)
    d = train_test_split(np.arange(50))
    minigrad.manual_seed(9)
    np.testing.assert_array_equal(d[1], train_test_split(np.arange(50))[1])
    with pytest.raises(TypeError, match="either seed or random_state"):
        train_test_split(np.arange(5), seed=1, random_state=1)


def test_tensors_in_tensors_out_lists_in_arrays_out():
    X = minigrad.tensor(np.arange(10, dtype=np.float64))
    X_tr, X_te, l_tr, l_te = train_test_split(X, list(range(10)), seed=0)
    assert isinstance(X_tr, minigrad.Tensor) and X_tr.dtype == np.float64
    assert isinstance(l_tr, np.ndarray)
    np.testing.assert_array_equal(X_tr.detach().numpy(), l_tr)


def test_no_shuffle_takes_the_tail_as_test_set():
    train, test = train_test_split(np.arange(8), test_size=0.25, shuffle=False)
    assert train.tolist() == list(range(6)) and test.tolist() == [6, 7]


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    idx_tr, idx_te, y_tr, y_te = train_test_split(np.arange(100), y, test_size=0.2, stratify=y, seed=0)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]
    np.testing.assert_array_equal(y[idx_te], y_te)
    assert sorted(np.concatenate([idx_tr, idx_te]).tolist()) == list(range(100))
    assert not (np.diff(y_te) >= 0).all()  # not sorted by class


def test_stratified_rounding_totals_match():
    y = np.repeat([0, 1, 2], [7, 7, 7])
    for seed in range(10):
        _, y_te = train_test_split(y, test_size=5, stratify=y, seed=seed)
        counts = np.bincount(y_te, minlength=3)
        assert counts.sum() == 5 and set(counts.tolist()) <= {1, 2}


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"test_size": 0.0}, ValueError, r"in \(0, 1\)"),
        ({"test_size": 1.0}, ValueError, r"in \(0, 1\)"),
        ({"test_size": 0}, ValueError, r"int in \[1, 9\]"),
        ({"test_size": 10}, ValueError, r"int in \[1, 9\]"),
        ({"test_size": True}, TypeError, "test_size"),
        ({"test_size": "0.2"}, TypeError, "test_size"),
        ({"test_size": 0.95}, ValueError, "both must be non-empty"),
        ({"stratify": np.arange(10)}, ValueError, "only 1 sample"),
        ({"stratify": np.zeros(9)}, ValueError, "1-d array of 10 labels"),
        ({"stratify": np.repeat([0, 1], 5), "shuffle": False}, ValueError, "shuffle=True"),
        ({"stratify": np.repeat([0, 1, 2, 3, 4], 2), "test_size": 0.2}, ValueError, "at least 5"),
        ({"seed": -3}, ValueError, "seed"),
    ],
)
def test_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        train_test_split(np.arange(10), **kwargs)


def test_array_errors():
    with pytest.raises(ValueError, match=r"same length; got lengths \[3, 4\]"):
        train_test_split(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()
