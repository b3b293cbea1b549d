"""F.scaled_dot_product_attention: float64 gradchecks (first and second order), dropout,
argument errors, and forward/backward against PyTorch."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

RNG = np.random.default_rng(17)


def leaf(*shape):
    return mg.tensor(RNG.standard_normal(shape), dtype=mg.float64, requires_grad=True)


def bool_mask(shape, dead_row=None):
    m = RNG.random(shape) > 0.4
    m[..., :, 0] = True  # every row may attend somewhere ...
    if dead_row is not None:
        m[..., dead_row, :] = False  # ... except this one
    return mg.tensor(m)


def reference(q, k, v, allowed=None, add=None, scale=None):
    """Composed numpy attention with PyTorch's rule for fully masked rows (output 0)."""
    s = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if add is not None:
        s = s + add
    if allowed is not None:
        s = np.where(allowed, s, -np.inf)
    top = s.max(-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.exp(s - top)
    total = e.sum(-1, keepdims=True)
    p = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return p @ v


GRAD_CASES = {
    "plain": dict(),
    "causal": dict(is_causal=True),
    "bool mask with a fully masked row": dict(attn_mask=bool_mask((3, 5), dead_row=1)),
    "broadcast bool mask": dict(attn_mask=bool_mask((2, 1, 3, 5))),
    "float mask": dict(attn_mask=mg.tensor(RNG.standard_normal((3, 5)))),
    "float mask with -inf": dict(attn_mask=mg.tensor(np.where(RNG.random((3, 5)) > 0.5, 0.0, -np.inf))),
    "scale": dict(scale=0.7),
}


@pytest.mark.parametrize("case", GRAD_CASES)
def test_gradcheck_and_gradgradcheck(case):
    q, k, v = leaf(2, 2, 3, 4), leaf(2, 2, 5, 4), leaf(2, 2, 5, 3)
    kw = GRAD_CASES[case]

    def f(a, b, c):
        return F.scaled_dot_product_attention(a, b, c, **kw)

    assert mg.gradcheck(f, (q, k, v))
    assert mg.gradgradcheck(f, (q, k, v))


def test_gradcheck_float_mask_requiring_grad():
    q, k, v, m = leaf(2, 3, 4), leaf(2, 5, 4), leaf(2, 5, 3), leaf(3, 5)

    def f(a, b, c, d):
        return F.scaled_dot_product_attention(a, b, c, attn_mask=d)

    assert mg.gradcheck(f, (q, k, v, m))
    assert mg.gradgradcheck(f, (q, k, v, m))


def test_gradcheck_grouped_query_and_broadcast_batch():
    q, k, v = leaf(2, 4, 3, 4), leaf(1, 2, 5, 4), leaf(1, 2, 5, 3)

    def f(a, b, c):
        return F.scaled_dot_product_attention(a, b, c, enable_gqa=True)

    assert mg.gradcheck(f, (q, k, v))
    assert mg.gradgradcheck(f, (q, k, v))


def test_gradcheck_with_dropout_uses_the_saved_mask():
    q, k, v = leaf(2, 3, 4), leaf(2, 5, 4), leaf(2, 5, 3)

    def f(a, b, c):
        mg.manual_seed(3)  # the same keep-mask at every evaluation of f
        return F.scaled_dot_product_attention(a, b, c, dropout_p=0.4)

    assert mg.gradcheck(f, (q, k, v))


def test_forward_matches_numpy_reference():
    q, k, v = (RNG.standard_normal(s) for s in ((2, 3, 6, 4), (2, 3, 7, 4), (2, 3, 7, 5)))
    allowed = RNG.random((6, 7)) > 0.5
    allowed[2] = False
    add = RNG.standard_normal((2, 1, 6, 7))
    t = [mg.tensor(a) for a in (q, k, v)]
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t).numpy(),
                               reference(q, k, v), rtol=1e-12)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(*t, attn_mask=mg.tensor(allowed)).numpy(),
        reference(q, k, v, allowed=allowed), rtol=1e-12)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(*t, attn_mask=mg.tensor(add), scale=0.2).numpy(),
        reference(q, k, v, add=add, scale=0.2), rtol=1e-12)
    causal = np.tril(np.ones((6, 7), bool))
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, is_causal=True).numpy(),
                               reference(q, k, v, allowed=causal), rtol=1e-12)


def test_fully_masked_row_gives_zero_output_and_zero_gradients():
    q, k, v = leaf(3, 4), leaf(5, 4), leaf(5, 2)
    m = np.ones((3, 5), bool)
    m[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mg.tensor(m))
    assert np.all(out.detach().numpy()[1] == 0) and np.all(np.isfinite(out.detach().numpy()))
    out.sum().backward()
    assert np.all(q.grad.numpy()[1] == 0)
    assert np.all(np.isfinite(k.grad.numpy())) and np.all(np.isfinite(v.grad.numpy()))


def test_dropout_zeroes_weights_with_probability_p_and_rescales_the_rest():
    mg.manual_seed(0)
    n, p = 64, 0.3
    q, k = mg.tensor(RNG.standard_normal((4, n, 8))), mg.tensor(RNG.standard_normal((4, n, 8)))
    eye = mg.tensor(np.broadcast_to(np.eye(n), (4, n, n)).copy())  # output = the weights
    probs = F.scaled_dot_product_attention(q, k, eye).numpy()
    dropped = F.scaled_dot_product_attention(q, k, eye, dropout_p=p).numpy()
    zero = dropped == 0
    assert abs(zero.mean() - p) < 0.02
    np.testing.assert_allclose(dropped[~zero], probs[~zero] / (1 - p), rtol=1e-5)


def test_dropout_is_seeded():
    q, k, v = (mg.tensor(RNG.standard_normal((2, 6, 4))) for _ in range(3))
    mg.manual_seed(5)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    mg.manual_seed(5)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    np.testing.assert_array_equal(a, b)


def test_float32_stays_float32():
    q, k, v = (mg.tensor(RNG.standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True)
               for _ in range(3))
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert out.dtype == np.float32
    out.sum().backward()
    assert q.grad.dtype == k.grad.dtype == v.grad.dtype == np.float32


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(attn_mask=mg.tensor(np.ones((3, 5), bool)), is_causal=True), ValueError, "not both"),
    (dict(attn_mask=mg.tensor(np.ones((3, 5), np.int64))), TypeError, "bool or floating"),
    (dict(attn_mask=mg.tensor(np.ones((4, 5), bool))), ValueError, "does not broadcast"),
    (dict(dropout_p=1.5), ValueError, "dropout_p"),
    (dict(scale="big"), TypeError, "scale"),
])
def test_argument_errors(kwargs, error, words):
    q, k, v = leaf(3, 4), leaf(5, 4), leaf(5, 2)
    with pytest.raises(error, match=words):
        F.scaled_dot_product_attention(q, k, v, **kwargs)


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match="same last dim"):
        F.scaled_dot_product_attention(leaf(3, 4), leaf(5, 3), leaf(5, 2))
    with pytest.raises(ValueError, match="number of positions"):
        F.scaled_dot_product_attention(leaf(3, 4), leaf(5, 4), leaf(6, 2))
    with pytest.raises(ValueError, match="do not broadcast"):
        F.scaled_dot_product_attention(leaf(2, 3, 4), leaf(3, 5, 4), leaf(3, 5, 2))
    with pytest.raises(ValueError, match="enable_gqa"):
        F.scaled_dot_product_attention(leaf(1, 3, 3, 4), leaf(1, 2, 5, 4), leaf(1, 2, 5, 2),
                                       enable_gqa=True)


# ----- against PyTorch --------------------------------------------------------------------
TORCH_CASES = {
    "plain": (dict(), dict()),
    "causal square": (dict(is_causal=True), dict(is_causal=True)),
    "scale": (dict(scale=0.3), dict(scale=0.3)),
    "bool mask, dead row": ("bool", None),
    "float mask, -inf row": ("float", None),
}


@pytest.mark.parametrize("case", TORCH_CASES)
@pytest.mark.parametrize("shapes", [((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)),
                                    ((4, 8), (4, 8), (4, 3)),
                                    ((2, 3, 5, 8), (1, 3, 5, 8), (1, 3, 5, 8))])
def test_matches_torch(case, shapes):
    torch = pytest.importorskip("torch")
    arrays = [RNG.standard_normal(s) for s in shapes]
    mine = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kw, tkw = TORCH_CASES[case]
    n_q, n_k = shapes[0][-2], shapes[1][-2]
    if kw == "bool":
        m = RNG.random((n_q, n_k)) > 0.5
        m[0] = False
        kw, tkw = dict(attn_mask=mg.tensor(m)), dict(attn_mask=torch.tensor(m))
    elif kw == "float":
        m = np.where(RNG.random((n_q, n_k)) > 0.5, RNG.standard_normal((n_q, n_k)), -np.inf)
        m[-1] = -np.inf
        kw, tkw = dict(attn_mask=mg.tensor(m)), dict(attn_mask=torch.tensor(m))
    out = F.scaled_dot_product_attention(*mine, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(*theirs, **tkw)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = RNG.standard_normal(out.shape)
    (out * mg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_float_mask_gradient_and_gqa_match_torch():
    torch = pytest.importorskip("torch")
    arrays = [RNG.standard_normal(s) for s in ((2, 4, 3, 8), (2, 2, 5, 8), (2, 2, 5, 6), (3, 5))]
    mine = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*mine[:3], attn_mask=mine[3], enable_gqa=True)
    tout = torch.nn.functional.scaled_dot_product_attention(*theirs[:3], attn_mask=theirs[3],
                                                            enable_gqa=True)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10)
    w = RNG.standard_normal(out.shape)
    (out * mg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_float16_runs_in_float32_and_returns_half():
    arrays = [RNG.standard_normal((2, 3, 4)).astype(np.float16) for _ in range(3)]
    half = [mg.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*half, is_causal=True)
    assert out.dtype == np.float16
    out.sum().backward()
    assert half[0].grad.dtype == np.float16
    ref = reference(*(a.astype(np.float64) for a in arrays), allowed=np.tril(np.ones((3, 3), bool)))
    np.testing.assert_allclose(out.detach().numpy().astype(np.float64), ref, atol=5e-3)
