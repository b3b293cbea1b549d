"""Every layer and loss passes gradcheck in float64 (and gradgradcheck for the fused ops,
whose backwards are hand-written). Shapes are tiny: gradcheck perturbs every element."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F


def t(*shape, seed=0, scale=1.0, requires_grad=True):
    rng = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    return mg.tensor(rng.standard_normal(shape) * scale, dtype=mg.float64,
                     requires_grad=requires_grad)


def module_check(module, x, eps=1e-6):
    """gradcheck of a module w.r.t. its input and all its parameters."""
    module.double()
    params = list(module.parameters())

    def f(x, *ps):
        return module(x)

    assert mg.gradcheck(f, (x, *params), eps=eps)


# ----- layers -----------------------------------------------------------------------------
def test_linear():
    mg.manual_seed(0)
    module_check(nn.Linear(3, 2), t(4, 3))


def test_linear_batched_3d_input():
    mg.manual_seed(0)
    module_check(nn.Linear(3, 2), t(2, 2, 3))


def test_linear_no_bias_and_1d_input():
    mg.manual_seed(0)
    module_check(nn.Linear(3, 2, bias=False), t(3))


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1), ((2, 1), (0, 1)), (3, 2)])
def test_conv2d_stride_padding(stride, padding):
    mg.manual_seed(0)
    module_check(nn.Conv2d(2, 3, (3, 2), stride=stride, padding=padding), t(2, 2, 5, 4))


def test_conv2d_no_bias_unbatched():
    mg.manual_seed(0)
    module_check(nn.Conv2d(2, 2, 2, bias=False), t(2, 3, 3))


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1)])
def test_conv2d_gradgradcheck(stride, padding):
    x, w, b = t(1, 2, 4, 4), t(2, 2, 3, 3, seed=1), t(2, seed=2)
    f = lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding)  # noqa: E731
    assert mg.gradgradcheck(f, (x, w, b))


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 0))])
def test_max_pool2d(kernel, stride, padding):
    # distinct values so the argmax is not on a tie (where the max is not differentiable)
    x = mg.tensor(np.random.default_rng(0).permutation(2 * 2 * 5 * 5).reshape(2, 2, 5, 5) / 10.0,
                  dtype=mg.float64, requires_grad=True)
    module_check(nn.MaxPool2d(kernel, stride, padding), x, eps=1e-4)


def test_max_pool2d_gradgradcheck():
    x = mg.tensor(np.random.default_rng(1).permutation(16).reshape(1, 1, 4, 4) / 10.0,
                  dtype=mg.float64, requires_grad=True)
    assert mg.gradgradcheck(lambda x: F.max_pool2d(x, 2, 1), (x,), eps=1e-4)


@pytest.mark.parametrize("kernel,stride,padding,include", [
    (2, None, 0, True), (3, 2, 1, True), (3, 2, 1, False), ((2, 3), (1, 2), (1, 1), True)])
def test_avg_pool2d(kernel, stride, padding, include):
    module_check(nn.AvgPool2d(kernel, stride, padding, count_include_pad=include), t(2, 2, 5, 5))


def test_avg_pool2d_gradgradcheck():
    assert mg.gradgradcheck(lambda x: F.avg_pool2d(x, 2, 1, 1), (t(1, 1, 3, 3),))


def test_batchnorm1d_train():
    mg.manual_seed(0)
    bn = nn.BatchNorm1d(3)
    bn.weight.detach().numpy()[:] = [0.5, 1.5, -1.0]
    bn.bias.detach().numpy()[:] = [0.1, -0.2, 0.3]
    module_check(bn, t(5, 3))


def test_batchnorm1d_train_3d_input():
    module_check(nn.BatchNorm1d(2), t(3, 2, 4))


def test_batchnorm2d_train():
    bn = nn.BatchNorm2d(2)
    bn.weight.detach().numpy()[:] = [0.5, 2.0]
    module_check(bn, t(2, 2, 3, 3))


def test_batchnorm2d_eval():
    bn = nn.BatchNorm2d(2)
    bn.running_mean.detach().numpy()[:] = [0.3, -0.1]
    bn.running_var.detach().numpy()[:] = [2.0, 0.5]
    module_check(bn.eval(), t(2, 2, 2, 2))


def test_batchnorm_gradgradcheck():
    w, b = t(3, seed=3), t(3, seed=4)
    f = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert mg.gradgradcheck(f, (t(4, 3), w, b))


@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_layernorm(shape):
    ln = nn.LayerNorm(shape)
    rng = np.random.default_rng(5)
    ln.weight.detach().numpy()[...] = rng.standard_normal(shape)
    ln.bias.detach().numpy()[...] = rng.standard_normal(shape)
    module_check(ln, t(2, 2, 3))


def test_embedding_repeated_indices():
    mg.manual_seed(0)
    emb = nn.Embedding(5, 3).double()
    idx = mg.tensor(np.array([[1, 1, 4], [1, 0, 4]]))
    assert mg.gradcheck(lambda w: F.embedding(idx, w), (emb.weight,))
    # the repeated row accumulates: row 1 appears three times
    emb.weight.grad = None
    emb(idx).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [1, 3, 0, 0, 2])


def test_embedding_padding_idx_gets_no_gradient():
    emb = nn.Embedding(4, 2, padding_idx=0)
    assert np.all(emb.weight.detach().numpy()[0] == 0)
    emb(mg.tensor(np.array([0, 2, 0]))).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy(), [[0, 0], [0, 0], [1, 1], [0, 0]])


def test_dropout_train_gradcheck():
    # the mask is redrawn per call, so fix the seed inside the function
    def f(x):
        mg.manual_seed(3)
        return F.dropout(x, 0.4, training=True)

    assert mg.gradcheck(f, (t(4, 5),))


@pytest.mark.parametrize("module", [
    nn.ReLU(), nn.LeakyReLU(0.2), nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.GELU("tanh"),
    nn.Softplus(), nn.Softmax(dim=1), nn.LogSoftmax(dim=0), nn.Flatten(), nn.Identity()])
def test_activations_and_shape_modules(module):
    module_check(module, t(3, 4, 2))


# ----- losses -----------------------------------------------------------------------------
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_losses(loss, reduction):
    x, y = t(3, 4), t(3, 4, seed=1)
    fn = getattr(F, loss)
    assert mg.gradcheck(lambda x, y: fn(x, y, reduction=reduction), (x, y))


def test_huber_both_branches_and_delta():
    x = mg.tensor(np.array([-3.0, -0.4, 0.2, 2.5]), dtype=mg.float64, requires_grad=True)
    y = mg.tensor(np.zeros(4), dtype=mg.float64)
    assert mg.gradcheck(lambda x: F.huber_loss(x, y, delta=0.5), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy(reduction, smoothing):
    x = t(4, 3)
    y = mg.tensor(np.array([0, 2, 1, 2]))
    f = lambda x: F.cross_entropy(x, y, reduction=reduction, label_smoothing=smoothing)  # noqa: E731
    assert mg.gradcheck(f, (x,))
    assert mg.gradgradcheck(f, (x,))


def test_cross_entropy_ignore_index_and_spatial():
    x = t(2, 3, 2, 2)
    y = mg.tensor(np.array([[[0, 2], [1, -100]], [[2, 2], [-100, 0]]]))
    for reduction in REDUCTIONS:
        f = lambda x: F.cross_entropy(x, y, reduction=reduction, label_smoothing=0.1)  # noqa: E731
        assert mg.gradcheck(f, (x,))


def test_cross_entropy_probability_targets():
    x = t(3, 4)
    p = mg.tensor(np.random.default_rng(2).dirichlet(np.ones(4), size=3), dtype=mg.float64,
                  requires_grad=True)
    for reduction in REDUCTIONS:
        f = lambda x, p: F.cross_entropy(x, p, reduction=reduction, label_smoothing=0.1)  # noqa: E731
        assert mg.gradcheck(f, (x, p))
        assert mg.gradgradcheck(f, (x, p))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    x = t(4, 3)
    y = mg.tensor(np.array([0, 2, -100, 2]))
    assert mg.gradcheck(lambda x: F.nll_loss(x.log_softmax(1), y, reduction=reduction), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.uniform(0.1, 0.9, (3, 2)), dtype=mg.float64, requires_grad=True)
    y = mg.tensor(rng.uniform(0, 1, (3, 2)), dtype=mg.float64, requires_grad=True)
    w = mg.tensor(rng.uniform(0.5, 2, (2,)), dtype=mg.float64)
    f = lambda x, y: F.binary_cross_entropy(x, y, weight=w, reduction=reduction)  # noqa: E731
    assert mg.gradcheck(f, (x, y))
    assert mg.gradgradcheck(f, (x, y))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x, y = t(3, 2, scale=3.0), t(3, 2, seed=1)
    f = lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction)  # noqa: E731
    assert mg.gradcheck(f, (x, y))
    assert mg.gradgradcheck(f, (x, y))


@pytest.mark.parametrize("module,target", [
    (nn.MSELoss(reduction="sum"), "float"), (nn.L1Loss(), "float"), (nn.HuberLoss(delta=0.7), "float"),
    (nn.CrossEntropyLoss(label_smoothing=0.1), "class"), (nn.NLLLoss(), "class"),
    (nn.BCEWithLogitsLoss(), "float")])
def test_loss_modules(module, target):
    x = t(3, 4)
    y = mg.tensor(np.array([1, 0, 3])) if target == "class" else t(3, 4, seed=1, requires_grad=False)
    assert mg.gradcheck(lambda x: module(x, y), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_unbatched(reduction):
    y = mg.tensor(np.array(2))
    f = lambda x: F.cross_entropy(x, y, reduction=reduction, label_smoothing=0.1)  # noqa: E731
    assert mg.gradcheck(f, (t(4),))
    assert mg.gradgradcheck(f, (t(4),))


def test_layer_norm_gradgradcheck():
    w, b = t(2, 3, seed=5), t(2, 3, seed=6)
    f = lambda x, w, b: F.layer_norm(x, (2, 3), w, b)  # noqa: E731
    assert mg.gradgradcheck(f, (t(2, 2, 3), w, b))
    assert mg.gradgradcheck(lambda x: F.layer_norm(x, 3), (t(2, 3),))


def test_batch_norm_without_affine_gradgradcheck():
    f = lambda x: F.batch_norm(x, None, None, training=True)  # noqa: E731
    assert mg.gradcheck(f, (t(3, 2, 2),))
    assert mg.gradgradcheck(f, (t(3, 2, 2),))


def test_max_pool2d_non_overlapping_gradgradcheck():
    x = mg.tensor(np.random.default_rng(2).permutation(36).reshape(1, 1, 6, 6) / 10.0,
                  dtype=mg.float64, requires_grad=True)
    assert mg.gradgradcheck(lambda x: F.max_pool2d(x, 2), (x,), eps=1e-4)


def test_conv_relu_pool_chain_gradcheck():
    # conv outputs are channels-last in memory; the chain mixes both layouts
    w, b = t(3, 2, 3, 3, seed=8), t(3, seed=9)
    f = lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, padding=1).relu(), 2)  # noqa: E731
    assert mg.gradcheck(f, (t(2, 2, 4, 4), w, b))


def test_embedding_gradgradcheck_and_empty_indices():
    idx = mg.tensor(np.array([[2, 0, 2], [1, 2, 2]]))
    w = t(4, 2)
    assert mg.gradgradcheck(lambda w: F.embedding(idx, w), (w,))
    out = F.embedding(mg.tensor(np.zeros((0,), dtype=np.int64)), w)
    assert out.shape == (0, 2)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((4, 2)))
