"""Initialisers: in place, seeded by minigrad.manual_seed, with PyTorch's fans and gains."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.nn import init


def test_fill_in_place_and_return_the_tensor():
    w = mg.zeros(3, 4, requires_grad=True)
    array = w.detach().numpy()
    for fn, args in [(init.uniform_, (-1, 1)), (init.normal_, ()), (init.constant_, (0.5,)),
                     (init.zeros_, ()), (init.ones_, ()), (init.xavier_uniform_, ()),
                     (init.xavier_normal_, ()), (init.kaiming_uniform_, ()),
                     (init.kaiming_normal_, ()), (init.trunc_normal_, ())]:
        assert fn(w, *args) is w
        assert w.detach().numpy() is array and w.grad is None and w.is_leaf
    init.constant_(w, 0.5)
    assert np.all(w.detach().numpy() == 0.5) and w.dtype == np.float32


def test_seeded_by_manual_seed():
    a, b = mg.zeros(10), mg.zeros(10)
    mg.manual_seed(3)
    init.normal_(a)
    mg.manual_seed(3)
    init.normal_(b)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_gains():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_distribution_bounds_and_spreads():
    mg.manual_seed(0)
    w = mg.zeros(200, 300)
    init.xavier_uniform_(w, gain=2.0)
    a = 2.0 * math.sqrt(6 / 500)
    assert np.abs(w.detach().numpy()).max() <= a and np.abs(w.detach().numpy()).max() > 0.95 * a
    init.xavier_normal_(w)
    assert w.detach().numpy().std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert w.detach().numpy().std() == pytest.approx(math.sqrt(2) / math.sqrt(200), rel=0.02)
    init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(w.detach().numpy()).max() <= bound and np.abs(w.detach().numpy()).max() > 0.95 * bound
    conv_w = mg.zeros(8, 4, 3, 3)
    init.kaiming_normal_(conv_w)  # fan_in = 4 * 9
    assert conv_w.detach().numpy().std() == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)) / 6, rel=0.1)
    init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
    assert np.abs(w.detach().numpy()).max() <= 0.5


def test_default_layer_inits_follow_pytorch():
    mg.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (lin.weight, lin.bias):
        assert np.abs(p.detach().numpy()).max() <= bound and np.abs(p.detach().numpy()).max() > 0.95 * bound
    conv = nn.Conv2d(4, 64, 3)
    bound = 1 / math.sqrt(4 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound and np.abs(conv.weight.detach().numpy()).max() > 0.9 * bound
    emb = nn.Embedding(1000, 50)
    assert emb.weight.detach().numpy().std() == pytest.approx(1.0, rel=0.03)
    bn = nn.BatchNorm2d(3)
    assert np.all(bn.weight.detach().numpy() == 1) and np.all(bn.bias.detach().numpy() == 0)


def test_errors():
    with pytest.raises(ValueError, match="at least 2 dims"):
        init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(ValueError, match="'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(mg.zeros(2, 2), mode="fan")
    with pytest.raises(TypeError, match="floating-point"):
        init.zeros_(mg.tensor([1, 2]))
    with pytest.raises(TypeError, match="Tensor"):
        init.ones_(np.zeros(2))
