"""Property tests: Conv2d and pooling agree with direct loops on random shapes, strides,
paddings and memory layouts; training steps do not accumulate memory."""
import gc
import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from test_nn_forward import conv2d_loop, pool_loop

conv_cases = st.fixed_dictionaries({
    "n": st.integers(1, 2), "c": st.integers(1, 3), "o": st.integers(1, 3),
    "h": st.integers(3, 7), "w": st.integers(3, 7),
    "kh": st.integers(1, 3), "kw": st.integers(1, 3),
    "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "ph": st.integers(0, 1), "pw": st.integers(0, 1),
    "channels_last": st.booleans(), "seed": st.integers(0, 2 ** 16)})


def _input(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["h"], case["w"], case["c"]))
    x = x.transpose(0, 3, 1, 2)  # NCHW view of NHWC memory: not contiguous
    return (x if case["channels_last"] else np.ascontiguousarray(x)), rng


@settings(max_examples=40, deadline=None)
@given(conv_cases)
def test_conv2d_forward_and_backward_match_loops(case):
    x, rng = _input(case)
    w = rng.standard_normal((case["o"], case["c"], case["kh"], case["kw"]))
    b = rng.standard_normal(case["o"])
    stride, padding = (case["sh"], case["sw"]), (case["ph"], case["pw"])
    xt = mg.Tensor(x, requires_grad=True)  # no copy: keeps the layout
    wt = mg.tensor(w, dtype=mg.float64, requires_grad=True)
    y = F.conv2d(xt, wt, mg.tensor(b, dtype=mg.float64), stride=stride, padding=padding)
    np.testing.assert_allclose(y.detach().numpy(), conv2d_loop(x, w, b, stride, padding), atol=1e-12)
    # backward against the adjoint identity <g, conv(x)> = <x, dx> + ... checked by loops:
    g = rng.standard_normal(y.shape)
    y.backward(g)
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    dxp = np.zeros_like(xp)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            r, c = i * stride[0], j * stride[1]
            patch = xp[:, :, r:r + w.shape[2], c:c + w.shape[3]]
            dw += np.einsum("no,nckl->ockl", g[:, :, i, j], patch)
            dxp[:, :, r:r + w.shape[2], c:c + w.shape[3]] += np.einsum("no,ockl->nckl", g[:, :, i, j], w)
    dx = dxp[:, :, padding[0]:padding[0] + x.shape[2], padding[1]:padding[1] + x.shape[3]]
    np.testing.assert_allclose(wt.grad.numpy(), dw, atol=1e-10)
    np.testing.assert_allclose(xt.grad.numpy(), dx, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(conv_cases)
def test_pooling_matches_loops(case):
    x, _ = _input(case)
    kernel = (case["kh"] + 1, case["kw"] + 1)
    stride = (case["sh"], case["sw"])
    padding = (min(case["ph"], kernel[0] // 2), min(case["pw"], kernel[1] // 2))
    if any((s + 2 * p - k) < 0 for s, k, p in zip(x.shape[2:], kernel, padding)):
        return
    xt = mg.Tensor(x, requires_grad=True)
    out = F.max_pool2d(xt, kernel, stride, padding)
    np.testing.assert_array_equal(out.detach().numpy(), pool_loop(x, kernel, stride, padding, np.max, -np.inf))
    # the gradient of the sum counts how many windows each element is the maximum of,
    # and comes back in the input's memory layout
    out.sum().backward()
    big = [i for i, size in enumerate(x.shape) if size > 1]  # size-1 strides are arbitrary
    assert [xt.grad.numpy().strides[i] for i in big] == [x.strides[i] for i in big]
    assert xt.grad.numpy().sum() == out.detach().numpy().size
    np.testing.assert_allclose(F.avg_pool2d(xt, kernel, stride, padding).data,
                               pool_loop(x, kernel, stride, padding, np.mean, 0.0), atol=1e-12)


def test_training_steps_keep_memory_flat():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3))
    x, y = mg.randn(8, 1, 4, 4), mg.tensor(np.arange(8) % 3)

    def step():
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p.data -= 0.01 * p.grad.numpy()

    for _ in range(20):
        step()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            step()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 300 steps"
