"""Forward values against numpy (and math) computed independently."""
import math

import numpy as np
import pytest

import minigrad as mg

rng = np.random.default_rng(42)
X = rng.standard_normal((3, 4, 5))
XP = np.abs(X) + 0.1


@pytest.mark.parametrize("name,ours,ref", [
    ("exp", lambda x: x.exp(), np.exp),
    ("sin", lambda x: x.sin(), np.sin),
    ("cos", lambda x: x.cos(), np.cos),
    ("tanh", lambda x: x.tanh(), np.tanh),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    ("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0)),
    ("leaky_relu", lambda x: x.leaky_relu(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    ("gelu", lambda x: x.gelu(), np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))),
    ("gelu_tanh", lambda x: x.gelu("tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    ("softplus", lambda x: x.softplus(), lambda x: np.log1p(np.exp(x))),
    ("abs", lambda x: x.abs(), np.abs),
    ("sum", lambda x: x.sum(1), lambda x: x.sum(1)),
    ("mean_keep", lambda x: x.mean((0, 2), keepdim=True), lambda x: x.mean((0, 2), keepdims=True)),
    ("var", lambda x: x.var(2), lambda x: x.var(2, ddof=1)),
    ("std_biased", lambda x: x.std(0, correction=0), lambda x: x.std(0)),
    ("max", lambda x: x.max(1).values, lambda x: x.max(1)),
    ("min_all", lambda x: x.min(), np.min),
    ("logsumexp", lambda x: x.logsumexp(2), lambda x: np.log(np.exp(x).sum(2))),
    ("softmax", lambda x: x.softmax(1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    ("log_softmax", lambda x: x.log_softmax(-1),
     lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    ("matmul_batched", lambda x: x @ x.transpose(1, 2), lambda x: np.einsum("bij,bkj->bik", x, x)),
    ("pad", lambda x: mg.pad(x, (1, 0, 2, 2)),
     lambda x: np.pad(x, ((0, 0), (2, 2), (1, 0)))),
    ("getitem", lambda x: x[[2, 0], 1:, ::2], lambda x: x[[2, 0], 1:, ::2]),
])
def test_forward_matches_numpy(name, ours, ref):
    out = ours(mg.tensor(X, dtype=mg.float64))
    np.testing.assert_allclose(out.detach().numpy(), ref(X), rtol=1e-12, atol=1e-12)


def test_log_sqrt_forward():
    x = mg.tensor(XP, dtype=mg.float64)
    np.testing.assert_allclose(x.log().data, np.log(XP))
    np.testing.assert_allclose(x.sqrt().data, np.sqrt(XP))


def test_max_with_dim_returns_values_and_indices():
    x = mg.tensor(X)
    values, indices = x.max(dim=2)
    np.testing.assert_array_equal(indices.detach().numpy(), X.argmax(2))
    np.testing.assert_array_equal(values.detach().numpy(), X.max(2))
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(x.argmin(1).data, X.argmin(1))


def test_stable_softmax_family_for_huge_logits():
    z = mg.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    for out in (z.softmax(-1), z.log_softmax(-1), z.logsumexp(-1)):
        assert np.all(np.isfinite(out.detach().numpy()))
    np.testing.assert_allclose(z.softmax(-1).data[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(z.logsumexp(-1).data, [1e4, -1e4 + math.log(3)], rtol=1e-6)
    allneg = mg.tensor([-np.inf, -np.inf], requires_grad=True)
    out = allneg.logsumexp()
    assert out.item() == -np.inf
    out.backward()
    np.testing.assert_array_equal(allneg.grad.numpy(), [0.0, 0.0])


def test_sigmoid_and_softplus_stable_at_extremes():
    x = mg.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    s = x.sigmoid()
    np.testing.assert_allclose(s.detach().numpy(), [0.0, 1.9287498e-22, 0.5, 1.0, 1.0], rtol=1e-6)
    s.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    sp = mg.tensor([-1000.0, 0.0, 1000.0]).softplus()
    np.testing.assert_allclose(sp.detach().numpy(), [0.0, math.log(2), 1000.0], rtol=1e-6)


def test_split_chunk_cat_stack_shapes():
    x = mg.arange(10.0)
    assert [p.shape for p in x.split(4)] == [(4,), (4,), (2,)]
    assert [p.shape for p in x.chunk(3)] == [(4,), (4,), (2,)]
    assert [p.shape for p in x.split([3, 7])] == [(3,), (7,)]
    np.testing.assert_array_equal(mg.cat(x.chunk(3)).data, np.arange(10.0))
    assert mg.stack([x, x], dim=1).shape == (10, 2)


def test_where_and_comparisons():
    a = mg.tensor([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(mg.where(a > 0, a, 0.0).data, [1.0, 0.0, 3.0])
    assert (a == a).dtype == np.bool_
    np.testing.assert_array_equal((a >= 1).data, [True, False, True])


def test_integer_powers_by_repeated_squaring_match_numpy_and_torch():
    x = np.linspace(-3.0, 3.0, 101)
    for dtype, rtol in ((np.float32, 2e-6), (np.float64, 1e-14)):
        t = mg.tensor(x.astype(dtype))
        for c in (0, 1, 2, 3, 4, 5, 7, 16, -1, -2, -3, 0.5, 1.5, 2.0):
            with np.errstate(divide="ignore", invalid="ignore"):
                ref = np.power(x.astype(np.float64), float(c))
            out = (t ** c).numpy()
            assert out.dtype == dtype
            np.testing.assert_allclose(out, ref, rtol=rtol, atol=0, equal_nan=True)
    assert (t ** 1).numpy() is not t.numpy()  # a new tensor, not an alias


def test_integer_powers_of_a_0d_tensor():
    # the products of 0-d arrays are numpy scalars: negative powers must not write in place
    for dtype in (np.float32, np.float64):
        t = mg.tensor(np.asarray(1.5, dtype=dtype))
        for c in (-5, -3, -2, -1, 2, 3):
            out = (t ** c).numpy()
            assert out.shape == () and out.dtype == dtype
            np.testing.assert_allclose(out, 1.5 ** c, rtol=1e-6)
