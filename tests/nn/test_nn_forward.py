"""Forward values of layers and losses against independent numpy references (direct loops
for convolution and pooling, the textbook formulas for the norms and losses)."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

RNG = np.random.default_rng(42)


def arr(*shape):
    return RNG.standard_normal(shape)


def T(a, **kw):
    return mg.tensor(a, dtype=mg.float64, **kw)


# ----- reference implementations ----------------------------------------------------------
def conv2d_loop(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    oh, ow = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1
    y = np.zeros((n, o, oh, ow))
    for a in range(n):
        for k in range(o):
            for i in range(oh):
                for j in range(ow):
                    patch = xp[a, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    y[a, k, i, j] = np.sum(patch * w[k]) + (b[k] if b is not None else 0)
    return y


def pool_loop(x, kernel, stride, padding, reduce, fill, divisor=None):
    n, c, h, wd = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.full((n, c, h + 2 * ph, wd + 2 * pw), fill)
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    real = np.zeros(xp.shape[2:])
    real[ph:ph + h, pw:pw + wd] = 1
    oh, ow = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            v = reduce(win, axis=(2, 3))
            if divisor == "real":
                v = win.sum(axis=(2, 3)) / real[i * sh:i * sh + kh, j * sw:j * sw + kw].sum()
            y[:, :, i, j] = v
    return y


# ----- layers -----------------------------------------------------------------------------
def test_linear_matches_formula():
    mg.manual_seed(0)
    lin = nn.Linear(4, 3).double()
    x = arr(5, 4)
    np.testing.assert_allclose(lin(T(x)).data, x @ lin.weight.detach().numpy().T + lin.bias.detach().numpy())
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (3,)


@pytest.mark.parametrize("kernel,stride,padding", [
    (3, 1, 0), (3, 2, 1), ((2, 3), (2, 1), (1, 2)), (1, 1, 0), (4, 3, 2)])
def test_conv2d_matches_direct_loop(kernel, stride, padding):
    mg.manual_seed(1)
    conv = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding).double()
    x = arr(2, 3, 7, 6)
    ref = conv2d_loop(x, conv.weight.detach().numpy(), conv.bias.detach().numpy(), conv.stride, conv.padding)
    np.testing.assert_allclose(conv(T(x)).data, ref, rtol=1e-12, atol=1e-12)


def test_conv2d_without_bias_and_same_padding():
    w = arr(2, 3, 3, 3)
    x = arr(1, 3, 5, 5)
    y = F.conv2d(T(x), T(w), padding="same")
    assert y.shape == (1, 2, 5, 5)
    np.testing.assert_allclose(y.detach().numpy(), conv2d_loop(x, w, None, (1, 1), (1, 1)), atol=1e-12)


def test_conv2d_float32_output_dtype():
    conv = nn.Conv2d(1, 2, 3)
    y = conv(mg.randn(1, 1, 4, 4))
    assert y.dtype == np.float32 and conv.weight.dtype == np.float32


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1))])
def test_max_pool2d_matches_loop(kernel, stride, padding):
    x = arr(2, 3, 6, 7)
    k = F._pair(kernel, "", "", 1)
    s = k if stride is None else F._pair(stride, "", "", 1)
    ref = pool_loop(x, k, s, F._pair(padding, "", "", 0), np.max, -np.inf)
    np.testing.assert_array_equal(F.max_pool2d(T(x), kernel, stride, padding).data, ref)


def test_max_pool2d_gradient_goes_to_the_max_and_accumulates_on_overlap():
    x = T(np.array([[[[1.0, 5.0, 2.0], [0.0, 3.0, 4.0], [1.0, 1.0, 1.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()
    # 5 is the max of the two top windows, 4 of the bottom-right one, 3 of the bottom-left
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[0, 2, 0], [0, 1, 1], [0, 0, 0]])


@pytest.mark.parametrize("include", [True, False])
@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1))])
def test_avg_pool2d_matches_loop(kernel, stride, padding, include):
    x = arr(2, 3, 6, 7)
    k = F._pair(kernel, "", "", 1)
    s = k if stride is None else F._pair(stride, "", "", 1)
    ref = pool_loop(x, k, s, F._pair(padding, "", "", 0), np.mean, 0.0,
                    divisor=None if include else "real")
    out = F.avg_pool2d(T(x), kernel, stride, padding, count_include_pad=include)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)


def test_pooling_unbatched_input():
    x = arr(3, 4, 4)
    assert F.max_pool2d(T(x), 2).shape == (3, 2, 2)
    assert nn.AvgPool2d(2)(T(x)).shape == (3, 2, 2)


def bn_reference(x, w, b, eps, dims):
    mean = x.mean(axis=dims, keepdims=True)
    var = x.var(axis=dims, keepdims=True)
    shape = [1] * x.ndim
    shape[1] = -1
    return (x - mean) / np.sqrt(var + eps) * w.reshape(shape) + b.reshape(shape)


def test_batchnorm1d_train_and_running_stats():
    bn = nn.BatchNorm1d(3).double()
    bn.weight.detach().numpy()[:] = [1.0, 2.0, -0.5]
    bn.bias.detach().numpy()[:] = [0.0, 0.1, 0.2]
    x1, x2 = arr(8, 3) * 3 + 1, arr(8, 3) - 2
    np.testing.assert_allclose(bn(T(x1)).data, bn_reference(x1, bn.weight.detach().numpy(), bn.bias.detach().numpy(),
                                                             1e-5, (0,)), atol=1e-12)
    bn(T(x2))
    rm, rv = np.zeros(3), np.ones(3)
    for x in (x1, x2):
        rm = 0.9 * rm + 0.1 * x.mean(0)
        rv = 0.9 * rv + 0.1 * x.var(0, ddof=1)  # unbiased for the running variance
    np.testing.assert_allclose(bn.running_mean.detach().numpy(), rm, atol=1e-12)
    np.testing.assert_allclose(bn.running_var.detach().numpy(), rv, atol=1e-12)
    assert int(bn.num_batches_tracked.detach().numpy()) == 2
    # eval uses the running statistics
    bn.eval()
    x3 = arr(4, 3)
    ref = (x3 - rm) / np.sqrt(rv + 1e-5) * bn.weight.detach().numpy() + bn.bias.detach().numpy()
    np.testing.assert_allclose(bn(T(x3)).data, ref, atol=1e-12)
    assert int(bn.num_batches_tracked.detach().numpy()) == 2


def test_batchnorm2d_train_formula():
    bn = nn.BatchNorm2d(2, eps=1e-3).double()
    x = arr(3, 2, 4, 5) * 2
    ref = bn_reference(x, np.ones(2), np.zeros(2), 1e-3, (0, 2, 3))
    np.testing.assert_allclose(bn(T(x)).data, ref, atol=1e-12)
    n = 3 * 4 * 5
    np.testing.assert_allclose(bn.running_var.detach().numpy(),
                               0.9 + 0.1 * x.var(axis=(0, 2, 3)) * n / (n - 1), atol=1e-12)


def test_batchnorm_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    xs = [arr(5, 2) + i for i in range(3)]
    for x in xs:
        bn(T(x))
    np.testing.assert_allclose(bn.running_mean.detach().numpy(), np.mean([x.mean(0) for x in xs], axis=0))


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False).double().eval()
    x = arr(6, 2)
    np.testing.assert_allclose(bn(T(x)).data, bn_reference(x, np.ones(2), np.zeros(2), 1e-5, (0,)),
                               atol=1e-12)
    assert bn.running_mean is None and list(bn.parameters()) == []


def test_layernorm_formula():
    ln = nn.LayerNorm((3, 4)).double()
    ln.weight.detach().numpy()[...] = arr(3, 4)
    ln.bias.detach().numpy()[...] = arr(3, 4)
    x = arr(2, 3, 4) * 5
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    ref = (x - mean) / np.sqrt(var + 1e-5) * ln.weight.detach().numpy() + ln.bias.detach().numpy()
    np.testing.assert_allclose(ln(T(x)).data, ref, atol=1e-12)


def test_embedding_lookup():
    emb = nn.Embedding(6, 3)
    idx = np.array([[0, 5], [2, 2]])
    np.testing.assert_array_equal(emb(mg.tensor(idx)).data, emb.weight.detach().numpy()[idx])


def test_dropout_scaling_and_eval():
    mg.manual_seed(0)
    d = nn.Dropout(0.25)
    x = mg.ones(200, 100)
    y = d(x).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    assert abs(y.mean() - 1.0) < 0.02
    assert d.eval()(x) is x
    assert np.all(F.dropout(x, 1.0).data == 0)
    # reproducible with the global seed
    mg.manual_seed(5)
    a = d.train()(x).data
    mg.manual_seed(5)
    np.testing.assert_array_equal(a, d(x).data)


def test_activation_modules_match_functional():
    x = arr(3, 4)
    for m, ref in [(nn.ReLU(), np.maximum(x, 0)), (nn.Tanh(), np.tanh(x)),
                   (nn.Sigmoid(), 1 / (1 + np.exp(-x))),
                   (nn.LeakyReLU(0.1), np.where(x > 0, x, 0.1 * x)),
                   (nn.Softplus(), np.log1p(np.exp(x))),
                   (nn.Softmax(dim=1), np.exp(x) / np.exp(x).sum(1, keepdims=True)),
                   (nn.LogSoftmax(dim=1), x - np.log(np.exp(x).sum(1, keepdims=True))),
                   (nn.GELU(), x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2))))]:
        np.testing.assert_allclose(m(T(x)).data, ref, rtol=1e-10, atol=1e-12)


# ----- losses -----------------------------------------------------------------------------
def reduce(v, reduction):
    return {"mean": v.mean(), "sum": v.sum(), "none": v}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_values(reduction):
    x, y = arr(4, 3), arr(4, 3)
    d = x - y
    np.testing.assert_allclose(F.mse_loss(T(x), T(y), reduction=reduction).data, reduce(d ** 2, reduction))
    np.testing.assert_allclose(F.l1_loss(T(x), T(y), reduction=reduction).data, reduce(abs(d), reduction))
    hub = np.where(abs(d) < 0.8, 0.5 * d ** 2, 0.8 * (abs(d) - 0.4))
    np.testing.assert_allclose(F.huber_loss(T(x), T(y), reduction=reduction, delta=0.8).data,
                               reduce(hub, reduction))


def log_softmax_ref(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_cross_entropy_values(reduction, eps):
    x = arr(5, 4)
    y = np.array([0, 3, 1, 1, 2])
    lsm = log_softmax_ref(x)
    per = -(1 - eps) * lsm[np.arange(5), y] - eps * lsm.mean(axis=1)
    out = F.cross_entropy(T(x), mg.tensor(y), reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(out.detach().numpy(), reduce(per, reduction), rtol=1e-12)
    # nll of log_softmax is cross-entropy without smoothing
    if eps == 0:
        np.testing.assert_allclose(F.nll_loss(T(lsm), mg.tensor(y), reduction=reduction).data, out.detach().numpy())


def test_cross_entropy_ignore_index_mean_over_kept():
    x = arr(4, 3)
    y = np.array([2, -100, 0, -100])
    lsm = log_softmax_ref(x)
    ref = -(lsm[0, 2] + lsm[2, 0]) / 2
    np.testing.assert_allclose(F.cross_entropy(T(x), mg.tensor(y)).data, ref)
    np.testing.assert_allclose(F.nll_loss(T(lsm), mg.tensor(y)).data, ref)


def test_cross_entropy_unbatched_and_spatial():
    x = arr(4)
    np.testing.assert_allclose(F.cross_entropy(T(x), mg.tensor(np.array(2))).data,
                               -log_softmax_ref(x, 0)[2])
    x = arr(2, 3, 2, 2)
    y = RNG.integers(0, 3, (2, 2, 2))
    lsm = log_softmax_ref(x)
    ref = -np.take_along_axis(lsm, y[:, None], axis=1).mean()
    np.testing.assert_allclose(F.cross_entropy(T(x), mg.tensor(y)).data, ref)


def test_cross_entropy_probability_targets_value():
    x = arr(3, 4)
    p = RNG.dirichlet(np.ones(4), size=3)
    ref = -(p * log_softmax_ref(x)).sum(1).mean()
    np.testing.assert_allclose(F.cross_entropy(T(x), T(p)).data, ref)


def test_cross_entropy_huge_logits_finite():
    x = T(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]]), requires_grad=True)
    y = mg.tensor(np.array([1, 2]))
    loss = F.cross_entropy(x, y, label_smoothing=0.1)
    assert np.isfinite(loss.item())
    # lsm rows are [0, -2e4, -1e4] and [-2e4, -2e4, 0]: per-sample losses
    # 0.9 * 2e4 + 0.1 * 1e4 and 0.9 * 0 + 0.1 * 4e4 / 3
    np.testing.assert_allclose(loss.item(), (19000 + 4000 / 3) / 2, rtol=1e-12)
    loss.backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    x32 = mg.tensor(np.array([[1e4, -1e4, 0.0]], dtype=np.float32), requires_grad=True)
    l32 = F.cross_entropy(x32, mg.tensor(np.array([1])))
    l32.backward()
    assert np.isfinite(l32.item()) and np.all(np.isfinite(x32.grad.numpy()))
    assert l32.dtype == np.float32


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x = arr(3, 4)
    y = np.array([1, 0, 3])
    xt = T(x, requires_grad=True)
    F.cross_entropy(xt, mg.tensor(y)).backward()
    p = np.exp(log_softmax_ref(x))
    p[np.arange(3), y] -= 1
    np.testing.assert_allclose(xt.grad.numpy(), p / 3, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_losses_values(reduction):
    x = RNG.uniform(0.01, 0.99, (3, 4))
    y = RNG.integers(0, 2, (3, 4)).astype(float)
    bce = -(y * np.log(x) + (1 - y) * np.log(1 - x))
    np.testing.assert_allclose(F.binary_cross_entropy(T(x), T(y), reduction=reduction).data,
                               reduce(bce, reduction), rtol=1e-12)
    z = arr(3, 4) * 4
    s = 1 / (1 + np.exp(-z))
    ref = -(y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(T(z), T(y), reduction=reduction).data,
        reduce(ref, reduction), rtol=1e-9)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    x = T(np.array([0.0, 1.0, 0.0]), requires_grad=True)
    y = T(np.array([1.0, 0.0, 0.0]))
    loss = F.binary_cross_entropy(x, y, reduction="none")
    np.testing.assert_array_equal(loss.detach().numpy(), [100.0, 100.0, 0.0])
    loss.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_bce_with_logits_extreme_logits_finite():
    z = T(np.array([1e4, -1e4, 800.0, -800.0]), requires_grad=True)
    y = T(np.array([0.0, 1.0, 1.0, 0.0]))
    loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1e4, 1e4, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [1.0, -1.0, 0.0, 0.0])


def test_conv_and_pool_accept_non_contiguous_input():
    x = arr(2, 6, 5, 3)
    xt = T(x).permute(0, 3, 1, 2)  # (2, 3, 6, 5), not C-contiguous
    assert not xt.detach().numpy().flags["C_CONTIGUOUS"]
    w = arr(2, 3, 3, 3)
    ref = conv2d_loop(x.transpose(0, 3, 1, 2), w, None, (2, 2), (1, 1))
    np.testing.assert_allclose(F.conv2d(xt, T(w), stride=2, padding=1).data, ref, atol=1e-12)
    ref = pool_loop(x.transpose(0, 3, 1, 2), (2, 2), (2, 2), (0, 0), np.max, -np.inf)
    np.testing.assert_array_equal(F.max_pool2d(xt, 2).data, ref)


def test_max_pool2d_ties_go_to_the_first_maximum_and_nan_propagates():
    x = T(np.ones((1, 1, 4, 4)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)
    y = np.arange(16.0).reshape(1, 1, 4, 4)
    y[0, 0, 1, 0] = np.nan
    out = F.max_pool2d(T(y), 2).data[0, 0]
    assert np.isnan(out[0, 0]) and not np.isnan(out[1:, :]).any() and out[0, 1] == 7


def test_conv2d_frozen_weight_still_gives_input_gradient():
    conv = nn.Conv2d(2, 3, 3, padding=1).double().requires_grad_(False)
    x = T(arr(1, 2, 4, 4), requires_grad=True)
    assert mg.gradcheck(lambda x: conv(x), (x,))
    assert conv.weight.grad is None


def test_avg_pool_positional_arguments_follow_pytorch():
    x = T(np.arange(16.0).reshape(1, 1, 4, 4))
    # PyTorch's fourth argument is ceil_mode, the fifth count_include_pad
    a = nn.AvgPool2d(3, 1, 1, False, False)(x)
    b = F.avg_pool2d(x, 3, 1, 1, False, False)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
    np.testing.assert_allclose(a.detach().numpy()[0, 0, 0], [2.5, 3.0, 4.0, 4.5])
    with pytest.raises(ValueError, match="ceil_mode=True is not supported"):
        nn.AvgPool2d(2, 2, 0, True)


@pytest.mark.parametrize("kernel, stride, padding", [((2, 2), (2, 2), (0, 0)),
                                                     ((3, 3), (1, 1), (1, 1)),
                                                     ((3, 2), (2, 1), (1, 0))])
def test_max_pool_window_argmax_kernel_matches_numpy(kernel, stride, padding):
    from minigrad.nn import _pool_kernels
    from minigrad.nn._conv_op import pad_array, windows
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        x = rng.integers(0, 3, (3, 2, 7, 6)).astype(dtype)  # many ties
        x[0, 0, 1, 1] = x[1, 1, 3, 2] = x[2, 0, 3, 3] = np.nan
        xp = pad_array(x, padding, -np.inf)
        win = windows(xp, kernel, stride)
        ref = win.reshape(win.shape[:4] + (-1,)).argmax(axis=-1)
        if not _pool_kernels.available(xp):
            pytest.skip("numba's JIT is off: the numpy path is the only one")
        np.testing.assert_array_equal(
            _pool_kernels.window_argmax(xp, kernel, stride, ref.shape[2:]), ref)


def test_max_pool2d_float16_matches_a_reshape_max():
    # float16 cannot go through numba's window loop: numpy's argmax serves it
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 6)).astype(np.float16)
    t = mg.tensor(x, requires_grad=True)
    y = F.max_pool2d(t, 2)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y.detach().numpy(), x.reshape(2, 3, 2, 2, 3, 2).max(axis=(3, 5)))
    y.sum().backward()
    assert t.grad.dtype == np.float16 and t.grad.numpy().sum() == y.numel()
