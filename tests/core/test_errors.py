"""Bad input raises an error that names the op, the shapes or the dtype."""
import numpy as np
import pytest

import minigrad as mg


def test_broadcast_mismatch_names_op_and_shapes():
    a, b = mg.ones(3, requires_grad=True), mg.ones(4)
    for op, fn in [("add", lambda: a + b), ("sub", lambda: a - b), ("mul", lambda: a * b),
                   ("div", lambda: a / b), ("maximum", lambda: mg.maximum(a, b))]:
        with pytest.raises(ValueError, match=rf"{op}: shapes \(3,\) and \(4,\) cannot be broadcast"):
            fn()


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 6\) are not aligned: 4 .* != 5"):
        mg.ones(3, 4) @ mg.ones(5, 6)
    with pytest.raises(ValueError, match=r"matmul: batch dims of shapes \(2, 3, 4\) and \(3, 4, 5\)"):
        mg.ones(2, 3, 4) @ mg.ones(3, 4, 5)
    with pytest.raises(ValueError, match="at least 1 dimension"):
        mg.tensor(2.0) @ mg.ones(3)


def test_cat_stack_mismatch():
    with pytest.raises(ValueError, match=r"cat: shapes \[\(2, 3\), \(2, 4\)\] do not match outside dim 0"):
        mg.cat([mg.ones(2, 3), mg.ones(2, 4)])
    with pytest.raises(ValueError, match="stack: all tensors must have the same shape"):
        mg.stack([mg.ones(2), mg.ones(3)])
    with pytest.raises(ValueError, match="non-empty"):
        mg.cat([])


def test_shape_op_errors():
    x = mg.ones(2, 3)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(IndexError, match=r"sum: dim 2 out of range for a 2-d tensor \(expected an int in \[-2, 1\]\)"):
        x.sum(2)
    with pytest.raises(ValueError, match="permute"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match=r"expand: a tensor of shape \(2, 3\) cannot be expanded"):
        x.expand(4, 3)
    with pytest.raises(ValueError, match="split: sections"):
        x.split([1, 1], dim=1)
    with pytest.raises(ValueError, match="pad: only mode='constant'"):
        mg.pad(x, (1, 1), mode="reflect")


def test_index_errors():
    x = mg.ones(2, 3)
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match="integer or bool"):
        x[np.array([0.5])]
    with pytest.raises(TypeError, match="gather: index must be an integer tensor"):
        x.gather(1, mg.ones(2, 1))
    with pytest.raises(IndexError, match="gather: index values out of range"):
        x.gather(1, mg.tensor([[3], [0]]))


def test_dtype_errors():
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got dtype float32"):
        mg.where(mg.ones(2), mg.ones(2), mg.zeros(2))
    with pytest.raises(TypeError, match="mean: expected a floating-point tensor, got dtype int64"):
        mg.tensor([1, 2]).mean()
    with pytest.raises(ValueError, match="clamp: min"):
        mg.ones(2).clamp(1.0, 0.0)


def test_failed_op_leaves_inputs_and_grads_unchanged():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (a * 2).sum().backward()
    before = (a.detach().numpy().copy(), a.grad.numpy().copy())
    with pytest.raises(ValueError):
        (a @ mg.ones(4, 2)).sum().backward()
    np.testing.assert_array_equal(a.detach().numpy(), before[0])
    np.testing.assert_array_equal(a.grad.numpy(), before[1])
