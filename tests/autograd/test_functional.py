"""minigrad.autograd.functional: vjp, jvp, hvp, vhp, jacobian, hessian.

Checked against central finite differences, against closed forms (quadratics, Rosenbrock,
elementwise maps) and, when torch is installed, against torch.autograd.functional.
"""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import functional as F


def t64(data, requires_grad=False):
    return mg.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


def rng(seed=0):
    return np.random.default_rng(seed)


def smooth(x, w):
    """A non-quadratic scalar function of two inputs (matmul, tanh, exp, sum, mean, mul)."""
    return ((w @ x).tanh() * x[:2]).sum() + (x * x).mean() * (w.sum() * 0.3).exp()


def fd_gradient(f, xs, eps=1e-6):
    """Central differences of a scalar numpy function of a list of arrays."""
    out = []
    for k, x in enumerate(xs):
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            hi = [a.copy() for a in xs]
            lo = [a.copy() for a in xs]
            hi[k][i] += eps
            lo[k][i] -= eps
            g[i] = (f(*hi) - f(*lo)) / (2 * eps)
        out.append(g)
    return out


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_hessian(x, y):
    return np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])


# ----- closed forms -------------------------------------------------------------------------------
def test_quadratic_hessian_hvp_vhp_closed_form():
    r = rng(1)
    A = r.standard_normal((4, 4))
    b = r.standard_normal(4)
    At, bt = t64(A), t64(b)
    x = t64(r.standard_normal(4))
    v = t64(r.standard_normal(4))

    def f(x):
        return 0.5 * (x @ (At @ x)) + bt @ x

    sym = (A + A.T) / 2
    np.testing.assert_allclose(F.hessian(f, x).data, sym, atol=1e-12)
    value, hv = F.hvp(f, x, v)
    np.testing.assert_allclose(value.detach().numpy(), 0.5 * x.detach().numpy() @ A @ x.detach().numpy() + b @ x.detach().numpy())
    np.testing.assert_allclose(hv.detach().numpy(), sym @ v.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(F.vhp(f, x, v)[1].detach().numpy(), v.detach().numpy() @ sym, atol=1e-12)
    np.testing.assert_allclose(F.jacobian(f, x).data, sym @ x.detach().numpy() + b, atol=1e-12)


@pytest.mark.parametrize("point", [(-1.5, 2.0), (1.0, 1.0), (0.3, -0.7)])
def test_rosenbrock_hessian_and_hvp_closed_form(point):
    x = t64(point)
    H = F.hessian(rosenbrock, x).data
    np.testing.assert_allclose(H, rosenbrock_hessian(*point), rtol=1e-12)
    v = t64([0.3, -1.1])
    np.testing.assert_allclose(F.hvp(rosenbrock, x, v)[1].detach().numpy(), H @ v.detach().numpy(), rtol=1e-12)


def test_jacobian_closed_forms():
    r = rng(2)
    W = t64(r.standard_normal((3, 4)))
    x = t64(r.standard_normal(4))
    np.testing.assert_allclose(F.jacobian(lambda x: W @ x, x).data, W.detach().numpy())
    # Elementwise maps have diagonal Jacobians.
    J = F.jacobian(lambda x: x.sin(), x).data
    np.testing.assert_allclose(J, np.diag(np.cos(x.detach().numpy())), atol=1e-15)


# ----- finite differences -------------------------------------------------------------------------
def test_hvp_and_hessian_match_finite_differences_of_the_gradient():
    r = rng(3)
    x0, w0 = r.standard_normal(3), r.standard_normal((2, 3))
    v0, u0 = r.standard_normal(3), r.standard_normal((2, 3))

    eps = 1e-6
    # H (v, u) by central differences of the gradient along (v, u).
    gp = _grad_smooth(x0 + eps * v0, w0 + eps * u0)
    gm = _grad_smooth(x0 - eps * v0, w0 - eps * u0)
    fd = [(a - b) / (2 * eps) for a, b in zip(gp, gm)]
    _, (hx, hw) = F.hvp(smooth, (t64(x0), t64(w0)), (t64(v0), t64(u0)))
    np.testing.assert_allclose(hx.detach().numpy(), fd[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hw.detach().numpy(), fd[1], rtol=1e-6, atol=1e-8)

    H = F.hessian(smooth, (t64(x0), t64(w0)))
    # Assemble the full Hessian from its blocks and compare H @ (v, u).
    Hxx, Hxw = H[0][0].detach().numpy(), H[0][1].detach().numpy().reshape(3, 6)
    Hwx, Hww = H[1][0].detach().numpy().reshape(6, 3), H[1][1].detach().numpy().reshape(6, 6)
    full = np.block([[Hxx, Hxw], [Hwx, Hww]])
    np.testing.assert_allclose(full, full.T, atol=1e-12)
    vec = np.concatenate([v0, u0.ravel()])
    np.testing.assert_allclose(full @ vec, np.concatenate([fd[0], fd[1].ravel()]),
                               rtol=1e-6, atol=1e-8)


def _grad_smooth(x, w):
    xt, wt = t64(x, True), t64(w, True)
    gx, gw = mg.autograd.grad(smooth(xt, wt), (xt, wt))
    return gx.detach().numpy(), gw.detach().numpy()


def test_jacobian_jvp_vjp_match_finite_differences():
    r = rng(4)
    x0, w0 = r.standard_normal(3), r.standard_normal((2, 3))

    def f(x, w):
        return ((w @ x).sigmoid(), (x * x).softmax(-1) * w.mean())

    def f_np(i, k):
        def component(x, w):
            return f(t64(x), t64(w))[i].detach().numpy().reshape(-1)[k]
        return component

    J = F.jacobian(f, (t64(x0), t64(w0)))
    for i, shape in enumerate([(2,), (3,)]):
        for k in range(int(np.prod(shape))):
            gx, gw = fd_gradient(f_np(i, k), [x0, w0])
            np.testing.assert_allclose(J[i][0].detach().numpy()[k], gx, atol=1e-8)
            np.testing.assert_allclose(J[i][1].detach().numpy()[k], gw, atol=1e-8)

    v = (t64(r.standard_normal(3)), t64(r.standard_normal((2, 3))))
    _, jv = F.jvp(f, (t64(x0), t64(w0)), v)
    for i in range(2):
        expected = J[i][0].detach().numpy() @ v[0].detach().numpy() + J[i][1].detach().numpy().reshape(J[i][1].shape[0], -1) \
            @ v[1].detach().numpy().ravel()
        np.testing.assert_allclose(jv[i].detach().numpy(), expected, atol=1e-12)

    u = (t64(r.standard_normal(2)), t64(r.standard_normal(3)))
    _, uj = F.vjp(f, (t64(x0), t64(w0)), u)
    np.testing.assert_allclose(uj[0].detach().numpy(), u[0].detach().numpy() @ J[0][0].detach().numpy() + u[1].detach().numpy() @ J[1][0].detach().numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(
        uj[1].detach().numpy(), np.tensordot(u[0].detach().numpy(), J[0][1].detach().numpy(), 1)
        + np.tensordot(u[1].detach().numpy(), J[1][1].detach().numpy(), 1), atol=1e-12)


# ----- conventions --------------------------------------------------------------------------------
def test_return_structures_follow_pytorch():
    x, y = t64([1.0, 2.0, 3.0]), t64([[0.5, -1.0], [2.0, 0.1]])
    f_single = lambda x: x * 2  # noqa: E731
    assert F.jacobian(f_single, x).shape == (3, 3)
    J = F.jacobian(lambda x, y: (x.sum() * y).tanh(), (x, y))
    assert isinstance(J, tuple) and J[0].shape == (2, 2, 3) and J[1].shape == (2, 2, 2, 2)
    J = F.jacobian(lambda x: (x, x.sum()), x)
    assert isinstance(J, tuple) and J[0].shape == (3, 3) and J[1].shape == (3,)
    J = F.jacobian(lambda x, y: (x, y.sum()), (x, y))
    assert J[0][0].shape == (3, 3) and J[0][1].shape == (3, 2, 2) and J[1][1].shape == (2, 2)
    H = F.hessian(lambda x, y: (x.sum() * y).pow(2).sum(), (x, y))
    assert H[0][1].shape == (3, 2, 2) and H[1][0].shape == (2, 2, 3)
    out, g = F.vjp(lambda x: x.pow(2).sum(), x)  # v may be None for a one-element output
    assert out.shape == () and g.shape == (3,)
    np.testing.assert_allclose(g.detach().numpy(), 2 * x.detach().numpy())
    out, jv = F.jvp(lambda s: s * x, t64(2.0))  # v may be None for a one-element input
    np.testing.assert_allclose(jv.detach().numpy(), x.detach().numpy())


def test_results_are_detached_and_inputs_untouched():
    x = t64([1.0, 2.0], requires_grad=True)
    out, hv = F.hvp(lambda x: (x ** 3).sum(), x, t64([1.0, 0.0]))
    assert not out.requires_grad and not hv.requires_grad
    assert x.grad is None
    np.testing.assert_allclose(hv.detach().numpy(), [6.0, 0.0])


def test_create_graph_makes_results_differentiable():
    # f = sum(x^4): H v = 12 x^2 v, and d/dx sum(H v) = 24 x v.
    x = t64([1.0, -2.0, 0.5], requires_grad=True)
    v = t64([0.3, 1.0, -2.0])
    _, hv = F.hvp(lambda x: (x ** 4).sum(), x, v, create_graph=True)
    np.testing.assert_allclose(hv.detach().numpy(), 12 * x.detach().numpy() ** 2 * v.detach().numpy())
    (g,) = mg.autograd.grad(hv.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 24 * x.detach().numpy() * v.detach().numpy())
    H = F.hessian(lambda x: (x ** 4).sum(), x, create_graph=True)
    (g,) = mg.autograd.grad(H.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 24 * x.detach().numpy())
    J = F.jacobian(lambda x: x ** 3, x, create_graph=True)
    (g,) = mg.autograd.grad(J.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 6 * x.detach().numpy())
    _, jv = F.jvp(lambda x: x ** 3, x, v, create_graph=True)
    (g,) = mg.autograd.grad(jv.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 6 * x.detach().numpy() * v.detach().numpy())


def test_independent_inputs_give_zeros_or_strict_errors():
    x, y = t64([1.0, 2.0]), t64([3.0])
    f = lambda x, y: (x * x).sum()  # noqa: E731  (y unused)
    H = F.hessian(f, (x, y))
    np.testing.assert_array_equal(H[1][1].detach().numpy(), np.zeros((1, 1)))
    np.testing.assert_array_equal(H[0][1].detach().numpy(), np.zeros((2, 1)))
    np.testing.assert_array_equal(F.vjp(f, (x, y))[1][1].detach().numpy(), [0.0])
    np.testing.assert_array_equal(F.hvp(f, (x, y), (x, y))[1][1].detach().numpy(), [0.0])
    np.testing.assert_array_equal(F.jacobian(lambda x: t64([1.0, 2.0]), x).data, np.zeros((2, 2)))
    # Linear function: zero Hessian (the gradient is a constant).
    np.testing.assert_array_equal(F.hessian(lambda x: x.sum() * 3, x).data, np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="strict"):
        F.vjp(f, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="strict"):
        F.jacobian(f, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="strict"):
        F.hessian(f, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="strict"):
        F.hvp(lambda x: x.sum(), x, x, strict=True)


def test_argument_errors_are_clear():
    x = t64([1.0, 2.0])
    shapes = r"v\[0\] has shape \(3,\).*output\[0\] has shape \(2,\)"
    with pytest.raises(RuntimeError, match=shapes):
        F.vjp(lambda x: x * 2, x, t64([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="v can only be None"):
        F.vjp(lambda x: x * 2, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        F.hvp(lambda x: x.sum(), x)
    with pytest.raises(RuntimeError, match="single element"):
        F.hessian(lambda x: x * 2, x)
    with pytest.raises(RuntimeError, match="single element"):
        F.hvp(lambda x: x * 2, x, x)
    with pytest.raises(TypeError, match="must return a Tensor"):
        F.jacobian(lambda x: 3.0, x)
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Tensor"):
        F.jacobian(lambda a, b: a, (x, [1.0]))
    with pytest.raises(TypeError, match="floating-point"):
        F.jacobian(lambda a: a, mg.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="v has 1 Tensors but the input has 2"):
        F.hvp(lambda a, b: (a * b).sum(), (x, x), (x,))
    with pytest.raises(NotImplementedError, match="vectorize"):
        F.jacobian(lambda a: a, x, vectorize=True)
    with pytest.raises(ValueError, match="reverse-mode"):
        F.jacobian(lambda a: a, x, strategy="forward-mode")


# ----- against PyTorch ----------------------------------------------------------------------------
def test_matches_torch_autograd_functional():
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional
    r = rng(5)
    x0, w0 = r.standard_normal(3), r.standard_normal((2, 3))
    v0, u0 = r.standard_normal(3), r.standard_normal((2, 3))

    def both(fn):
        return fn((t64(x0), t64(w0)), mg), fn((torch.tensor(x0), torch.tensor(w0)), torch)

    def f(xs, lib):
        x, w = xs
        return ((w @ x).tanh() * x[:2]).sum() + (x * x).mean() * (w.sum() * 0.3).exp()

    def g(xs, lib):
        x, w = xs
        return (w @ x).sigmoid(), (x * x).softmax(-1) * w.mean()

    mine = F.hessian(lambda x, w: f((x, w), mg), (t64(x0), t64(w0)))
    theirs = TF.hessian(lambda x, w: f((x, w), torch), (torch.tensor(x0), torch.tensor(w0)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(mine[i][j].detach().numpy(), theirs[i][j].numpy(), atol=1e-12)
    mine = F.jacobian(lambda x, w: g((x, w), mg), (t64(x0), t64(w0)))
    theirs = TF.jacobian(lambda x, w: g((x, w), torch), (torch.tensor(x0), torch.tensor(w0)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(mine[i][j].detach().numpy(), theirs[i][j].numpy(), atol=1e-12)
    for name in ("hvp", "vhp"):
        _, mine = getattr(F, name)(lambda x, w: f((x, w), mg), (t64(x0), t64(w0)),
                                   (t64(v0), t64(u0)))
        _, theirs = getattr(TF, name)(lambda x, w: f((x, w), torch),
                                      (torch.tensor(x0), torch.tensor(w0)),
                                      (torch.tensor(v0), torch.tensor(u0)))
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(a.detach().numpy(), b.numpy(), atol=1e-12)
    _, mine = F.jvp(lambda x, w: g((x, w), mg), (t64(x0), t64(w0)), (t64(v0), t64(u0)))
    _, theirs = TF.jvp(lambda x, w: g((x, w), torch), (torch.tensor(x0), torch.tensor(w0)),
                       (torch.tensor(v0), torch.tensor(u0)))
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.numpy(), atol=1e-12)
    cot = (r.standard_normal(2), r.standard_normal(3))
    _, mine = F.vjp(lambda x, w: g((x, w), mg), (t64(x0), t64(w0)), tuple(map(t64, cot)))
    _, theirs = TF.vjp(lambda x, w: g((x, w), torch), (torch.tensor(x0), torch.tensor(w0)),
                       tuple(map(torch.tensor, cot)))
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.numpy(), atol=1e-12)


def test_hessian_of_small_network_loss_matches_torch():
    """The ops the second-order optimizers rely on in a regression net: linear, tanh, mse."""
    torch = pytest.importorskip("torch")
    r = rng(6)
    X, Y = r.standard_normal((8, 2)), r.standard_normal((8, 1))
    W1, b1, W2, b2 = (r.standard_normal(s) for s in [(4, 2), (4,), (1, 4), (1,)])

    def loss(lib, nnf, W1, b1, W2, b2, X, Y):
        h = nnf.linear(X, W1, b1).tanh()
        return nnf.mse_loss(nnf.linear(h, W2, b2), Y)

    import minigrad.nn.functional as mnf
    mine = F.hessian(lambda *p: loss(mg, mnf, *p, t64(X), t64(Y)),
                     tuple(map(t64, (W1, b1, W2, b2))))
    theirs = torch.autograd.functional.hessian(
        lambda *p: loss(torch, torch.nn.functional, *p, torch.tensor(X), torch.tensor(Y)),
        tuple(map(torch.tensor, (W1, b1, W2, b2))))
    for i in range(4):
        for j in range(4):
            np.testing.assert_allclose(mine[i][j].detach().numpy(), theirs[i][j].numpy(), atol=1e-12)
