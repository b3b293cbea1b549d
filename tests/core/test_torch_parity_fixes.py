"""Cases where minigrad once gave a different answer from PyTorch without an error."""
import warnings

import numpy as np
import pytest

import minigrad as mg


def test_bool_and_narrow_int_sums_promote_to_int64():
    pred, y = mg.tensor([1, 2, 3]), mg.tensor([1, 0, 3])
    assert (pred == y).sum().item() == 2 and (pred == y).sum().dtype == np.int64
    assert mg.tensor(np.full(4, 2 ** 30, np.int32)).sum().item() == 2 ** 32
    assert mg.tensor(np.ones(300, np.uint8)).sum().item() == 300
    assert mg.tensor(np.ones((2, 3), np.int32)).sum(1).tolist() == [3, 3]


def test_var_std_positional_order_is_dim_unbiased_keepdim():
    x = mg.tensor([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(x.var(0, False).data, [1.0, 2.25])   # biased
    np.testing.assert_allclose(x.var(0, True).data, [2.0, 4.5])     # unbiased
    assert x.std(0, True).shape == (2,)
    assert x.std(0, True, True).shape == (1, 2)
    np.testing.assert_allclose(x.var(0, correction=0).data, [1.0, 2.25])
    with pytest.raises(ValueError, match="either unbiased or correction"):
        x.var(0, True, correction=0)


def test_std_gradient_is_zero_on_a_constant_slice():
    x = mg.tensor([[1.0, 2.0], [1.0, 3.0], [1.0, 7.0]], dtype=mg.float64, requires_grad=True)
    x.std(0).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_array_equal(x.grad.numpy()[:, 0], [0.0, 0.0, 0.0])
    y = mg.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert mg.gradcheck(lambda t: t.std(1), (y,))


def test_float_functions_promote_integer_tensors_to_float32():
    i = mg.tensor([0, 1])
    np.testing.assert_allclose(i.sigmoid().data, [0.5, 0.7310586], rtol=1e-6)
    assert i.sigmoid().dtype == np.float32 and i.exp().dtype == np.float32
    np.testing.assert_allclose(mg.tensor([1, 2]).logsumexp(0).item(), np.log(np.e + np.e ** 2), rtol=1e-6)
    np.testing.assert_allclose(mg.tensor([1, 2, 3]).softmax(0).data.sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(mg.tensor([-3, 2]).leaky_relu(0.1).data, [-0.3, 2.0], rtol=1e-6)
    np.testing.assert_allclose(mg.tensor([1, 2]).clamp(max=1.5).data, [1.0, 1.5])
    assert (mg.tensor([1, 2]) / 2).dtype == np.float32
    assert (mg.tensor([1, 2]) / mg.tensor([2, 4])).dtype == np.float32


def test_pow_tensor_exponent_zero_has_zero_gradient_at_zero_base():
    x = mg.tensor([0.0, 0.0, 2.0], dtype=mg.float64, requires_grad=True)
    n = mg.tensor([0.0, 1.0, 2.0], dtype=mg.float64)
    (x ** n).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 4.0])


def test_gather_rejects_negative_indices():
    x = mg.tensor([[1.0, 2.0, 3.0]])
    with pytest.raises(IndexError, match="out of range"):
        x.gather(1, mg.tensor([[-1]]))


def test_empty_dim_list_reduces_everything_and_two_tensor_max():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.sum(dim=()).item() == 10.0 and x.mean(dim=[]).item() == 2.5
    a, b = mg.tensor([1.0, 5.0]), mg.tensor([3.0, 2.0])
    np.testing.assert_array_equal(mg.max(a, b).data, [3.0, 5.0])
    np.testing.assert_array_equal(mg.min(a, b).data, [1.0, 2.0])


@pytest.mark.parametrize("shape, dim", [((0,), None), ((3, 0), 1), ((0, 4), 0), ((2, 0, 3), (1, 2))])
def test_mean_of_an_empty_slice_is_nan_with_an_empty_gradient(shape, dim):
    """PyTorch: mean over nothing is nan, and its backward gives a gradient of the input's
    (empty) shape instead of dividing by zero."""
    x = mg.zeros(*shape, dtype=mg.float64, requires_grad=True)
    y = x.mean() if dim is None else x.mean(dim)
    assert np.all(np.isnan(y.detach().numpy()))
    y.sum().backward()
    assert x.grad.shape == shape and x.grad.numel() == 0
    torch = pytest.importorskip("torch")
    t = torch.zeros(*shape, dtype=torch.float64, requires_grad=True)
    ty = t.mean() if dim is None else t.mean(dim)
    assert tuple(ty.shape) == y.shape
    ty.sum().backward()
    assert tuple(t.grad.shape) == x.grad.shape


def test_amax_amin_accept_numpy_axis():
    t = mg.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert mg.amax(t, axis=0).tolist() == [3.0, 5.0]
    assert mg.amin(t, axis=1, keepdims=True).tolist() == [[1.0], [2.0]]
    assert mg.amax(t).item() == 5.0


def test_a_refused_random_fill_leaves_the_generator_alone():
    mg.manual_seed(0)
    expected = mg.rand(3).tolist()
    mg.manual_seed(0)
    w = mg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.uniform_()
    with pytest.raises(RuntimeError, match="read-only"):
        mg.zeros(3).expand(2, 3).normal_()
    assert w._version == 0 and w.tolist() == [0.0, 0.0, 0.0]
    assert mg.rand(3).tolist() == expected


def test_samples_send_zero_gradients_shaped_like_their_parameters():
    mean = mg.zeros(3, requires_grad=True)
    std = mg.ones(2, 3, requires_grad=True)
    m = mean * 1
    s = mg.normal(m, std)
    m.add_(1)  # PyTorch's sample saves no values: writes after it are fine
    s.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0, 0.0]
    assert std.grad.tolist() == [[0.0] * 3] * 2
    p = mg.full((2,), 0.5, requires_grad=True)
    q = p * 1
    b = mg.bernoulli(q)
    q.mul_(2)
    b.backward(mg.tensor([float("nan")] * 2))  # a zero gradient, not 0 * nan
    assert p.grad.tolist() == [0.0, 0.0]


def test_an_out_that_cannot_be_resized_is_refused_without_a_warning():
    out = mg.zeros(2)
    view = out[:1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="share its memory"):
            mg.add(mg.ones(3), 1.0, out=out)
    assert out.tolist() == [0.0, 0.0] and out._version == 0 and view.shape == (1,)


def test_max_min_with_dim_write_their_out_pair():
    x = mg.tensor([[1.0, 5.0], [3.0, 2.0]])
    values, indices = mg.empty(2), mg.empty(2, dtype=mg.int64)
    r = mg.max(x, 0, out=(values, indices))
    assert r.values is values and r.indices is indices
    assert values.tolist() == [3.0, 5.0] and indices.tolist() == [1, 0]
    x.min(1, out=(values, indices))
    assert values.tolist() == [1.0, 2.0] and indices.tolist() == [0, 1]
    with pytest.raises(TypeError, match="can't be cast"):
        mg.max(x, 0, out=(mg.zeros(2), mg.zeros(2, dtype=mg.bool)))
    assert values.tolist() == [1.0, 2.0]


def test_hstack_takes_0d_tensors_as_1d():
    assert mg.hstack([mg.tensor(1.0), mg.tensor([2.0, 3.0])]).tolist() == [1.0, 2.0, 3.0]
