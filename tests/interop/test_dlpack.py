"""DLPack: minigrad tensors share memory with numpy arrays and torch tensors, both ways."""
import numpy as np
import pytest

import minigrad
from minigrad import from_dlpack

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


def sample(dtype, shape=(3, 4)):
    return (np.arange(int(np.prod(shape))).reshape(shape) % 7).astype(dtype)


def test_device_is_the_cpu():
    assert tuple(minigrad.zeros(2).__dlpack_device__()) == (1, 0)  # kDLCPU, device 0


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_numpy_reads_a_tensor_without_copying_and_back(dtype):
    t = minigrad.tensor(sample(dtype))
    a = np.from_dlpack(t)
    assert a.dtype == t.dtype and a.shape == t.shape
    assert np.shares_memory(a, t.numpy())
    back = from_dlpack(a)
    assert isinstance(back, minigrad.Tensor) and not back.requires_grad
    assert back.dtype == np.dtype(dtype) and np.shares_memory(back.numpy(), a)
    a[0, 0] = 1
    assert back.numpy()[0, 0] == 1 and t.numpy()[0, 0] == 1


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (5,), (2, 3, 4)])
def test_shapes_including_0d_and_empty(shape):
    t = minigrad.tensor(sample(np.float32, shape))
    a = np.from_dlpack(t)
    assert a.shape == shape
    np.testing.assert_array_equal(from_dlpack(a).numpy(), t.numpy())


def test_views_keep_their_strides_and_share_memory():
    base = minigrad.tensor(sample(np.float64, (4, 6)))
    view = base.transpose(0, 1)
    a = np.from_dlpack(view)
    np.testing.assert_array_equal(a, base.numpy().T)
    a[5, 3] = -1.0
    assert base.numpy()[3, 5] == -1.0
    strided = sample(np.float32, (6, 8))[::2, 1::3]
    t = from_dlpack(strided)
    assert t.numpy().strides == strided.strides
    strided[1, 1] = 42
    assert t.numpy()[1, 1] == 42


def test_tensor_that_requires_grad_is_not_exported_but_its_detach_is():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="use tensor.detach"):
        np.from_dlpack(w)
    a = np.from_dlpack(w.detach())
    a[0] = 5.0
    assert w.detach().numpy()[0] == 5.0


def test_imported_tensor_takes_part_in_autograd():
    w = from_dlpack(np.array([1.0, -2.0, 3.0]))
    w.requires_grad_()
    x = minigrad.tensor([2.0, 0.5, -1.0], dtype="float64")
    (w * x).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 0.5, -1.0])


def test_copy_argument():
    a = sample(np.float32)
    copied = from_dlpack(a, copy=True)
    assert not np.shares_memory(copied.numpy(), a)
    np.testing.assert_array_equal(copied.numpy(), a)
    assert np.shares_memory(from_dlpack(a, copy=False).numpy(), a)


def test_clear_errors():
    with pytest.raises(TypeError, match="expected an object with a __dlpack__ method .* got list"):
        from_dlpack([1.0, 2.0])
    with pytest.raises(TypeError, match="dtype uint16 is not a minigrad tensor dtype"):
        from_dlpack(np.arange(3, dtype=np.uint16))

    class OnTheGpu:
        def __dlpack__(self, **kwargs):
            raise AssertionError("must not be asked for its data")

        def __dlpack_device__(self):
            return (2, 1)  # kDLCUDA, device 1

    with pytest.raises(BufferError, match="CPU only.*device type 2 \\(id 1\\).*t.cpu\\(\\)"):
        from_dlpack(OnTheGpu())


# --------------------------------------------------------------------------- torch


torch_dtypes = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("name", torch_dtypes)
def test_torch_and_minigrad_share_memory_both_ways(name):
    torch = pytest.importorskip("torch")
    t = minigrad.tensor(sample(np.dtype(name)))
    x = torch.from_dlpack(t)
    assert x.dtype == getattr(torch, name) and tuple(x.shape) == t.shape
    assert x.data_ptr() == t.numpy().ctypes.data
    x[1, 2] = 1
    assert t.numpy()[1, 2] == 1

    y = torch.zeros(2, 5, dtype=getattr(torch, name))
    u = from_dlpack(y)
    assert u.dtype == np.dtype(name) and u.numpy().ctypes.data == y.data_ptr()
    u.numpy()[0, 3] = 1
    assert y[0, 3].item() == 1


def test_torch_views_and_trained_weights_move_without_copying():
    torch = pytest.importorskip("torch")
    lin = torch.nn.Linear(4, 3)
    w = from_dlpack(lin.weight.detach())
    np.testing.assert_array_equal(w.numpy(), lin.weight.detach().numpy())
    with torch.no_grad():
        lin.weight[0, 0] = 9.0
    assert w.numpy()[0, 0] == 9.0
    t = from_dlpack(torch.arange(12.0).reshape(3, 4).t())
    np.testing.assert_array_equal(t.numpy(), np.arange(12.0).reshape(3, 4).T)
    back = torch.from_dlpack(minigrad.tensor(sample(np.float32, (4, 6))).transpose(0, 1))
    assert back.stride() == (1, 6)


def test_torch_refusals_are_clear():
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, BufferError), match="use tensor.detach"):
        from_dlpack(torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="dtype torch.bfloat16.*\\.float\\(\\)"):
        from_dlpack(torch.ones(2, dtype=torch.bfloat16))
    with pytest.raises(TypeError, match="uint16"):
        from_dlpack(torch.ones(2, dtype=torch.uint16))
    with pytest.raises(RuntimeError, match="use tensor.detach"):
        torch.from_dlpack(minigrad.ones(2, requires_grad=True))
