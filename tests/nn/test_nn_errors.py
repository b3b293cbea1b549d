"""Argument errors name the function, the argument and what is allowed."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

X = mg.randn(4, 3)
CLS = mg.tensor(np.array([0, 1, 2, 0]))


@pytest.mark.parametrize("fn,args", [
    (F.mse_loss, (X, mg.randn(4, 3))), (F.l1_loss, (X, mg.randn(4, 3))),
    (F.huber_loss, (X, mg.randn(4, 3))), (F.cross_entropy, (X, CLS)), (F.nll_loss, (X, CLS)),
    (F.binary_cross_entropy, (mg.rand(4, 3), mg.rand(4, 3))),
    (F.binary_cross_entropy_with_logits, (X, mg.rand(4, 3)))])
def test_bad_reduction_names_allowed_values(fn, args):
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\), got 'avg'"):
        fn(*args, reduction="avg")


def test_loss_module_validates_reduction():
    with pytest.raises(ValueError, match="MSELoss: reduction"):
        nn.MSELoss(reduction="total")


def test_shape_mismatch():
    with pytest.raises(ValueError, match=r"mse_loss: target shape \(4,\) must equal input shape \(4, 3\)"):
        F.mse_loss(X, mg.randn(4))


def test_cross_entropy_target_errors():
    with pytest.raises(IndexError, match=r"target values must be class indices in \[0, 3\).*\[3\]"):
        F.cross_entropy(X, mg.tensor(np.array([0, 1, 3, 0])))
    with pytest.raises(ValueError, match=r"class-index target must have shape \(4,\)"):
        F.cross_entropy(X, mg.tensor(np.array([0, 1])))
    with pytest.raises(ValueError, match="probabilities and must have the input's shape"):
        F.cross_entropy(X, mg.rand(4))
    with pytest.raises(ValueError, match="label_smoothing must be a float in \\[0, 1\\]"):
        F.cross_entropy(X, CLS, label_smoothing=1.5)
    with pytest.raises(TypeError, match="input must be a floating-point tensor"):
        F.cross_entropy(CLS, CLS)
    with pytest.raises(TypeError, match="nll_loss: target must be an integer tensor"):
        F.nll_loss(X, mg.rand(4))


def test_binary_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        F.binary_cross_entropy(X, mg.rand(4, 3))
    with pytest.raises(TypeError, match="target must be a floating-point tensor"):
        F.binary_cross_entropy_with_logits(X, mg.tensor(np.ones((4, 3), dtype=np.int64)))
    with pytest.raises(ValueError, match="weight of shape \\(2,\\) does not broadcast"):
        F.binary_cross_entropy_with_logits(X, mg.rand(4, 3), weight=mg.ones(2))


def test_layer_input_errors():
    with pytest.raises(ValueError, match="linear: input of shape \\(4, 3\\)"):
        nn.Linear(5, 2)(X)
    with pytest.raises(ValueError, match="conv2d: input has 3 channels but weight expects 2"):
        nn.Conv2d(2, 4, 3)(mg.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match="conv2d: input must be 4-d"):
        nn.Conv2d(2, 4, 3)(mg.randn(5, 5))
    with pytest.raises(ValueError, match="does not fit the input's spatial size"):
        nn.Conv2d(1, 1, 5)(mg.randn(1, 1, 3, 3))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        nn.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        nn.Conv2d(1, 1, (1, 2, 3))
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 2, 2), padding="same")
    with pytest.raises(ValueError, match="padding \\(2, 2\\) must be at most half"):
        nn.MaxPool2d(2, padding=2)(mg.randn(1, 1, 4, 4))
    with pytest.raises(ValueError, match="BatchNorm2d: expected 4-d input"):
        nn.BatchNorm2d(3)(X)
    with pytest.raises(ValueError, match="input has 3 channels \\(dim 1\\) but num_features=2"):
        nn.BatchNorm1d(2)(X)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(mg.randn(1, 3))
    with pytest.raises(ValueError, match="does not end in normalized_shape \\(4,\\)"):
        nn.LayerNorm(4)(X)
    with pytest.raises(IndexError, match=r"embedding: index out of range.*\[0, 5\).*\[7\]"):
        nn.Embedding(5, 2)(mg.tensor(np.array([1, 7])))
    with pytest.raises(TypeError, match="embedding: indices must be an integer tensor"):
        nn.Embedding(5, 2)(mg.rand(2))
    with pytest.raises(ValueError, match="Dropout: p must be a probability"):
        nn.Dropout(1.5)


def test_failed_batchnorm_call_does_not_count_a_batch():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError):
        bn(mg.randn(1, 3))
    assert int(bn.num_batches_tracked.detach().numpy()) == 0 and np.all(bn.running_mean.detach().numpy() == 0)


@pytest.mark.parametrize("make", [lambda s: nn.LeakyReLU(s)(X), lambda s: F.leaky_relu(X, s),
                                  lambda s: mg.leaky_relu(X, s)])
def test_leaky_relu_slope_must_be_a_number(make):
    with pytest.raises(TypeError, match="leaky_relu: negative_slope must be a number, got str"):
        make("x")
    assert make(np.float32(0.5)).shape == X.shape and make(2).shape == X.shape
