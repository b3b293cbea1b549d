"""Item assignment and indexed in-place updates: every index kind, PyTorch's
CopySlices gradients, duplicate indices, accumulation, refusals."""
import numpy as np
import pytest

import minigrad as mg

INDICES = {
    "int": (1,),
    "negative int": (-1,),
    "slice": (slice(1, None),),
    "step slice": (slice(None, None, 2),),
    "column": (slice(None), 1),
    "None": (None, 1),
    "ellipsis": (Ellipsis, 2),
    "int array": (np.array([0, 2]),),
    "int arrays": (np.array([0, 2]), np.array([1, 3])),
    "bool mask": (np.array([True, False, True]),),
    "2-d bool mask": (np.arange(12).reshape(3, 4) % 3 == 0,),
}


def _index(key):
    idx = INDICES[key]
    return idx if len(idx) > 1 else idx[0]


@pytest.mark.parametrize("key", list(INDICES))
def test_setitem_matches_numpy_for_every_index_kind(key):
    idx = _index(key)
    ref = np.arange(12.0).reshape(3, 4)
    t = mg.tensor(ref)
    region = ref[idx]
    value = -np.arange(region.size, dtype=np.float64).reshape(region.shape) - 1
    ref[idx] = value
    t[idx] = mg.tensor(value)
    np.testing.assert_array_equal(t.numpy(), ref)
    ref[idx] = 5.0
    t[idx] = 5.0  # a number broadcasts
    np.testing.assert_array_equal(t.numpy(), ref)


@pytest.mark.parametrize("key", list(INDICES))
def test_setitem_gradcheck_for_every_index_kind(key):
    idx = _index(key)
    region_shape = np.zeros((3, 4))[idx].shape
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    v = mg.tensor(rng.standard_normal(region_shape), requires_grad=True)

    def f(x, v):
        y = x * 1.5  # a non-leaf, as the assignment target must be when x requires grad
        y[idx] = v.sin()
        return y * y

    assert mg.gradcheck(f, (x, v))
    assert mg.gradgradcheck(f, (x, v))


def test_setitem_into_a_constant_makes_it_part_of_the_graph():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    buf = mg.zeros(4)
    buf[1:3] = w * 3
    assert buf.requires_grad and not buf.is_leaf
    (buf * mg.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert w.grad.tolist() == [6.0, 9.0]


def test_indexed_update_in_place_plus_equals():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t = mg.zeros(5)
    t[1:4] += x * 2
    t.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    assert t.tolist() == [0.0, 2.0, 4.0, 6.0, 0.0]


def test_duplicate_indices_with_plus_equals_write_once_index_put_accumulates():
    # bigram counting: N[ix1, ix2] += 1 counts each pair once per statement, as PyTorch
    n = mg.zeros(3, 3, dtype=mg.int64)
    ix1, ix2 = mg.tensor([0, 0, 1]), mg.tensor([1, 1, 2])
    n[ix1, ix2] += 1
    assert n.tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    n.index_put_((ix1, ix2), mg.tensor(1), accumulate=True)
    assert n.tolist() == [[0, 3, 0], [0, 0, 2], [0, 0, 0]]
    m = mg.zeros(4)
    m.index_add_(0, mg.tensor([0, 0, 3]), mg.tensor([1.0, 2.0, 5.0]))
    assert m.tolist() == [3.0, 0.0, 0.0, 5.0]


def test_index_put_accumulate_and_index_add_gradcheck():
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    v = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = mg.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    idx = np.array([0, 0, 2])

    def put(x, v):
        y = x * 1.0
        y.index_put_((idx,), v, accumulate=True)
        return y.tanh()

    def add(x, w):
        y = x * 1.0
        y.index_add_(1, idx, w.T, alpha=0.5)
        return y.tanh()

    assert mg.gradcheck(put, (x, v)) and mg.gradcheck(add, (x, w))


def test_masked_fill_in_place():
    x = mg.tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    y = x * 1.0
    y.masked_fill_(y < 0, 0.0)
    y.sum().backward()
    assert y.tolist() == [[1.0, 0.0], [0.0, 4.0]]
    assert x.grad.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(TypeError, match="bool"):
        y.masked_fill_(mg.tensor([1, 0]), 0.0)


def test_setitem_refusals_are_clear_and_change_nothing():
    leaf = mg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        leaf[0] = 1.0
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        leaf[1:][0] = 1.0
    assert leaf.tolist() == [0.0, 0.0, 0.0] and leaf._version == 0
    with mg.no_grad():
        leaf[0] = 1.0  # allowed without recording, as in PyTorch
    assert leaf.tolist() == [1.0, 0.0, 0.0] and leaf.is_leaf
    t = mg.zeros(2, 3)
    with pytest.raises(ValueError, match="__setitem__"):
        t[0] = mg.ones(4)
    with pytest.raises(IndexError):
        t[5] = 1.0
    assert t.tolist() == [[0.0] * 3] * 2 and t._version == 0


def test_setitem_casts_to_the_tensors_dtype():
    t = mg.zeros(3, dtype=mg.int64)
    t[0] = 2.7
    t[1:] = mg.tensor([1.0, 2.0])
    assert t.dtype == np.int64 and t.tolist() == [2, 1, 2]


def test_write_through_a_view_of_a_graph_tensor_is_recorded_on_its_base():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 1
    y[0:2].mul_(3)
    y[2:][0] = a[0] * 10  # chained indexing writes into y as well
    y.sum().backward()
    assert y.tolist() == [3.0, 6.0, 10.0]
    assert a.grad.tolist() == [13.0, 3.0, 0.0]


def test_recurrent_fill_of_a_buffer_matches_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        a = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        w = lib.tensor([[0.3, -0.2, 0.1], [0.0, 0.4, -0.5], [0.2, 0.2, 0.2]],
                       requires_grad=True)
        out = lib.zeros(5, 3)
        out[0] = a
        for t in range(1, 5):
            # reads a view of the buffer written in earlier steps; * 0.5 saves nothing
            out[t] = lib.tanh(out[t - 1] * 0.5 + a @ w)
        out[:, 1] += 1.0
        (out * out).sum().backward()
        return out.detach().numpy(), a.grad.numpy(), w.grad.numpy()

    for mine, ref in zip(run(mg), run(torch)):
        np.testing.assert_allclose(mine, ref, rtol=1e-5, atol=1e-6)


def test_recurrent_fill_that_saves_the_view_raises_as_in_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        a = lib.tensor([0.5, -1.0], requires_grad=True)
        w = lib.tensor([[0.3, -0.2], [0.0, 0.4]], requires_grad=True)
        out = lib.zeros(3, 2)
        out[0] = a
        for t in range(1, 3):
            out[t] = out[t - 1] @ w  # matmul saves out[t - 1], which the next write changes
        with pytest.raises(RuntimeError, match="modified by an inplace|modified in place"):
            out.sum().backward()

    run(mg)
    run(torch)


def test_setitem_and_inplace_match_torch_gradients():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([[1.0, -2.0, 3.0], [0.5, 0.25, -1.0]], requires_grad=True)
        v = lib.tensor([2.0, -1.0], requires_grad=True)
        y = x * 2
        y[:, 1] = v * v
        y[y < 0] = 0.0
        y[0] += v[0]
        y.clamp_(min=-0.5, max=5.0)
        z = y * 3
        z.add_(1)
        (z * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), v.grad.numpy()

    for mine, ref in zip(run(mg), run(torch)):
        np.testing.assert_allclose(mine, ref, rtol=1e-5, atol=1e-6)
