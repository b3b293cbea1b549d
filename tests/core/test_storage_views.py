"""The storage model: ``.data``, ``numpy()``, ``from_numpy``, views sharing memory and one
version counter, and backward refusing values changed in place."""
import numpy as np
import pytest

import minigrad as mg


def test_data_is_a_tensor_sharing_memory_without_grad():
    p = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = p.data
    assert isinstance(d, mg.Tensor) and not d.requires_grad and d.is_leaf
    d[0] = 10.0
    assert p.detach().numpy()[0] == 10.0
    assert p._version == 0 and d._version == 1  # .data has a counter of its own


def test_data_assignment_replaces_the_contents_and_shares_memory():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    q = mg.tensor([[5.0, 6.0, 7.0]])
    p.data = q
    assert p.shape == (1, 3) and p.requires_grad
    q[0, 0] = -1.0
    assert p.detach().numpy()[0, 0] == -1.0
    with pytest.raises(TypeError, match="must be a Tensor"):
        p.data = np.zeros(2)


def test_manual_sgd_idioms_work_unchanged():
    # micrograd / course style: for p in params: p.data -= lr * p.grad
    w = mg.tensor([1.0, -2.0], requires_grad=True)
    b = mg.tensor(0.5, requires_grad=True)
    for _ in range(3):
        loss = ((w * w).sum() + b * b)
        w.grad = b.grad = None
        loss.backward()
        for p in (w, b):
            p.data -= 0.1 * p.grad
    np.testing.assert_allclose(w.detach().numpy(), np.array([1.0, -2.0]) * 0.8 ** 3, rtol=1e-6)
    np.testing.assert_allclose(b.item(), 0.5 * 0.8 ** 3, rtol=1e-6)
    # PyTorch tutorial style: with no_grad(): p -= lr * p.grad; p.grad.zero_()
    v = mg.tensor([3.0], requires_grad=True)
    (v * v).sum().backward()
    with mg.no_grad():
        v -= 0.25 * v.grad
        v.grad.zero_()
    assert v.item() == 1.5 and v.grad.item() == 0.0 and v.requires_grad and v.is_leaf
    # .data methods that PyTorch scripts call
    v.data.zero_()
    v.data.add_(2.0)
    v.data.mul_(3.0)
    assert v.data.numpy().tolist() == [6.0]


def test_numpy_shares_memory_and_refuses_grad_tensors():
    t = mg.tensor([1.0, 2.0])
    a = t.numpy()
    a[1] = 7.0
    assert t.tolist() == [1.0, 7.0]
    w = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        w.numpy()
    assert np.shares_memory(w.detach().numpy(), w.numpy(force=True))


def test_from_numpy_and_as_tensor_share_memory():
    arr = np.arange(4.0)
    t = mg.from_numpy(arr)
    assert t.dtype == np.float64
    arr[0] = 9.0
    assert t[0].item() == 9.0
    t[1] = -1.0
    assert arr[1] == -1.0
    assert mg.as_tensor(arr).numpy() is arr
    assert not np.shares_memory(mg.as_tensor(arr, dtype=mg.float32).numpy(), arr)
    assert mg.as_tensor(t) is t
    assert mg.as_tensor([1.0, 2.0]).dtype == np.float32
    with pytest.raises(TypeError, match="expected np.ndarray"):
        mg.from_numpy([1.0])
    with pytest.raises(TypeError, match="unsupported dtype"):
        mg.from_numpy(np.array(["a"]))


VIEWS = {
    "slice": lambda x: x[1:, ::2],
    "int index": lambda x: x[1],
    "scalar element": lambda x: x[1, 2],
    "view": lambda x: x.view(12),
    "reshape": lambda x: x.reshape(2, 6),
    "transpose": lambda x: x.transpose(0, 1),
    "T": lambda x: x.T,
    "permute": lambda x: x.permute(1, 0),
    "detach": lambda x: x.detach(),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(1).squeeze(1),
    "flatten": lambda x: x.flatten(),
    "split": lambda x: x.split(1, dim=0)[2],
    "chunk": lambda x: x.chunk(2, dim=1)[1],
    "expand": lambda x: x[:, :1].expand(3, 5),
    "view of view": lambda x: x[1:].T[1:],
    "diagonal": lambda x: x.diagonal(1),
    "diagonal of transpose": lambda x: x.T.diagonal(-1, 1, 0),
}


@pytest.mark.parametrize("offset,dim1,dim2", [(0, 0, 1), (1, 1, 2), (-1, 2, 1), (2, 0, 2),
                                              (9, 1, 2)])
def test_diagonal_is_a_view_and_writes_reach_the_input(offset, dim1, dim2):
    a = np.arange(24.0).reshape(2, 3, 4)
    x = mg.tensor(a.copy())
    x.diagonal(offset, dim1, dim2).fill_(-1)
    expected = a.copy()
    idx = np.indices(a.shape)
    on_diag = idx[dim2] - idx[dim1] == offset
    expected[on_diag] = -1
    np.testing.assert_array_equal(x.numpy(), expected)
    assert not mg.diag(x[0]).numpy().base is x.numpy()  # diag copies, as torch.diag


def test_write_through_diagonal_of_a_non_leaf_is_differentiable():
    a = np.arange(12.0).reshape(3, 4)
    x = mg.tensor(a, requires_grad=True)
    y = x * 2
    y.diagonal(1).mul_(3)
    (y ** 2).sum().backward()
    # d/dx of (2x)^2 is 8x, and 72x where the diagonal was tripled
    factor = np.where(np.eye(3, 4, k=1) == 1, 72.0, 8.0)
    np.testing.assert_allclose(x.grad.numpy(), factor * a)


def test_write_through_diagonal_after_use_raises():
    x = mg.tensor(np.ones((3, 3)), requires_grad=True)
    y = x * 1
    loss = (y ** 2).sum()
    y.diagonal().zero_()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("make", VIEWS.values(), ids=list(VIEWS))
def test_views_share_memory_and_version_counter(make):
    x = mg.arange(12.0).reshape(3, 4).clone()
    v = make(x)
    assert np.shares_memory(v.numpy(), x.numpy())
    before = x._version
    with mg.no_grad():
        x.add_(1)
    assert v._version == x._version == before + 1
    if v.numpy().flags.writeable:  # expand is read-only
        v.mul_(2)
        assert x._version == before + 2


def test_reshape_copies_when_the_layout_does_not_allow_a_view():
    x = mg.arange(12.0).reshape(3, 4)
    y = x.T.reshape(12)
    assert not np.shares_memory(y.numpy(), x.numpy())
    y[0] = 100.0
    assert x._version == 0 and x[0, 0].item() == 0.0


def test_expand_is_a_read_only_view():
    e = mg.zeros(1, 3).expand(2, 3)
    for write in (lambda: e.add_(1), lambda: e.__setitem__(0, 1.0), lambda: e.zero_()):
        with pytest.raises(RuntimeError, match="read-only.*expand"):
            write()


def test_versions_follow_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (mg, torch):
        x = lib.zeros(3)
        d, v, dd = x.detach(), x[1:], x.data
        d.add_(1)
        first = (x._version, v._version, dd._version)
        v.add_(1)
        second = (x._version, d._version, dd._version)
        if lib is mg:
            mine = (first, second)
        else:
            assert (first, second) == mine


# ----- writes that used to give silent wrong gradients now raise --------------------------
def test_write_through_detach_of_a_saved_output_raises():
    x = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    e = x.exp()
    loss = e.sum()
    e.detach().zero_()
    with pytest.raises(RuntimeError, match="Exp needs for its gradient was modified in place"):
        loss.backward()


def test_write_through_detach_of_a_saved_input_raises():
    x = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    x.detach().fill_(3)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_write_through_a_slice_under_no_grad_raises():
    x = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (x.sin()).sum()
    with mg.no_grad():
        x[0:2].add_(10)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_writes_into_values_no_backward_reads_are_legal_as_in_pytorch():
    # exp's backward reads its output, not its input: changing x afterwards is fine
    x = mg.tensor([0.5, -1.0], requires_grad=True)
    e = x.exp()
    expected = np.exp([0.5, -1.0])
    x.detach().fill_(3.0)
    e.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    # x * 2 saves nothing about x
    y = mg.tensor([1.0, 2.0], requires_grad=True)
    z = (y * 2).sum()
    with mg.no_grad():
        y.add_(5)
    z.backward()
    assert y.grad.tolist() == [2.0, 2.0]


def test_version_errors_match_torch_on_the_same_programs():
    torch = pytest.importorskip("torch")

    def programs(lib):
        def exp_then_write_output():
            x = lib.tensor([0.5, -1.0], requires_grad=True)
            e = x.exp()
            e.detach().zero_()
            e.sum().backward()

        def square_then_write_input():
            x = lib.tensor([0.5, -1.0], requires_grad=True)
            s = (x * x).sum()
            with lib.no_grad():
                x[0:1].mul_(2)
            s.backward()

        def scalar_mul_then_write_input():
            x = lib.tensor([0.5, -1.0], requires_grad=True)
            s = (x * 3).sum()
            with lib.no_grad():
                x.add_(1)
            s.backward()

        def tanh_then_write_input():
            x = lib.tensor([0.5, -1.0], requires_grad=True)
            s = x.tanh().sum()
            x.detach().zero_()
            s.backward()

        return [exp_then_write_output, square_then_write_input, scalar_mul_then_write_input,
                tanh_then_write_input]

    def raises(fn):
        try:
            fn()
        except RuntimeError:
            return True
        return False

    assert [raises(f) for f in programs(mg)] == [raises(f) for f in programs(torch)]


def test_the_legacy_constructor_of_a_tensor_is_a_tracked_alias():
    x = mg.tensor([0.5, -1.0], requires_grad=True)
    e = x.exp()
    loss = e.sum()
    alias = mg.Tensor(e)  # PyTorch: an alias sharing e's memory and version counter
    typed = mg.FloatTensor(e)
    assert not alias.requires_grad and alias._version == 0
    typed.add_(1)
    assert (e._version, alias._version) == (1, 1)
    alias.zero_()
    with pytest.raises(RuntimeError, match="Exp needs for its gradient was modified in place"):
        loss.backward()


def test_a_0d_result_exports_through_dlpack_sharing_its_memory():
    s = mg.tensor([1.0, 2.0]).dot(mg.tensor([3.0, 4.0]))  # an op that may hold a numpy scalar
    a = np.from_dlpack(s)
    assert a.shape == () and a == 11.0
    a[...] = 5.0
    assert s.item() == 5.0
