"""scatter / scatter_add / scatter_reduce, index_fill, index_copy, masked_scatter, put, take,
take_along_dim and their in-place forms, fill_diagonal_, triu_/tril_: values against
numpy loops and PyTorch, gradients (gradcheck, gradgradcheck, PyTorch), errors, in-place
semantics."""
import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(0)


def leaf(shape, seed=0):
    return mg.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def T(a):
    return mg.tensor(np.asarray(a))


# unique indices along dim 0 per column (scatter with repeats is unspecified in PyTorch)
IDX_UNIQUE = np.array([[2, 0, 1, 3], [0, 3, 2, 1]])
IDX_DUP = np.array([[2, 0, 2, 3], [2, 0, 1, 3], [0, 0, 2, 3]])


# ----- values against independent numpy loops ---------------------------------------------
def test_scatter_values_numpy_loop():
    x = RNG.standard_normal((4, 4))
    src = RNG.standard_normal((3, 5))
    out = mg.scatter(T(x), 0, T(IDX_UNIQUE), T(src)).numpy()
    want = x.copy()
    for i in range(2):
        for j in range(4):
            want[IDX_UNIQUE[i, j], j] = src[i, j]
    np.testing.assert_allclose(out, want)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_values_numpy_loop(reduce, include_self):
    x = RNG.standard_normal((4, 4))
    src = RNG.standard_normal((3, 4))
    got = mg.scatter_reduce(T(x), 0, T(IDX_DUP), T(src), reduce,
                            include_self=include_self).numpy()
    want = x.copy()
    fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}
    for j in range(4):
        for r in range(4):
            vals = [src[i, j] for i in range(3) if IDX_DUP[i, j] == r]
            if vals:
                want[r, j] = fn[reduce]((([x[r, j]] if include_self else []) + vals))
    np.testing.assert_allclose(got, want)


def test_scatter_add_dim1_and_int_mean_rounds_down():
    x = np.zeros((2, 3), np.int64)
    idx = np.array([[0, 0, 2], [1, 1, 1]])
    src = np.array([[1, 2, 3], [4, 5, 7]])
    np.testing.assert_array_equal(mg.scatter_add(T(x), 1, T(idx), T(src)).numpy(),
                                  [[3, 0, 3], [0, 16, 0]])
    got = mg.scatter_reduce(T(np.array([1, 2, 3])), 0, T(np.array([0, 0])),
                            T(np.array([4, 5])), "mean")
    assert got.tolist() == [3, 2, 3] and got.dtype == np.int64


def test_index_fill_copy_put_take_numpy():
    x = RNG.standard_normal((3, 4))
    f = mg.index_fill(T(x), 1, T(np.array([0, 2])), -1.0).numpy()
    want = x.copy()
    want[:, [0, 2]] = -1
    np.testing.assert_allclose(f, want)
    src = RNG.standard_normal((3, 2))
    c = mg.index_copy(T(x), 1, T(np.array([3, 1])), T(src)).numpy()
    want = x.copy()
    want[:, 3], want[:, 1] = src[:, 0], src[:, 1]
    np.testing.assert_allclose(c, want)
    p = mg.put(T(x), T(np.array([0, -1, 5])), T(np.array([7.0, 8.0, 9.0]))).numpy()
    want = x.copy().ravel()
    want[[0, 11, 5]] = [7, 8, 9]
    np.testing.assert_allclose(p, want.reshape(3, 4))
    pa = mg.put(T(x), T(np.array([1, 1])), T(np.array([1.0, 2.0])), accumulate=True).numpy()
    assert pa[0, 1] == pytest.approx(x[0, 1] + 3)
    tk = mg.take(T(x), T(np.array([[0, -1], [5, 2]]))).numpy()
    np.testing.assert_allclose(tk, x.ravel()[[[0, 11], [5, 2]]])


def test_masked_scatter_and_take_along_dim_numpy():
    x = RNG.standard_normal((2, 3))
    mask = np.array([[True, False, True], [False, True, False]])
    src = np.arange(6.0)
    got = mg.masked_scatter(T(x), T(mask), T(src)).numpy()
    want = x.copy()
    want[mask] = [0, 1, 2]
    np.testing.assert_allclose(got, want)
    idx = np.argsort(x, axis=1)
    np.testing.assert_allclose(mg.take_along_dim(T(x), T(idx), 1).numpy(),
                               np.take_along_axis(x, idx, 1))
    np.testing.assert_allclose(mg.take_along_dim(T(x), T(np.array([5, 0]))).numpy(),
                               x.ravel()[[5, 0]])


def test_fill_diagonal_wrap_and_tri_inplace_numpy():
    a = mg.zeros(7, 3)
    a.fill_diagonal_(5.0, wrap=True)
    want = np.zeros((7, 3))
    want.ravel()[::4] = 5
    np.testing.assert_array_equal(a.numpy(), want)
    b = mg.zeros(7, 3).fill_diagonal_(5.0)
    assert b.numpy().sum() == 15 and b.numpy()[4, 0] == 0
    c = mg.ones(3, 3, 3).fill_diagonal_(2)
    assert c.numpy()[1, 1, 1] == 2 and c.numpy().sum() == 27 + 3
    x = RNG.standard_normal((3, 4))
    t = T(x)
    assert t.triu_(1) is t
    np.testing.assert_array_equal(t.numpy(), np.triu(x, 1))
    t = T(x).tril_(-1)
    np.testing.assert_array_equal(t.numpy(), np.tril(x, -1))


# ----- gradients -------------------------------------------------------------------------
def test_gradchecks_scatter_family():
    x, s = leaf((4, 4)), leaf((3, 5), 1)
    iu, idup = T(IDX_UNIQUE), T(IDX_DUP)
    assert mg.gradcheck(lambda a, b: mg.scatter(a, 0, iu, b), (x, s))
    assert mg.gradgradcheck(lambda a, b: mg.scatter(a, 0, iu, b) ** 2, (x, s))
    assert mg.gradcheck(lambda a: mg.scatter(a, 1, iu, value=2.0), (x,))
    s4 = leaf((3, 4), 2)
    assert mg.gradcheck(lambda a, b: mg.scatter_add(a, 0, idup, b), (x, s4))
    assert mg.gradgradcheck(lambda a, b: mg.scatter_add(a, 0, idup, b) ** 2, (x, s4))


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_gradcheck_scatter_reduce(reduce, include_self):
    x, s = leaf((4, 4), 3), leaf((3, 4), 4)
    idup = T(IDX_DUP)

    def f(a, b):
        return mg.scatter_reduce(a, 0, idup, b, reduce, include_self=include_self)

    assert mg.gradcheck(f, (x, s))
    assert mg.gradgradcheck(lambda a, b: f(a, b) ** 2, (x, s))


def test_gradchecks_index_writes():
    x = leaf((3, 4))
    src, v = leaf((3, 2), 1), mg.tensor(0.5, dtype=mg.float64, requires_grad=True)
    ix = T(np.array([3, 1]))
    assert mg.gradcheck(lambda a, b: mg.index_copy(a, 1, ix, b), (x, src))
    assert mg.gradgradcheck(lambda a, b: mg.index_copy(a, 1, ix, b) ** 2, (x, src))
    assert mg.gradcheck(lambda a, w: mg.index_fill(a, 1, ix, w), (x, v))
    m = T(np.array([[True, False, True, False]] * 3))
    s6 = leaf((7,), 2)
    assert mg.gradcheck(lambda a, b: mg.masked_scatter(a, m, b), (x, s6))
    assert mg.gradgradcheck(lambda a, b: mg.masked_scatter(a, m, b) ** 2, (x, s6))
    p = leaf((3,), 3)
    for acc in (False, True):
        assert mg.gradcheck(lambda a, b: mg.put(a, T(np.array([0, 5, 5 if acc else 7])), b,
                                                 acc), (x, p))
    assert mg.gradcheck(lambda a: mg.take(a, T(np.array([[0, 0], [11, 3]]))), (x,))
    assert mg.gradcheck(lambda a: mg.take_along_dim(a, T(np.array([[0, 0, 3]])), 1), (x,))


def test_inplace_recorded_gradients():
    x, s = leaf((4, 4)), leaf((3, 4), 1)

    def f(a, b):
        y = a * 1.0
        y.scatter_reduce_(0, T(IDX_DUP), b, "prod")
        return y

    assert mg.gradcheck(f, (x, s))

    def g(a, b):
        y = a * 2.0
        y[1:].scatter_add_(0, T(IDX_DUP[:, :] % 3), b)  # through a view
        y.fill_diagonal_(3.0).tril_()
        return y

    assert mg.gradcheck(g, (x, s))


# ----- in-place semantics ----------------------------------------------------------------
def test_inplace_bumps_version_and_refuses_leaves():
    t = mg.zeros(4, 4)
    v0 = t._version
    t.scatter_(0, T(IDX_UNIQUE), mg.ones(2, 4))
    assert t._version > v0 and t.numpy().sum() == 8
    t.index_fill_(0, T(np.array([3])), 2.0).index_copy_(1, T(np.array([0])), mg.ones(4, 1))
    t.masked_scatter_(t > 1, mg.arange(16.0)).put_(T(np.array([0])), mg.tensor([-1.0]))
    assert t.numpy()[0, 0] == -1 and t.numpy()[3].tolist() == [1, 0, 1, 2]
    w = leaf((4, 4))
    with pytest.raises(RuntimeError, match="leaf"):
        w.scatter_add_(0, T(IDX_DUP), leaf((3, 4)))
    with mg.no_grad():
        w.index_fill_(0, T(np.array([0])), 0.0)
    assert (w.detach().numpy()[0] == 0).all()


def test_failed_inplace_changes_nothing():
    t = mg.arange(12.0).reshape(3, 4)
    before, v = t.numpy().copy(), t._version
    with pytest.raises(IndexError):
        t.scatter_(0, T(np.array([[0, 9]])), mg.ones(1, 2))
    with pytest.raises(ValueError):
        t.masked_scatter_(T(np.ones((3, 4), bool)), mg.ones(3))
    with pytest.raises(ValueError):
        t.scatter_reduce_(0, T(np.array([[0]])), mg.ones(1, 1), "max")
    np.testing.assert_array_equal(t.numpy(), before)
    assert t._version == v


# ----- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, match", [
    (lambda x: mg.scatter(x, 0, T(np.array([[0.5]])), x), TypeError, "index"),
    (lambda x: mg.scatter(x, 0, T(np.array([0])), x), ValueError, "dimensions"),
    (lambda x: mg.scatter(x, 0, T(np.array([[4]])), x), IndexError, "out of bounds"),
    (lambda x: mg.scatter(x, 0, T(np.array([[-1]])), x), IndexError, "out of bounds"),
    (lambda x: mg.scatter(x, 5, T(np.array([[0]])), x), IndexError, "dim"),
    (lambda x: mg.scatter(x, 0, T(np.zeros((5, 1), np.int64)), x), ValueError, "larger"),
    (lambda x: mg.scatter(x, 0, T(np.array([[0]])), x.int()), TypeError, "dtype"),
    (lambda x: mg.scatter(x, 0, T(np.array([[0]]))), TypeError, "src"),
    (lambda x: mg.scatter(x, 0, T(np.array([[0]])), x, reduce="max"), ValueError, "reduce"),
    (lambda x: mg.scatter_reduce(x, 0, T(np.array([[0]])), x, "max"), ValueError, "reduce"),
    (lambda x: mg.index_fill(x, 0, T(np.array([9])), 1.0), IndexError, "out of range"),
    (lambda x: mg.index_fill(x, 0, T(np.array([0])), mg.ones(2)), ValueError, "value"),
    (lambda x: mg.index_copy(x, 0, T(np.array([0])), x), ValueError, "source"),
    (lambda x: mg.masked_scatter(x, T(np.ones(4)), x), TypeError, "bool"),
    (lambda x: mg.put(x, T(np.array([16])), mg.ones(1)), IndexError, "out of range"),
    (lambda x: mg.put(x, T(np.array([1, 2])), mg.ones(1)), ValueError, "elements"),
    (lambda x: mg.take(x, T(np.array([-17]))), IndexError, "out of range"),
    (lambda x: mg.take_along_dim(x, T(np.array([0])), 0), ValueError, "dimensions"),
    (lambda x: x.fill_diagonal_(mg.ones(2)), ValueError, "fill_value"),
    (lambda x: mg.zeros(3).fill_diagonal_(1.0), ValueError, "2 dimensions"),
    (lambda x: mg.zeros(2, 3, 2).fill_diagonal_(1.0), ValueError, "same length"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call(mg.zeros(4, 4))


# ----- PyTorch -----------------------------------------------------------------------------
def _torch_pair(shape, seed):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(seed).standard_normal(shape)
    return (mg.tensor(a, requires_grad=True),
            torch.tensor(a, requires_grad=True))


def _compare(fm, ft, shapes, seed=0):
    torch = pytest.importorskip("torch")
    pairs = [_torch_pair(s, seed + i) for i, s in enumerate(shapes)]
    om = fm(*[p[0] for p in pairs])
    ot = ft(*[p[1] for p in pairs])
    np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(99).standard_normal(om.shape)
    (om * mg.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    for m, t in pairs:
        gm = m.grad.numpy() if m.grad is not None else np.zeros(m.shape)
        gt = t.grad.numpy() if t.grad is not None else np.zeros(m.shape)
        np.testing.assert_allclose(gm, gt, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_torch_scatter_reduce(reduce, include_self):
    torch = pytest.importorskip("torch")
    i = IDX_DUP
    _compare(lambda a, b: mg.scatter_reduce(a, 0, T(i), b, reduce, include_self=include_self),
             lambda a, b: torch.scatter_reduce(a, 0, torch.tensor(i), b, reduce,
                                               include_self=include_self), [(4, 4), (3, 4)])


def test_torch_scatter_reduce_ties_and_zeros():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0]])
    s = np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 5.0], [3.0, 2.0, 0.0]])
    i = np.array([[0, 0, 0], [1, 1, 1], [1, 0, 1]])
    for reduce in ("amax", "amin", "prod"):
        for inc in (True, False):
            xm, sm = mg.tensor(x, requires_grad=True), mg.tensor(s, requires_grad=True)
            xt, st = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
            om = mg.scatter_reduce(xm, 0, T(i), sm, reduce, include_self=inc)
            ot = torch.scatter_reduce(xt, 0, torch.tensor(i), st, reduce, include_self=inc)
            np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy())
            om.sum().backward()
            ot.sum().backward()
            np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), err_msg=reduce)
            np.testing.assert_allclose(sm.grad.numpy(), st.grad.numpy(), err_msg=reduce)


def test_torch_scatter_family_and_index_writes():
    torch = pytest.importorskip("torch")
    iu, idup = IDX_UNIQUE, IDX_DUP
    _compare(lambda a, b: mg.scatter(a, 0, T(iu), b),
             lambda a, b: torch.scatter(a, 0, torch.tensor(iu), b), [(4, 4), (2, 4)])
    _compare(lambda a: a.scatter(1, T(iu), -2.5),
             lambda a: a.scatter(1, torch.tensor(iu), -2.5), [(4, 4)])
    _compare(lambda a, b: mg.scatter_add(a, 0, T(idup), b),
             lambda a, b: torch.scatter_add(a, 0, torch.tensor(idup), b), [(4, 4), (3, 4)])
    ix = np.array([2, 0])
    _compare(lambda a, b: a.index_copy(0, T(ix), b),
             lambda a, b: a.index_copy(0, torch.tensor(ix), b), [(3, 4), (2, 4)])
    _compare(lambda a: a.index_fill(1, T(ix), 7.0),
             lambda a: a.index_fill(1, torch.tensor(ix), 7.0), [(3, 4)])
    m = np.array([True, False, True, True])
    _compare(lambda a, b: a.masked_scatter(T(m), b),
             lambda a, b: a.masked_scatter(torch.tensor(m), b), [(3, 4), (4, 4)])
    pi = np.array([[0, -1], [5, 5]])
    for acc in (False, True):
        pj = pi if acc else np.array([[0, -1], [5, 6]])
        _compare(lambda a, b: a.put(T(pj), b, accumulate=acc),
                 lambda a, b: a.put(torch.tensor(pj), b, accumulate=acc), [(3, 4), (2, 2)])
    _compare(lambda a: a.take(T(pi)), lambda a: a.take(torch.tensor(pi)), [(3, 4)])
    ti = np.array([[0], [3], [1]])
    _compare(lambda a: a.take_along_dim(T(ti), 1),
             lambda a: a.take_along_dim(torch.tensor(ti), 1), [(3, 4)])
    _compare(lambda a: mg.take_along_dim(a, T(np.array([[0, 1, 1, 2]])), 0),
             lambda a: torch.take_along_dim(a, torch.tensor([[0, 1, 1, 2]]), 0), [(3, 4)])


def test_torch_inplace_forms():
    torch = pytest.importorskip("torch")

    def run(lib, a, b):
        t = lambda v: (mg.tensor if lib is mg else torch.tensor)(v)  # noqa: E731
        y = a * 1.0
        y.scatter_(0, t(IDX_UNIQUE), b[:2])
        y.scatter_add_(0, t(IDX_DUP), b)
        y.index_fill_(1, t(np.array([1])), 3.0)
        y.fill_diagonal_(-1.0).triu_(-1)
        return y

    _compare(lambda a, b: run(mg, a, b), lambda a, b: run(torch, a, b), [(4, 4), (3, 4)])
    for wrap in (False, True):
        a, b = mg.zeros(7, 3), torch.zeros(7, 3)
        np.testing.assert_array_equal(a.fill_diagonal_(2.0, wrap).numpy(),
                                      b.fill_diagonal_(2.0, wrap).numpy())
