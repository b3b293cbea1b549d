"""The ops added for PyTorch parity: float64 gradchecks (and second order where the op's
backward is itself differentiable), and values and gradients against PyTorch."""
import math

import numpy as np
import pytest

import minigrad as mg


def _data(*shape, seed=0, positive=False, away_from_int=False):
    rng = np.random.default_rng(seed + 7 * len(shape))
    x = rng.standard_normal(shape)
    if positive:
        x = np.abs(x) + 0.5
    if away_from_int:  # keep finite differences off the jumps of floor/round
        x = np.floor(x * 3) / 3 + 0.17
    return x


def _t(x):
    return mg.tensor(x, dtype=mg.float64, requires_grad=True)


def _write_diagonal(y):
    y.diagonal(1).mul_(y[0, 0])
    return y


# (name, function of one float64 tensor, input shape, input options, second order?)
ONE_INPUT = [
    ("mm_self_t", lambda x: mg.mm(x, x.t()), (3, 4), {}, True),
    ("bmm", lambda x: mg.bmm(x, x.transpose(1, 2)), (2, 3, 4), {}, True),
    ("mv", lambda x: mg.mv(x, x[0]), (3, 3), {}, True),
    ("dot", lambda x: mg.dot(x, x.exp()), (5,), {}, True),
    ("outer", lambda x: mg.outer(x, x * 2), (4,), {}, True),
    ("einsum_matmul", lambda x: mg.einsum("ij,jk->ik", x, x.t()), (3, 4), {}, True),
    ("einsum_implicit_sum", lambda x: mg.einsum("ij,ij", x, x), (3, 4), {}, True),
    ("einsum_ellipsis_broadcast", lambda x: mg.einsum("...ij,...jk->...ik", x, x[:1].mT.exp()),
     (2, 3, 4), {}, True),
    ("einsum_ellipsis_batch", lambda x: mg.einsum("...ij,...jk->...ik", x, x.transpose(-1, -2)),
     (2, 3, 4), {}, True),
    ("einsum_summed_alone", lambda x: mg.einsum("ij,k->k", x, x[0]), (3, 4), {}, True),
    ("log10", lambda x: x.log10(), (3, 4), {"positive": True}, True),
    ("log2", lambda x: mg.log2(x), (3, 4), {"positive": True}, True),
    ("log1p", lambda x: x.log1p(), (3, 4), {"positive": True}, True),
    ("expm1", lambda x: mg.expm1(x), (3, 4), {}, True),
    ("exp2", lambda x: x.exp2(), (3, 4), {}, True),
    ("rsqrt", lambda x: x.rsqrt(), (3, 4), {"positive": True}, True),
    ("reciprocal", lambda x: mg.reciprocal(x), (3, 4), {"positive": True}, True),
    ("frac", lambda x: x.frac() * x, (3, 4), {"away_from_int": True}, True),
    ("floor_round_ceil_trunc", lambda x: x * (x.floor() + x.round() + x.ceil() + x.trunc() + x.sign()),
     (3, 4), {"away_from_int": True}, True),
    ("cumsum", lambda x: mg.cumsum(x, 1), (3, 4), {}, True),
    ("cumsum_dim0", lambda x: x.cumsum(dim=0), (3, 4), {}, True),
    ("cumprod", lambda x: x.cumprod(1), (3, 4), {}, True),
    ("prod_all", lambda x: x.prod(), (2, 3), {}, True),
    ("prod_dim_keep", lambda x: mg.prod(x, 1, keepdim=True), (3, 4), {}, True),
    ("norm_fro", lambda x: x.norm(), (3, 4), {}, True),
    ("norm_p1_dim", lambda x: mg.norm(x, p=1, dim=1), (3, 4), {}, True),
    ("norm_p3_dim_keep", lambda x: mg.norm(x, p=3, dim=0, keepdim=True), (3, 4), {}, True),
    ("norm_inf", lambda x: x.norm(p=math.inf, dim=1), (3, 4), {}, False),
    ("linalg_norm", lambda x: mg.linalg.norm(x, dim=1), (3, 4), {}, True),
    ("std_mean", lambda x: mg.std_mean(x, dim=1)[0] * mg.std_mean(x, dim=1)[1], (3, 4), {}, True),
    ("var_mean", lambda x: mg.var_mean(x, 0)[0] + mg.var_mean(x, 0)[1], (3, 4), {}, True),
    ("select_narrow", lambda x: x.select(1, 2) * x.narrow(1, 0, 2).sum(1), (3, 4), {}, True),
    ("unbind", lambda x: mg.unbind(x, 1)[0] * mg.unbind(x, 1)[3], (3, 4), {}, True),
    ("index_select_repeats", lambda x: x.index_select(1, mg.tensor([3, 0, 3])), (3, 4), {}, True),
    ("masked_select", lambda x: x.masked_select(mg.tensor([True, False, True, True])), (3, 4), {}, True),
    ("flip", lambda x: x.flip(0, 1) * x, (3, 4), {}, True),
    ("roll", lambda x: mg.roll(x, (1, -2), (0, 1)) * x, (3, 4), {}, True),
    ("roll_flat", lambda x: x.roll(5) * x, (3, 4), {}, True),
    ("repeat", lambda x: x.repeat(2, 1, 3), (3, 4), {}, True),
    ("tile", lambda x: mg.tile(x, (2,)), (3, 4), {}, True),
    ("repeat_interleave", lambda x: x.repeat_interleave(mg.tensor([1, 0, 2]), dim=0), (3, 4), {}, True),
    ("diag_of_vector", lambda x: mg.diag(x, 1), (4,), {}, True),
    ("diag_of_matrix", lambda x: x.diag(-1), (4, 4), {}, True),
    ("diagonal_trace", lambda x: x.diagonal() * x.trace(), (4, 4), {}, True),
    ("diagonal_offset_dims", lambda x: x.diagonal(-1, 2, 0).exp(), (3, 2, 4), {}, True),
    ("write_through_diagonal", lambda x: _write_diagonal(x * 1), (3, 4), {}, True),
]


@pytest.mark.parametrize("name,fn,shape,opts,second", ONE_INPUT, ids=[c[0] for c in ONE_INPUT])
def test_gradcheck(name, fn, shape, opts, second):
    x = _t(_data(*shape, **opts))
    assert mg.gradcheck(fn, (x,))
    if second:
        assert mg.gradgradcheck(fn, (x,))


def test_cumprod_and_prod_gradients_are_exact_at_zeros():
    data = np.array([[2.0, 0.0, 3.0, 0.0], [1.5, -2.0, 0.0, 4.0], [0.5, 1.0, 2.0, 3.0]])
    for fn in (lambda x: x.cumprod(1), lambda x: x.prod(1), lambda x: x.prod()):
        assert mg.gradcheck(fn, (_t(data),))


def test_norm_gradient_is_zero_at_a_zero_vector():
    x = _t(np.zeros((2, 3)))
    mg.norm(x, dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


# ----- against PyTorch ------------------------------------------------------------------
TORCH = [
    ("mm", lambda t, x: t.mm(x, x.t()), (3, 4)),
    ("bmm", lambda t, x: t.bmm(x, x.transpose(1, 2)), (2, 3, 4)),
    ("mv", lambda t, x: t.mv(x, x[1]), (4, 4)),
    ("dot", lambda t, x: x.dot(x * 3), (5,)),
    ("outer", lambda t, x: t.outer(x, x), (4,)),
    ("einsum", lambda t, x: t.einsum("bij,bkj->bik", x, x), (2, 3, 4)),
    ("einsum_trace_out", lambda t, x: t.einsum("ij,jk", x, x.t()), (3, 4)),
    ("einsum_broadcast", lambda t, x: t.einsum("...ij,...kj->...ik", x, x[1:] * 2), (2, 3, 4)),
    ("log10", lambda t, x: (x.abs() + 1).log10(), (3, 4)),
    ("log2", lambda t, x: t.log2(x.abs() + 1), (3, 4)),
    ("log1p", lambda t, x: t.log1p(x.abs()), (3, 4)),
    ("expm1", lambda t, x: x.expm1(), (3, 4)),
    ("exp2", lambda t, x: t.exp2(x), (3, 4)),
    ("rsqrt", lambda t, x: (x.abs() + 1).rsqrt(), (3, 4)),
    ("reciprocal", lambda t, x: (x.abs() + 1).reciprocal(), (3, 4)),
    ("rounding", lambda t, x: x * (x * 3).floor() + (x * 3).ceil() + (x * 3).round() + (x * 3).trunc()
     + t.sign(x) + (x * 3).frac(), (3, 4)),
    ("cumsum", lambda t, x: t.cumsum(x, dim=1), (3, 4)),
    ("cumprod", lambda t, x: x.cumprod(0), (3, 4)),
    ("prod", lambda t, x: t.prod(x, 1, keepdim=True), (3, 4)),
    ("norm", lambda t, x: t.norm(x), (3, 4)),
    ("norm_p", lambda t, x: t.norm(x, p=3, dim=1), (3, 4)),
    ("norm_inf", lambda t, x: x.norm(p=float("inf"), dim=0), (3, 4)),
    ("linalg_norm", lambda t, x: t.linalg.norm(x, dim=1, keepdim=True), (3, 4)),
    ("select", lambda t, x: x.select(0, -1), (3, 4)),
    ("narrow", lambda t, x: t.narrow(x, 1, 1, 2), (3, 4)),
    ("index_select", lambda t, x: t.index_select(x, 0, t.tensor([2, 0, 2])), (3, 4)),
    ("masked_select", lambda t, x: t.masked_select(x, x > 0), (3, 4)),
    ("flip", lambda t, x: t.flip(x, [0, 1]), (3, 4)),
    ("roll", lambda t, x: t.roll(x, shifts=(1, -1), dims=(0, 1)), (3, 4)),
    ("roll_flat", lambda t, x: x.roll(3), (3, 4)),
    ("repeat", lambda t, x: x.repeat(2, 1, 2), (3, 4)),
    ("tile", lambda t, x: t.tile(x, (2,)), (3, 4)),
    ("repeat_interleave", lambda t, x: t.repeat_interleave(x, 2, dim=1), (3, 4)),
    ("repeat_interleave_flat", lambda t, x: x.repeat_interleave(t.tensor([1, 2, 0, 1] * 3)), (3, 4)),
    ("diag", lambda t, x: t.diag(x, 1), (4, 4)),
    ("diag_vector", lambda t, x: t.diag(x[0], -1), (4, 4)),
    ("diagonal", lambda t, x: x.diagonal(1, 1, 2), (2, 3, 4)),
    ("trace", lambda t, x: t.trace(x), (4, 4)),
    ("t", lambda t, x: x.t(), (3, 4)),
    ("std_mean", lambda t, x: t.std_mean(x, dim=1)[0], (3, 4)),
    ("var_mean", lambda t, x: t.var_mean(x, 1, keepdim=True)[1], (3, 4)),
]


@pytest.mark.parametrize("name,fn,shape", TORCH, ids=[c[0] for c in TORCH])
def test_matches_torch(name, fn, shape):
    torch = pytest.importorskip("torch")
    data = _data(*shape, seed=11)
    xm, xt = _t(data), torch.tensor(data, requires_grad=True)
    om, ot = fn(mg, xm), fn(torch, xt)
    np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(3).standard_normal(ot.shape)
    (om * mg.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_integer_inputs_follow_torch_dtypes():
    torch = pytest.importorskip("torch")
    a = np.array([[1, -2, 3], [0, 5, -6]])
    for fn in (lambda t, x: t.cumsum(x, 1), lambda t, x: x.prod(), lambda t, x: x.floor(),
               lambda t, x: t.sign(x), lambda t, x: t.log10(x.abs() + 1),
               lambda t, x: t.nonzero(x), lambda t, x: x.flip(1), lambda t, x: x.repeat(1, 2)):
        om, ot = fn(mg, mg.tensor(a)), fn(torch, torch.tensor(a))
        assert str(om.dtype) == str(ot.dtype).replace("torch.", "")
        np.testing.assert_allclose(om.numpy(), ot.numpy(), rtol=1e-6)


def test_value_tests_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, np.nan, np.inf], [-np.inf, 0.0, 2.0]])
    b = a + 1e-9
    for fn in (lambda t, x, y: t.isnan(x), lambda t, x, y: x.isinf(), lambda t, x, y: t.isfinite(x),
               lambda t, x, y: t.isclose(x, y), lambda t, x, y: t.isclose(x, y, equal_nan=True),
               lambda t, x, y: (x > 0).any(1), lambda t, x, y: t.all(x != 0, dim=0, keepdim=True),
               lambda t, x, y: x.eq(y), lambda t, x, y: t.logical_xor(x > 0, y < 1),
               lambda t, x, y: t.nonzero(x > 0, as_tuple=True)[1]):
        om = fn(mg, mg.tensor(a), mg.tensor(b))
        ot = fn(torch, torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(om.numpy(), ot.numpy())
    x = mg.tensor([1.0, 2.0])
    assert mg.allclose(x, x + 1e-9) and not mg.allclose(x, x + 1e-3)
    assert mg.equal(x, mg.tensor([1.0, 2.0])) and not mg.equal(x, mg.tensor([1.0]))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="2-D"):
        mg.mm(mg.ones(3), mg.ones(3, 2))
    with pytest.raises(ValueError, match="cannot be multiplied"):
        mg.mm(mg.ones(2, 3), mg.ones(2, 3))
    with pytest.raises(ValueError, match="3-D"):
        mg.bmm(mg.ones(2, 3), mg.ones(3, 2))
    with pytest.raises(ValueError, match="inconsistent tensor sizes"):
        mg.dot(mg.ones(3), mg.ones(4))
    with pytest.raises(TypeError, match="same dtype"):
        mg.dot(mg.ones(3), mg.ones(3, dtype=mg.float64))
    with pytest.raises(ValueError, match="subscript 'j' has size"):
        mg.einsum("ij,jk->ik", mg.ones(2, 3), mg.ones(4, 2))
    with pytest.raises(ValueError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        mg.ones(2, 2, 2).t()
    with pytest.raises(IndexError, match="out of range"):
        mg.ones(3).select(0, 3)
    with pytest.raises(IndexError, match="exceeds"):
        mg.ones(3).narrow(0, 2, 2)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        mg.linalg.norm(mg.ones(2, 2, 2), ord=2)
    with pytest.raises(ValueError, match="'nuc' needs a 2-D input"):
        mg.norm(mg.ones(2, 2, 2), p="nuc")
