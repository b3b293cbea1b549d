"""load_digits: read from scikit-learn's bundled copy, never downloaded."""

import socket
import sys

import numpy as np
import pytest

from minigrad import datasets


def test_digits_shapes_classes_and_values(monkeypatch):
    pytest.importorskip("sklearn")

    def refuse(*args, **kwargs):
        raise AssertionError("load_digits tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(10))
    assert np.bincount(y).min() >= 170
    assert X.min() == 0 and X.max() == 16
    images, y2 = datasets.load_digits(flatten=False)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y, y2)


def test_digits_without_scikit_learn_says_how_to_install(monkeypatch):
    # A None entry in sys.modules makes `import sklearn...` raise ImportError.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install "minigrad\[datasets\]"'):
        datasets.load_digits()
