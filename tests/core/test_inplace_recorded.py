"""In-place ops on tensors that are part of a graph are recorded, as in PyTorch."""
import numpy as np
import pytest

import minigrad as mg

rng = np.random.default_rng(3)

INPLACE = {
    "add_": lambda y, v: y.add_(v),
    "add_ alpha": lambda y, v: y.add_(v, alpha=-0.5),
    "sub_": lambda y, v: y.sub_(v),
    "mul_": lambda y, v: y.mul_(v),
    "div_": lambda y, v: y.div_(v * v + 1),
    "pow_": lambda y, v: y.pow_(2),
    "+=": lambda y, v: y.__iadd__(v),
    "-=": lambda y, v: y.__isub__(v),
    "*=": lambda y, v: y.__imul__(v),
    "/=": lambda y, v: y.__itruediv__(v * v + 1),
    "clamp_": lambda y, v: y.clamp_(-0.3, 0.4),
    "neg_": lambda y, v: y.neg_(),
    "abs_": lambda y, v: y.abs_(),
    "exp_": lambda y, v: y.exp_(),
    "sqrt_": lambda y, v: y.abs_().add_(0.5).sqrt_(),
    "log_": lambda y, v: y.abs_().add_(0.5).log_(),
    "sigmoid_": lambda y, v: y.sigmoid_(),
    "tanh_": lambda y, v: y.tanh_(),
    "relu_": lambda y, v: y.relu_(),
    "copy_": lambda y, v: y.copy_(v),
    "fill_": lambda y, v: y.fill_(v[0, 0]),
    "zero_": lambda y, v: y.zero_(),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_op_on_a_non_leaf_passes_gradcheck(name):
    op = INPLACE[name]
    x = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    v = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)

    def f(x, v):
        y = x * 1.3 + 0.1
        out = op(y, v)
        assert out is y
        return y * x

    assert mg.gradcheck(f, (x, v))


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_op_through_a_view_passes_gradcheck(name):
    op = INPLACE[name]
    x = mg.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    v = mg.tensor(rng.standard_normal((2, 3)), requires_grad=True)

    def f(x, v):
        y = x * 1.3 + 0.1
        op(y[1:], v)
        return y * x

    assert mg.gradcheck(f, (x, v))


@pytest.mark.parametrize("name", [n for n in INPLACE if n not in ("pow_", "sqrt_", "log_")])
def test_inplace_ops_match_torch(name):
    torch = pytest.importorskip("torch")
    xs, vs = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))

    def run(lib):
        x = lib.tensor(xs, requires_grad=True)
        v = lib.tensor(vs, requires_grad=True)
        y = x * 1.3 + 0.1
        INPLACE[name](y, v)
        (y * x).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), v.grad.numpy() if v.grad is not None else 0

    for mine, ref in zip(run(mg), run(torch)):
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-12)


def test_ops_recorded_before_a_write_keep_the_old_value():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 3
    z = y + 1  # recorded before the write: d z / d a = 3
    y.mul_(a)  # y = 3 a^2 from now on
    (z.sum() + y.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), 3 + 6 * np.array([1.0, 2.0]))


def test_write_after_a_use_that_saved_the_value_raises():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 1
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="Mul needs for its gradient was modified in place"):
        z.sum().backward()


def test_view_used_after_its_base_was_overwritten_raises_instead_of_a_wrong_gradient():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 1
    v = y[0:2]
    y.mul_(2)
    with pytest.raises(RuntimeError, match="view was used after its base was modified"):
        v.sum().backward()
    # a view of elements the write did not touch is fine
    a.grad = None
    y = a * 1
    v = y[0:1]
    y[2] = 7.0
    v.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 0.0]


def test_recorded_write_into_a_constant_with_live_views_is_refused():
    x = mg.zeros(3)
    v = x[0:2]
    w = mg.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="views of it taken before the write"):
        x[0:1] = w * 2
    assert x.tolist() == [0.0, 0.0, 0.0] and not x.requires_grad
    del v
    x[0:1] = w * 2  # no view alive: fine
    assert x.requires_grad


def test_integer_tensor_refuses_float_results():
    i = mg.tensor([1, 2])
    with pytest.raises(TypeError, match="int64 tensor in place"):
        i += 0.5
    with pytest.raises(TypeError, match="int64 tensor in place with float64 values"):
        i.div_(2)  # int / int is a float: the message names it, not the int operand
    with pytest.raises(ValueError, match=r"does not broadcast to the tensor's shape \(2,\)"):
        i += mg.tensor([1, 2, 3])
    assert i.tolist() == [1, 2]


def test_hooks_see_and_replace_gradients():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    handle = y.register_hook(lambda g: g * 10)
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [10.0, 10.0]  # retain_grad sees the hooked gradient
    assert x.grad.tolist() == [30.0, 30.0] and seen == [[30.0, 30.0]]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        mg.zeros(2).register_hook(print)


def test_hooks_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        log = []
        x.register_hook(lambda g: log.append(g.detach().numpy().copy()))
        y = x.exp()
        y.register_hook(lambda g: g * 2)
        z = y * x
        z.register_hook(lambda g: None)
        z.sum().backward()
        return x.grad.numpy(), log[0]

    for mine, ref in zip(run(mg), run(torch)):
        np.testing.assert_allclose(mine, ref, rtol=1e-6)


def test_hooks_around_an_inplace_write_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * 3
        seen = []
        y.register_hook(lambda g: seen.append(g.tolist()))  # stays with the old value
        y.retain_grad()                                      # follows the tensor
        y.mul_(2)
        (y * lib.tensor([1.0, 10.0])).sum().backward()
        return seen, y.grad.tolist(), a.grad.tolist()

    assert run(mg) == run(torch)


def test_a_hook_handle_removes_its_hook_after_an_inplace_write():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 3
    handle = y.register_hook(lambda g: g * 100)
    y.add_(1)
    handle.remove()
    y.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]  # d(3a + 1)/da, the hook gone


def test_zero_names_itself_in_its_errors():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^zero_: a view of a leaf"):
        w[0].zero_()


def test_an_inplace_call_that_raises_changes_nothing():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 3
    calls = []
    y.register_hook(lambda g: calls.append(1))
    ctx, version = y._ctx, y._version
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        y.add_(mg.ones(3, 2, requires_grad=True))
    assert y._ctx is ctx and y._version == version and y.tolist() == [3.0, 6.0]
    y.sum().backward()
    assert calls == [1] and a.grad.tolist() == [3.0, 3.0]


def test_a_buffer_written_at_every_step_keeps_a_bounded_history():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    buf = mg.zeros(2)
    for _ in range(200):
        buf[0] = w[0] * 2
        buf[1] = w[1] * 3
        buf.sum().backward()
        buf.detach_()  # as in PyTorch: cut the history before the next step writes again
    assert len(buf._history.rebases) < 40
    assert w.grad.tolist() == [400.0, 600.0]


def test_detach_in_place_before_backward_is_refused_after_backward_is_fine():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 3
    z = y * 2
    with pytest.raises(RuntimeError, match="use t = t.detach"):
        y.detach_()
    assert y.requires_grad and not y.is_leaf
    z.sum().backward()
    y.detach_()  # truncated backpropagation: the graph was run and freed
    assert not y.requires_grad and y.is_leaf
    assert a.grad.tolist() == [6.0, 6.0]


def test_a_consumer_of_a_freed_old_value_gets_the_second_backward_error():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    buf = w * 1
    z = buf + w  # recorded before the writes below: its gradient goes to buf's first value
    for _ in range(40):
        buf[0] = w[0]
    buf.sum().backward()  # runs through (and frees) every value buf had, the first included
    buf[1] = w[1]         # the history is compacted here (past 32 entries)
    assert len(buf._history.rebases) < 5
    with pytest.raises(RuntimeError, match="second time"):
        z.sum().backward()


# ----- an operand that aliases the tensor written -------------------------------------------
# Expected gradients by hand: y = x (times 1), then the write, then sum.
ALIASED = {
    # y * y: d/dx = 2x
    "mul_ self": (lambda y: y.mul_(y), lambda x: 2 * x),
    # y + y: d/dx = 2
    "add_ self": (lambda y: y.add_(y), lambda x: np.full_like(x, 2.0)),
    # y ** y: d/dx = x**x (log x + 1)
    "pow_ self": (lambda y: y.pow_(y), lambda x: x ** x * (np.log(x) + 1)),
    # y * stop_gradient(y): d/dx = x
    "mul_ detach": (lambda y: y.mul_(y.detach()), lambda x: x),
    # y / stop_gradient(y) is 1 with d/dx = 1/x
    "div_ detach": (lambda y: y.div_(y.detach()), lambda x: 1 / x),
    # y_ij * y_ji summed: d/dx = 2 x^T
    "mul_ transpose": (lambda y: y.mul_(y.t()), lambda x: 2 * x.T),
    # t.copy_(t) changes nothing: d/dx = 1
    "copy_ self": (lambda y: y.copy_(y), lambda x: np.ones_like(x)),
    "setitem self": (lambda y: y.__setitem__(Ellipsis, y), lambda x: np.ones_like(x)),
}


@pytest.mark.parametrize("name", list(ALIASED))
def test_an_operand_aliasing_the_written_tensor_gets_the_values_before_the_write(name):
    write, expected = ALIASED[name]
    xv = np.array([[0.5, 2.0], [3.0, 1.5]])
    x = mg.tensor(xv, requires_grad=True)
    y = x * 1
    write(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected(xv), rtol=1e-6)


def test_a_0d_result_multiplied_by_itself_in_place():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    s = x.dot(x)  # 5, possibly held as a numpy scalar
    s.mul_(s)     # s**2 = (x . x)**2: d/dx = 4 (x . x) x
    s.backward()
    assert x.grad.tolist() == [20.0, 40.0]
