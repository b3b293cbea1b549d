"""Property tests over random shapes for elementwise, broadcasting and reduction ops."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

FLOATS = st.floats(-3, 3, allow_nan=False, width=64)


def arrays(shape):
    return hnp.arrays(np.float64, shape, elements=FLOATS)


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a, b = shapes.input_shapes
    return draw(arrays(a)), draw(arrays(b))


@st.composite
def non_contiguous(draw):
    """An array that is a transposed or strided view, as users' inputs often are."""
    arr = draw(arrays(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)))
    kind = draw(st.sampled_from(["T", "slice", "plain"]))
    if kind == "T":
        return arr.T
    if kind == "slice":
        return arr[::-1, ::2]
    return arr


@settings(max_examples=40, deadline=None)
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "maximum"]))
def test_binary_broadcast_forward_and_gradient_shapes(pair, op):
    a_np, b_np = pair
    a = mg.tensor(a_np, requires_grad=True)
    b = mg.tensor(b_np, requires_grad=True)
    fns = {"add": (lambda x, y: x + y, np.add), "sub": (lambda x, y: x - y, np.subtract),
           "mul": (lambda x, y: x * y, np.multiply), "maximum": (mg.maximum, np.maximum)}
    ours, ref = fns[op]
    out = ours(a, b)
    np.testing.assert_allclose(out.detach().numpy(), ref(a_np, b_np))
    out.backward(mg.tensor(np.ones(out.shape)))
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    if op == "add":  # d(a+b)/da summed over broadcast copies = number of copies
        copies = np.broadcast_to(np.ones(a.shape), out.shape)
        expect = np.ones(out.shape)
        lead = out.ndim - a.ndim
        expect = expect.sum(axis=tuple(range(lead))) if lead else expect
        expect = expect.sum(axis=tuple(i for i, s in enumerate(a.shape) if s == 1), keepdims=True) if a.ndim else expect.sum()
        np.testing.assert_allclose(a.grad.numpy(), np.reshape(expect, a.shape))
        assert copies.shape == out.shape


@settings(max_examples=25, deadline=None)
@given(broadcastable_pair())
def test_mul_gradcheck_on_random_broadcast_shapes(pair):
    a = mg.tensor(pair[0], requires_grad=True)
    b = mg.tensor(pair[1], requires_grad=True)
    assert mg.gradcheck(lambda x, y: x * y + x, (a, b))


@settings(max_examples=40, deadline=None)
@given(non_contiguous(), st.sampled_from(["exp", "tanh", "sigmoid", "relu", "abs", "sin"]))
def test_elementwise_matches_numpy_on_non_contiguous_input(arr, op):
    refs = {"exp": np.exp, "tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
            "relu": lambda v: np.maximum(v, 0), "abs": np.abs, "sin": np.sin}
    x = mg.Tensor(arr, requires_grad=True)
    out = getattr(x, op)()
    np.testing.assert_allclose(out.detach().numpy(), refs[op](arr), rtol=1e-12, atol=1e-15)
    out.sum().backward()
    assert x.grad.shape == arr.shape


@settings(max_examples=40, deadline=None)
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)), st.data())
def test_reductions_match_numpy_and_gradcheck(arr, data):
    dim = data.draw(st.one_of(st.none(), st.integers(-arr.ndim, arr.ndim - 1)))
    keep = data.draw(st.booleans())
    x = mg.tensor(arr, requires_grad=True)
    np.testing.assert_allclose(x.sum(dim, keepdim=keep).data, arr.sum(axis=dim, keepdims=keep), atol=1e-12)
    np.testing.assert_allclose(x.mean(dim, keepdim=keep).data, arr.mean(axis=dim, keepdims=keep), atol=1e-12)
    np.testing.assert_allclose(x.amax(dim, keepdim=keep).data, arr.max(axis=dim, keepdims=keep))
    lse = np.log(np.exp(arr).sum(axis=dim, keepdims=keep))
    np.testing.assert_allclose(x.logsumexp(dim, keepdim=keep).data, lse, rtol=1e-12, atol=1e-14)
    assert mg.gradcheck(lambda t: t.sum(dim, keepdim=keep) + t.logsumexp(dim, keepdim=keep), (x,))
