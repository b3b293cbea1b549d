"""The special functions (erfc, erfinv, lgamma, digamma, polygamma) and the bitwise ops of
minigrad.ops.math_more: gradients, PyTorch parity, independent references, errors."""
import math

import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(11)


def f64(data, grad=True):
    return mg.tensor(np.asarray(data, dtype=np.float64), requires_grad=grad)


SPECIAL = [
    ("erfc", lambda m, x: m.erfc(x), (-3, 3)),
    ("erfinv", lambda m, x: m.erfinv(x), (-0.95, 0.95)),
    ("lgamma", lambda m, x: m.lgamma(x), (-3.8, 6)),
    ("digamma", lambda m, x: m.digamma(x), (-3.8, 6)),
    ("polygamma1", lambda m, x: m.polygamma(1, x), (0.3, 6)),
    ("polygamma3", lambda m, x: m.polygamma(3, x), (-2.7, 6)),
]


def _away_from_poles(data):
    # the gamma functions have poles at 0, -1, -2, ...: keep the samples off them
    frac = data - np.floor(data)
    return np.where((data < 0.2) & ((frac < 0.15) | (frac > 0.85)), data + 0.4, data)


@pytest.mark.parametrize("name,fn,domain", SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_gradcheck(name, fn, domain):
    x = f64(_away_from_poles(RNG.uniform(*domain, (2, 3))))
    assert mg.gradcheck(lambda t: fn(mg, t), (x,))
    assert mg.gradgradcheck(lambda t: fn(mg, t), (x,))


@pytest.mark.parametrize("name,fn,domain", SPECIAL, ids=[s[0] for s in SPECIAL])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_matches_torch(name, fn, domain, dtype):
    torch = pytest.importorskip("torch")
    data = _away_from_poles(RNG.uniform(*domain, (40,))).astype(dtype)
    x = mg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    y, ty = fn(mg, x), fn(torch, tx)
    assert str(y.dtype) == str(ty.dtype).replace("torch.", "")
    # PyTorch's polygamma(n >= 1) (digamma's derivative) is accurate to about 1e-9 only;
    # test_special_independent_references checks ours to 1e-14
    tol = 2e-5 if dtype == "float32" else (1e-8 if "gamma" in name else 1e-12)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)


def test_special_extreme_and_pole_values_match_torch():
    torch = pytest.importorskip("torch")
    cases = {
        "erfc": [-30.0, -5.0, 0.0, 5.0, 26.0, 30.0, math.inf, -math.inf, math.nan],
        "erfinv": [-1.0, 1.0, 1 - 2 ** -52, -1 + 1e-15, 1e-300, 0.0, -0.0, 0.5, 1.5, math.nan],
        "lgamma": [0.0, -1.0, -2.5, 1e-300, 1e300, math.inf, -math.inf, math.nan, 171.5],
        "digamma": [0.0, -0.0, -1.0, -2.5, 1e-8, 1e5, 1e300, -1e5 + 0.5, math.nan, math.inf],
    }
    for name, values in cases.items():
        x = np.array(values)
        y = getattr(mg, name)(mg.tensor(x)).numpy()
        ty = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(y, ty, rtol=1e-13, equal_nan=True, err_msg=name)
    x = np.array([0.0, 1e-3, 0.5, 1e4, 1e8, -2.5, -7.3, math.nan])
    # at +inf the limit is 0 (PyTorch gives NaN for n >= 2)
    assert mg.polygamma(2, f64([math.inf], False)).item() == 0.0
    for n in (0, 1, 2, 4):
        y = mg.polygamma(n, mg.tensor(x)).numpy()
        ty = torch.polygamma(n, torch.tensor(x)).numpy()
        np.testing.assert_allclose(y, ty, rtol=1e-12 if n == 0 else 1e-8, equal_nan=True,
                                   err_msg=f"n={n}")


def test_special_independent_references():
    # erfinv inverts math.erf; erfc is 1 - erf where that is exact enough
    y = np.array([-3.0, -0.7, 0.0, 0.2, 1.9, 4.0])
    p = np.array([math.erf(v) for v in y])
    np.testing.assert_allclose(mg.erfinv(f64(p, False)).numpy(), y, rtol=1e-9)
    np.testing.assert_allclose(mg.erfc(f64(y[:4], False)).numpy(),
                               [1 - math.erf(v) for v in y[:4]], rtol=1e-14)
    assert mg.erfc(f64([10.0], False)).item() == pytest.approx(2.088487583762545e-45, rel=1e-14)
    # lgamma: log |(n-1)!|; digamma: psi(1) = -gamma, psi(1/2) = -gamma - 2 log 2
    np.testing.assert_allclose(mg.lgamma(f64([1.0, 5.0, 0.5, -0.5], False)).numpy(),
                               [0.0, math.log(24), math.log(math.pi) / 2,
                                math.log(2 * math.sqrt(math.pi))], rtol=1e-14, atol=1e-15)
    euler = 0.5772156649015329
    np.testing.assert_allclose(mg.digamma(f64([1.0, 0.5], False)).numpy(),
                               [-euler, -euler - 2 * math.log(2)], rtol=1e-14)
    # digamma is the slope of lgamma (central difference of math.lgamma)
    x = np.array([-2.3, 0.7, 3.1, 25.0])
    h = 1e-6
    slope = [(math.lgamma(v + h) - math.lgamma(v - h)) / (2 * h) for v in x]
    np.testing.assert_allclose(mg.digamma(f64(x, False)).numpy(), slope, rtol=1e-7)
    # polygamma(n, 1) = (-1)^(n+1) n! zeta(n+1): zeta(2) = pi^2/6, zeta(4) = pi^4/90
    np.testing.assert_allclose(mg.polygamma(1, f64([1.0], False)).item(), math.pi ** 2 / 6,
                               rtol=1e-14)
    np.testing.assert_allclose(mg.polygamma(3, f64([1.0], False)).item(),
                               6 * math.pi ** 4 / 90, rtol=1e-14)
    # and the recurrence psi1(x + 1) = psi1(x) - 1/x^2, for a negative x too
    for v in (-3.4, 0.3, 7.0):
        lhs = mg.polygamma(1, f64([v + 1], False)).item()
        rhs = mg.polygamma(1, f64([v], False)).item() - 1 / v ** 2
        assert lhs == pytest.approx(rhs, rel=1e-13)


def test_special_int_input_and_inplace():
    torch = pytest.importorskip("torch")
    for name in ("erfc", "erfinv", "lgamma", "digamma"):
        y = getattr(mg, name)(mg.tensor([0, 1, 3]))
        ty = getattr(torch, name)(torch.tensor([0, 1, 3]))
        assert y.dtype == np.float32
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, equal_nan=True)
    for name, args in (("erfc_", ()), ("erfinv_", ()), ("lgamma_", ()), ("digamma_", ()),
                       ("polygamma_", (2,))):
        data = RNG.uniform(0.2, 0.9, (4,))
        x, tx = f64(data), torch.tensor(data, requires_grad=True)
        y = x * 2.0
        getattr(y, name)(*args)
        ty = getattr(tx * 2.0, name)(*args)
        assert y._version == 1
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        # (PyTorch's polygamma(n >= 1) is accurate to about 1e-9 only)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8)
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(x, name)(*args)


def test_special_errors():
    with pytest.raises(TypeError, match="polygamma: n must be an int"):
        mg.polygamma(1.5, mg.tensor([1.0]))
    with pytest.raises(ValueError, match="non-negative"):
        mg.polygamma(-1, mg.tensor([1.0]))
    with pytest.raises(TypeError, match="erfinv: argument 'input'"):
        mg.erfinv(0.5)
    t = mg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        t.lgamma_()
    assert t.tolist() == [1, 2] and t._version == 0


# ----- bitwise ------------------------------------------------------------------------------
INTS = np.array([[-7, 0, 5, 12], [3, -1, 255, 2 ** 40]])
SHIFTS = np.array([0, 1, 3, 63])


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_left_shift", "bitwise_right_shift"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8"])
def test_bitwise_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    a = INTS.astype(dtype)
    b = (SHIFTS if "shift" in name else np.array([6, -3, 9, 1])).astype(dtype)
    y = getattr(mg, name)(mg.tensor(a), mg.tensor(b))
    ty = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    assert str(y.dtype) == str(ty.dtype).replace("torch.", "")
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    for scalar in (3, -2, 70):
        y = getattr(mg, name)(mg.tensor(a), scalar)
        ty = getattr(torch, name)(torch.tensor(a), scalar)
        assert str(y.dtype) == str(ty.dtype).replace("torch.", "")
        np.testing.assert_array_equal(y.numpy(), ty.numpy(), err_msg=f"{name} {scalar}")


def test_bitwise_bool_and_operators_match_torch():
    torch = pytest.importorskip("torch")
    p, q = np.array([True, True, False, False]), np.array([True, False, True, False])
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        y = getattr(mg, name)(mg.tensor(p), mg.tensor(q))
        ty = getattr(torch, name)(torch.tensor(p), torch.tensor(q))
        assert y.dtype == np.bool_
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(mg.bitwise_not(mg.tensor(p)).numpy(), ~p)
    a, ta = mg.tensor(INTS), torch.tensor(INTS)
    for op in (lambda x: x ^ 5, lambda x: 5 ^ x, lambda x: x << 2, lambda x: x >> 1,
               lambda x: 3 << x.bitwise_and(7), lambda x: 1024 >> x.bitwise_and(7),
               lambda x: 6 & x, lambda x: 6 | x, lambda x: x.bitwise_not()):
        np.testing.assert_array_equal(op(a).numpy(), op(ta).numpy())


def test_bitwise_numpy_reference():
    a = [-7, 0, 5, 12, 2 ** 40]
    t = mg.tensor(a)
    assert mg.bitwise_and(t, 6).tolist() == [v & 6 for v in a]
    assert mg.bitwise_or(t, 6).tolist() == [v | 6 for v in a]
    assert mg.bitwise_xor(t, 6).tolist() == [v ^ 6 for v in a]
    assert mg.bitwise_not(t).tolist() == [~v for v in a]
    assert mg.bitwise_left_shift(t, 3).tolist() == [v << 3 for v in a]
    assert mg.bitwise_right_shift(t, 2).tolist() == [v >> 2 for v in a]
    # shifting out every bit: 0, or the sign for a right shift
    assert mg.bitwise_left_shift(t, 64).tolist() == [0] * 5
    assert mg.bitwise_right_shift(t, 64).tolist() == [-1, 0, 0, 0, 0]
    assert mg.bitwise_right_shift(t, -1).tolist() == [-1, 0, 0, 0, 0]
    assert mg.bitwise_right_shift(mg.tensor(np.array([200], np.uint8)), 9).tolist() == [0]


def test_bitwise_inplace():
    t = mg.tensor([12, 10, 7])
    v = t[:2]
    t ^= 5
    assert t.tolist() == [9, 15, 2] and v.tolist() == [9, 15] and t._version == 1
    t <<= 1
    t >>= mg.tensor([0, 1, 2])
    assert t.tolist() == [18, 15, 1] and t._version == 3
    t.bitwise_and_(3).bitwise_or_(8)
    assert t.tolist() == [10, 11, 9]
    t.bitwise_not_()
    assert t.tolist() == [-11, -12, -10]
    m = mg.tensor([True, False])
    m &= mg.tensor([True, True])
    m |= mg.tensor([False, False])
    assert m.tolist() == [True, False] and m._version == 2
    i32 = mg.tensor([1, 2], dtype=mg.int32)
    i32.bitwise_xor_(mg.tensor([3, 3]))
    assert i32.dtype == np.int32 and i32.tolist() == [2, 1]


def test_bitwise_errors_change_nothing():
    t = mg.tensor([1, 2])
    f = mg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="bitwise_and: not implemented for input of dtype "
                                        "float32"):
        mg.bitwise_and(f, t)
    with pytest.raises(TypeError, match="other"):
        mg.bitwise_or(t, 1.5)
    with pytest.raises(TypeError, match="bitwise_not"):
        mg.bitwise_not(f)
    with pytest.raises(TypeError, match="bool"):
        mg.bitwise_left_shift(mg.tensor([True]), mg.tensor([True]))
    with pytest.raises(ValueError, match="broadcast"):
        mg.bitwise_xor(t, mg.tensor([1, 2, 3]))
    with pytest.raises(TypeError):
        f ^= 1
    with pytest.raises(TypeError):
        f.bitwise_not_()
    m = mg.tensor([True, False])
    with pytest.raises(RuntimeError, match="can't be cast"):
        m.bitwise_and_(mg.tensor([3, 3]))
    with pytest.raises(RuntimeError, match="broadcast"):
        t.bitwise_and_(mg.tensor([[1], [2]]))
    assert t.tolist() == [1, 2] and m.tolist() == [True, False] and f.tolist() == [1.0, 2.0]
    assert t._version == m._version == f._version == 0
