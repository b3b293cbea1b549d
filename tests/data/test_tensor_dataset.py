"""TensorDataset: construction checks and per-sample indexing."""

import numpy as np
import pytest

import minigrad
from minigrad.data import TensorDataset


def test_length_and_samples_from_arrays_and_tensors():
    X = minigrad.tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    y = np.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    assert isinstance(x3, minigrad.Tensor) and isinstance(y3, minigrad.Tensor)
    assert x3.detach().numpy().tolist() == [6.0, 7.0] and int(y3.detach().numpy()) == 3
    assert ds[-1][1].detach().numpy() == 5
    assert ds.tensors[0] is X and ds.tensors[1] is y


def test_length_mismatch_names_the_lengths():
    with pytest.raises(ValueError, match=r"same length.*\[5, 4\]"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


def test_needs_at_least_one_tensor():
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()


def test_scalars_are_rejected():
    with pytest.raises(ValueError, match=r"tensors\[1\] is a scalar"):
        TensorDataset(np.zeros(3), np.float32(1.0))


def test_index_out_of_range():
    ds = TensorDataset(np.zeros(3))
    with pytest.raises(IndexError, match="out of range for 3 samples"):
        ds[3]


def test_get_batch_keeps_dtypes_and_order():
    ds = TensorDataset(np.arange(5, dtype=np.float64), np.arange(5, dtype=np.int32))
    xb, yb = ds.get_batch(np.array([4, 0, 2]))
    assert xb.dtype == np.float64 and yb.dtype == np.int32
    assert xb.detach().numpy().tolist() == [4.0, 0.0, 2.0] and yb.detach().numpy().tolist() == [4, 0, 2]


def test_repr():
    assert repr(TensorDataset(np.zeros((3, 2)), np.zeros(3))) == "TensorDataset(3 samples; shapes (3, 2), (3,))"
