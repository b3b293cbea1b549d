"""Top-level functions and method forms with PyTorch's full signatures: keyword arguments,
alpha=, rounding_mode=, dtype=, numpy's keepdims/axis spellings, numpy dispatch."""
import numpy as np
import pytest

import minigrad as mg

CALLS = [
    lambda t, x, y: t.add(input=x, other=y, alpha=2),
    lambda t, x, y: t.sub(x, y, alpha=0.5),
    lambda t, x, y: t.mul(x, other=3.0),
    lambda t, x, y: t.div(x, y + 3, rounding_mode="floor"),
    lambda t, x, y: t.div(x * 5, 2, rounding_mode="trunc"),
    lambda t, x, y: t.true_divide(x, 2),
    lambda t, x, y: t.floor_divide(x * 5, 2),
    lambda t, x, y: t.remainder(x * 5, 1.5),
    lambda t, x, y: t.fmod(x * 5, 1.5),
    lambda t, x, y: t.pow(2, x),
    lambda t, x, y: t.pow(input=x, exponent=2),
    lambda t, x, y: t.neg(input=x),
    lambda t, x, y: t.matmul(input=x, other=y.t()),
    lambda t, x, y: t.sum(x, dim=1, keepdims=True),
    lambda t, x, y: t.sum(input=x, axis=0),
    lambda t, x, y: x.sum(1, keepdims=True),
    lambda t, x, y: x.sum(dtype=t.float64),
    lambda t, x, y: t.mean(x, 1, True),
    lambda t, x, y: x.mean(dim=0, keepdims=True),
    lambda t, x, y: x.std(dim=1, keepdims=True),
    lambda t, x, y: x.var(1, unbiased=False),
    lambda t, x, y: t.max(x, dim=1, keepdims=True).values,
    lambda t, x, y: t.max(x, y),
    lambda t, x, y: x.argmax(dim=1, keepdims=True),
    lambda t, x, y: t.logsumexp(x, dim=1, keepdim=True),
    lambda t, x, y: t.softmax(x, dim=1, dtype=t.float64),
    lambda t, x, y: t.cat([x, y], axis=0),
    lambda t, x, y: t.concat((x, y), dim=1),
    lambda t, x, y: t.clamp(x, min=-0.5, max=0.5),
    lambda t, x, y: x.add(y, alpha=-1),
    lambda t, x, y: x.div(2, rounding_mode="floor"),
    lambda t, x, y: t.square(x),
    lambda t, x, y: t.absolute(x),
]


@pytest.mark.parametrize("i", range(len(CALLS)))
def test_keyword_forms_match_torch(i):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(i)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    m = CALLS[i](mg, mg.tensor(a), mg.tensor(b))
    t = CALLS[i](torch, torch.tensor(a), torch.tensor(b))
    assert str(m.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)


def test_integer_rounding_division_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.array([-7, 7, -8, 9])
    for mode in ("floor", "trunc"):
        m = mg.div(mg.tensor(a), 2, rounding_mode=mode)
        t = torch.div(torch.tensor(a), 2, rounding_mode=mode)
        assert m.dtype == np.int64 and m.tolist() == t.tolist()
    with pytest.raises(ValueError, match="rounding_mode"):
        mg.div(mg.ones(2), 2, rounding_mode="round")


def test_alpha_and_rounding_gradients():
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    y = mg.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    assert mg.gradcheck(lambda a, b: mg.add(a, b, alpha=2.5), (x, y))
    assert mg.gradcheck(lambda a, b: mg.sub(a, b, alpha=-3), (x, y))
    mg.div(x, 2, rounding_mode="floor").sum().backward()
    assert np.all(x.grad.numpy() == 0)  # as PyTorch: rounding has zero gradient


def test_numpy_functions_dispatch_to_the_methods():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.sum(x) == 10.0 and np.mean(x) == 2.5 and np.max(x) == 4.0
    assert np.all(x > 0) and not np.any(x > 5)
    np.testing.assert_array_equal(np.sum(x, axis=0), [4.0, 6.0])
    assert np.prod(x) == 24.0
    np.testing.assert_allclose(np.round(x / 3, 1).numpy(), [[0.3, 0.7], [1.0, 1.3]], rtol=1e-6)


def test_axis_and_dim_together_is_an_error():
    with pytest.raises(TypeError, match="dim or axis"):
        mg.sum(mg.ones(2), dim=0, axis=0)
