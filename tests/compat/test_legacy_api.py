"""The legacy API of course material: autograd.Variable, typed constructors, Tensor(*sizes),
Tensor.type(...), new_* constructors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Variable


def test_variable_returns_a_detached_leaf_sharing_memory():
    x = mg.ones(3)
    v = Variable(x)
    assert isinstance(v, mg.Tensor) and v is not x and not v.requires_grad
    v = Variable(x, requires_grad=True)
    assert v.requires_grad and v.is_leaf and not x.requires_grad
    assert np.shares_memory(v.numpy(force=True), x.numpy())
    z = mg.ones(2, requires_grad=True) * 3
    w = Variable(z)
    assert w.grad_fn is None and w.is_leaf
    assert isinstance(mg.ones(1), Variable)
    with pytest.raises(TypeError, match="has to be a tensor"):
        Variable([1.0, 2.0])
    with pytest.raises(TypeError, match="floating-point"):
        Variable(mg.tensor([1, 2]), requires_grad=True)


def test_variable_trains_like_a_tensor():
    w = Variable(mg.tensor([2.0]), requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0]


TYPED = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
         "CharTensor", "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", TYPED)
def test_typed_constructors_match_torch(name):
    torch = pytest.importorskip("torch")
    m, t = getattr(mg, name), getattr(torch, name)
    for args in [(2, 3), ([1, 0, 2],), ([[1.7, 2.0]],), ()]:
        a, b = m(*args), t(*args)
        assert a.shape == tuple(b.shape)
        assert str(a.dtype) == str(b.dtype).replace("torch.", "")
        if args and not isinstance(args[0], int):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert isinstance(m(1), m) and not isinstance(m(1), mg.FloatTensor if m is not mg.FloatTensor else mg.LongTensor)


def test_typed_constructor_refuses_a_tensor_of_another_dtype():
    assert mg.FloatTensor(mg.ones(2)).dtype == np.float32
    with pytest.raises(TypeError, match="expected a tensor of dtype int64"):
        mg.LongTensor(mg.ones(2))


def test_tensor_constructor_forms_match_torch():
    torch = pytest.importorskip("torch")
    for args in [(2, 3), (4,), ([1, 2],), ([[1.0, 2.0], [3.0, 4.0]],), ((2, 3),), ()]:
        a, b = mg.Tensor(*args), torch.Tensor(*args)
        assert a.shape == tuple(b.shape) and a.dtype == np.float32
        if args and not isinstance(args[0], int):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(TypeError, match="must be a sequence"):
        mg.Tensor(3.0)
    mg.set_default_dtype(mg.float64)
    try:
        assert mg.Tensor([1, 2]).dtype == np.float64 and mg.Tensor(2).dtype == np.float64
    finally:
        mg.set_default_dtype(mg.float32)


def test_tensor_of_an_array_keeps_its_dtype():
    """Departure: PyTorch converts an array to the default float dtype; the package wraps
    arrays with Tensor(array) and relies on the dtype being kept."""
    assert mg.Tensor(np.arange(3)).dtype == np.int64
    assert mg.Tensor(np.zeros(2)).dtype == np.float64


def test_type_names_and_conversions():
    torch = pytest.importorskip("torch")
    for dt, tdt in [(mg.float32, torch.float32), (mg.float64, torch.float64),
                    (mg.int64, torch.int64), (mg.int32, torch.int32), (mg.bool_, torch.bool),
                    (mg.uint8, torch.uint8)]:
        assert mg.zeros(2, dtype=dt).type() == torch.zeros(2, dtype=tdt).type()
    x = mg.ones(2)
    assert x.type("torch.DoubleTensor").dtype == np.float64
    assert x.type("minigrad.LongTensor").dtype == np.int64
    assert x.type(mg.IntTensor).dtype == np.int32
    assert x.type(mg.float64).dtype == np.float64
    assert x.type_as(mg.zeros(1, dtype=mg.int64)).dtype == np.int64
    with pytest.raises(ValueError, match="invalid type 'torch.float64'"):
        x.type("torch.float64")


def test_new_constructors_match_torch():
    torch = pytest.importorskip("torch")
    for dt, tdt in [(mg.float64, torch.float64), (mg.int64, torch.int64)]:
        m, t = mg.ones(2, dtype=dt), torch.ones(2, dtype=tdt)
        pairs = [(m.new_zeros(2, 3), t.new_zeros(2, 3)), (m.new_ones((3,)), t.new_ones((3,))),
                 (m.new_full((2,), 7), t.new_full((2,), 7)),
                 (m.new_tensor([1, 2]), t.new_tensor([1, 2])),
                 (m.new_empty(2, 2).new_zeros(1), t.new_empty(2, 2).new_zeros(1)),
                 (m.new_zeros(2, dtype=mg.float32), t.new_zeros(2, dtype=torch.float32))]
        for a, b in pairs:
            assert a.shape == tuple(b.shape) and str(a.dtype) == str(b.dtype).replace("torch.", "")
            if b.dtype != torch.float32 or b.numel() < 4:
                np.testing.assert_array_equal(a.numpy(), b.numpy())
    n = mg.ones(2).new_tensor([1.5], requires_grad=True)
    assert n.requires_grad and n.is_leaf


def test_size_aliases_and_layout_queries():
    x = mg.ones(2, 3)
    assert x.nelement() == x.numel() == 6 and x.ndimension() == x.dim() == 2
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.is_contiguous() and not x.t().is_contiguous() and x.t().contiguous().is_contiguous()
    assert x.contiguous() is x
    y = mg.ones(2, 3, requires_grad=True)
    c = y.clone(memory_format=None)
    assert c is not y and c.grad_fn is not None
    assert x.view_as(mg.ones(3, 2)).shape == (3, 2) and x.reshape_as(mg.ones(6)).shape == (6,)
    assert x.is_floating_point() and not mg.tensor([1]).is_floating_point()
    assert x.element_size() == 4


def test_format_of_a_scalar_tensor_as_torch():
    torch = pytest.importorskip("torch")
    for spec in ["", "+.2f", ".3e", "8.1f"]:
        assert format(mg.tensor(2.5), spec) == format(torch.tensor(2.5), spec)
    assert f"{mg.ones(2)}" == str(mg.ones(2))
    with pytest.raises(TypeError, match="unsupported format string"):
        format(mg.ones(2), ".2f")
