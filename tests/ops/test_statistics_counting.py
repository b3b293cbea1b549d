"""Counting and searching (unique, unique_consecutive, count_nonzero, bincount, histc, histogram,
bucketize, searchsorted, isin): against independent numpy computations, against PyTorch, and
the error cases."""
import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(11)
NAN = float("nan")


# ----- independent references (no torch) -----------------------------------------------------
def test_unique_against_python_sets():
    x = RNG.integers(-3, 4, (4, 6))
    u, inv, cnt = mg.unique(mg.tensor(x), return_inverse=True, return_counts=True)
    distinct = sorted(set(x.ravel().tolist()))
    assert u.tolist() == distinct and u.dtype == x.dtype
    assert inv.shape == x.shape and inv.dtype == np.int64
    assert [distinct[i] for i in inv.numpy().ravel()] == x.ravel().tolist()
    assert cnt.tolist() == [x.ravel().tolist().count(v) for v in distinct]
    assert isinstance(mg.unique(mg.tensor(x)), mg.Tensor)
    rows = mg.tensor([[1, 2], [0, 5], [1, 2]])
    u, inv = mg.unique(rows, dim=0, return_inverse=True)
    assert u.tolist() == [[0, 5], [1, 2]] and inv.tolist() == [1, 0, 1]
    u = mg.unique(mg.tensor([2.0, NAN, 1.0, NAN]), return_counts=True)
    assert u[0].numpy()[:2].tolist() == [1.0, 2.0] and np.isnan(u[0].numpy()[2:]).all()
    assert u[1].tolist() == [1, 1, 1, 1]  # each NaN is distinct, as PyTorch


def test_unique_consecutive_runs():
    x = mg.tensor([1, 1, 2, 2, 3, 1, 1, 2])
    u, inv, cnt = mg.unique_consecutive(x, return_inverse=True, return_counts=True)
    assert u.tolist() == [1, 2, 3, 1, 2] and cnt.tolist() == [2, 2, 1, 2, 1]
    assert inv.tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    m = mg.tensor([[1, 2], [1, 2], [2, 2]])
    u, inv, cnt = mg.unique_consecutive(m, True, True, dim=0)
    assert u.tolist() == [[1, 2], [2, 2]] and inv.tolist() == [0, 0, 1] and cnt.tolist() == [2, 1]
    u, inv = m.unique_consecutive(return_inverse=True)
    assert u.tolist() == [1, 2, 1, 2] and inv.tolist() == [[0, 1], [2, 3], [3, 3]]


def test_count_nonzero_bincount_isin_by_hand():
    x = mg.tensor([[0.0, NAN, 2.0], [0.0, 0.0, -1.0]])
    assert mg.count_nonzero(x).item() == 3 and mg.count_nonzero(x).dtype == np.int64
    assert mg.count_nonzero(x, 0).tolist() == [0, 1, 2] and x.count_nonzero((0, 1)).item() == 3
    b = mg.bincount(mg.tensor([0, 1, 1, 3]))
    assert b.tolist() == [1, 2, 0, 1] and b.dtype == np.int64
    w = mg.bincount(mg.tensor([0, 1, 1, 3]), mg.tensor([0.5, 1.0, 2.0, 4.0]), minlength=6)
    assert w.tolist() == [0.5, 3.0, 0.0, 4.0, 0.0, 0.0] and w.dtype == np.float32
    assert mg.bincount(mg.tensor([1]), mg.tensor([3])).dtype == np.float64
    assert mg.bincount(mg.tensor([], dtype=mg.int64), minlength=3).tolist() == [0, 0, 0]
    r = mg.isin(mg.tensor([[1, 2], [3, 4]]), mg.tensor([4, 1, 9]))
    assert r.tolist() == [[True, False], [False, True]] and r.dtype == np.bool_
    r = mg.isin(mg.tensor([1.0, NAN]), mg.tensor([NAN, 1.0]), invert=True)
    assert r.tolist() == [False, True]
    assert mg.isin(2, mg.tensor([2, 3])).item() is True
    assert mg.isin(mg.tensor([2, 5]), 5).tolist() == [False, True]


def test_histc_and_histogram_by_hand():
    x = mg.tensor([1.0, 2.0, 1.0, 3.0, -1.0, NAN])
    h = mg.histc(x, bins=4, min=0, max=3)  # bins [0, .75) [.75, 1.5) [1.5, 2.25) [2.25, 3]
    assert h.tolist() == [0.0, 2.0, 1.0, 1.0] and h.dtype == np.float32
    assert mg.histc(mg.tensor([1.0, 1.0]), bins=4).tolist() == [0.0, 0.0, 2.0, 0.0]  # [0, 2]
    hist, edges = mg.histogram(mg.tensor([1.0, 2.0, 1.0]), 4, range=(0.0, 3.0))
    assert hist.tolist() == [0.0, 2.0, 1.0, 0.0] and edges.tolist() == [0, 0.75, 1.5, 2.25, 3]
    hist, edges = mg.tensor([1.0, 2.0, 5.0]).histogram(mg.tensor([0.0, 2.0, 4.0]),
                                                        weight=mg.tensor([1.0, 2.0, 3.0]),
                                                        density=True)
    np.testing.assert_allclose(hist.numpy(), [1 / 6, 1 / 3])  # weight 3 lands outside
    assert mg.histogram(mg.tensor([1.0, 1.0]), 2).bin_edges.tolist() == [0.5, 1.0, 1.5]


def test_searchsorted_and_bucketize_by_hand():
    seq = mg.tensor([1, 3, 5, 7])
    assert mg.searchsorted(seq, mg.tensor([3, 6, 9])).tolist() == [1, 3, 4]
    assert mg.searchsorted(seq, mg.tensor([3, 6, 9]), right=True).tolist() == [2, 3, 4]
    assert mg.searchsorted(seq, mg.tensor([3]), side="right").tolist() == [2]
    r = mg.searchsorted(seq, 4, out_int32=True)
    assert r.shape == () and r.item() == 2 and r.dtype == np.int32
    unsorted = mg.tensor([7, 1, 5, 3])
    r = mg.searchsorted(unsorted, mg.tensor([3, 6]), sorter=mg.tensor([1, 3, 2, 0]))
    assert r.tolist() == [1, 3]
    rows = mg.tensor([[1, 3, 5], [2, 4, 6]])
    assert mg.searchsorted(rows, mg.tensor([[3, 6], [3, 6]])).tolist() == [[1, 3], [1, 2]]
    b = mg.tensor([1, 3, 5, 7])
    assert mg.bucketize(mg.tensor([[3, 6], [9, 0]]), b).tolist() == [[1, 3], [4, 0]]
    assert mg.bucketize(mg.tensor([3, 6]), b, right=True).tolist() == [2, 3]
    assert mg.bucketize(3, b).item() == 1
    assert mg.bucketize(mg.tensor([3]), b, out_int32=True).dtype == np.int32


def test_results_are_constants():
    x = mg.tensor([1.0, 2.0, 2.0], requires_grad=True)
    for r in (mg.unique(x), mg.unique_consecutive(x), mg.histc(x, 3), mg.histogram(x, 2).hist,
              mg.searchsorted(x, mg.tensor([1.5]))):
        assert not r.requires_grad


def test_out_arguments():
    o = mg.empty(3, dtype=mg.int64)
    assert mg.searchsorted(mg.tensor([1, 3]), mg.tensor([0, 2, 4]), out=o) is o
    assert o.tolist() == [0, 1, 2]
    h = mg.empty(2)
    assert mg.histc(mg.tensor([1.0, 2.0]), bins=2, out=h) is h and h.tolist() == [1.0, 1.0]


# ----- against torch ---------------------------------------------------------------------------
def test_against_torch_random():
    torch = pytest.importorskip("torch")
    x = RNG.integers(0, 5, (5, 7))
    xf = RNG.standard_normal(200).astype(np.float32)
    cases = [
        (lambda m, a: m.unique(a, return_inverse=True, return_counts=True), x),
        (lambda m, a: m.unique(a, dim=1, return_inverse=True, return_counts=True), x % 2),
        (lambda m, a: m.unique_consecutive(a, return_inverse=True, return_counts=True), x),
        (lambda m, a: m.unique_consecutive(a, True, True, dim=0), np.repeat(x % 2, 2, 0)),
        (lambda m, a: m.count_nonzero(a, 1), x),
        (lambda m, a: m.bincount(a.reshape(-1), minlength=9), x),
        (lambda m, a: m.bincount(a[0], a[1].to(m.float32)), x),
        (lambda m, a: m.histc(a, bins=13), xf),
        (lambda m, a: m.histc(a, bins=7, min=-1, max=0.5), xf),
        (lambda m, a: m.histogram(a, 9), xf),
        (lambda m, a: m.histogram(a, 5, range=(-1.0, 2.0), density=True), xf),
        (lambda m, a: m.bucketize(a, m.sort(a[0]).values, right=True), x),
        (lambda m, a: m.searchsorted(m.sort(a, dim=1).values, a), x),
        (lambda m, a: m.searchsorted(a[0], a[1:], side="right", sorter=m.argsort(a[0])), x),
        (lambda m, a: m.isin(a, a[0], invert=True), x),
    ]
    for k, (f, data) in enumerate(cases):
        ra, rb = f(mg, mg.tensor(data)), f(torch, torch.tensor(data))
        ra = ra if isinstance(ra, tuple) else (ra,)
        rb = rb if isinstance(rb, tuple) else (rb,)
        assert len(ra) == len(rb), k
        for p, q in zip(ra, rb):
            assert str(p.dtype) == str(q.dtype).replace("torch.", ""), k
            np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-6, err_msg=str(k))


# ----- errors ----------------------------------------------------------------------------------
def test_errors_name_the_argument():
    cases = [
        (lambda: mg.bincount(mg.tensor([0, -1])), ValueError, "non-negative"),
        (lambda: mg.bincount(mg.tensor([[0, 1]])), ValueError, "1-D"),
        (lambda: mg.bincount(mg.tensor([0.0, 1.0])), ValueError, "integers"),
        (lambda: mg.bincount(mg.tensor([0, 1]), mg.tensor([1.0])), ValueError, "weights"),
        (lambda: mg.bincount(mg.tensor([0, 1]), minlength=-1), ValueError, "minlength"),
        (lambda: mg.histc(mg.tensor([1, 2]), bins=3), TypeError, "floating-point"),
        (lambda: mg.histc(mg.tensor([1.0]), bins=0), ValueError, "bins"),
        (lambda: mg.histc(mg.tensor([1.0]), bins=2, min=2, max=1), ValueError, "max must"),
        (lambda: mg.histc(mg.tensor([1.0, NAN]), bins=2, min=0, max=NAN), ValueError, "finite"),
        (lambda: mg.histogram(mg.tensor([1.0]), mg.tensor([2.0, 1.0])), ValueError, "increasing"),
        (lambda: mg.histogram(mg.tensor([1.0]), 2, range=(1.0,)), ValueError, "range"),
        (lambda: mg.searchsorted(mg.tensor([1, 3]), mg.tensor([1]), side="left", right=True),
         ValueError, "opposites"),
        (lambda: mg.searchsorted(mg.tensor([1, 3]), mg.tensor([1]), side="up"), ValueError, "side"),
        (lambda: mg.searchsorted(mg.tensor([[1, 3]]), mg.tensor([1])), ValueError, "leading"),
        (lambda: mg.searchsorted(mg.tensor([1, 3]), mg.tensor([1]), sorter=mg.tensor([0, 5])),
         ValueError, "sorter"),
        (lambda: mg.searchsorted([1, 3], mg.tensor([1])), TypeError, "sorted_sequence"),
        (lambda: mg.bucketize(mg.tensor([1]), mg.tensor([[1, 2]])), ValueError, "boundaries"),
        (lambda: mg.isin(1, 2), TypeError, "both"),
        (lambda: mg.unique(mg.tensor([1, 2]), dim=2), IndexError, "dim"),
        (lambda: mg.count_nonzero(mg.tensor([[1]]), (0, 0)), ValueError, "twice"),
    ]
    for f, exc, text in cases:
        with pytest.raises(exc, match=text):
            f()


def test_zero_dim_and_empty_inputs():
    u, inv, cnt = mg.unique(mg.tensor(3), return_inverse=True, return_counts=True)
    assert u.tolist() == [3] and inv.shape == () and inv.item() == 0 and cnt.tolist() == [1]
    assert mg.unique(mg.tensor([], dtype=mg.float32)).shape == (0,)
    u, cnt = mg.unique_consecutive(mg.tensor([], dtype=mg.int64), return_counts=True)
    assert u.shape == (0,) and cnt.shape == (0,)
    assert mg.histc(mg.tensor([], dtype=mg.float64), bins=2).tolist() == [0.0, 0.0]
