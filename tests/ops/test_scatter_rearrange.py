"""Rearrangements: movedim, swapaxes, unflatten, tensor_split, h/v/dsplit, atleast_*d,
column_stack, dstack, row_stack, rot90, meshgrid, broadcast_tensors/shapes, tri*_indices,
unfold, diff, diag_embed: values against numpy and PyTorch, gradients, views, errors."""
import numpy as np
import pytest

import minigrad as mg

A = np.arange(24.0).reshape(2, 3, 4)


def leaf(shape, seed=0):
    return mg.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def T(a):
    return mg.tensor(np.asarray(a))


# ----- values against numpy ---------------------------------------------------------------
def test_numpy_equivalents():
    x = T(A)
    eq = np.testing.assert_array_equal
    eq(mg.movedim(x, (0, 1), (2, 0)).numpy(), np.moveaxis(A, (0, 1), (2, 0)))
    eq(mg.moveaxis(x, -1, 0).numpy(), np.moveaxis(A, -1, 0))
    eq(x.swapaxes(0, 2).numpy(), np.swapaxes(A, 0, 2))
    eq(x.swapdims(1, -1).numpy(), np.swapaxes(A, 1, -1))
    eq(x.unflatten(2, (2, -1)).numpy(), A.reshape(2, 3, 2, 2))
    for got, want in zip(mg.tensor_split(x, 3, 2), np.array_split(A, 3, 2)):
        eq(got.numpy(), want)
    for got, want in zip(x.tensor_split([1, 5, 2], dim=2), np.split(A, [1, 5, 2], 2)):
        eq(got.numpy(), want)
    for fn, nfn, ios in ((mg.hsplit, np.hsplit, 3), (mg.vsplit, np.vsplit, [1]),
                         (mg.dsplit, np.dsplit, 2)):
        for got, want in zip(fn(x, ios), nfn(A, ios)):
            eq(got.numpy(), want)
    for fn, nfn in ((mg.atleast_1d, np.atleast_1d), (mg.atleast_2d, np.atleast_2d),
                    (mg.atleast_3d, np.atleast_3d)):
        for a in (np.float64(2.0), np.arange(3.0), np.ones((2, 3)), A):
            eq(fn(T(a)).numpy(), nfn(a))
    vs = [np.arange(3.0), np.ones((3, 2))]
    eq(mg.column_stack([T(v) for v in vs]).numpy(), np.column_stack(vs))
    eq(mg.dstack([T(np.arange(3.0)), T(np.ones(3))]).numpy(),
       np.dstack([np.arange(3.0), np.ones(3)]))
    eq(mg.row_stack([T(np.arange(3.0)), T(np.ones((2, 3)))]).numpy(),
       np.vstack([np.arange(3.0), np.ones((2, 3))]))
    for k in range(-1, 6):
        eq(mg.rot90(x, k, (2, 0)).numpy(), np.rot90(A, k, (2, 0)))
    for ind in ("ij", "xy"):
        for got, want in zip(mg.meshgrid(T(np.arange(2)), T(np.arange(3.0)), T(np.ones(4)),
                                         indexing=ind),
                             np.meshgrid(np.arange(2), np.arange(3.0), np.ones(4), indexing=ind)):
            eq(got.numpy(), want)
    assert mg.broadcast_shapes((2, 1), (3,), 1) == (2, 3)
    bt = mg.broadcast_tensors(T(np.ones((2, 1))), T(np.arange(3)))
    eq(bt[1].numpy(), np.broadcast_to(np.arange(3), (2, 3)))
    for r, c, o in ((3, 3, 0), (4, 2, -1), (2, 5, 2)):
        eq(mg.triu_indices(r, c, o).numpy(), np.stack(np.triu_indices(r, o, c)))
        eq(mg.tril_indices(r, c, o).numpy(), np.stack(np.tril_indices(r, o, c)))
    eq(mg.diff(x, 2, 1).numpy(), np.diff(A, 2, 1))
    eq(mg.diff(x, prepend=T(np.zeros((2, 3, 1))), append=x).numpy(),
       np.diff(A, prepend=np.zeros((2, 3, 1)), append=A))
    eq(mg.diff(T(np.array([True, False, False]))).numpy(), [True, False])
    eq(x.unfold(2, 2, 1).numpy(), np.lib.stride_tricks.sliding_window_view(A, 2, 2))
    eq(x.unfold(1, 2, 2).numpy(),
       np.lib.stride_tricks.sliding_window_view(A, 2, 1)[:, ::2])


def test_diag_embed_numpy():
    v = np.arange(6.0).reshape(2, 3)
    out = mg.diag_embed(T(v), 1, 0, 2).numpy()
    assert out.shape == (4, 2, 4)
    want = np.zeros((4, 2, 4))
    for b in range(2):
        want[:, b, :] = np.diag(v[b], 1)
    np.testing.assert_array_equal(out, want)


# ----- views ------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda x: x.movedim(0, 2), lambda x: x.swapaxes(0, 1), lambda x: x.unflatten(1, (3, 1)),
    lambda x: mg.tensor_split(x, 2, 2)[1], lambda x: mg.hsplit(x, [1])[1],
    lambda x: mg.atleast_3d(x[0]), lambda x: x.unfold(2, 2, 2)])
def test_views_share_memory_and_version(fn):
    x = T(A.copy())
    v = fn(x)
    assert v._base is not None
    v0 = x._version
    v.mul_(0.0)
    assert x._version > v0 and v._version == x._version
    assert x.numpy().sum() < A.sum()


def test_write_through_unfold_view_is_recorded():
    w = leaf((2, 6))
    y = w * 1.0
    u = y.unfold(1, 2, 2)  # non-overlapping windows
    u.mul_(3.0)
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.full((2, 6), 3.0))


# ----- gradients --------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda x: mg.movedim(x, (0, 2), (1, 0)),
    lambda x: x.swapaxes(0, 2) * x.swapdims(0, 2),
    lambda x: x.unflatten(-1, (2, 2)),
    lambda x: mg.tensor_split(x, [1, 3], 2)[1] ** 2,
    lambda x: mg.dsplit(x, 2)[0] * mg.vsplit(x, 2)[1][:, :, :2],
    lambda x: mg.column_stack([x[0, :, 0], x[1]]) ** 2,
    lambda x: mg.dstack([x[0], x[1]]) ** 2,
    lambda x: mg.row_stack([x[0, 0], x[1]]) ** 2,
    lambda x: mg.rot90(x, 3, (1, 2)) ** 2,
    lambda x: mg.meshgrid(x[0, 0], x[1, :, 1])[0] * mg.meshgrid(x[0, 0], x[1, :, 1],
                                                                  indexing="xy")[1].t(),
    lambda x: mg.broadcast_tensors(x[:, :1], x[0])[0] ** 2,
    lambda x: x.unfold(2, 3, 1) ** 2,
    lambda x: mg.diff(x, 2, -1, prepend=x[:, :, :1] ** 2) ** 2,
    lambda x: mg.diag_embed(x, -1, 0, 3) ** 2,
    lambda x: mg.atleast_2d(x[0, 0]) * mg.atleast_1d(x[1, 1]),
])
def test_gradcheck(fn):
    x = leaf((2, 3, 4))
    assert mg.gradcheck(fn, (x,))
    assert mg.gradgradcheck(fn, (x,))


# ----- errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, match", [
    (lambda x: mg.movedim(x, (0, 1), 2), ValueError, "same number"),
    (lambda x: mg.movedim(x, (0, 0), (1, 2)), ValueError, "repeated"),
    (lambda x: mg.movedim(x, 3, 0), IndexError, "dim"),
    (lambda x: x.swapaxes(0, 5), IndexError, "dim"),
    (lambda x: x.unflatten(2, (3, -1)), ValueError, "multiply"),
    (lambda x: x.unflatten(2, (-1, -1)), ValueError, "multiply"),
    (lambda x: mg.tensor_split(x, 0), ValueError, "positive"),
    (lambda x: mg.tensor_split(x, T(np.array([[1]]))), TypeError, "1-d"),
    (lambda x: mg.hsplit(x, 2), ValueError, "equal parts"),
    (lambda x: mg.vsplit(x[0, 0], 2), ValueError, "at least 2"),
    (lambda x: mg.dsplit(x[0], 2), ValueError, "at least 3"),
    (lambda x: mg.rot90(x, 1, (0, 0)), ValueError, "differ"),
    (lambda x: mg.rot90(x, 1, (0, 1, 2)), ValueError, "length 2"),
    (lambda x: mg.rot90(x[0, 0]), ValueError, "at least 2"),
    (lambda x: mg.meshgrid(x), ValueError, "0-d or 1-d"),
    (lambda x: mg.meshgrid(x[0, 0], indexing="xx"), ValueError, "indexing"),
    (lambda x: mg.broadcast_shapes((2,), (3,)), ValueError, "broadcast"),
    (lambda x: mg.broadcast_tensors(x, x[0, :2]), ValueError, "broadcast"),
    (lambda x: mg.triu_indices(-1, 3), ValueError, "non-negative"),
    (lambda x: mg.tril_indices(3, 3, dtype=mg.float32), TypeError, "integer"),
    (lambda x: x.unfold(2, 5, 1), ValueError, "size"),
    (lambda x: x.unfold(2, 2, 0), ValueError, "step"),
    (lambda x: mg.diff(x, -1), ValueError, "non-negative"),
    (lambda x: mg.diff(x, prepend=x[0]), ValueError, "dims"),
    (lambda x: mg.diff(x[0, 0, 0]), ValueError, "at least 1"),
    (lambda x: mg.diag_embed(x, 0, 1, 1), ValueError, "differ"),
    (lambda x: mg.column_stack([]), ValueError, "non-empty"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call(T(A))


# ----- PyTorch ----------------------------------------------------------------------------
CASES = [
    ("movedim", lambda L, x: L.movedim(x, (0, 1), (2, 0))),
    ("moveaxis", lambda L, x: x.moveaxis(-1, 0)),
    ("swapaxes", lambda L, x: L.swapaxes(x, 0, 2)),
    ("swapdims", lambda L, x: x.swapdims(1, 2)),
    ("unflatten", lambda L, x: x.unflatten(2, (2, -1))),
    ("tensor_split", lambda L, x: L.cat([p.reshape(-1) for p in
                                         L.tensor_split(x, 3, dim=2)])),
    ("tensor_split_idx", lambda L, x: x.tensor_split([1, 3], dim=2)[1]),
    ("hsplit", lambda L, x: L.hsplit(x, [2])[1]),
    ("vsplit", lambda L, x: x.vsplit(2)[1]),
    ("dsplit", lambda L, x: L.dsplit(x, 4)[3]),
    ("atleast_3d", lambda L, x: L.atleast_3d(x[0, 0])),
    ("atleast_2d", lambda L, x: L.atleast_2d([x[0, 0], x])[0]),
    ("column_stack", lambda L, x: L.column_stack([x[0, 0, :3], x[1]])),
    ("dstack", lambda L, x: L.dstack([x[0, 0], x[1, 1]])),
    ("row_stack", lambda L, x: L.row_stack([x[0, 0], x[1]])),
    ("rot90", lambda L, x: L.rot90(x, -3, [2, 1])),
    ("rot90m", lambda L, x: x.rot90(2)),
    ("meshgrid", lambda L, x: L.meshgrid(x[0, 0], x[1, :, 0], indexing="xy")[1]),
    ("broadcast", lambda L, x: L.broadcast_tensors(x[:, :1, :], x[0])[0]),
    ("unfold", lambda L, x: x.unfold(2, 3, 1)),
    ("unfold0", lambda L, x: x.unfold(0, 1, 2)),
    ("diff", lambda L, x: L.diff(x, 2, dim=1, append=x[:, :1])),
    ("diag_embed", lambda L, x: L.diag_embed(x, offset=-2, dim1=0, dim2=2)),
    ("diag_embedm", lambda L, x: x.diag_embed()),
]


@pytest.mark.parametrize("name, fn", CASES, ids=[c[0] for c in CASES])
def test_torch_values_and_grads(name, fn):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((2, 3, 4))
    xm, xt = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    om, ot = fn(mg, xm), fn(torch, xt)
    assert tuple(om.shape) == tuple(ot.shape)
    np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy())
    w = np.random.default_rng(2).standard_normal(tuple(ot.shape))
    (om * mg.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy())


def test_torch_non_differentiable():
    torch = pytest.importorskip("torch")
    for r, c, o in ((3, 3, 0), (4, 2, -1), (2, 5, 2), (0, 3, 0)):
        for n in ("triu_indices", "tril_indices"):
            a, b = getattr(mg, n)(r, c, o), getattr(torch, n)(r, c, o)
            assert a.dtype == np.int64
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert mg.broadcast_shapes((5, 1, 3), (4, 1), 3) == tuple(
        torch.broadcast_shapes((5, 1, 3), (4, 1), 3))
    b = np.array([[True, False, True], [False, False, True]])
    np.testing.assert_array_equal(mg.diff(T(b), dim=0).numpy(),
                                  torch.diff(torch.tensor(b), dim=0).numpy())
    i = np.array([1, 4, 9, 16])
    np.testing.assert_array_equal(mg.diff(T(i), 2).numpy(), torch.diff(torch.tensor(i), 2))
    for f in (lambda L, t: L.atleast_1d(t), lambda L, t: L.atleast_2d(t)):
        assert tuple(f(mg, mg.tensor(3)).shape) == tuple(f(torch, torch.tensor(3)).shape)
