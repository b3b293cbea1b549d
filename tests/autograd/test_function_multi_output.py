"""Custom ``Function`` whose ``forward`` returns a tuple: ``apply`` returns a tuple, and
``backward`` receives one gradient per output (zeros for unused outputs unless
``ctx.set_materialize_grads(False)``), as ``torch.autograd.Function`` does."""
import numpy as np
import pytest

import minigrad as mg


def t64(data, requires_grad=True):
    return mg.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


def rand(*shape, seed=0):
    return t64(np.random.default_rng(seed + sum(shape)).standard_normal(shape))


class MulAdd(mg.Function):
    """``(x * y, x + k * y)`` for tensors x, y and a number k."""

    @staticmethod
    def forward(ctx, x, y, k):
        ctx.save_for_backward(x, y)
        ctx.k = k
        return x.detach().numpy() * y.detach().numpy(), x.detach().numpy() + k * y.detach().numpy()

    @staticmethod
    def backward(ctx, g_prod, g_sum):
        x, y = ctx.saved_tensors
        need_x, need_y, _ = ctx.needs_input_grad
        return (g_prod * y + g_sum if need_x else None,
                g_prod * x + g_sum * ctx.k if need_y else None,
                None)


def mul_add_ops(x, y, k):
    return x * y, x + k * y


class SumAndNorm(mg.Function):
    """Row sums and row norms of a matrix: two outputs of another shape than the input."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.detach().numpy().sum(1), np.sqrt((x.detach().numpy() ** 2).sum(1))

    @staticmethod
    def backward(ctx, g_sum, g_norm):
        (x,) = ctx.saved_tensors
        # the norm again from x, with Tensor ops: the second derivative goes through it
        norm = (x * x).sum(1).sqrt()
        return g_sum.unsqueeze(1) + (g_norm / norm).unsqueeze(1) * x


def sum_and_norm_ops(x):
    return x.sum(1), (x * x).sum(1).sqrt()


LOSSES = {
    "first_only": lambda a, b: (a * a).sum(),
    "second_only": lambda a, b: b.exp().sum(),
    "both": lambda a, b: (a * b).sum() + b.sum(),
    "second_twice": lambda a, b: b.sum() + (b * b).sum(),
}


@pytest.mark.parametrize("loss", LOSSES.values(), ids=list(LOSSES))
def test_gradients_match_the_same_function_written_with_ops(loss):
    x, y = rand(2, 3, seed=1), rand(2, 3, seed=2)
    outs = MulAdd.apply(x, y, 2.5)
    assert isinstance(outs, tuple) and len(outs) == 2
    loss(*outs).backward()
    mine = x.grad.numpy().copy(), y.grad.numpy().copy()
    x.grad = y.grad = None
    loss(*mul_add_ops(x, y, 2.5)).backward()
    np.testing.assert_allclose(mine[0], x.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine[1], y.grad.numpy(), rtol=1e-12)

    m = rand(3, 4, seed=3)
    loss(*SumAndNorm.apply(m)).backward()
    mine = m.grad.numpy().copy()
    m.grad = None
    loss(*sum_and_norm_ops(m)).backward()
    np.testing.assert_allclose(mine, m.grad.numpy(), rtol=1e-12)


def test_gradcheck_and_gradgradcheck():
    x, y = rand(2, 3, seed=4), rand(2, 3, seed=5)
    assert mg.gradcheck(lambda x, y: MulAdd.apply(x, y, -1.5), (x, y))
    assert mg.gradcheck(lambda x, y: MulAdd.apply(x, y, 0.5)[1], (x, y))  # one output used
    assert mg.gradgradcheck(lambda x, y: MulAdd.apply(x, y, 0.5), (x, y))
    m = rand(3, 4, seed=6)
    assert mg.gradcheck(SumAndNorm.apply, (m,))
    assert mg.gradcheck(lambda m: SumAndNorm.apply(m)[1], (m,))
    assert mg.gradgradcheck(SumAndNorm.apply, (m,))
    assert mg.gradgradcheck(lambda m: SumAndNorm.apply(m)[0] * SumAndNorm.apply(m)[1], (m,))


def test_second_derivative_matches_ops():
    m = rand(3, 4, seed=7)
    results = []
    for fn in (SumAndNorm.apply, sum_and_norm_ops):
        s, n = fn(m)
        (g,) = mg.autograd.grad((n ** 3).sum() + (s * n).sum(), m, create_graph=True)
        (h,) = mg.autograd.grad((g * g).sum(), m)
        results.append((g.detach().numpy(), h.detach().numpy()))
    (g_mine, h_mine), (g_ops, h_ops) = results
    np.testing.assert_allclose(g_mine, g_ops, rtol=1e-12)
    np.testing.assert_allclose(h_mine, h_ops, rtol=1e-12)


class Recording(mg.Function):
    """``(2x, 3x)``; records what ``backward`` received."""
    seen = []
    materialize = True

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(Recording.materialize)
        return x.detach().numpy() * 2, x.detach().numpy() * 3

    @staticmethod
    def backward(ctx, g2, g3):
        Recording.seen.append((g2, g3))
        total = 0
        if g2 is not None:
            total = total + g2 * 2
        if g3 is not None:
            total = total + g3 * 3
        return total


@pytest.mark.parametrize("materialize", [True, False])
def test_unused_output_gets_zeros_unless_materialize_is_off(materialize):
    Recording.seen, Recording.materialize = [], materialize
    x = t64([1.0, 2.0])
    a, b = Recording.apply(x)
    (b * 5).sum().backward()
    ((g2, g3),) = Recording.seen
    np.testing.assert_array_equal(g3.detach().numpy(), [5.0, 5.0])
    if materialize:
        assert g2.shape == (2,) and g2.dtype == np.float64
        np.testing.assert_array_equal(g2.detach().numpy(), [0.0, 0.0])
    else:
        assert g2 is None
    np.testing.assert_array_equal(x.grad.numpy(), [15.0, 15.0])


class MaxAndIndex(mg.Function):
    """A float output, an integer output and a None; only the first is differentiable."""

    @staticmethod
    def forward(ctx, x):
        i = int(np.argmax(x.detach().numpy()))
        ctx.i, ctx.shape = i, x.shape
        return x.detach().numpy()[i], np.array(i), None

    @staticmethod
    def backward(ctx, g, g_index, g_none):
        MaxAndIndex.seen = (g_index, g_none)
        out = np.zeros(ctx.shape)
        out[ctx.i] = g.detach().numpy()
        return out  # an ndarray: first order only


def test_integer_and_none_outputs_are_not_in_the_graph():
    x = t64([1.0, 5.0, 2.0])
    value, index, nothing = MaxAndIndex.apply(x)
    assert value.requires_grad and not index.requires_grad and nothing is None
    assert index.dtype.kind == "i" and index.item() == 1
    (value * 3).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 3.0, 0.0])
    g_index, g_none = MaxAndIndex.seen
    assert g_index.dtype == index.dtype and g_index.item() == 0 and g_none is None


def test_inputs_that_need_no_grad():
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0], requires_grad=False)
    a, b = MulAdd.apply(x, y, 2.0)
    (a + b).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 5.0])
    assert y.grad is None
    a, b = MulAdd.apply(y, y, 2.0)
    assert not a.requires_grad and not b.requires_grad and a.grad_fn is None
    with mg.no_grad():
        a, b = MulAdd.apply(x, x, 2.0)
    assert not a.requires_grad and not b.requires_grad


def test_one_element_tuple_and_chained_functions():
    class Double(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return (x.detach().numpy() * 2,)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = t64([1.0, -2.0])
    out = Double.apply(x)
    assert isinstance(out, tuple) and len(out) == 1 and out[0].grad_fn.name() == "DoubleBackward"
    a, b = MulAdd.apply(*MulAdd.apply(out[0], x, 3.0), 0.5)
    (a * b).sum().backward()
    mine = x.grad.numpy().copy()
    x.grad = None
    a, b = mul_add_ops(*mul_add_ops(x * 2, x, 3.0), 0.5)
    (a * b).sum().backward()
    np.testing.assert_allclose(mine, x.grad.numpy(), rtol=1e-12)


def test_second_backward_through_a_freed_function_is_refused():
    x, y = t64([1.0]), t64([2.0])
    a, b = MulAdd.apply(x, y, 1.0)
    a.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        b.sum().backward()
    a, b = MulAdd.apply(x, y, 1.0)
    a.sum().backward(retain_graph=True)
    b.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0 + 2.0 + 1.0])


def test_backward_errors_name_the_function():
    class WrongCount(mg.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x.detach().numpy(), y.detach().numpy()

        @staticmethod
        def backward(ctx, ga, gb):
            return ga

    class WrongShape(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x.detach().numpy(), x.detach().numpy().sum()

        @staticmethod
        def backward(ctx, ga, gb):
            return gb

    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="WrongCount.backward returned 1 gradients for 2 inputs"):
        WrongCount.apply(x, x)[0].sum().backward()
    with pytest.raises(RuntimeError, match=r"WrongShape.backward returned a gradient of shape "
                                           r"\(\) for input 0 of shape \(2,\)"):
        WrongShape.apply(x)[1].backward()


def test_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchSumAndNorm(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            norm = (x * x).sum(1).sqrt()
            ctx.save_for_backward(x, norm)
            return x.sum(1), norm

        @staticmethod
        def backward(ctx, g_sum, g_norm):
            x, norm = ctx.saved_tensors
            return g_sum.unsqueeze(1) + (g_norm / norm).unsqueeze(1) * x

    data = np.random.default_rng(8).standard_normal((3, 4))
    for use in (lambda s, n: (n ** 2).sum(), lambda s, n: (s * n).sum() + s.sum()):
        m, tm = t64(data), torch.tensor(data, requires_grad=True)
        use(*SumAndNorm.apply(m)).backward()
        use(*TorchSumAndNorm.apply(tm)).backward()
        np.testing.assert_allclose(m.grad.numpy(), tm.grad.numpy(), rtol=1e-12)


class MaxWithIndex(mg.Function):
    """``(max over the last axis, its index as float)``; the index is marked non-differentiable."""

    @staticmethod
    def forward(ctx, x):
        idx = x.detach().numpy().argmax(axis=-1)
        values = np.take_along_axis(x.detach().numpy(), idx[..., None], axis=-1)[..., 0]
        index = idx.astype(x.detach().numpy().dtype)
        ctx.mark_non_differentiable(index)
        ctx.save_for_backward(x)
        ctx.idx = idx
        return values, index

    @staticmethod
    def backward(ctx, g_values, g_index):
        (x,) = ctx.saved_tensors
        g = np.zeros_like(x.detach().numpy())
        np.put_along_axis(g, ctx.idx[..., None], g_values.detach().numpy()[..., None], axis=-1)
        return g


def test_mark_non_differentiable_output_is_a_constant_and_backward_gets_zeros_for_it():
    x = t64([[1.0, 5.0, 2.0], [7.0, -1.0, 0.5]])
    values, index = MaxWithIndex.apply(x)
    np.testing.assert_array_equal(values.detach().numpy(), [5.0, 7.0])
    np.testing.assert_array_equal(index.detach().numpy(), [1.0, 0.0])
    assert values.requires_grad and not index.requires_grad
    (values * mg.tensor([2.0, 3.0], dtype=mg.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 2.0, 0.0], [3.0, 0.0, 0.0]])


def test_mark_non_differentiable_slot_receives_zeros_or_none():
    received = []

    class Split(mg.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            half = x.detach().numpy() * 0.5
            flag = (x.detach().numpy() > 0).astype(x.detach().numpy().dtype)
            ctx.mark_non_differentiable(flag)
            return half, flag

        @staticmethod
        def backward(ctx, g_half, g_flag):
            received.append(g_flag)
            return g_half * 0.5, None

    for materialize in (True, False):
        x = t64([1.0, -2.0])
        half, flag = Split.apply(x, materialize)
        assert not flag.requires_grad
        (half + flag).sum().backward()  # flag is a constant in the sum
        np.testing.assert_array_equal(x.grad.numpy(), [0.5, 0.5])
    assert received[1] is None
    np.testing.assert_array_equal(received[0].detach().numpy(), [0.0, 0.0])


def test_mark_non_differentiable_single_output():
    class Sign(mg.Function):
        @staticmethod
        def forward(ctx, x):
            out = np.sign(x.detach().numpy())
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("never called")

    x = t64([2.0, -3.0])
    s = Sign.apply(x)
    np.testing.assert_array_equal(s.detach().numpy(), [1.0, -1.0])
    assert not s.requires_grad
    (x * s).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, -1.0])
