"""clamp / clip with tensor bounds: values, PyTorch's gradient routing at ties and where
min > max, broadcasting, gradcheck and gradgradcheck, errors, and an optional torch match."""
import numpy as np
import pytest

import minigrad as mg

NAN, INF = np.nan, np.inf


def t64(data, requires_grad=True):
    return mg.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


def away_from_kinks(shapes, seed, gap=0.05):
    """Random float64 arrays for x, min, max whose pairwise differences all exceed ``gap``
    (after broadcasting), so finite differences never straddle a kink."""
    rng = np.random.default_rng(seed)
    while True:
        arrays = [rng.uniform(-2, 2, s) for s in shapes]
        x, *bounds = arrays
        if all(np.abs(x - b).min() > gap for b in bounds) and \
                (len(bounds) < 2 or np.abs(bounds[0] - bounds[1]).min() > gap):
            return arrays


# x, min, max -> value, then the gradients of x, min, max for an all-ones output gradient.
# Measured with torch 2.13 (ClampBackward0).
ROUTING = [
    # inside, and on either boundary: x gets the gradient
    (0.5, 0.0, 1.0, 0.5, 1, 0, 0),
    (0.0, 0.0, 1.0, 0.0, 1, 0, 0),
    (1.0, 0.0, 1.0, 1.0, 1, 0, 0),
    (1.0, 1.0, 1.0, 1.0, 1, 0, 0),
    # clamped: the bound that gives the value gets it
    (-2.0, 0.0, 1.0, 0.0, 0, 1, 0),
    (2.0, 0.0, 1.0, 1.0, 0, 0, 1),
    (-INF, 0.0, 1.0, 0.0, 0, 1, 0),
    (INF, 0.0, 1.0, 1.0, 0, 0, 1),
    # min > max: the value is max, and max gets the gradient wherever x is
    (0.0, 1.0, 0.5, 0.5, 0, 0, 1),
    (0.5, 1.0, 0.5, 0.5, 0, 0, 1),
    (0.7, 1.0, 0.5, 0.5, 0, 0, 1),
    (1.0, 1.0, 0.5, 0.5, 0, 0, 1),
    (2.0, 1.0, 0.5, 0.5, 0, 0, 1),
    # min == max: from above max gets it, from below nobody does (PyTorch's rule)
    (2.0, 1.0, 1.0, 1.0, 0, 0, 1),
    (0.0, 1.0, 1.0, 1.0, 0, 0, 0),
    # NaN propagates; comparisons with NaN are false
    (NAN, 0.0, 1.0, NAN, 0, 0, 0),
    (NAN, 1.0, 0.5, NAN, 0, 0, 1),
    (0.0, NAN, 0.5, NAN, 0, 0, 0),
    (2.0, NAN, 1.0, NAN, 0, 0, 1),
    (0.0, 1.0, NAN, NAN, 0, 0, 0),
]


def test_values_and_gradient_routing_match_pytorch():
    cols = np.array(ROUTING, dtype=np.float64).T
    x, lo, hi = t64(cols[0]), t64(cols[1]), t64(cols[2])
    y = x.clamp(min=lo, max=hi)
    np.testing.assert_array_equal(y.detach().numpy(), cols[3])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), cols[4])
    np.testing.assert_array_equal(lo.grad.numpy(), cols[5])
    np.testing.assert_array_equal(hi.grad.numpy(), cols[6])


@pytest.mark.parametrize("side, value, x_grad, bound_grad", [
    ("min", [1.0, 1.0, 2.0, NAN], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]),
    ("max", [0.0, 1.0, 1.0, NAN], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]),
])
def test_one_tensor_bound_routes_ties_to_the_input(side, value, x_grad, bound_grad):
    x, b = t64([0.0, 1.0, 2.0, NAN]), t64([1.0, 1.0, 1.0, 1.0])
    y = x.clamp(**{side: b})
    np.testing.assert_array_equal(y.detach().numpy(), value)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), x_grad)
    np.testing.assert_array_equal(b.grad.numpy(), bound_grad)


def test_clamped_positions_get_zero_not_nan_from_an_infinite_upstream_gradient():
    x, lo = t64([0.0, 2.0]), t64([1.0, 1.0])
    x.clamp(lo).backward(mg.tensor([INF, INF], dtype=mg.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, INF])
    np.testing.assert_array_equal(lo.grad.numpy(), [INF, 0.0])


def test_spellings_agree():
    x = t64([-1.0, 0.3, 2.0], requires_grad=False)
    lo, hi = t64([0.0, 0.0, 0.0], False), t64([1.0, 1.0, 1.0], False)
    expected = [0.0, 0.3, 1.0]
    for y in (x.clamp(lo, hi), x.clip(lo, hi), mg.clamp(x, lo, hi), mg.clip(x, min=lo, max=hi),
              x.clamp(lo, 1.0), x.clamp(0.0, hi), x.clamp(lo.detach().numpy(), hi.detach().numpy())):
        np.testing.assert_array_equal(y.detach().numpy(), expected)


BROADCAST = [
    ((3, 1, 4), (5, 4), (5, 4)),
    ((3, 1, 4), (5, 4), None),
    ((3, 1, 4), None, (5, 1)),
    ((5, 4), (3, 1, 4), None),          # the bound widens the result
    ((5, 4), (3, 1, 4), (1, 4)),        # PyTorch's backward raises here; minigrad's does not
    ((2, 3), (), ()),
    ((), (4,), (2, 1)),
    ((2, 3), (1,), None),
]


@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
def test_broadcast_values_and_gradcheck(shapes):
    sx, slo, shi = shapes
    given = [s for s in shapes if s is not None]
    arrays = iter(away_from_kinks(given, seed=len(str(shapes))))
    x = t64(next(arrays))
    lo = t64(next(arrays) - 1.0) if slo is not None else None
    hi = t64(next(arrays) + 1.0) if shi is not None else None
    y = x.clamp(lo, hi)
    ref = x.detach().numpy()
    if lo is not None:
        ref = np.maximum(ref, lo.detach().numpy())
    if hi is not None:
        ref = np.minimum(ref, hi.detach().numpy())
    assert y.shape == np.broadcast_shapes(*given)
    np.testing.assert_array_equal(y.detach().numpy(), ref)
    inputs = tuple(v for v in (x, lo, hi) if v is not None)

    def f(*a):
        it = iter(a)
        return next(it).clamp(next(it) if lo is not None else None,
                              next(it) if hi is not None else None)

    assert mg.gradcheck(f, inputs)
    assert mg.gradgradcheck(lambda *a: f(*a) * a[0] * a[-1], inputs)


def test_gradcheck_where_min_exceeds_max():
    x, lo, hi = (t64(a) for a in away_from_kinks([(4, 3), (3,), (4, 1)], seed=3))
    lo.data += 2.0  # most positions now have min > max: the value is max there
    assert np.any(lo.detach().numpy() > hi.detach().numpy())
    assert mg.gradcheck(lambda x, lo, hi: x.clamp(lo, hi), (x, lo, hi))
    assert mg.gradgradcheck(lambda x, lo, hi: x.clamp(lo, hi) ** 2, (x, lo, hi))


@pytest.mark.parametrize("which", ["x", "min", "max", "bounds"])
def test_only_some_inputs_require_grad(which):
    x, lo, hi = away_from_kinks([(3, 4), (4,), (3, 1)], seed=5)
    lo, hi = lo - 1.0, hi + 1.0
    mx, mlo, mhi = (t64(a, requires_grad=(name in which or (which == "bounds" and name != "x")))
                    for a, name in ((x, "x"), (lo, "min"), (hi, "max")))
    y = mx.clamp(mlo, mhi)
    assert y.requires_grad
    y.sum().backward()
    for v, name in ((mx, "x"), (mlo, "min"), (mhi, "max")):
        assert (v.grad is not None) == v.requires_grad, name
    if mlo.requires_grad:
        np.testing.assert_array_equal(mlo.grad.numpy(), ((x < lo) & (lo < hi)).sum(0))
    if mhi.requires_grad:
        np.testing.assert_array_equal(mhi.grad.numpy(), ((x > hi) | (lo > hi)).sum(1, keepdims=True))
    if mx.requires_grad:
        np.testing.assert_array_equal(mx.grad.numpy(), (x >= lo) & (x <= hi))
    with mg.no_grad():
        assert not mx.clamp(mlo, mhi).requires_grad


def test_second_derivative_flows_through_the_backward():
    x = t64([0.5, 3.0, -3.0])
    lo, hi = t64([0.0, 0.0, -1.0]), t64([1.0, 2.0, 1.0])
    y = (x.clamp(lo, hi) ** 3).sum()
    gx, glo, ghi = mg.autograd.grad(y, (x, lo, hi), create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), [0.75, 0.0, 0.0])
    np.testing.assert_allclose(glo.detach().numpy(), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(ghi.detach().numpy(), [0.0, 12.0, 0.0])
    (hx,) = mg.autograd.grad(gx.sum(), x, retain_graph=True)  # ghi shares the pow backward
    (hhi,) = mg.autograd.grad(ghi.sum(), hi)
    np.testing.assert_allclose(hx.detach().numpy(), [3.0, 0.0, 0.0])
    np.testing.assert_allclose(hhi.detach().numpy(), [0.0, 12.0, 0.0])


def test_dtypes_promote_as_in_pytorch():
    ints, floats = mg.tensor([1, 5]), mg.tensor([2.5, 2.5])
    assert ints.clamp(floats).dtype == np.float32
    assert floats.clamp(mg.tensor([2, 2])).dtype == np.float32
    assert ints.clamp(mg.tensor([2, 2])).dtype == np.int64
    assert mg.tensor([1.0, 5.0], dtype=mg.float64).clamp(floats).dtype == np.float64
    np.testing.assert_array_equal(ints.clamp(floats, mg.tensor([4, 4])).data, [2.5, 4.0])
    x = mg.tensor([0.0, 3.0], requires_grad=True)
    lo = mg.tensor([1.0, 1.0], dtype=mg.float64, requires_grad=True)
    x.clamp(lo).sum().backward()
    assert x.grad.dtype == np.float32 and lo.grad.dtype == np.float64


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"clamp: input of shape \(3,\) and min of shape \(4,\) "
                                         r"cannot be broadcast together"):
        mg.ones(3).clamp(mg.ones(4))
    with pytest.raises(ValueError, match=r"clamp: input of shape \(3,\), min of shape \(3,\) and "
                                         r"max of shape \(2, 4\) cannot be broadcast"):
        mg.ones(3).clamp(mg.ones(3), mg.ones(2, 4))
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\) and max of shape \(2,\)"):
        mg.ones(2, 3).clamp(max=mg.ones(2))
    with pytest.raises(ValueError, match="at least one of min and max"):
        mg.ones(3).clamp(None, None)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    grid = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, NAN, INF])
    # PyTorch's backward cannot widen x when both bounds are tensors, so x has the full
    # shape in those cases.
    cases = [((3, 5, 4), (5, 4), (3, 1, 4)), ((5, 4), (5, 4), ()), ((3, 1, 4), (5, 4), None),
             ((3, 1, 4), None, (5, 1)), ((4,), (2, 1), None), ((), None, (3,))]
    for sx, slo, shi in cases * 5:
        x = rng.choice(grid, sx)
        lo = rng.choice(grid, slo) if slo is not None else None
        hi = rng.choice(grid, shi) if shi is not None else None
        mine = [t64(a) if a is not None else None for a in (x, lo, hi)]
        theirs = [torch.tensor(a, requires_grad=True) if a is not None else None
                  for a in (x, lo, hi)]
        my, ty = mine[0].clamp(mine[1], mine[2]), theirs[0].clamp(theirs[1], theirs[2])
        np.testing.assert_array_equal(my.detach().numpy(), ty.detach().numpy())
        gout = rng.standard_normal(my.shape)
        my.backward(t64(gout, False))
        ty.backward(torch.tensor(gout))
        for m, th in zip(mine, theirs):
            if m is not None:
                np.testing.assert_allclose(m.grad.numpy(), th.grad.numpy(), rtol=1e-12, atol=0)
