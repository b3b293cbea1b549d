"""Activations, losses and distances without torch: float64 gradcheck and gradgradcheck
(the second order runs the derivative written in Tensor ops), closed-form values, and the
errors for bad arguments."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

RNG = np.random.default_rng(3)


def t(*shape, scale=1.0, shift=0.0, requires_grad=True):
    return mg.tensor(RNG.standard_normal(shape) * scale + shift, dtype=mg.float64,
                     requires_grad=requires_grad)


def away_from(x, points, gap=1e-3):
    """``x`` nudged so that no element is within ``gap`` of a kink."""
    for p in points:
        near = np.abs(x._data - p) < gap
        x._data[near] += 2 * gap
    return x


ACTIVATIONS = [
    (F.silu, {}, []), (F.mish, {}, []), (F.elu, {"alpha": 0.7}, [0]), (F.selu, {}, [0]),
    (F.celu, {"alpha": 1.5}, [0]), (F.hardtanh, {"min_val": -0.5, "max_val": 1.0}, [-0.5, 1]),
    (F.relu6, {}, [0, 6]), (F.hardswish, {}, [-3, 3]), (F.hardsigmoid, {}, [-3, 3]),
    (F.softsign, {}, [0]), (F.logsigmoid, {}, []), (F.tanhshrink, {}, []),
    (F.softshrink, {"lambd": 0.4}, [-0.4, 0.4]), (F.hardshrink, {"lambd": 0.4}, [-0.4, 0.4]),
    (F.threshold, {"threshold": 0.2, "value": 1.5}, [0.2]),
]


@pytest.mark.parametrize("fn,kw,kinks", ACTIVATIONS, ids=lambda v: getattr(v, "__name__", ""))
def test_activation_gradcheck(fn, kw, kinks):
    x = away_from(t(4, 5, scale=3.0), kinks)
    assert mg.gradcheck(lambda x: fn(x, **kw), (x,))
    assert mg.gradgradcheck(lambda x: fn(x, **kw), (x,))


def test_activation_values_closed_form():
    x = np.array([-4.0, -3.0, -1.0, 0.0, 0.5, 3.0, 7.0])
    T = mg.tensor(x, dtype=mg.float64)
    cases = {
        "silu": x / (1 + np.exp(-x)),
        "mish": x * np.tanh(np.log1p(np.exp(x))),
        "elu": np.where(x > 0, x, np.exp(x) - 1),
        "relu6": np.clip(x, 0, 6),
        "hardswish": x * np.clip(x + 3, 0, 6) / 6,
        "hardsigmoid": np.clip(x + 3, 0, 6) / 6,
        "softsign": x / (1 + np.abs(x)),
        "logsigmoid": np.log(1 / (1 + np.exp(-x))),
        "tanhshrink": x - np.tanh(x),
        "softshrink": np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
        "hardshrink": np.where(np.abs(x) > 0.5, x, 0),
    }
    for name, ref in cases.items():
        np.testing.assert_allclose(getattr(F, name)(T).numpy(), ref, rtol=1e-12, atol=1e-15,
                                   err_msg=name)
    selu = 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))
    np.testing.assert_allclose(F.selu(T).numpy(), selu, rtol=1e-12)
    assert F.logsigmoid(mg.tensor([-1000.0], dtype=mg.float64)).item() == -1000.0  # no overflow


def test_prelu_glu_softmin_gradcheck():
    x, w = away_from(t(3, 4, 2), [0]), t(4)
    assert mg.gradcheck(F.prelu, (x, w))
    assert mg.gradgradcheck(F.prelu, (x, w))
    assert mg.gradcheck(F.prelu, (away_from(t(5), [0]), t(1)))
    g = t(3, 4, 2)
    assert mg.gradcheck(lambda a: F.glu(a, 1), (g,))
    assert mg.gradgradcheck(lambda a: F.glu(a, 1), (g,))
    assert mg.gradcheck(lambda a: F.softmin(a, 1), (t(3, 4),))


def test_prelu_module_learns_its_slope():
    m = nn.PReLU(init=0.25).double()
    assert m.weight.numpy(force=True).tolist() == [0.25]
    x = mg.tensor([-2.0, 1.0], dtype=mg.float64)
    m(x).sum().backward()
    assert m.weight.grad.numpy().tolist() == [-2.0]  # d/dw sum(w x) over x <= 0


LOSSES = [
    (F.mse_loss, lambda: (t(4, 3), t(4, 3)), {}),
    (F.l1_loss, lambda: (t(4, 3), t(4, 3)), {}),
    (F.huber_loss, lambda: (t(4, 3, scale=2), t(4, 3)), {"delta": 0.6}),
    (F.smooth_l1_loss, lambda: (t(4, 3, scale=2), t(4, 3)), {"beta": 0.6}),
    (F.kl_div, lambda: (t(3, 4), mg.tensor(RNG.dirichlet(np.ones(4), 3), requires_grad=True)),
     {"reduction": "batchmean"}),
    (F.kl_div, lambda: (t(3, 4), t(3, 4)), {"log_target": True, "reduction": "sum"}),
    (F.poisson_nll_loss, lambda: (t(4, 3), mg.tensor(RNG.poisson(3.0, (4, 3)) * 1.0)),
     {"full": True}),
    (F.gaussian_nll_loss, lambda: (t(4, 3), t(4, 3), t(4, 1, shift=3)), {}),
    (F.soft_margin_loss, lambda: (t(4, 3), mg.tensor(np.sign(RNG.standard_normal((4, 3))))), {}),
    (F.multilabel_soft_margin_loss,
     lambda: (t(4, 3), mg.tensor((RNG.random((4, 3)) < 0.5) * 1.0)), {}),
    (F.multi_margin_loss, lambda: (t(4, 5), mg.tensor(RNG.integers(0, 5, 4))), {"p": 2}),
    (F.cosine_embedding_loss, lambda: (t(4, 3), t(4, 3), mg.tensor([1.0, -1, -1, 1])),
     {"margin": -0.5}),
    (F.margin_ranking_loss, lambda: (t(5), t(5), mg.tensor([1.0, -1, 1, 1, -1])),
     {"margin": 0.1}),
    (F.hinge_embedding_loss, lambda: (t(5, shift=0.3), mg.tensor([1.0, -1, 1, -1, -1])),
     {"margin": 2.0}),
    (F.triplet_margin_loss, lambda: (t(4, 3), t(4, 3), t(4, 3)), {"swap": True, "margin": 3.0}),
    (F.cross_entropy, lambda: (t(4, 3), mg.tensor([0, 2, 1, 2])),
     {"weight": mg.tensor([0.5, 2.0, 1.0], dtype=mg.float64), "label_smoothing": 0.1}),
    (F.nll_loss, lambda: (t(4, 3), mg.tensor([0, 2, 1, 2])),
     {"weight": mg.tensor([0.5, 2.0, 1.0], dtype=mg.float64)}),
    (F.binary_cross_entropy_with_logits, lambda: (t(4, 3), mg.tensor(RNG.random((4, 3)))),
     {"pos_weight": mg.tensor([1.0, 3.0, 0.5], dtype=mg.float64)}),
]


@pytest.mark.parametrize("fn,make,kw", LOSSES, ids=lambda v: getattr(v, "__name__", ""))
def test_loss_gradcheck(fn, make, kw):
    args = make()
    assert mg.gradcheck(lambda *a: fn(*a, **kw), args)
    assert mg.gradgradcheck(lambda *a: fn(*a, **kw), args)


def test_distances_gradcheck():
    a, b = t(3, 4), t(3, 4)
    for p in (1.5, 2.0, 3.0):
        assert mg.gradcheck(lambda x, y: F.pairwise_distance(x, y, p=p), (a, b))
        assert mg.gradgradcheck(lambda x, y: F.pairwise_distance(x, y, p=p), (a, b))
    assert mg.gradcheck(lambda x, y: F.cosine_similarity(x, y, dim=1), (a, b))
    assert mg.gradgradcheck(lambda x, y: F.cosine_similarity(x, y, dim=1), (a, b))
    assert mg.gradcheck(lambda x: F.normalize(x, dim=0), (a,))


def test_norm_gradient_at_zero_is_zero():
    x = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    F.normalize(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    y = mg.tensor(np.zeros(3), requires_grad=True)
    F.pairwise_distance(y, y, eps=0.0).sum().backward()
    assert np.all(y.grad.numpy() == 0)


def test_smooth_l1_and_huber_relation():
    x, y = t(50, scale=2, requires_grad=False), t(50, requires_grad=False)
    beta = 0.7
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=beta).item(),
                               F.huber_loss(x, y, delta=beta).item() / beta, rtol=1e-12)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=0.0).item(), F.l1_loss(x, y).item())


def test_one_hot_values_and_errors():
    out = F.one_hot(mg.tensor([2, 0, 1]), 4)
    np.testing.assert_array_equal(out.numpy(), np.eye(4, dtype=np.int64)[[2, 0, 1]])
    assert F.one_hot(mg.tensor([[1], [3]])).shape == (2, 1, 4)
    with pytest.raises(ValueError, match="Class values must be non-negative"):
        F.one_hot(mg.tensor([1, -1]))
    with pytest.raises(ValueError, match="Class values must be smaller than num_classes"):
        F.one_hot(mg.tensor([1, 5]), 3)
    with pytest.raises(TypeError, match="integer type"):
        F.one_hot(mg.tensor([1.0, 2.0]))


@pytest.mark.parametrize("call,error,match", [
    (lambda: F.hardtanh(t(3), 1.0, -1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda: F.softshrink(t(3), -1.0), ValueError, "lambd must be >= 0"),
    (lambda: F.celu(t(3), 0.0), ValueError, "alpha cannot be 0"),
    (lambda: F.glu(t(3, 5)), RuntimeError, "Halving dimension must be even, but dimension 1 is "
                                           "size 5"),
    (lambda: F.prelu(t(3, 5), t(3)), ValueError, "parameter numbers = 3 and channel size = 5"),
    (lambda: F.prelu(t(3), t(3)), ValueError, "parameter numbers = 3 and channel size = 1"),
    (lambda: F.silu(mg.tensor([1, 2])), TypeError, "silu: input must be a floating-point"),
    (lambda: F.smooth_l1_loss(t(3), t(3), beta=-1), ValueError, "beta must be >= 0"),
    (lambda: F.huber_loss(t(3), t(3), delta=0), ValueError, "delta must be > 0"),
    (lambda: F.mse_loss(t(3), t(3), reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: F.mse_loss(t(3), t(3), weight=t(2)), ValueError, "Weights and input must have the "
                                                             "same size"),
    (lambda: F.l1_loss(t(3, 2), t(2)), ValueError, "must equal input shape"),
    (lambda: F.kl_div(t(3), t(3), reduction="batch"), ValueError, "'batchmean'"),
    (lambda: F.multi_margin_loss(t(3, 4), mg.tensor([0, 1, 2]), p=3), ValueError,
     "only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(t(3, 4), mg.tensor([0, 1, 4])), IndexError,
     "class indices in \\[0, 4\\), got \\[4\\]"),
    (lambda: F.cosine_embedding_loss(t(3, 2), t(3, 2), mg.tensor([1.0, 0.0, -1.0])), ValueError,
     "target values must be 1 or -1, got \\[0.0\\]"),
    (lambda: F.cosine_embedding_loss(t(3, 2), t(3, 2), mg.tensor([1.0, -1.0])), ValueError,
     "expected inputs \\(N, D\\) with target \\(N,\\)"),
    (lambda: F.margin_ranking_loss(t(3), t(3), mg.tensor([1.0, -1.0])), ValueError,
     "All input tensors should have the same shape"),
    (lambda: F.triplet_margin_loss(t(3, 2), t(3, 2), t(2)), ValueError,
     "same number of dimensions, but got: anchor 2D, positive 2D, and negative 1D"),
    (lambda: F.triplet_margin_loss(t(3, 2), t(3, 2), t(3, 2), margin=0), ValueError,
     "margin must be greater than 0"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), mg.tensor(np.ones((2, 4)))), ValueError,
     "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(t(3, 4), t(3, 4), -1.0), ValueError,
     "var has negative entry/entries"),
    (lambda: F.cross_entropy(t(3, 4), mg.tensor([0, 1, 2]), weight=mg.ones(3)), ValueError,
     "weight must have one entry per class, shape \\(4,\\)"),
    (lambda: F.normalize(t(3), p=0), ValueError, "p must be a positive number"),
    (lambda: F.cosine_similarity(t(3, 2), t(4, 2)), ValueError, "cannot be broadcast"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_kl_div_mean_warns_and_batchmean_is_sum_over_batch():
    x = mg.tensor(np.log(RNG.dirichlet(np.ones(4), 3)))
    p = mg.tensor(RNG.dirichlet(np.ones(4), 3))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = F.kl_div(x, p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batchmean = F.kl_div(x, p, reduction="batchmean")
    ref = (p.numpy() * (np.log(p.numpy()) - x.numpy())).sum()
    np.testing.assert_allclose(batchmean.item(), ref / 3, rtol=1e-6)
    np.testing.assert_allclose(mean.item(), ref / 12, rtol=1e-6)


def test_gaussian_nll_clamps_value_not_gradient():
    x, y = mg.tensor([1.0], dtype=mg.float64), mg.tensor([0.0], dtype=mg.float64)
    var = mg.tensor([0.0], dtype=mg.float64, requires_grad=True)
    loss = F.gaussian_nll_loss(x, y, var, eps=0.5)
    np.testing.assert_allclose(loss.item(), 0.5 * (math.log(0.5) + 1 / 0.5))
    loss.backward()
    np.testing.assert_allclose(var.grad.item(), 0.5 * (1 / 0.5 - 1 / 0.25))

