"""sort/argsort/topk, tril/triu/masked_fill and multinomial: values and gradients against
PyTorch, float64 gradchecks, errors."""
import numpy as np
import pytest

import minigrad as mg


def _x(*shape, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    data = rng.integers(-3, 4, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    return data


GRAD_CASES = [
    ("sort", lambda x: mg.sort(x, dim=1)[0]),
    ("sort_desc_dim0", lambda x: x.sort(0, descending=True).values),
    ("topk", lambda x: mg.topk(x, 2).values),
    ("topk_smallest_dim0", lambda x: x.topk(2, dim=0, largest=False).values),
    ("tril", lambda x: mg.tril(x)),
    ("tril_neg_diag", lambda x: x.tril(diagonal=-1)),
    ("triu_pos_diag", lambda x: mg.triu(x, 1)),
    ("masked_fill", lambda x: x.masked_fill(x.detach() > 0, -2.0) * x),
]


@pytest.mark.parametrize("name,fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck_float64(name, fn):
    x = mg.tensor(_x(3, 4, 5), requires_grad=True)
    assert mg.gradcheck(fn, (x,))
    assert mg.gradgradcheck(fn, (x,))


def test_masked_fill_tensor_value_gets_summed_gradient():
    x = mg.tensor(_x(3, 4), requires_grad=True)
    v = mg.tensor(0.5, dtype=mg.float64, requires_grad=True)
    mask = mg.tensor(_x(4, seed=1) > 0)
    assert mg.gradcheck(lambda a, b: mg.masked_fill(a, mask, b), (x, v))


TORCH_CASES = [
    ("sort", lambda t, x: t.sort(x, dim=1, stable=True)),
    ("sort_desc", lambda t, x: x.sort(dim=0, descending=True, stable=True)),
    ("argsort", lambda t, x: (t.argsort(x, dim=-1, descending=True, stable=True),)),
    ("topk", lambda t, x: t.topk(x, 3, dim=1)),
    ("topk_smallest", lambda t, x: x.topk(2, dim=0, largest=False)),
    ("tril", lambda t, x: (t.tril(x, diagonal=1),)),
    ("triu", lambda t, x: (x.triu(-1),)),
    ("masked_fill", lambda t, x: (x.masked_fill(x > 0.5, float("-inf")).exp(),)),
    ("masked_fill_broadcast", lambda t, x: (x[0, 0].masked_fill(
        t.tensor([[True], [False]]), 2.0),)),
]


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("name,fn", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_matches_torch(name, fn, ties):
    """Values, indices (stable order on ties; topk's tie order is unspecified in PyTorch)
    and input gradients as PyTorch's."""
    torch = pytest.importorskip("torch")
    data = _x(2, 4, 5, seed=3, ties=ties)
    xm = mg.tensor(data, requires_grad=True)
    xt = torch.tensor(data, requires_grad=True)
    outs_m, outs_t = fn(mg, xm), fn(torch, xt)
    w = np.random.default_rng(5).standard_normal(outs_t[0].shape)
    np.testing.assert_allclose(outs_m[0].detach().numpy(), outs_t[0].detach().numpy(), rtol=1e-15)
    if len(outs_t) == 2:
        if ties and name.startswith("topk"):
            # torch.topk orders tied elements arbitrarily: check the indices point at the values
            dim = 1 if name == "topk" else 0
            picked = np.take_along_axis(data, outs_m[1].numpy(), axis=dim)
            np.testing.assert_array_equal(picked, outs_m[0].detach().numpy())
        else:
            np.testing.assert_array_equal(outs_m[1].numpy(), outs_t[1].numpy())
    if outs_t[0].requires_grad:
        finite = np.isfinite(outs_t[0].detach().numpy())
        (outs_m[0].where(mg.tensor(finite), 0.0) * mg.tensor(w)).sum().backward()
        (outs_t[0].where(torch.tensor(finite), 0.0) * torch.tensor(w)).sum().backward()
        if not (ties and name.startswith("topk")):
            np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_integer_inputs_keep_their_dtype():
    torch = pytest.importorskip("torch")
    a = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(mg.triu(mg.tensor(a), 1).numpy(), torch.triu(torch.tensor(a), 1).numpy())
    got = mg.tensor(np.arange(3)).masked_fill(mg.tensor([True, False, False]), 1.7)
    assert got.dtype == np.int64 and got.tolist() == [1, 1, 2]
    assert mg.sort(mg.tensor([3, 1, 2])).values.tolist() == [1, 2, 3]


def test_nan_sorts_as_largest_like_torch():
    torch = pytest.importorskip("torch")
    data = np.array([1.0, np.nan, -1.0, 3.0])
    for desc in (False, True):
        m = mg.sort(mg.tensor(data), descending=desc)
        t = torch.sort(torch.tensor(data), descending=desc, stable=True)
        np.testing.assert_array_equal(m.indices.numpy(), t.indices.numpy())


def test_errors_name_the_problem():
    x = mg.ones(3)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        mg.tril(x)
    with pytest.raises(ValueError, match=r"k must be an int in \[0, 3\]"):
        mg.topk(x, 4)
    with pytest.raises(TypeError, match="mask must be a bool tensor"):
        x.masked_fill(mg.tensor([1, 0, 1]), 0.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        x.masked_fill(mg.tensor([True, False]), 0.0)


def test_scalar_sort_and_topk():
    s = mg.tensor(3.0)
    assert mg.sort(s).values.item() == 3.0 and mg.sort(s).indices.item() == 0
    assert mg.argsort(s).item() == 0


# ----- multinomial ---------------------------------------------------------------------------
def test_multinomial_with_replacement_follows_the_weights():
    mg.manual_seed(0)
    p = mg.tensor([0.0, 1.0, 3.0, 4.0])
    draws = mg.multinomial(p, 40000, replacement=True)
    assert draws.dtype == np.int64 and draws.shape == (40000,)
    freq = np.bincount(draws.numpy(), minlength=4) / 40000
    np.testing.assert_allclose(freq, [0.0, 0.125, 0.375, 0.5], atol=0.01)
    assert freq[0] == 0.0  # a zero weight is never drawn


def test_multinomial_without_replacement_inclusion_frequencies():
    """Without replacement: no repeats; the first draw follows the weights; zero-weight
    categories come only after all others."""
    g = mg.Generator().manual_seed(1)
    p = mg.tensor([[1.0, 2.0, 0.0, 5.0]] * 4000)
    draws = p.multinomial(3, generator=g).numpy()
    assert draws.shape == (4000, 3)
    assert all(len(set(r)) == 3 for r in draws[:50])
    assert not np.any(draws == 2)
    np.testing.assert_allclose(np.bincount(draws[:, 0], minlength=4) / 4000,
                               [1 / 8, 2 / 8, 0.0, 5 / 8], atol=0.025)
    assert sorted(mg.multinomial(mg.tensor([0.0, 1.0, 3.0]), 3).tolist()) == [0, 1, 2]


def test_multinomial_generator_reproducible_and_independent_of_global():
    p = mg.tensor([0.2, 0.3, 0.5])
    a = mg.multinomial(p, 20, True, generator=mg.Generator().manual_seed(7))
    mg.rand(5)
    b = mg.multinomial(p, 20, True, generator=mg.Generator().manual_seed(7))
    assert a.tolist() == b.tolist()
    mg.manual_seed(3)
    c = mg.multinomial(p, 20, True)
    mg.manual_seed(3)
    assert mg.multinomial(p, 20, True).tolist() == c.tolist()


def test_multinomial_errors_match_torch_cases():
    with pytest.raises(ValueError, match="non-negative"):
        mg.multinomial(mg.tensor([-1.0, 1.0]), 1)
    with pytest.raises(ValueError, match="positive sum"):
        mg.multinomial(mg.tensor([0.0, 0.0]), 1, True)
    with pytest.raises(ValueError, match="without replacement"):
        mg.multinomial(mg.tensor([1.0, 1.0]), 3)
    with pytest.raises(TypeError, match="floating-point"):
        mg.multinomial(mg.tensor([1, 2]), 1)
    with pytest.raises(ValueError, match="num_samples must be a positive int"):
        mg.multinomial(mg.tensor([1.0]), 0)
    with pytest.raises(TypeError, match="minigrad.Generator"):
        mg.multinomial(mg.tensor([1.0]), 1, generator=np.random.default_rng(0))


def test_multinomial_shapes_as_torch():
    torch = pytest.importorskip("torch")
    for shape in [(3,), (1, 3), (4, 3)]:
        w = np.ones(shape, np.float32)
        for n, rep in [(1, True), (2, False), (5, True)]:
            assert tuple(mg.multinomial(mg.tensor(w), n, rep).shape) == \
                tuple(torch.multinomial(torch.tensor(w), n, rep).shape)


def test_multinomial_out():
    out = mg.zeros(2, dtype=mg.int64)
    r = mg.multinomial(mg.tensor([0.0, 1.0]), 2, True, out=out)
    assert r is out and out.tolist() == [1, 1]
