"""Products and related ops (minigrad.ops.products_more / products_extra): float64
gradchecks (and second order), values and gradients against PyTorch, and values against
independent numpy computations. In-place forms and error cases: test_products_more_inplace.py.
"""
import itertools
import warnings

import numpy as np
import pytest

import minigrad as mg


def _data(shape, seed, positive=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


def _inputs(lib, shapes, positive=(), seed=0):
    return [lib.tensor(_data(s, seed + 13 * i, i in positive), dtype=lib.float64,
                       requires_grad=True) for i, s in enumerate(shapes)]


def _fw(t):
    return t.tensor([1, 2, 1, 3, 1])


def _sorted_x(t, x):
    # strictly increasing sample points from a free tensor (differentiable)
    return (x.abs() + 0.1).cumsum(0)


# (name, fn(lib, *inputs), input shapes, second order?, indices of positive inputs)
CASES = [
    ("addmm", lambda t, i, a, b: t.addmm(i, a, b), [(2, 3), (2, 4), (4, 3)], True, ()),
    ("addmm_scaled_broadcast", lambda t, i, a, b: t.addmm(i, a, b, beta=0.5, alpha=-2.0),
     [(1, 3), (2, 4), (4, 3)], True, ()),
    ("addmm_beta0", lambda t, i, a, b: t.addmm(i, a, b, beta=0), [(2, 3), (2, 4), (4, 3)], True, ()),
    ("addmm_method", lambda t, i, a, b: i.addmm(a, b, alpha=3), [(3,), (2, 4), (4, 3)], True, ()),
    ("addmv", lambda t, i, a, b: t.addmv(i, a, b, beta=2, alpha=-1), [(3,), (3, 4), (4,)], True, ()),
    ("addmv_method", lambda t, i, a, b: i.addmv(a, b), [(1,), (3, 4), (4,)], True, ()),
    ("addr", lambda t, i, a, b: t.addr(i, a, b, beta=0.5), [(3, 4), (3,), (4,)], True, ()),
    ("addr_method", lambda t, i, a, b: i.addr(a, b, alpha=2), [(4,), (3,), (4,)], True, ()),
    ("addbmm", lambda t, i, a, b: t.addbmm(i, a, b, alpha=1.5), [(3, 4), (2, 3, 5), (2, 5, 4)], True, ()),
    ("addbmm_method", lambda t, i, a, b: i.addbmm(a, b, beta=-1), [(4,), (2, 3, 5), (2, 5, 4)], True, ()),
    ("baddbmm", lambda t, i, a, b: t.baddbmm(i, a, b, beta=0.3, alpha=2),
     [(3, 4), (2, 3, 5), (2, 5, 4)], True, ()),
    ("baddbmm_method", lambda t, i, a, b: i.baddbmm(a, b), [(2, 3, 4), (2, 3, 5), (2, 5, 4)], True, ()),
    ("addcmul", lambda t, i, a, b: t.addcmul(i, a, b, value=0.7), [(3, 1), (1, 4), (3, 4)], True, ()),
    ("addcmul_method", lambda t, i, a, b: i.addcmul(a, b), [(3, 4), (3, 4), (4,)], True, ()),
    ("addcdiv", lambda t, i, a, b: t.addcdiv(i, a, b, value=-2), [(3, 4), (3, 4), (4,)], True, (2,)),
    ("addcdiv_method", lambda t, i, a, b: i.addcdiv(a, b), [(4,), (3, 4), (3, 4)], True, (2,)),
    ("kron", lambda t, a, b: t.kron(a, b), [(2, 3), (3, 2)], True, ()),
    ("kron_mixed_dims", lambda t, a, b: a.kron(b), [(2,), (2, 3, 2)], True, ()),
    ("tensordot_int", lambda t, a, b: t.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 5)], True, ()),
    ("tensordot_lists", lambda t, a, b: t.tensordot(a, b, dims=([0, 2], [2, 0])),
     [(4, 3, 2), (2, 5, 4)], True, ()),
    ("tensordot_zero", lambda t, a, b: t.tensordot(a, b, dims=0), [(2, 3), (4,)], True, ()),
    ("cross_dim1", lambda t, a, b: t.cross(a, b, dim=1), [(4, 3), (4, 3)], True, ()),
    ("cross_broadcast", lambda t, a, b: a.cross(b, dim=-1), [(1, 3), (2, 3)], True, ()),
    ("cross_dim0", lambda t, a, b: t.cross(a, b, dim=0), [(3, 2, 2), (3, 2, 2)], True, ()),
    ("vdot", lambda t, a, b: t.vdot(a, b), [(5,), (5,)], True, ()),
    ("inner", lambda t, a, b: t.inner(a, b), [(2, 3), (4, 3)], True, ()),
    ("inner_vectors", lambda t, a, b: a.inner(b), [(3,), (2, 2, 3)], True, ()),
    ("chain_matmul", lambda t, a, b, c: t.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 2)], True, ()),
    ("chain_matmul_wide", lambda t, a, b, c, d: t.chain_matmul(a, b, c, d),
     [(5, 1), (1, 6), (6, 2), (2, 7)], True, ()),
    ("cdist", lambda t, a, b: t.cdist(a, b), [(3, 4), (5, 4)], True, ()),
    ("cdist_p1", lambda t, a, b: t.cdist(a, b, p=1), [(3, 4), (5, 4)], True, ()),
    ("cdist_p3_batched", lambda t, a, b: t.cdist(a, b, p=3), [(2, 3, 4), (1, 5, 4)], True, ()),
    ("cdist_inf", lambda t, a, b: t.cdist(a, b, p=float("inf")), [(3, 4), (2, 4)], True, ()),
    ("dist", lambda t, a, b: t.dist(a, b), [(3, 4), (4,)], True, ()),
    ("dist_p3_method", lambda t, a, b: a.dist(b, p=3), [(3, 4), (3, 4)], True, ()),
    ("renorm_dim0", lambda t, a: t.renorm(a, 2, 0, 1.5), [(4, 5)], True, ()),
    ("renorm_p1_dim1", lambda t, a: a.renorm(1, 1, 2.0), [(3, 4, 2)], True, ()),
    ("cov", lambda t, a: t.cov(a), [(3, 5)], True, ()),
    ("cov_vector_correction0", lambda t, a: a.cov(correction=0), [(6,)], True, ()),
    ("cov_aweights", lambda t, a, w: t.cov(a, aweights=w), [(3, 5), (5,)], True, (1,)),
    ("cov_both_weights", lambda t, a, w: t.cov(a, correction=2, fweights=_fw(t), aweights=w),
     [(2, 5), (5,)], True, (1,)),
    ("corrcoef", lambda t, a: t.corrcoef(a), [(3, 6)], True, ()),
    ("corrcoef_method", lambda t, a: a.corrcoef(), [(2, 4)], True, ()),
    ("trapezoid", lambda t, y: t.trapezoid(y), [(3, 5)], True, ()),
    ("trapezoid_dx_dim0", lambda t, y: t.trapezoid(y, dx=0.5, dim=0), [(3, 5)], True, ()),
    ("trapezoid_x_1d", lambda t, y, x: t.trapezoid(y, _sorted_x(t, x)), [(3, 5), (5,)], True, ()),
    ("trapezoid_x_full", lambda t, y, x: t.trapezoid(y, x, dim=0), [(4, 3), (4, 3)], True, ()),
    ("trapz", lambda t, y, x: t.trapz(y, x), [(2, 4), (4,)], True, ()),
    ("trapz_dx", lambda t, y: t.trapz(y, dx=2.0, dim=0), [(4, 2)], True, ()),
    ("cumulative_trapezoid", lambda t, y: t.cumulative_trapezoid(y), [(3, 5)], True, ()),
    ("cumulative_trapezoid_x", lambda t, y, x: t.cumulative_trapezoid(y, x, dim=0),
     [(4, 2), (4,)], True, ()),
    ("block_diag", lambda t, a, b, c: t.block_diag(a, b, c), [(2, 3), (4,), ()], True, ()),
    ("cartesian_prod", lambda t, a, b, c: t.cartesian_prod(a, b, c), [(2,), (3,), (2,)], True, ()),
    ("combinations", lambda t, a: t.combinations(a), [(4,)], True, ()),
    ("combinations_r3_replacement", lambda t, a: t.combinations(a, r=3, with_replacement=True),
     [(3,)], True, ()),
]
IDS = [c[0] for c in CASES]


@pytest.fixture(autouse=True)
def _quiet_deprecations():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chain_matmul is deprecated")
        yield


@pytest.mark.parametrize("name,fn,shapes,second,positive", CASES, ids=IDS)
def test_gradcheck(name, fn, shapes, second, positive):
    xs = _inputs(mg, shapes, positive)
    f = lambda *a: fn(mg, *a)  # noqa: E731
    assert mg.gradcheck(f, tuple(xs))
    if second:
        assert mg.gradgradcheck(f, tuple(xs))


@pytest.mark.parametrize("name,fn,shapes,second,positive", CASES, ids=IDS)
def test_values_and_gradients_match_torch(name, fn, shapes, second, positive):
    torch = pytest.importorskip("torch")
    xm, xt = _inputs(mg, shapes, positive, seed=5), _inputs(torch, shapes, positive, seed=5)
    om, ot = fn(mg, *xm), fn(torch, *xt)
    assert tuple(om.shape) == tuple(ot.shape)
    assert str(om.dtype) == str(ot.dtype).replace("torch.", "")
    np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(3).standard_normal(tuple(ot.shape))
    (om * mg.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    for a, b in zip(xm, xt):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.numpy())
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_float32_values_match_torch():
    torch = pytest.importorskip("torch")
    for name, fn, shapes, _, positive in CASES:
        xm = [mg.tensor(_data(s, 40 + i, i in positive).astype(np.float32))
              for i, s in enumerate(shapes)]
        xt = [torch.tensor(x.numpy()) for x in xm]
        om, ot = fn(mg, *xm), fn(torch, *xt)
        assert om.dtype == np.float32, name
        np.testing.assert_allclose(om.numpy(), ot.numpy(), rtol=2e-5, atol=2e-5, err_msg=name)


def test_beta_zero_ignores_nan_in_input_and_gives_it_zero_gradient():
    i = mg.tensor(np.full((2, 2), np.nan), dtype=mg.float32, requires_grad=True)
    a = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    r = mg.addmm(i, a, a, beta=0)
    np.testing.assert_array_equal(r.detach().numpy(), [[7.0, 10.0], [15.0, 22.0]])
    r.sum().backward()
    np.testing.assert_array_equal(i.grad.numpy(), np.zeros((2, 2)))
    r2 = mg.baddbmm(mg.tensor(np.full((1, 2, 2), np.inf), dtype=mg.float32), a.unsqueeze(0), a.unsqueeze(0), beta=0)
    assert np.isfinite(r2.detach().numpy()).all()


# ----- against independent numpy computations -----------------------------------------------
def test_fused_products_against_numpy():
    rng = np.random.default_rng(1)
    i, a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 5)), rng.standard_normal((5, 4))
    np.testing.assert_allclose(mg.addmm(mg.tensor(i), mg.tensor(a), mg.tensor(b), beta=2, alpha=3)
                               .numpy(), 2 * i + 3 * a @ b, rtol=1e-12)
    v = rng.standard_normal(5)
    np.testing.assert_allclose(mg.addmv(mg.tensor(i[:, 0]), mg.tensor(a), mg.tensor(v)).numpy(),
                               i[:, 0] + a @ v, rtol=1e-12)
    np.testing.assert_allclose(mg.addr(mg.tensor(i), mg.tensor(i[:, 1]), mg.tensor(i[0]),
                                       alpha=-1).numpy(), i - np.outer(i[:, 1], i[0]), rtol=1e-12)
    b1, b2 = rng.standard_normal((6, 3, 5)), rng.standard_normal((6, 5, 4))
    expect = sum(b1[k] @ b2[k] for k in range(6))
    np.testing.assert_allclose(mg.addbmm(mg.tensor(i), mg.tensor(b1), mg.tensor(b2), beta=0)
                               .numpy(), expect, rtol=1e-12)
    np.testing.assert_allclose(mg.baddbmm(mg.tensor(i), mg.tensor(b1), mg.tensor(b2)).numpy(),
                               i + np.einsum("bij,bjk->bik", b1, b2), rtol=1e-12)
    empty = mg.addbmm(mg.tensor(i), mg.tensor(b1[:0]), mg.tensor(b2[:0]))
    np.testing.assert_array_equal(empty.numpy(), i)


def test_kron_tensordot_cross_inner_against_numpy():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((4, 1, 2))
    np.testing.assert_allclose(mg.kron(mg.tensor(a), mg.tensor(b)).numpy(), np.kron(a, b),
                               rtol=1e-12)
    c, d = rng.standard_normal((3, 4, 5)), rng.standard_normal((5, 4, 2))
    np.testing.assert_allclose(mg.tensordot(mg.tensor(c), mg.tensor(d), ([1, 2], [1, 0])).numpy(),
                               np.tensordot(c, d, ([1, 2], [1, 0])), rtol=1e-12)
    np.testing.assert_allclose(mg.tensordot(mg.tensor(c), mg.tensor(c), 3).numpy(),
                               np.tensordot(c, c, 3), rtol=1e-12)
    u, v = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    np.testing.assert_allclose(mg.cross(mg.tensor(u), mg.tensor(v), dim=1).numpy(),
                               np.cross(u, v), rtol=1e-12)
    np.testing.assert_allclose(mg.cross(mg.tensor(u.T), mg.tensor(v.T), dim=0).numpy(),
                               np.cross(u, v).T, rtol=1e-12)
    np.testing.assert_allclose(mg.inner(mg.tensor(c), mg.tensor(d[..., 0].T)).numpy(),
                               np.inner(c, d[..., 0].T), rtol=1e-12)
    ints = mg.cross(mg.tensor([[1, 2, 3]]), mg.tensor([[4, 5, 6]]), dim=1)
    assert ints.dtype == np.int64 and ints.tolist() == [[-3, 6, -3]]


def test_chain_matmul_against_numpy_and_warns():
    rng = np.random.default_rng(3)
    ms = [rng.standard_normal(s) for s in [(10, 2), (2, 30), (30, 3), (3, 8)]]
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        r = mg.chain_matmul(*[mg.tensor(m) for m in ms])
    np.testing.assert_allclose(r.numpy(), np.linalg.multi_dot(ms), rtol=1e-12)
    with pytest.warns(UserWarning):
        one = mg.chain_matmul(mg.tensor(ms[0]))
    np.testing.assert_array_equal(one.numpy(), ms[0])


def test_cdist_and_dist_against_numpy():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3))
    diff = a[:, :, None, :] - b[:, None, :, :]
    for p in (0, 1, 2, 3.5, np.inf):
        expect = np.linalg.norm(diff, ord=p, axis=-1) if p else np.count_nonzero(diff, axis=-1)
        np.testing.assert_allclose(mg.cdist(mg.tensor(a), mg.tensor(b), p=p).numpy(), expect,
                                   rtol=1e-12)
    np.testing.assert_allclose(mg.dist(mg.tensor(a), mg.tensor(a[0]), 3).numpy(),
                               np.sum(np.abs(a - a[0]) ** 3) ** (1 / 3), rtol=1e-12)
    assert mg.dist(mg.ones(2), mg.zeros(2, dtype=mg.float64)).dtype == np.float64


def test_renorm_against_numpy():
    x = np.array([[3.0, 4.0, 0.0], [0.1, 0.2, 0.3], [-6.0, 8.0, 0.0]])
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    expect = x * np.where(norms > 2.0, 2.0 / (norms + 1e-7), 1.0)
    np.testing.assert_allclose(mg.renorm(mg.tensor(x), 2, 0, 2.0).numpy(), expect, rtol=1e-12)
    cols = mg.renorm(mg.tensor(x), 1, 1, 1.0).numpy()
    np.testing.assert_allclose(np.abs(cols).sum(0), [1.0, 1.0, 0.3], rtol=1e-6)


def test_cov_and_corrcoef_against_numpy():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 7))
    fw = np.array([1, 2, 1, 3, 1, 1, 2])
    aw = rng.uniform(0.2, 2.0, 7)
    np.testing.assert_allclose(mg.cov(mg.tensor(x)).numpy(), np.cov(x), rtol=1e-12)
    np.testing.assert_allclose(mg.cov(mg.tensor(x), correction=0).numpy(), np.cov(x, ddof=0),
                               rtol=1e-12)
    got = mg.cov(mg.tensor(x), correction=2, fweights=mg.tensor(fw), aweights=mg.tensor(aw))
    np.testing.assert_allclose(got.numpy(), np.cov(x, ddof=2, fweights=fw, aweights=aw), rtol=1e-12)
    np.testing.assert_allclose(mg.cov(mg.tensor(x[0])).numpy(), np.cov(x[0]), rtol=1e-12)
    np.testing.assert_allclose(mg.corrcoef(mg.tensor(x)).numpy(), np.corrcoef(x), rtol=1e-12)
    ints = mg.cov(mg.tensor([[1, 2, 4], [0, 5, 3]]))
    assert ints.dtype == np.float32
    np.testing.assert_allclose(ints.numpy(), np.cov([[1, 2, 4], [0, 5, 3]]), rtol=1e-6)
    assert mg.cov(mg.ones(0, 3)).shape == (0, 0)


def test_cov_with_no_degrees_of_freedom_warns_and_gives_nan():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        c = mg.cov(mg.ones(2, 1))
    assert np.isnan(c.numpy()).all()


def test_trapezoid_against_numpy():
    rng = np.random.default_rng(6)
    y, x = rng.standard_normal((3, 6)), np.cumsum(rng.uniform(0.1, 1.0, 6))
    np.testing.assert_allclose(mg.trapezoid(mg.tensor(y), mg.tensor(x)).numpy(),
                               np.trapezoid(y, x), rtol=1e-12)
    np.testing.assert_allclose(mg.trapezoid(mg.tensor(y), dx=0.3, dim=0).numpy(),
                               np.trapezoid(y, dx=0.3, axis=0), rtol=1e-12)
    areas = (x[1:] - x[:-1]) * (y[:, 1:] + y[:, :-1]) / 2
    np.testing.assert_allclose(mg.cumulative_trapezoid(mg.tensor(y), mg.tensor(x)).numpy(),
                               np.cumsum(areas, axis=1), rtol=1e-12)
    ints = mg.trapezoid(mg.arange(4))
    assert ints.dtype == np.float32 and ints.item() == 4.5
    assert mg.trapezoid(mg.ones(2, 0)).tolist() == [0.0, 0.0]
    assert mg.cumulative_trapezoid(mg.ones(2, 1)).shape == (2, 0)
    assert mg.cumulative_trapezoid(mg.ones(2, 0)).shape == (2, 0)


def test_constructions_against_itertools_and_numpy():
    a, b, c = mg.tensor([1, 2]), mg.tensor([3, 4, 5]), mg.tensor([6])
    assert mg.cartesian_prod(a, b, c).tolist() == [list(p) for p in
                                                   itertools.product([1, 2], [3, 4, 5], [6])]
    assert mg.cartesian_prod(a) is a
    v = mg.tensor([10, 20, 30, 40])
    assert mg.combinations(v, 3).tolist() == [list(p) for p in
                                              itertools.combinations([10, 20, 30, 40], 3)]
    assert mg.combinations(v, 2, True).tolist() == [
        list(p) for p in itertools.combinations_with_replacement([10, 20, 30, 40], 2)]
    assert mg.combinations(v, 0).shape == (0,)
    assert mg.combinations(v, 5).shape == (0, 5)
    blocks = [np.arange(6).reshape(2, 3), np.array([7, 8]), np.array(9)]
    expect = np.zeros((4, 6), dtype=np.int64)
    expect[:2, :3], expect[2, 3:5], expect[3, 5] = blocks
    got = mg.block_diag(*[mg.tensor(x) for x in blocks])
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.numpy(), expect)
    assert mg.block_diag(mg.ones(1, 1), mg.tensor([[2]])).dtype == np.float32
    assert mg.block_diag().shape == (1, 0)
    assert mg.block_diag(mg.ones(2, 0), mg.ones(0, 3)).shape == (2, 3)


def test_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    i = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    f = i.astype(np.float32) / 3
    cases = [
        lambda t, a, b: t.addmm(a, a, a, alpha=2),
        lambda t, a, b: t.addcmul(a, a, b, value=2),
        lambda t, a, b: t.addcdiv(a, b, a),
        lambda t, a, b: t.kron(a, b),
        lambda t, a, b: t.cross(a, a, dim=0),
        lambda t, a, b: t.cov(a),
        lambda t, a, b: t.corrcoef(b),
        lambda t, a, b: t.trapezoid(a, dim=0),
        lambda t, a, b: t.cumulative_trapezoid(a, a[0]),
        lambda t, a, b: t.block_diag(a, b),
        lambda t, a, b: t.combinations(a[0]),
        lambda t, a, b: t.cartesian_prod(a[0], a[1]),
        lambda t, a, b: t.tensordot(a, a, 1),
    ]
    for k, fn in enumerate(cases):
        om, ot = fn(mg, mg.tensor(i), mg.tensor(f)), fn(torch, torch.tensor(i), torch.tensor(f))
        assert str(om.dtype) == str(ot.dtype).replace("torch.", ""), k
        np.testing.assert_allclose(om.numpy(), ot.numpy(), rtol=1e-6, err_msg=str(k))


def test_cross_default_dim_is_the_first_of_size_3_with_a_deprecation_warning():
    from minigrad.ops import products_more
    products_more._CROSS_WARNED[0] = False
    a = mg.tensor(_data((3, 3, 2), 1))
    b = mg.tensor(_data((3, 3, 2), 2))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        r = mg.cross(a, b)
    np.testing.assert_allclose(r.numpy(), np.cross(a.numpy(), b.numpy(), axis=0), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a.cross(b)  # warned once already, as PyTorch
        mg.cross(a, b, dim=1)


def test_out_argument():
    o = mg.empty(2, 2)
    r = mg.addmm(mg.ones(2, 2), mg.ones(2, 3), mg.ones(3, 2), out=o)
    assert r is o and o.tolist() == [[4.0, 4.0], [4.0, 4.0]]
    o2 = mg.zeros(3)
    mg.cross(mg.tensor([1.0, 0, 0]), mg.tensor([0.0, 1, 0]), out=o2)
    assert o2.tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(RuntimeError, match="out="):
        mg.kron(mg.ones(2, requires_grad=True), mg.ones(2), out=mg.zeros(4))


def test_linalg_cross_defaults_to_the_last_dim_without_warning():
    torch = pytest.importorskip("torch")
    from minigrad.ops.products_more import linalg_cross
    a, b = _data((3, 3), 1), _data((3, 3), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = linalg_cross(mg.tensor(a), mg.tensor(b))
    np.testing.assert_allclose(r.numpy(), torch.linalg.cross(torch.tensor(a), torch.tensor(b)).numpy(),
                               rtol=1e-12)
    assert not hasattr(mg, "linalg_cross")
