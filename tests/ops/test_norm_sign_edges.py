"""Edge values of vector_norm's gradient and of sign, against independent references and
PyTorch."""
import numpy as np
import pytest

import minigrad as mg


@pytest.mark.parametrize("p", [0.5, 1.5, 3.0])
def test_vector_norm_gradient_is_zero_at_zero_elements(p):
    # reference: d/dx (sum |x|^p)^(1/p) = sign(x) |x|^(p-1) * norm^(1-p); 0 where x == 0
    x = np.array([[0.0, 1.0, -2.0], [0.0, 0.0, 0.0]])
    a = mg.tensor(x, requires_grad=True)
    mg.linalg.vector_norm(a, p, dim=1).sum().backward()
    norm = (np.abs(x[0]) ** p).sum() ** (1 / p)
    expected = np.zeros_like(x)
    expected[0, 1:] = np.sign(x[0, 1:]) * np.abs(x[0, 1:]) ** (p - 1) * norm ** (1 - p)
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-12)


def test_vector_norm_fractional_p_gradcheck_and_torch():
    x = np.array([[0.3, -1.2, 0.7], [2.0, -0.4, 1.1]])
    assert mg.gradcheck(lambda t: mg.linalg.vector_norm(t, 1.5, dim=1),
                        (mg.tensor(x, requires_grad=True),))
    torch = pytest.importorskip("torch")
    x[0, 0] = 0.0
    a, t = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mg.linalg.vector_norm(a, 0.5, dim=1).sum().backward()
    torch.linalg.vector_norm(t, 0.5, dim=1).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_sign_of_nan_is_zero_and_bool_sign_is_identity():
    x = mg.tensor(np.array([np.nan, -0.0, 2.5, -1.5], dtype=np.float32))
    np.testing.assert_array_equal(mg.sign(x).numpy(), [0.0, 0.0, 1.0, -1.0])
    assert mg.sign(x).dtype == np.float32
    assert mg.sign(mg.tensor(float("nan"))).item() == 0.0
    b = mg.sign(mg.tensor([True, False]))
    assert b.dtype == np.bool_ and b.numpy().tolist() == [True, False]


def test_rounding_a_bool_tensor_is_a_clear_error():
    with pytest.raises(TypeError, match="floor: not implemented for a bool tensor"):
        mg.floor(mg.tensor([True]))
