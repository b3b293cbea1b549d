"""gradgradcheck through every op that hvp / hessian and the second-order optimizers rely on.

tests/core/test_gradcheck_ops.py already checks second derivatives of the unary elementwise
ops, reductions, softmax family, matmul, linear and cat. This file adds what the functional
API's tests, the Newton/L-BFGS tests and examples/second_order.py use on top: broadcasting
binary ops, integer indexing (Rosenbrock's ``x[0]``), constant and tensor powers, shape ops,
the losses of the regression example, and piecewise ops away from their kinks.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as nnf


def t(*shape, seed=0, low=None):
    rng = np.random.default_rng(100 + seed + sum(shape))
    data = rng.standard_normal(shape)
    if low is not None:
        data = np.abs(data) + low
    return mg.tensor(data, dtype=mg.float64, requires_grad=True)


BINARY = [
    ("add", lambda a, b: (a + b) * a),
    ("sub", lambda a, b: (a - b) * b),
    ("mul", lambda a, b: a * b * b),
    ("div", lambda a, b: a / (b * b + 1)),
    ("pow_tensor", lambda a, b: (a * a + 1) ** b),
    ("maximum", lambda a, b: mg.maximum(a, b) * a),
    ("minimum", lambda a, b: mg.minimum(a, b) * b),
]

# Shapes that need un-broadcasting over a missing leading dim and a size-1 dim.
BROADCAST = [((2, 1, 3), (4, 3)), ((3,), (2, 3)), ((), (2, 2))]


@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("name,fn", BINARY, ids=[b[0] for b in BINARY])
def test_broadcast_binary_gradgradcheck(name, fn, shapes):
    a, b = t(*shapes[0], seed=1), t(*shapes[1], seed=2)
    assert mg.gradgradcheck(fn, (a, b))


UNARY = [
    ("neg", lambda x: -x * x),
    ("abs_away_from_zero", lambda x: (x.abs() + 0.5) ** 3),
    ("pow_const_2", lambda x: x ** 2 * x),
    ("pow_const_half", lambda x: (x * x + 1) ** 0.5),
    ("rpow", lambda x: 1.7 ** x),
    ("scalar_rsub_rdiv", lambda x: (1 - x) ** 2 + 2 / (x * x + 1)),
    ("getitem_int", lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2),
    ("getitem_slice", lambda x: x[:, 1:] * x[:, :-1]),
    ("reshape", lambda x: x.reshape(3, 2).tanh()),
    ("transpose", lambda x: x.T @ x),
    ("permute", lambda x: x.unsqueeze(0).permute(2, 0, 1).exp()),
    ("expand", lambda x: x[:, :1].expand(2, 3) * x),
    ("broadcast_to", lambda x: x.broadcast_to((2, 2, 3)).sin()),
    ("squeeze_unsqueeze", lambda x: x.unsqueeze(1).squeeze(1) ** 3),
    ("stack", lambda x: mg.stack([x, x * x], 0).sum(0) * x),
    ("split", lambda x: x.split(1, dim=1)[0] * x),
    ("sum_dim", lambda x: (x * x).sum(0, keepdim=True) * x),
    ("mean_dim", lambda x: (x.exp()).mean(1) ** 2),
    ("std", lambda x: x.std(1)),
    ("amax", lambda x: x.amax(1) ** 2),
    ("min", lambda x: x.min(0).values ** 3),
    ("leaky_relu", lambda x: x.leaky_relu(0.1) * x),
    ("clamp", lambda x: x.clamp(-0.3, 0.4) * x),
    ("where", lambda x: mg.where(x > 0, x ** 3, x.exp())),
    ("gather", lambda x: x.gather(1, mg.tensor(np.array([[2, 0], [1, 1]]))) ** 2),
]


@pytest.mark.parametrize("name,fn", UNARY, ids=[u[0] for u in UNARY])
def test_unary_and_shape_ops_gradgradcheck(name, fn):
    assert mg.gradgradcheck(fn, (t(2, 3, seed=3),))


def test_rosenbrock_on_a_vector_gradgradcheck():
    x = mg.tensor(np.array([-1.5, 2.0]), dtype=mg.float64, requires_grad=True)
    assert mg.gradgradcheck(lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2, (x,))


def test_regression_net_losses_gradgradcheck():
    X, W, b = t(5, 2, seed=4), t(3, 2, seed=5), t(3, seed=6)
    Y = mg.tensor(np.random.default_rng(7).standard_normal((5, 3)))
    assert mg.gradgradcheck(lambda X, W, b: nnf.mse_loss(nnf.linear(X, W, b).tanh(), Y),
                            (X, W, b))
    assert mg.gradgradcheck(lambda X, W: nnf.huber_loss(X @ W.T, Y, delta=0.5), (X, W))


def test_classification_losses_gradgradcheck():
    logits = t(4, 3, seed=8)
    target = mg.tensor(np.array([0, 2, 1, 2]))
    assert mg.gradgradcheck(lambda z: nnf.cross_entropy(z, target), (logits,))
    y01 = mg.tensor(np.array([[1.0, 0.0, 1.0]] * 4))
    assert mg.gradgradcheck(lambda z: nnf.binary_cross_entropy_with_logits(z, y01), (logits,))
