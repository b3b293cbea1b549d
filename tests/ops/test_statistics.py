"""Order statistics (median, nanmedian, mode, kthvalue, quantile, nanquantile, nanmean, cummax,
cummin, logcumsumexp, aminmax, msort): values against numpy references and PyTorch,
gradients by finite differences and against PyTorch, and the error cases."""
import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 5, 4))  # continuous: no ties, so every index is determined
NAN = float("nan")


def _t(x, grad=False):
    return mg.tensor(np.array(x, dtype=np.float64), requires_grad=grad)


# ----- numpy references (no torch) ------------------------------------------------------------
def test_median_and_kthvalue_against_numpy_sort():
    s = np.sort(X, axis=1)
    for k in (1, 3, 5):
        v, i = mg.kthvalue(_t(X), k, dim=1)
        np.testing.assert_array_equal(v.numpy(), s[:, k - 1])
        np.testing.assert_array_equal(np.take_along_axis(X, i.numpy()[:, None], 1)[:, 0],
                                      s[:, k - 1])
    v, i = mg.median(_t(X), 1, keepdim=True)
    assert v.shape == (3, 1, 4) and i.dtype == np.int64
    np.testing.assert_array_equal(v.numpy()[:, 0], s[:, 2])
    even = X[:, :4]  # lower median: the 2nd of 4, not the average
    assert mg.median(_t(even)).item() == np.sort(even, axis=None)[(even.size - 1) // 2]


def test_quantile_against_numpy_every_interpolation():
    q = np.array([0.0, 0.1, 0.37, 0.5, 0.875, 1.0])
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        got = mg.quantile(_t(X), _t(q), dim=1, interpolation=method).numpy()
        ref = np.quantile(X, q, axis=1, method=method)
        np.testing.assert_allclose(got, ref, rtol=1e-12, err_msg=method)
    np.testing.assert_allclose(mg.quantile(_t(X), 0.3).item(), np.quantile(X, 0.3), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:All-NaN slice")
def test_nan_handling_against_numpy():
    x = X[0].copy()
    x[1, 2] = x[3, 0] = NAN
    x[:, 3] = NAN
    np.testing.assert_allclose(mg.nanquantile(_t(x), _t([0.2, 0.9]), dim=0).numpy(),
                               np.nanquantile(x, [0.2, 0.9], axis=0), rtol=1e-12)
    q = mg.quantile(_t(x), 0.5, dim=0).numpy()
    assert np.isnan(q[[0, 2, 3]]).all() and not np.isnan(q[1])
    np.testing.assert_allclose(mg.nanmean(_t(x), 0).numpy(), 
                               [np.nanmean(c) if (~np.isnan(c)).any() else NAN for c in x.T])
    v, i = mg.nanmedian(_t(x), 0)
    col = x[:, 0][~np.isnan(x[:, 0])]
    assert v[0].item() == np.sort(col)[(col.size - 1) // 2] and np.isnan(v[3].item())
    assert np.isnan(mg.median(_t(x)).item())
    finite = x[~np.isnan(x)]
    assert mg.nanmedian(_t(x)).item() == np.sort(finite)[(finite.size - 1) // 2]


def test_cummax_cummin_logcumsumexp_against_numpy():
    v, i = mg.cummax(_t(X), 1)
    np.testing.assert_array_equal(v.numpy(), np.maximum.accumulate(X, 1))
    np.testing.assert_array_equal(np.take_along_axis(X, i.numpy(), 1), v.numpy())
    v, i = mg.cummin(_t(X), -1)
    np.testing.assert_array_equal(v.numpy(), np.minimum.accumulate(X, -1))
    ref = np.log(np.cumsum(np.exp(X), axis=2))
    np.testing.assert_allclose(mg.logcumsumexp(_t(X), 2).numpy(), ref, rtol=1e-12)
    big = mg.logcumsumexp(_t([1000.0, 1000.0, -np.inf]), 0).numpy()
    np.testing.assert_allclose(big, [1000.0, 1000.0 + np.log(2), 1000.0 + np.log(2)])


def test_mode_ties_pick_smallest_value_and_its_last_index():
    x = mg.tensor([[2, 2, 1, 1, 3, 3, 1], [0, 5, 5, 0, 7, 7, 7], [4, 9, 9, 4, 1, 2, 3]])
    v, i = mg.mode(x, 1)
    assert v.tolist() == [1, 7, 4] and i.tolist() == [6, 6, 3] and v.dtype == np.int64


def test_int_inputs_keep_their_dtype_and_no_grad():
    x = mg.tensor([[3, 1, 2], [9, 7, 8]])
    assert mg.median(x).item() == 3 and mg.median(x).dtype == np.int64
    assert mg.cummax(x, 1).values.tolist() == [[3, 3, 3], [9, 9, 9]]
    assert mg.aminmax(x).min.item() == 1 and mg.aminmax(x).max.dtype == np.int64
    assert mg.msort(x).tolist() == [[3, 1, 2], [9, 7, 8]]
    assert mg.kthvalue(x, 2).values.tolist() == [2, 8]


def test_zero_dim_inputs():
    s = _t(2.5)
    for f in (lambda t: mg.median(t, 0), lambda t: mg.mode(t), lambda t: mg.kthvalue(t, 1),
              lambda t: mg.cummax(t, 0), lambda t: mg.cummin(t, -1)):
        v, i = f(s)
        assert v.shape == () and v.item() == 2.5 and i.shape == () and i.item() == 0
    assert mg.quantile(s, 0.5).item() == 2.5 and mg.logcumsumexp(s, 0).item() == 2.5


def test_method_forms_and_result_fields():
    t = _t(X)
    assert t.median(1).values.shape == (3, 4) and t.nanmedian().shape == ()
    assert t.mode(0, keepdim=True).indices.shape == (1, 5, 4)
    assert t.kthvalue(2, 0).values.shape == (5, 4)
    assert t.quantile(0.5, dim=2, keepdim=True, interpolation="lower").shape == (3, 5, 1)
    assert t.nanquantile(_t([0.1, 0.2]), 0).shape == (2, 5, 4)
    assert t.nanmean(dim=(0, 2)).shape == (5,) and t.msort().shape == X.shape
    mm = t.aminmax(dim=1)
    assert mm.min.shape == (3, 4) and mm.max.shape == (3, 4)
    assert t.cummax(0).indices.shape == X.shape and t.logcumsumexp(1).shape == X.shape


def test_out_arguments():
    v, i = mg.empty(3, 4, dtype=mg.float64), mg.empty(3, 4, dtype=mg.int64)
    r = mg.median(_t(X), 1, out=(v, i))
    assert r.values is v and r.indices is i
    np.testing.assert_array_equal(v.numpy(), np.sort(X, 1)[:, 2])
    mn, mx = mg.empty(0, dtype=mg.float64), mg.empty(0, dtype=mg.float64)
    r = mg.aminmax(_t(X), dim=0, out=(mn, mx))
    assert r.min is mn and r.max is mx and np.array_equal(mx.numpy(), X.max(0))
    o = mg.empty(3, 4, dtype=mg.float64)
    assert mg.quantile(_t(X), 0.5, 1, out=o) is o
    np.testing.assert_allclose(o.numpy(), np.median(X, 1))


# ----- gradients ------------------------------------------------------------------------------
GRAD_CASES = {
    "median_dim": lambda t: mg.median(t, 1).values,
    "median_all": lambda t: mg.median(t),
    "nanmedian_dim": lambda t: mg.nanmedian(t, 0, keepdim=True).values,
    "kthvalue": lambda t: mg.kthvalue(t, 2, -1).values,
    "mode": lambda t: mg.mode(t, 1).values,
    "quantile_linear": lambda t: mg.quantile(t, mg.tensor([0.3, 0.77], dtype=mg.float64), 1),
    "quantile_all_midpoint": lambda t: mg.quantile(t, 0.4, interpolation="midpoint"),
    "quantile_nearest": lambda t: mg.quantile(t, 0.6, 2, True, interpolation="nearest"),
    "nanquantile": lambda t: mg.nanquantile(t, 0.25, 0),
    "nanmean": lambda t: mg.nanmean(t, (0, 2)),
    "cummax": lambda t: mg.cummax(t, 1).values,
    "cummin": lambda t: mg.cummin(t, 2).values,
    "logcumsumexp": lambda t: mg.logcumsumexp(t, 1),
    "aminmax": lambda t: mg.aminmax(t, dim=0),
    "msort": lambda t: mg.msort(t),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradcheck_and_gradgradcheck(name):
    f = GRAD_CASES[name]
    x = X[:, :4, :3].copy()
    assert mg.gradcheck(f, (_t(x, True),))
    assert mg.gradgradcheck(f, (_t(x, True),))


def test_gradients_with_nan_and_ties():
    x = _t([[1.0, NAN, 3.0, 2.0], [4.0, 4.0, 1.0, 4.0]], True)
    mg.nanmean(x, 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1 / 3, 0, 1 / 3, 1 / 3], [0.25] * 4])
    y = _t([3.0, 1.0, 2.0, 2.0, 3.0, 2.0, 1.0], True)
    mg.median(y).backward()  # shared evenly among the three 2s, as PyTorch
    np.testing.assert_allclose(y.grad.numpy(), [0, 0, 1 / 3, 1 / 3, 0, 1 / 3, 0])
    z = _t([1.0, 3.0, 3.0, 2.0], True)
    mg.cummax(z, 0).values.sum().backward()  # the latest of equal maxima
    assert z.grad.tolist() == [1.0, 1.0, 2.0, 0.0]


def _torch_pair(torch, x, grad=True):
    return _t(x, grad), torch.tensor(x, requires_grad=grad)


TORCH_CASES = [
    (lambda m, t: m.median(t, 1), None),
    (lambda m, t: m.median(t), None),
    (lambda m, t: m.nanmedian(t, 2, True), None),
    (lambda m, t: m.kthvalue(t, 3, 1), None),
    (lambda m, t: m.mode(t, 0), None),
    (lambda m, t: m.cummax(t, 1), None),
    (lambda m, t: m.cummin(t, 0), None),
    (lambda m, t: m.logcumsumexp(t, 2), None),
    (lambda m, t: m.aminmax(t, dim=1, keepdim=True), None),
    (lambda m, t: m.msort(t), None),
    (lambda m, t: m.nanmean(t, 1), None),
]


@pytest.mark.parametrize("k", range(len(TORCH_CASES)))
def test_values_indices_and_gradients_match_torch(k):
    torch = pytest.importorskip("torch")
    f, _ = TORCH_CASES[k]
    x = X.copy()
    a, b = _torch_pair(torch, x)
    ra, rb = f(mg, a), f(torch, b)
    ra = ra if isinstance(ra, tuple) else (ra,)
    rb = rb if isinstance(rb, tuple) else (rb,)
    w = [RNG.standard_normal(r.shape) for r in ra]
    for p, q in zip(ra, rb):
        assert p.shape == tuple(q.shape)
        np.testing.assert_allclose(p.numpy(force=True), q.detach().numpy(), rtol=1e-12)
    sum(((p * mg.tensor(wi)).sum() for p, wi in zip(ra, w) if p.dtype.kind == "f")).backward()
    sum(((q * torch.tensor(wi)).sum() for q, wi in zip(rb, w) if q.is_floating_point())).backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_matches_torch(method):
    torch = pytest.importorskip("torch")
    q = np.array([0.0, 0.125, 0.37, 0.5, 0.625, 1.0])
    x = X.copy()
    x[0, 1, 1] = NAN
    for fn in ("quantile", "nanquantile"):
        for dim, keep in ((None, False), (None, True), (1, False), (-1, True)):
            a, b = _torch_pair(torch, x)
            ra = getattr(mg, fn)(a, _t(q), dim, keep, interpolation=method)
            rb = getattr(torch, fn)(b, torch.tensor(q), dim, keep, interpolation=method)
            np.testing.assert_allclose(ra.numpy(force=True), rb.detach().numpy(), rtol=1e-12)
            w = RNG.standard_normal(ra.shape)
            ra.backward(mg.tensor(w))
            rb.backward(torch.tensor(w))
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    x32 = X.astype(np.float32)
    np.testing.assert_allclose(mg.quantile(mg.tensor(x32), 0.3, 1).numpy(),
                               torch.quantile(torch.tensor(x32), 0.3, 1).numpy(),
                               rtol=1e-6, atol=1e-7)  # float32 rounding (torch's lerp fuses)


def test_ties_and_nan_values_match_torch():
    torch = pytest.importorskip("torch")
    x = RNG.integers(0, 4, (6, 9)).astype(np.float64)
    x[2, 3] = x[4, 0] = NAN
    for f in (lambda m, t: m.median(t, 1), lambda m, t: m.nanmedian(t, 1),
              lambda m, t: m.kthvalue(t, 4, 1), lambda m, t: m.cummax(t, 1),
              lambda m, t: m.cummin(t, 1)):
        va = f(mg, mg.tensor(x)).values.numpy()
        vb = f(torch, torch.tensor(x)).values.numpy()
        np.testing.assert_array_equal(va, vb)
    for f in (lambda m, t: m.cummax(t, 1), lambda m, t: m.cummin(t, 1)):  # documented choice
        np.testing.assert_array_equal(f(mg, mg.tensor(x)).indices.numpy(),
                                      f(torch, torch.tensor(x)).indices.numpy())
    xi = RNG.integers(0, 4, (8, 11))
    ra, rb = mg.mode(mg.tensor(xi), 1), torch.mode(torch.tensor(xi), 1)
    np.testing.assert_array_equal(ra.values.numpy(), rb.values.numpy())
    np.testing.assert_array_equal(ra.indices.numpy(), rb.indices.numpy())
    for fa, fb in ((mg.median, torch.median), (mg.nanmedian, torch.nanmedian)):
        a, b = _torch_pair(torch, x)
        fa(a).backward()
        fb(b).backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


# ----- errors ---------------------------------------------------------------------------------
def test_errors_name_the_argument():
    x = _t(X)
    cases = [
        (lambda: mg.quantile(mg.tensor([1, 2]), 0.5), TypeError, "floating-point"),
        (lambda: mg.quantile(x, 1.5), ValueError, "range"),
        (lambda: mg.quantile(x, mg.tensor([0.5], dtype=mg.float32)), TypeError, "dtype"),
        (lambda: mg.quantile(x, _t([[0.5]])), ValueError, "1-D"),
        (lambda: mg.quantile(x, [0.5]), TypeError, "q must"),
        (lambda: mg.quantile(x, 0.5, interpolation="cubic"), ValueError, "interpolation"),
        (lambda: mg.quantile(_t([]), 0.5), ValueError, "non-empty"),
        (lambda: mg.quantile(x, 0.5, dim=3), IndexError, "dim"),
        (lambda: mg.kthvalue(x, 0), ValueError, "k must"),
        (lambda: mg.kthvalue(x, 5), ValueError, "k must"),
        (lambda: mg.median(_t(np.zeros((2, 0))), 1), IndexError, "non-zero size"),
        (lambda: mg.mode(_t([])), IndexError, "non-zero size"),
        (lambda: mg.median(x, 1.0), TypeError, "dim"),
        (lambda: mg.nanmean(mg.tensor([1, 2])), TypeError, "floating-point"),
        (lambda: mg.logcumsumexp(mg.tensor([1, 2]), 0), TypeError, "floating-point"),
        (lambda: mg.aminmax(_t([])), ValueError, "empty"),
        (lambda: mg.cummax(x, 5), IndexError, "dim"),
        (lambda: mg.median([1.0, 2.0]), TypeError, "Tensor"),
        (lambda: mg.nanmean(x, (0, 0)), ValueError, "twice"),
    ]
    for f, exc, text in cases:
        with pytest.raises(exc, match=text):
            f()
    assert np.isnan(mg.median(_t([])).item())


def test_graph_inputs_are_not_changed():
    a = _t(X, True)
    before = a.numpy(force=True).copy()
    mg.quantile(a, 0.5, 1).sum().backward()
    mg.cummax(a, 0).values.sum().backward()
    np.testing.assert_array_equal(a.numpy(force=True), before)
