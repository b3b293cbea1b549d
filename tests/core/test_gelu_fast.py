"""The float32 GELU fast path (PyTorch's erf approximation in a numba loop): values and
gradients against the exact float64 GELU and PyTorch, and gradients of gradients."""
import math

import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(11)


def exact(x):
    erf = np.vectorize(math.erf)
    cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return x * cdf, cdf + x * pdf


def test_float32_values_and_gradient_within_float32_rounding():
    x = (RNG.standard_normal(4000) * 4).astype(np.float32)
    x[:4] = [0.0, -0.0, 30.0, -30.0]
    t = mg.tensor(x, requires_grad=True)
    y = t.gelu()
    y.backward(mg.ones_like(y))
    value, slope = exact(x.astype(np.float64))
    np.testing.assert_allclose(y.detach().numpy(), value, atol=2e-6, rtol=2e-6)
    np.testing.assert_allclose(t.grad.numpy(), slope, atol=2e-6, rtol=2e-6)
    assert y.dtype == t.grad.dtype == np.float32


def test_float32_double_backward_runs_the_recorded_rule():
    x = RNG.standard_normal(50).astype(np.float32)
    t = mg.tensor(x, requires_grad=True)
    (g,) = mg.autograd.grad(t.gelu().sum(), t, create_graph=True)
    (gg,) = mg.autograd.grad(g.sum(), t)
    d = x.astype(np.float64)
    second = np.exp(-0.5 * d * d) / math.sqrt(2 * math.pi) * (2 - d * d)
    np.testing.assert_allclose(gg.numpy(), second, atol=1e-5)


def test_matches_torch_float32():
    torch = pytest.importorskip("torch")
    x = (RNG.standard_normal((64, 128)) * 3).astype(np.float32)
    g = RNG.standard_normal(x.shape).astype(np.float32)
    t = mg.tensor(x, requires_grad=True)
    t.gelu().backward(mg.tensor(g))
    tt = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.gelu(tt)
    out.backward(torch.tensor(g))
    np.testing.assert_allclose(mg.tensor(x).gelu().numpy(), out.detach().numpy(), atol=2e-6)
    np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), atol=1e-5, rtol=1e-5)
