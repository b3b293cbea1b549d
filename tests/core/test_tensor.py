"""Tensor creation, dtypes, attributes and conversions follow PyTorch's conventions."""
import numpy as np
import pytest

import minigrad as mg


def test_default_dtypes():
    assert mg.tensor([1.0, 2.0]).dtype == np.float32
    assert mg.tensor(3.5).dtype == np.float32
    assert mg.tensor([1, 2]).dtype == np.int64
    assert mg.tensor([True, False]).dtype == np.bool_
    assert mg.tensor(np.zeros(2, dtype=np.float64)).dtype == np.float64
    assert mg.tensor([1, 2], dtype=mg.float64).dtype == np.float64
    assert mg.tensor([1.0], dtype="float64").dtype == np.float64


def test_tensor_copies_its_input():
    a = np.ones(3)
    t = mg.tensor(a)
    a[0] = 5
    assert t.detach().numpy()[0] == 1


def test_creation_helpers():
    assert mg.zeros(2, 3).shape == (2, 3) and mg.zeros(2, 3).dtype == np.float32
    assert mg.ones((2, 3), dtype=mg.float64).dtype == np.float64
    np.testing.assert_array_equal(mg.full((2,), 7.0).data, [7.0, 7.0])
    assert mg.empty(4).shape == (4,)
    np.testing.assert_array_equal(mg.arange(5).data, np.arange(5))
    assert mg.arange(5).dtype == np.int64 and mg.arange(0.0, 1.0, 0.25).dtype == np.float32
    np.testing.assert_allclose(mg.linspace(0, 1, 5).data, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(mg.eye(2).data, np.eye(2))
    x = mg.randn(3, 4)
    assert mg.zeros_like(x).shape == (3, 4) and mg.ones_like(x).data.sum() == 12
    np.testing.assert_array_equal(mg.full_like(x, 2.0).data, np.full((3, 4), 2.0))
    r = mg.randint(0, 10, (100,))
    assert r.dtype == np.int64 and r.detach().numpy().min() >= 0 and r.detach().numpy().max() < 10
    u = mg.rand(1000)
    assert 0 <= u.detach().numpy().min() and u.detach().numpy().max() < 1
    assert mg.zeros(2, requires_grad=True).requires_grad


def test_manual_seed_reproducible():
    mg.manual_seed(123)
    a = mg.randn(5).numpy().copy()
    mg.manual_seed(123)
    np.testing.assert_array_equal(mg.randn(5).data, a)
    with pytest.raises(ValueError, match="non-negative int"):
        mg.manual_seed(-1)


def test_attributes_and_conversions():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size() == (2, 3) and x.size(1) == 3
    assert x.numel() == 6 and x.T.shape == (3, 2)
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert x[1, 2].item() == 6.0
    assert isinstance(x.detach().numpy(), np.ndarray)
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    assert np.shares_memory(x.numpy(force=True), x.detach().numpy())
    assert x.double().dtype == np.float64 and x.double().float().dtype == np.float32
    assert x.astype(mg.int64).dtype == np.int64 and x.long().dtype == np.int64
    assert x.is_leaf and x.grad is None and x.grad_fn is None
    y = x * 2
    assert y.grad_fn.name() == "MulBackward0" and not y.is_leaf
    d = x.detach().requires_grad_()
    assert d.requires_grad and d.is_leaf
    with pytest.raises(ValueError, match="only a tensor with one element"):
        x.item()


def test_repr_is_readable():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "grad_fn=<AddBackward>" in repr(mg.tensor([1.0], requires_grad=True) + 1)
    assert "dtype=float64" in repr(mg.tensor([1.0], dtype=mg.float64))


def test_integer_and_bool_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        mg.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="dtype bool"):
        mg.tensor([True]).requires_grad_()
    labels = mg.tensor([0, 2, 1])
    assert labels.dtype == np.int64 and not labels.requires_grad


def test_scalar_operands_keep_tensor_dtype():
    x = mg.tensor([1.0, 2.0])
    assert (x * 2.5).dtype == np.float32
    assert (2 ** x).dtype == np.float32
    assert (mg.tensor([1, 2]) * 0.5).dtype == np.float32
    assert (mg.tensor([1, 2]) / mg.tensor([2, 2])).dtype.kind == "f"
    assert (x + mg.tensor([1.0, 2.0], dtype=mg.float64)).dtype == np.float64


def test_unsupported_dtype_named():
    with pytest.raises(TypeError, match="unsupported dtype"):
        mg.tensor([1.0], dtype="complex64")
    with pytest.raises(TypeError, match="dtype <U1|dtype <U"):
        mg.tensor(["a"])


def test_inplace_helpers_guard_leaves():
    w = mg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w.fill_(1.0)
    with mg.no_grad():
        w.fill_(2.0)
        w.copy_(np.arange(3.0))
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 1.0, 2.0])


def test_inplace_operators_update_data_under_no_grad():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    alias = w
    with mg.no_grad():
        w -= 0.5 * w.grad  # the PyTorch idiom must really update the parameter
    assert w is alias and w.requires_grad
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 0.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1.0
    c = mg.tensor([1.0, 2.0])
    c *= 3
    c.div_(mg.tensor([3.0, 3.0])).add_(1).sub_(0.5)
    np.testing.assert_array_equal(c.detach().numpy(), [1.5, 2.5])
    with pytest.raises(ValueError, match=r"does not broadcast to the tensor's shape \(2,\)"):
        c += mg.ones(3)
    i = mg.tensor([1, 2])
    with pytest.raises(TypeError, match="int64 tensor in place"):
        i += 0.5


def test_numpy_scalar_keeps_its_dtype():
    assert mg.tensor(np.float64(1.5)).dtype == np.float64
    assert mg.tensor(np.float32(1.5)).dtype == np.float32
    assert mg.tensor(1.5).dtype == np.float32


def test_to_accepts_dtypes_and_the_cpu_device():
    x = mg.tensor([1.0])
    assert x.to("cpu") is x
    assert x.to(mg.float64).dtype == np.float64 and x.to("double").dtype == np.float64
    with pytest.raises(RuntimeError, match="device 'cuda' is not available: minigrad runs on the CPU only"):
        x.to("cuda")
