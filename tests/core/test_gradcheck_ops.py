"""Every differentiable op passes gradcheck (and gradgradcheck where listed) in float64."""
import numpy as np
import pytest

import minigrad as mg


def t(*shape, low=None, seed=0):
    rng = np.random.default_rng(seed + sum(shape))
    data = rng.standard_normal(shape)
    if low is not None:
        data = np.abs(data) + low
    return mg.tensor(data, dtype=mg.float64, requires_grad=True)


# (name, function, input shapes, positive inputs?)
UNARY = [
    ("neg", lambda x: -x),
    ("abs", lambda x: x.abs()),
    ("exp", lambda x: x.exp()),
    ("sin", lambda x: x.sin()),
    ("cos", lambda x: x.cos()),
    ("tanh", lambda x: x.tanh()),
    ("sigmoid", lambda x: x.sigmoid()),
    ("relu", lambda x: x.relu()),
    ("leaky_relu", lambda x: x.leaky_relu(0.2)),
    ("gelu", lambda x: x.gelu()),
    ("gelu_tanh", lambda x: x.gelu("tanh")),
    ("softplus", lambda x: x.softplus()),
    ("softplus_beta", lambda x: x.softplus(beta=2.0, threshold=1.0)),
    ("erf", lambda x: x.erf()),
    ("pow_const", lambda x: x ** 3),
    ("pow_neg_base_int", lambda x: (x - 5) ** 2),
    ("rpow", lambda x: 2.5 ** x),
    ("clamp", lambda x: x.clamp(-0.5, 0.7)),
    ("clamp_min_only", lambda x: x.clamp(min=0.1)),
    ("scalar_ops", lambda x: (2 - x) * 3 / (x * x + 1) + 1 / (x * x + 2)),
    ("sum_all", lambda x: x.sum()),
    ("sum_dim", lambda x: x.sum(1)),
    ("sum_dims_keep", lambda x: x.sum((0, 2), keepdim=True)),
    ("mean_dim", lambda x: x.mean(-1)),
    ("mean_all", lambda x: x.mean()),
    ("var", lambda x: x.var(1)),
    ("var_biased_keep", lambda x: x.var(0, keepdim=True, correction=0)),
    ("std", lambda x: x.std()),
    ("max_all", lambda x: x.max()),
    ("max_dim", lambda x: x.max(1).values),
    ("min_dim_keep", lambda x: x.min(2, keepdim=True).values),
    ("amax_dims", lambda x: x.amax((0, 2))),
    ("amin", lambda x: x.amin(1)),
    ("logsumexp", lambda x: x.logsumexp(1)),
    ("logsumexp_all", lambda x: x.logsumexp()),
    ("softmax", lambda x: x.softmax(-1)),
    ("softmax_dim0", lambda x: x.softmax(0)),
    ("log_softmax", lambda x: x.log_softmax(1)),
    ("reshape", lambda x: x.reshape(4, -1)),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("permute", lambda x: x.permute(1, 2, 0)),
    ("T", lambda x: x.T),
    ("flatten", lambda x: x.flatten(1)),
    ("squeeze_unsqueeze", lambda x: x.unsqueeze(1).squeeze(1)),
    ("expand", lambda x: x[:, :1].expand(2, 3, 4)),
    ("broadcast_to", lambda x: x.broadcast_to((5, 2, 3, 4))),
    ("split", lambda x: x.split(2, dim=2)[1] * x.split([1, 3], dim=2)[0]),
    ("chunk", lambda x: x.chunk(3, dim=1)[2]),
    ("pad", lambda x: mg.pad(x, (1, 2, 0, 1))),
    ("cat", lambda x: mg.cat([x, x * 2, x[:, :1]], dim=1)),
    ("stack", lambda x: mg.stack([x, x.exp()], dim=-1)),
    ("getitem_int_slice", lambda x: x[1, ::2]),
    ("getitem_none_ellipsis", lambda x: x[..., None, 1:3]),
    ("getitem_int_array_repeats", lambda x: x[[0, 0, 1, 0]]),
    ("getitem_nested_arrays", lambda x: x[np.array([0, 1, 1]), np.array([2, 2, 0])]),
    ("getitem_bool_mask", lambda x: x[x.detach().numpy() > 0]),
    ("getitem_tensor_index", lambda x: x[:, mg.tensor([2, 2, 1])]),
    ("gather", lambda x: x.gather(2, mg.tensor(np.array([[[0, 0], [3, 1], [2, 2]]] * 2)))),
    ("where", lambda x: mg.where(x > 0, x * x, -x)),
    ("clone", lambda x: x.clone() * x),
]


@pytest.mark.parametrize("name,fn", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_gradcheck(name, fn):
    assert mg.gradcheck(fn, (t(2, 3, 4),))


def test_log_sqrt_gradcheck_on_positive_inputs():
    x = t(3, 4, low=0.5)
    assert mg.gradcheck(lambda x: x.log(), (x,))
    assert mg.gradcheck(lambda x: x.sqrt(), (x,))
    assert mg.gradcheck(lambda x: x ** 0.5, (x,))
    assert mg.gradcheck(lambda x: x ** -1.5, (x,))


BROADCAST_SHAPES = [((3, 1, 4), (5, 4)), ((5, 4), (3, 1, 4)), ((2, 3), ()), ((), (2, 3)),
                    ((4, 1), (1, 5)), ((2, 3), (2, 3)), ((1,), (3, 2))]
BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / (b * b + 1)),
    ("pow_tensor", lambda a, b: (a * a + 0.5) ** b),
    ("maximum", lambda a, b: mg.maximum(a, b)),
    ("minimum", lambda a, b: mg.minimum(a, b)),
    ("where", lambda a, b: mg.where(a.detach().numpy() > 0, a, b)),
]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name,fn", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_broadcast_gradcheck(name, fn, shapes):
    a, b = t(*shapes[0], seed=1), t(*shapes[1], seed=2)
    out = fn(a, b)
    assert out.shape == np.broadcast_shapes(a.shape, b.shape)
    assert mg.gradcheck(fn, (a, b))


def test_scalars_on_both_sides():
    x = t(3)
    assert mg.gradcheck(lambda x: 1 + x + 2 - x * 3 + 4 / (x * x + 1) - 5 * x, (x,))


MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                 ((4,), (2, 4, 3)), ((2, 3, 4), (4,))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_gradcheck(shapes):
    a, b = t(*shapes[0], seed=3), t(*shapes[1], seed=4)
    np.testing.assert_allclose((a @ b).data, a.detach().numpy() @ b.detach().numpy())
    assert mg.gradcheck(lambda a, b: a @ b, (a, b))


def test_ties_share_gradient_evenly():
    x = mg.tensor([1.0, 3.0, 3.0], dtype=mg.float64, requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5])
    a = mg.tensor([2.0], requires_grad=True)
    b = mg.tensor([2.0], requires_grad=True)
    mg.maximum(a, b).sum().backward()
    assert a.grad.item() == 0.5 and b.grad.item() == 0.5


def test_kinks_defined_like_pytorch():
    x = mg.tensor([0.0, -1.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0])
    y = mg.tensor([0.0, 1.0, 2.0], requires_grad=True)
    y.clamp(0.0, 1.0).sum().backward()  # boundaries pass the gradient
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0, 0.0])
    z = mg.tensor([0.0], requires_grad=True)
    z.abs().sum().backward()
    assert z.grad.item() == 0.0


def test_pow_constant_exponent_negative_base_has_finite_gradient():
    x = mg.tensor([-2.0, -0.5], dtype=mg.float64, requires_grad=True)
    (x ** 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([-2.0, -0.5]) ** 2)


def test_repeated_index_scatter_accumulates():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])


GRADGRAD = [
    ("exp", lambda x: x.exp()), ("log", lambda x: (x * x + 1).log()),
    ("sqrt", lambda x: (x * x + 1).sqrt()), ("sin", lambda x: x.sin()), ("cos", lambda x: x.cos()),
    ("tanh", lambda x: x.tanh()), ("sigmoid", lambda x: x.sigmoid()), ("gelu", lambda x: x.gelu()),
    ("softplus", lambda x: x.softplus()), ("erf", lambda x: x.erf()), ("pow", lambda x: x ** 3),
    ("div", lambda x: 1 / (x * x + 1)), ("sum", lambda x: (x * x).sum(1)),
    ("mean", lambda x: (x * x).mean(0)), ("softmax", lambda x: x.softmax(-1)),
    ("log_softmax", lambda x: x.log_softmax(-1)), ("logsumexp", lambda x: x.logsumexp(1)),
    ("var", lambda x: x.var(1)), ("getitem", lambda x: x[[0, 0, 1]] ** 2),
    ("max", lambda x: x.max(1).values ** 2), ("cat", lambda x: mg.cat([x, x * x], 1)),
    ("relu", lambda x: x.relu() * x),
]


@pytest.mark.parametrize("name,fn", GRADGRAD, ids=[g[0] for g in GRADGRAD])
def test_elementwise_and_reductions_gradgradcheck(name, fn):
    assert mg.gradgradcheck(fn, (t(2, 3, seed=5),))


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 2)), ((2, 3, 4), (4,))], ids=str)
def test_matmul_gradgradcheck(shapes):
    a, b = t(*shapes[0], seed=6), t(*shapes[1], seed=7)
    assert mg.gradgradcheck(lambda a, b: (a @ b).tanh(), (a, b))


def test_gradcheck_reports_input_element_and_values():
    class WrongSquare(mg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.detach().numpy() ** 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x  # wrong on purpose: should be 2x

    x = t(2, 2)
    with pytest.raises(mg.GradcheckError, match=r"input 0 at element \(0, 0\): analytic .* vs numeric"):
        mg.gradcheck(WrongSquare.apply, (x,))


def test_gradcheck_rejects_float32():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        mg.gradcheck(lambda x: x * 2, (x,))


def test_custom_function_passes_gradcheck():
    class Cube(mg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.detach().numpy() ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = t(3, 2)
    assert mg.gradcheck(Cube.apply, (x,))
    assert mg.gradgradcheck(Cube.apply, (x,))


def test_cast_gradient_returns_in_input_dtype():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (x.float() * 3).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize("xshape", [(5, 4), (2, 3, 4), (4,)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear_matches_unfused_and_gradchecks(xshape, bias):
    x, w = t(*xshape, seed=8), t(3, 4, seed=9)
    b = t(3, seed=10) if bias else None
    ref = x.detach().numpy() @ w.detach().numpy().T + (b.detach().numpy() if bias else 0)
    np.testing.assert_allclose(mg.linear(x, w, b).data, ref, rtol=1e-12)
    args = (x, w, b) if bias else (x, w)
    assert mg.gradcheck(lambda *a: mg.linear(*a), args)
    assert mg.gradgradcheck(lambda *a: mg.linear(*a).tanh(), args)


def test_linear_shape_errors():
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\) does not match weight of shape \(3, 4\)"):
        mg.linear(mg.ones(2, 5), mg.ones(3, 4))
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\)"):
        mg.linear(mg.ones(2, 4), mg.ones(3, 4), mg.ones(4))


@pytest.mark.parametrize("a_shape", [(3, 4, 5), (2, 3, 4, 5), (4, 5)])
def test_matmul_with_a_matrix_on_the_right_merges_rows(a_shape):
    a, b = t(*a_shape), t(5, 2, seed=3)
    assert mg.gradcheck(lambda a, b: a @ b, (a, b))
    assert mg.gradgradcheck(lambda a, b: a @ b, (a, b))
    ref = np.matmul(a.detach().numpy(), b.detach().numpy())
    np.testing.assert_allclose((a @ b).detach().numpy(), ref, rtol=1e-12)
    (a @ b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(),
                               a.detach().numpy().reshape(-1, 5).sum(0)[:, None].repeat(2, 1),
                               rtol=1e-12)
