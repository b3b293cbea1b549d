"""The elementwise math of minigrad.ops.math_more: gradients (gradcheck, gradgradcheck),
values and gradients against PyTorch, independent numpy references, in-place forms, errors.
The special functions and the bitwise ops are in test_math_more_special.py."""
import math

import numpy as np
import pytest

import minigrad as mg


def tnp(t):
    """A torch tensor's values (torch's gradient of sgn is a ZeroTensor, refused by numpy())."""
    return t.detach().numpy(force=True)


def f64(data, grad=True):
    return mg.tensor(np.asarray(data, dtype=np.float64), requires_grad=grad)


RNG = np.random.default_rng(7)


def uniform(lo, hi, shape=(2, 3)):
    return RNG.uniform(lo, hi, shape)


# (name, function of minigrad-or-torch module and tensor, input domain)
UNARY = [
    ("tan", lambda m, x: m.tan(x), (-1.2, 1.2)),
    ("asin", lambda m, x: m.asin(x), (-0.9, 0.9)),
    ("arcsin", lambda m, x: m.arcsin(x), (-0.9, 0.9)),
    ("acos", lambda m, x: m.acos(x), (-0.9, 0.9)),
    ("atan", lambda m, x: m.atan(x), (-3, 3)),
    ("sinh", lambda m, x: m.sinh(x), (-2, 2)),
    ("cosh", lambda m, x: m.cosh(x), (-2, 2)),
    ("asinh", lambda m, x: m.asinh(x), (-3, 3)),
    ("acosh", lambda m, x: m.acosh(x), (1.2, 4)),
    ("atanh", lambda m, x: m.atanh(x), (-0.9, 0.9)),
    ("sinc", lambda m, x: m.sinc(x), (-2.5, 2.5)),
    ("deg2rad", lambda m, x: m.deg2rad(x), (-200, 200)),
    ("rad2deg", lambda m, x: m.rad2deg(x), (-4, 4)),
    ("logit", lambda m, x: m.logit(x), (0.05, 0.95)),
    ("logit_eps", lambda m, x: m.logit(x, eps=0.2), (0.05, 0.95)),
    ("nan_to_num", lambda m, x: m.nan_to_num(x), (-3, 3)),
    ("clamp_min", lambda m, x: m.clamp_min(x, 0.1), (-1, 1)),
    ("clamp_max", lambda m, x: m.clamp_max(x, 0.1), (-1, 1)),
    ("sgn", lambda m, x: m.sgn(x), (-1, 1)),
    ("float_power", lambda m, x: m.float_power(x, 2.5), (0.2, 3)),
]
NO_GRADGRAD = {"sgn", "clamp_min", "clamp_max", "nan_to_num", "deg2rad", "rad2deg"}


@pytest.mark.parametrize("name,fn,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name, fn, domain):
    x = f64(uniform(*domain))
    assert mg.gradcheck(lambda t: fn(mg, t), (x,))
    if name not in NO_GRADGRAD:
        assert mg.gradgradcheck(lambda t: fn(mg, t), (x,))


@pytest.mark.parametrize("name,fn,domain", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_matches_torch(name, fn, domain, dtype):
    torch = pytest.importorskip("torch")
    data = uniform(*domain, (3, 4)).astype(dtype)
    x = mg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    y, ty = fn(mg, x), fn(torch, tx)
    assert y.dtype == np.dtype(str(ty.dtype).replace("torch.", ""))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    w = RNG.standard_normal(data.shape)
    (y * mg.tensor(w, dtype=y.dtype)).sum().backward()
    (ty * torch.tensor(w, dtype=ty.dtype)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tnp(tx.grad), rtol=tol * 10, atol=tol)


@pytest.mark.parametrize("name", ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
                                  "atanh", "sinc", "deg2rad", "rad2deg", "logit", "sgn",
                                  "signbit", "nan_to_num"])
def test_integer_input_dtype_matches_torch(name):
    torch = pytest.importorskip("torch")
    data = np.array([-1, 0, 1, 2])
    y, ty = getattr(mg, name)(mg.tensor(data)), getattr(torch, name)(torch.tensor(data))
    assert str(y.dtype) == str(ty.dtype).replace("torch.", "")
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, equal_nan=True)


def test_numpy_references():
    x = np.array([-0.75, -0.2, 0.0, 0.4, 0.9])
    np.testing.assert_allclose(mg.asin(mg.tensor(x)).numpy(), np.arcsin(x).astype(np.float32))
    np.testing.assert_allclose(mg.acosh(mg.tensor(x + 2)).numpy(),
                               np.log(x + 2 + np.sqrt((x + 2) ** 2 - 1)), rtol=1e-6)
    np.testing.assert_allclose(mg.atanh(f64(x, False)).numpy(),
                               0.5 * np.log((1 + x) / (1 - x)), rtol=1e-14)
    s = [math.sin(math.pi * v) / (math.pi * v) if v else 1.0 for v in x]
    np.testing.assert_allclose(mg.sinc(f64(x, False)).numpy(), s, rtol=1e-14)
    np.testing.assert_allclose(mg.logaddexp(f64(x, False), f64(2 * x, False)).numpy(),
                               [math.log(math.exp(v) + math.exp(2 * v)) for v in x], rtol=1e-14)
    np.testing.assert_allclose(mg.hypot(f64([3.0, 5.0], False), 4.0).numpy(),
                               [5.0, math.sqrt(41)], rtol=1e-15)
    assert mg.signbit(mg.tensor([-0.0, 0.0, -2.0, 3.0])).tolist() == [True, False, True, False]
    assert mg.heaviside(mg.tensor([-1.0, 0.0, 2.0]), mg.tensor([0.5])).tolist() == [0, 0.5, 1]
    assert mg.xlogy(mg.tensor([0.0, 2.0]), mg.tensor([0.0, math.e])).tolist() == [0.0, 2.0]


# ----- binary ops ---------------------------------------------------------------------------
BINARY = [
    ("atan2", lambda m, a, b: m.atan2(a, b), (-2, 2), (-2, 2)),
    ("arctan2", lambda m, a, b: m.arctan2(a, b), (-2, 2), (0.5, 2)),
    ("hypot", lambda m, a, b: m.hypot(a, b), (-2, 2), (0.5, 2)),
    ("xlogy", lambda m, a, b: m.xlogy(a, b), (-2, 2), (0.5, 3)),
    ("logaddexp", lambda m, a, b: m.logaddexp(a, b), (-3, 3), (-3, 3)),
    ("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), (-3, 3), (-3, 3)),
    ("copysign", lambda m, a, b: m.copysign(a, b), (-2, 2), (-2, 2)),
    ("fmax", lambda m, a, b: m.fmax(a, b), (-2, 2), (-2, 2)),
    ("fmin", lambda m, a, b: m.fmin(a, b), (-2, 2), (-2, 2)),
    ("float_power", lambda m, a, b: m.float_power(a, b), (0.5, 2), (-2, 2)),
    ("lerp", lambda m, a, b: m.lerp(a, b, 0.3), (-2, 2), (-2, 2)),
    ("lerp_tensor", lambda m, a, b: m.lerp(a, b, (b * 0.5).sigmoid()), (-2, 2), (-2, 2)),
    ("clamp_min_t", lambda m, a, b: m.clamp_min(a, b), (-2, 2), (-2, 2)),
    ("clamp_max_t", lambda m, a, b: m.clamp_max(a, b), (-2, 2), (-2, 2)),
]
NO_GRADGRAD_BINARY = {"copysign", "fmax", "fmin", "clamp_min_t", "clamp_max_t"}


@pytest.mark.parametrize("name,fn,da,db", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradcheck_broadcasting(name, fn, da, db):
    a, b = f64(uniform(*da, (2, 3))), f64(uniform(*db, (3,)))
    assert mg.gradcheck(lambda x, y: fn(mg, x, y), (a, b))
    if name not in NO_GRADGRAD_BINARY:
        assert mg.gradgradcheck(lambda x, y: fn(mg, x, y), (a, b))


@pytest.mark.parametrize("name,fn,da,db", BINARY, ids=[b[0] for b in BINARY])
def test_binary_matches_torch(name, fn, da, db):
    torch = pytest.importorskip("torch")
    ad, bd = uniform(*da, (4, 3)), uniform(*db, (1, 3))
    a, b = f64(ad), f64(bd)
    ta = torch.tensor(ad, requires_grad=True)
    tb = torch.tensor(bd, requires_grad=True)
    y, ty = fn(mg, a, b), fn(torch, ta, tb)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12, atol=1e-14)


def _torch_pair(torch, *arrays):
    mgs = [f64(x) for x in arrays]
    ts = [torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in arrays]
    return mgs, ts


@pytest.mark.parametrize("case", ["xlogy", "fmax_nan", "fmin_ties", "copysign_zero",
                                  "logaddexp_inf", "sinc_zero", "logit_eps_edges",
                                  "nan_to_num_values", "lerp_endpoints", "atan2_zero",
                                  "hypot_zero"])
def test_edge_values_and_gradients_match_torch(case):
    torch = pytest.importorskip("torch")
    nan, inf = math.nan, math.inf
    fns = {
        "xlogy": ([0.0, 0.0, 2.0, -1.0], [0.0, nan, 0.0, 2.0], lambda m, a, b: m.xlogy(a, b)),
        "fmax_nan": ([1.0, nan, 2.0, nan], [nan, 1.0, 2.0, nan], lambda m, a, b: m.fmax(a, b)),
        "fmin_ties": ([1.0, 3.0, 2.0], [1.0, 2.0, nan], lambda m, a, b: m.fmin(a, b)),
        "copysign_zero": ([0.0, -0.0, 2.0, -3.0], [-1.0, 1.0, -0.0, 0.0],
                          lambda m, a, b: m.copysign(a, b)),
        "logaddexp_inf": ([-inf, 1.0, 1000.0, -1000.0], [-2.0, -inf, 1000.0, -1001.0],
                          lambda m, a, b: m.logaddexp(a, b)),
        "sinc_zero": ([0.0, 1.0, -2.0], [1.0, 1.0, 1.0], lambda m, a, b: m.sinc(a) * b),
        "logit_eps_edges": ([0.0, 0.1, 0.5, 0.9, 1.0], [1.0] * 5,
                            lambda m, a, b: m.logit(a, eps=0.1) * b),
        "nan_to_num_values": ([nan, inf, -inf, 1.5], [1.0] * 4,
                              lambda m, a, b: m.nan_to_num(a, nan=2.0, posinf=9.0) * b),
        "lerp_endpoints": ([1.0, -3.0, 0.1], [7.0, 5.0, 0.3],
                           lambda m, a, b: m.lerp(a, b, m.tensor([1.0, 0.0, 0.7],
                                                                 dtype=m.float64))),
        "atan2_zero": ([0.0, -0.0, 1.0], [-1.0, -1.0, 0.0], lambda m, a, b: m.atan2(a, b)),
        "hypot_zero": ([0.0, 3.0], [1.0, 4.0], lambda m, a, b: m.hypot(a, b)),
    }
    ad, bd, fn = fns[case]
    (a, b), (ta, tb) = _torch_pair(torch, ad, bd)
    y, ty = fn(mg, a, b), fn(torch, ta, tb)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-14,
                               equal_nan=True)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-14, equal_nan=True)
    if tb.grad is not None:
        np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-14, equal_nan=True)


def test_non_differentiable_ops_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-1.5, -0.0, 0.0, 2.0, np.nan, np.inf])
    np.testing.assert_array_equal(mg.signbit(mg.tensor(x)).numpy(), torch.signbit(torch.tensor(x)))
    v = np.array([0.25])
    np.testing.assert_array_equal(mg.heaviside(mg.tensor(x), mg.tensor(v)).numpy(),
                                  torch.heaviside(torch.tensor(x), torch.tensor(v)).numpy())
    xi = np.array([-3, 0, 4])
    np.testing.assert_array_equal(mg.sgn(mg.tensor(xi)).numpy(), torch.sgn(torch.tensor(xi)))
    np.testing.assert_array_equal(mg.nan_to_num(mg.tensor(xi)).numpy(),
                                  torch.nan_to_num(torch.tensor(xi)).numpy())
    for exponent in (2, 0.5, mg.tensor([1, 2, 3])):
        te = torch.tensor([1, 2, 3]) if isinstance(exponent, mg.Tensor) else exponent
        y, ty = mg.float_power(mg.tensor([2, 3, 4]), exponent), torch.float_power(
            torch.tensor([2, 3, 4]), te)
        assert y.dtype == np.float64 and ty.dtype == torch.float64
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-15)


def test_float32_float64_promotion_and_grad_dtype():
    a = mg.tensor([0.5, 1.0], requires_grad=True)
    b = f64([2.0, 3.0])
    y = mg.atan2(a, b)
    assert y.dtype == np.float64
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    p = mg.float_power(a, 2)
    assert p.dtype == np.float64
    p.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [2 / 4.25 + 1.0, 3 / 10 + 2.0],
                               rtol=1e-6)


def test_out_argument():
    out = mg.empty(3)
    r = mg.asin(mg.tensor([0.0, 0.5, 1.0]), out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), np.arcsin([0.0, 0.5, 1.0]), rtol=1e-6)
    out = mg.empty(2, dtype=mg.float64)
    mg.hypot(f64([3.0, 6.0], False), f64([4.0, 8.0], False), out=out)
    assert out.tolist() == [5.0, 10.0]
    with pytest.raises(RuntimeError, match="out="):
        mg.asin(mg.tensor([0.5], requires_grad=True), out=mg.empty(1))


# ----- in-place forms -----------------------------------------------------------------------
INPLACE = [("asin_", (), (-0.9, 0.9)), ("arccos_", (), (-0.9, 0.9)), ("atan_", (), (-2, 2)),
           ("sinh_", (), (-2, 2)), ("cosh_", (), (-2, 2)), ("asinh_", (), (-2, 2)),
           ("acosh_", (), (1.2, 3)), ("atanh_", (), (-0.9, 0.9)), ("tan_", (), (-1, 1)),
           ("sinc_", (), (-2, 2)), ("deg2rad_", (), (-90, 90)), ("rad2deg_", (), (-1, 1)),
           ("logit_", (0.1,), (0.05, 0.95)), ("nan_to_num_", (), (-2, 2)),
           ("clamp_min_", (0.2,), (-1, 1)), ("clamp_max_", (0.2,), (-1, 1)),
           ("atan2_", (0.7,), (-1, 1)), ("hypot_", (0.7,), (-1, 1)),
           ("xlogy_", (1.5,), (-1, 1)), ("copysign_", (-1.0,), (-1, 1)),
           ("float_power_", (2.0,), (0.5, 2)), ("lerp_", (2.0, 0.25), (-1, 1)),
           ("sgn_", (), (-1, 1))]


@pytest.mark.parametrize("name,args,domain", INPLACE, ids=[i[0] for i in INPLACE])
def test_inplace_is_recorded_and_matches_torch(name, args, domain):
    torch = pytest.importorskip("torch")
    data = uniform(*domain, (5,))
    x = f64(data)
    tx = torch.tensor(data, requires_grad=True)
    margs = tuple(f64([v], False) if name == "lerp_" and i == 0 else v for i, v in enumerate(args))
    # torch's reference is the out-of-place function: some of its in-place forms (asinh_, ...)
    # have no derivative, and atan2/hypot take tensors only
    tensor_arg = name in ("lerp_", "atan2_", "hypot_")
    targs = tuple(torch.tensor([v], dtype=torch.float64) if tensor_arg and i == 0 else v
                  for i, v in enumerate(args))
    y = x * 1.0
    v0 = y._version
    assert getattr(y, name)(*margs) is y
    ty = getattr(torch, name[:-1])(tx * 1.0, *targs)
    assert y._version == v0 + 1
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-13)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tnp(tx.grad), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,args,domain", INPLACE, ids=[i[0] for i in INPLACE])
def test_inplace_refuses_leaf_that_requires_grad(name, args, domain):
    x = f64(uniform(*domain, (3,)))
    before = x.detach().numpy().copy()
    args = tuple(f64([v], False) if name == "lerp_" and i == 0 else v
                 for i, v in enumerate(args))
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(x, name)(*args)
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x._version == 0
    with mg.no_grad():
        getattr(x, name)(*args)
    assert x._version == 1


def test_inplace_gradient_to_operand_and_weight():
    torch = pytest.importorskip("torch")
    base, e, w = uniform(-1, 1, (4,)), uniform(-1, 1, (4,)), uniform(0, 1, (4,))
    x, end, weight = f64(base, False), f64(e), f64(w)
    tx = torch.tensor(base)
    tend, tw = (torch.tensor(v, requires_grad=True) for v in (e, w))
    x.lerp_(end, weight)
    tx.lerp_(tend, tw)
    (x * x).sum().backward()
    (tx * tx).sum().backward()
    np.testing.assert_allclose(end.grad.numpy(), tend.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(weight.grad.numpy(), tw.grad.numpy(), rtol=1e-13)
    y, b = f64(base, False), f64([0.5])
    ty = torch.tensor(base)
    tb = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    y.atan2_(b)
    ty.atan2_(tb)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-13)


def test_inplace_errors_leave_the_tensor_unchanged():
    t = mg.tensor([1, 2, 3])
    for call in (lambda: t.asin_(), lambda: t.atan2_(1.0), lambda: t.clamp_min_(0.5)):
        with pytest.raises(RuntimeError, match="can't be cast"):
            call()
    with pytest.raises(RuntimeError, match="float64"):
        t.float_power_(2)
    x = mg.tensor([0.1, 0.2])
    with pytest.raises(RuntimeError, match="broadcast"):
        x.hypot_(mg.tensor([[1.0], [2.0]]))
    with pytest.raises(RuntimeError, match="float64"):
        x.float_power_(2)
    with pytest.raises(RuntimeError, match="shape"):
        x.lerp_(mg.tensor([[1.0, 2.0], [3.0, 4.0]]), 0.5)
    assert t.tolist() == [1, 2, 3] and t._version == 0
    np.testing.assert_allclose(x.numpy(), [0.1, 0.2])
    assert x._version == 0


# ----- errors -------------------------------------------------------------------------------
def test_argument_errors():
    x = mg.tensor([0.5, 0.25])
    with pytest.raises(TypeError, match="asin: argument 'input' must be a Tensor"):
        mg.asin([0.5])
    with pytest.raises(TypeError, match="atan2: argument 'other'"):
        mg.atan2(x, "1")
    with pytest.raises(TypeError, match="at least one Tensor"):
        mg.hypot(1.0, 2.0)
    with pytest.raises(ValueError, match="hypot: shapes"):
        mg.hypot(x, mg.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="eps"):
        mg.logit(x, eps="small")
    with pytest.raises(TypeError, match="posinf"):
        mg.nan_to_num(x, posinf="big")
    with pytest.raises(TypeError, match="same dtype"):
        mg.heaviside(x, mg.tensor([1], dtype=mg.int64))
    with pytest.raises(RuntimeError, match="derivative"):
        mg.heaviside(mg.tensor([0.5], requires_grad=True), mg.tensor([1.0]))
    with pytest.raises(TypeError, match="end"):
        mg.lerp(x, f64([1.0, 2.0], False), 0.5)
    with pytest.raises(TypeError, match="weight"):
        mg.lerp(x, x, mg.tensor([0.5], dtype=mg.float64))
    with pytest.raises(TypeError, match="floating-point"):
        mg.lerp(mg.tensor([1]), mg.tensor([2]), 0.5)
    with pytest.raises(ValueError, match="lerp: input of shape"):
        mg.lerp(x, mg.tensor([1.0, 2.0, 3.0]), 0.5)
    with pytest.raises(TypeError, match="min must be"):
        mg.clamp_min(x, None)
    with pytest.raises(TypeError, match="bool"):
        mg.fmax(mg.tensor([True]), mg.tensor([False]))
    with pytest.raises(TypeError, match="bool"):
        mg.deg2rad(mg.tensor([True]))


def test_and_or_invert_operators_are_bitwise_on_integers_and_logical_on_bools():
    a, b = np.array([1, 2, 3, 12]), np.array([3, 2, 0, 10])
    x, y = mg.tensor(a), mg.tensor(b)
    np.testing.assert_array_equal((x & y).numpy(), a & b)
    np.testing.assert_array_equal((x | 4).numpy(), a | 4)
    np.testing.assert_array_equal((~x).numpy(), ~a)
    p, q = mg.tensor([True, False, True]), mg.tensor([True, True, False])
    assert (p & q).tolist() == [True, False, False] and (p & q).dtype == np.bool_
    assert (p | q).tolist() == [True, True, True] and (~p).tolist() == [False, True, False]
    with pytest.raises(TypeError, match="float32"):
        mg.tensor([1.0]) & mg.tensor([1.0])
