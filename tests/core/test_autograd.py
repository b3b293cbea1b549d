"""Backward semantics: accumulation, topological order, create_graph, grad(), no_grad,
deep graphs and memory."""
import gc
import sys

import numpy as np
import pytest

import minigrad as mg


def test_reused_node_diamond_gets_summed_gradients():
    a = mg.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b  # micrograd PR #64: wrong without a topological order
    c.backward()
    assert a.grad.item() == 4.0
    x = mg.tensor(2.0, requires_grad=True)
    y = x * x
    z = y * x + y  # diamond: dz/dx = 3x^2 + 2x
    z.backward()
    assert x.grad.item() == 3 * 4 + 4


def test_gradients_accumulate_across_backward_calls():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3 + 2, 3 + 4])


def test_non_scalar_backward_needs_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="only for outputs with one element.*shape \\(2,\\)"):
        y.backward()
    y.backward(mg.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])
    with pytest.raises(ValueError, match="gradient has shape"):
        (x * 2).backward(mg.tensor([1.0, 2.0, 3.0]))


def test_second_backward_through_freed_graph_raises_clearly():
    x = mg.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    z = x * x
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.item() == 4.0 + 4.0 + 4.0


def test_grad_through_freed_graph_names_the_second_backward_not_an_unused_input():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    u = mg.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    (gx,) = mg.autograd.grad(y, x)
    np.testing.assert_array_equal(gx.detach().numpy(), [2.0, 4.0])
    with pytest.raises(RuntimeError, match="^grad: trying to backward through the graph a second"):
        mg.autograd.grad(y, x)
    # an input that is truly unused still gets its own message
    z = (x * x).sum()
    with pytest.raises(RuntimeError, match="not used"):
        mg.autograd.grad(z, u)


def test_backward_on_tensor_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor(1.0).backward()


def test_chain_of_100000_ops_backprops_without_recursion_error():
    assert sys.getrecursionlimit() < 100_000
    x = mg.tensor(1.0, dtype=mg.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.00001 ** 100_000, rtol=1e-9)


def test_create_graph_gives_second_derivative():
    x = mg.tensor(1.5, dtype=mg.float64, requires_grad=True)
    y = x ** 4
    (g,) = mg.autograd.grad(y, x, create_graph=True)
    assert g.item() == pytest.approx(4 * 1.5 ** 3)
    (h,) = mg.autograd.grad(g, x)
    assert h.item() == pytest.approx(12 * 1.5 ** 2)
    z = mg.tensor(0.3, dtype=mg.float64, requires_grad=True)
    z.sin().backward(create_graph=True)
    gz = z.grad
    assert gz.requires_grad
    z.grad = None
    gz.backward()
    assert z.grad.item() == pytest.approx(-np.sin(0.3))


def test_hessian_vector_product_of_quadratic():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    x = mg.tensor(rng.standard_normal(4), dtype=mg.float64, requires_grad=True)
    v = mg.tensor(rng.standard_normal(4), dtype=mg.float64)
    f = 0.5 * (x @ (mg.tensor(A) @ x))
    (g,) = mg.autograd.grad(f, x, create_graph=True)
    (hv,) = mg.autograd.grad(g, x, grad_outputs=v)
    np.testing.assert_allclose(hv.detach().numpy(), A @ v.detach().numpy(), rtol=1e-12)


def test_autograd_grad_returns_tuple_and_leaves_grad_untouched():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    out = (a * b).sum()
    ga, gb = mg.autograd.grad(out, (a, b))
    np.testing.assert_array_equal(ga.detach().numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(gb.detach().numpy(), [1.0, 2.0])
    assert a.grad is None and b.grad is None


def test_autograd_grad_unused_input():
    a = mg.tensor(1.0, requires_grad=True)
    b = mg.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        mg.autograd.grad(a * 2, (a, b))
    ga, gb = mg.autograd.grad(a * 2, (a, b), allow_unused=True)
    assert ga.item() == 2.0 and gb is None


def test_grad_of_non_leaf_input_and_retain_grad():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    out = (h * h).sum()
    (gh,) = mg.autograd.grad(out, h, retain_graph=True)
    np.testing.assert_array_equal(gh.detach().numpy(), [6.0, 12.0])
    out.backward()
    np.testing.assert_array_equal(h.grad.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 36.0])


def test_no_grad_context_and_decorator_and_enable_grad():
    x = mg.tensor(1.0, requires_grad=True)
    with mg.no_grad():
        y = x * 2
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            w = x * 2
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert w.requires_grad

    @mg.no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad
    assert mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert not (x * 1).requires_grad
    assert (x * 1).requires_grad


def test_detach_cuts_graph_and_shares_data():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_graph_is_freed_when_output_dropped():
    import weakref
    x = mg.tensor(np.ones(3), requires_grad=True)
    y = (x * 2).exp()
    ref = weakref.ref(y)
    del y
    assert ref() is None  # no reference cycles: freed by refcounting alone


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_memory_flat_over_10000_training_iterations():
    rng = np.random.default_rng(0)
    w1 = mg.tensor(rng.standard_normal((8, 16)) * 0.1, requires_grad=True)
    w2 = mg.tensor(rng.standard_normal((16, 1)) * 0.1, requires_grad=True)
    x = mg.tensor(rng.standard_normal((32, 8)))
    y = mg.tensor(rng.standard_normal((32, 1)))

    def step():
        loss = (((x @ w1).tanh() @ w2 - y) ** 2).mean()
        loss.backward()
        with mg.no_grad():
            w1.data -= 0.01 * w1.grad.numpy()
            w2.data -= 0.01 * w2.grad.numpy()
        w1.grad = w2.grad = None

    for _ in range(1000):
        step()
    gc.collect()
    before = _rss_bytes()
    for _ in range(10_000):
        step()
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < 2 * 1024 * 1024, f"memory grew by {grown / 1e6:.1f} MB over 10,000 steps"


def test_closure_backward_policy_is_scoped():
    from minigrad.autograd import engine
    x = mg.tensor(2.0, requires_grad=True)
    with engine.closure_backward("retain"):
        y = x * x
        y.backward()
        y.backward()  # graph kept while the policy is on
    assert x.grad.item() == 8.0
    with engine.closure_backward("skip"):
        (x * x).backward()
    assert x.grad.item() == 8.0
    with pytest.raises(ValueError, match="policy"):
        with engine.closure_backward("keep"):
            pass
    with pytest.raises(KeyError):
        with engine.closure_backward("skip"):
            raise KeyError
    assert engine._closure_policy.get() is None


def test_in_place_change_after_use_refuses_backward_instead_of_wrong_gradient():
    from minigrad import optim
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    x = mg.tensor([3.0, 4.0])
    y = w * w * x
    l1, l2 = y.sum(), (y * y).sum()
    opt = optim.SGD([w], lr=0.1)
    l1.backward(retain_graph=True)
    opt.step()  # updates w in place: l2's graph saw the old w
    opt.zero_grad()
    with pytest.raises(RuntimeError, match="modified in place"):
        l2.backward()

    a = mg.tensor([0.0, 1.0], requires_grad=True)
    e = a.exp()
    with mg.no_grad():
        e += 1  # the output that exp's backward uses
    with pytest.raises(RuntimeError, match="Exp needs for its gradient was modified in place"):
        e.sum().backward()

    b = mg.tensor([2.0, 3.0], requires_grad=True)
    out = (b * b).sum()
    with mg.no_grad():
        b.mul_(10)
    with pytest.raises(RuntimeError, match="modified in place"):
        out.backward()
    # a fresh forward after the update is fine
    (b * b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [40.0, 60.0])


def test_in_place_on_a_non_leaf_is_recorded():
    v = mg.tensor([1.0, 2.0], requires_grad=True)
    y = v * 3
    y += 1
    y *= v  # y = (3 v + 1) * v, so dy/dv = 6 v + 1
    y.sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [7.0, 13.0])


def test_next_functions_show_an_input_as_it_was_before_an_inplace_write():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    y.add_(1)
    first = z.grad_fn.next_functions[0][0]
    assert first.name() == "MulBackward0"  # y * 2, not the later add_
    assert first.next_functions[0][0].variable is x


def test_hooks_of_leaves_not_asked_for_do_not_run():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    log = []
    a.register_hook(lambda g: log.append("a"))
    b.register_hook(lambda g: log.append("b"))
    y = (a * b).sum()
    (ga,) = mg.autograd.grad(y, a, retain_graph=True)
    assert ga.tolist() == [3.0, 4.0] and log == ["a"]
    y.backward(inputs=[b])
    assert log == ["a", "b"] and b.grad.tolist() == [1.0, 2.0] and a.grad is None
