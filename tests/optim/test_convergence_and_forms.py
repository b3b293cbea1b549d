"""Independent checks that do not go through the numpy reference: first steps in closed form,
the seed's momentum/Nesterov forms, convergence on a parabola and on Rosenbrock, and
non-contiguous parameters."""
import numpy as np
import pytest

import minigrad
from minigrad import optim


def _one_step(cls, g, p0=0.5, **hyper):
    p = minigrad.tensor(np.full(3, p0), requires_grad=True)
    opt = cls([p], **hyper)
    p.grad = minigrad.tensor(np.asarray(g, dtype=np.float64))
    opt.step()
    return p.detach().numpy() - p0


G = np.array([0.3, -2.0, 1e-3])


@pytest.mark.parametrize("cls,hyper,expected", [
    (optim.SGD, dict(lr=0.1), -0.1 * G),
    (optim.SGD, dict(lr=0.1, momentum=0.9), -0.1 * G),                  # buffer starts at g
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True), -0.1 * 1.9 * G),
    (optim.SGD, dict(lr=0.1, weight_decay=0.2), -0.1 * (G + 0.2 * 0.5)),
    (optim.SGD, dict(lr=0.1, maximize=True), 0.1 * G),
    (optim.Adagrad, dict(lr=0.1), -0.1 * G / (np.abs(G) + 1e-10)),
    (optim.Adagrad, dict(lr=0.1, initial_accumulator_value=1.0), -0.1 * G / np.sqrt(1 + G**2)),
    (optim.RMSprop, dict(lr=0.01), -0.01 * G / (np.sqrt(0.01 * G**2) + 1e-8)),
    (optim.RMSprop, dict(lr=0.01, centered=True),
     -0.01 * G / (np.sqrt(0.01 * G**2 - (0.01 * G) ** 2) + 1e-8)),
    (optim.Adadelta, dict(), -np.sqrt(1e-6) / np.sqrt(0.1 * G**2 + 1e-6) * G),
    (optim.Adam, dict(lr=0.1), -0.1 * G / (np.abs(G) + 1e-8)),          # bias-corrected: sign(g)
    (optim.AdamW, dict(lr=0.1, weight_decay=0.5),
     0.5 * (1 - 0.05) - 0.5 - 0.1 * G / (np.abs(G) + 1e-8)),
    (optim.Adamax, dict(lr=0.1), -0.1 * G / (np.abs(G) + 1e-8)),
    (optim.NAdam, dict(lr=0.1), None),
])
def test_first_step_closed_form(cls, hyper, expected):
    step = _one_step(cls, G, **hyper)
    if expected is None:  # NAdam: mu_1, mu_2 from the schedule, m_hat = g, denominator |g|
        mu1 = 0.9 * (1 - 0.5 * 0.96 ** 0.004)
        mu2 = 0.9 * (1 - 0.5 * 0.96 ** 0.008)
        d = np.abs(G) + 1e-8
        expected = -0.1 * (1 - mu1) / (1 - mu1) * G / d - 0.1 * mu2 / (1 - mu1 * mu2) * 0.1 * G / d
    np.testing.assert_allclose(step, expected, rtol=1e-6, atol=1e-12)


def test_seed_momentum_form_is_the_same_trajectory():
    """v = mu*v + lr*g; p -= v  gives PyTorch's momentum path for a constant lr."""
    rng = np.random.default_rng(0)
    p = minigrad.tensor(rng.standard_normal(4), requires_grad=True)
    q, v = p.detach().numpy().copy(), np.zeros(4)
    opt = optim.SGD([p], lr=0.05, momentum=0.8)
    for _ in range(30):
        p.grad = minigrad.tensor(np.sin(p.detach().numpy()) + p.detach().numpy())
        opt.step()
        v = 0.8 * v + 0.05 * (np.sin(q) + q)
        q = q - v
    np.testing.assert_allclose(p.detach().numpy(), q, rtol=1e-12, atol=1e-14)


def test_seed_nesterov_lookahead_form_is_the_same_trajectory():
    """v = mu*v + lr*grad(p - mu*v); p -= v  equals nesterov=True on the look-ahead point."""
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal(4)

    def grad(x):
        return np.sin(x) + x

    p, v = x0.copy(), np.zeros(4)
    q = minigrad.tensor(x0.copy(), requires_grad=True)  # q = p - mu*v, starts at p (v = 0)
    opt = optim.SGD([q], lr=0.05, momentum=0.8, nesterov=True)
    for _ in range(30):
        v = 0.8 * v + 0.05 * grad(p - 0.8 * v)
        p = p - v
        q.grad = minigrad.tensor(grad(q.detach().numpy()))
        opt.step()
        np.testing.assert_allclose(q.detach().numpy(), p - 0.8 * v, rtol=1e-10, atol=1e-12)


CONVERGE = [
    (optim.SGD, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adagrad, dict(lr=0.5)),
    (optim.Adadelta, dict(lr=1.0)),
    (optim.RMSprop, dict(lr=0.01)),
    (optim.Adam, dict(lr=0.05)),
    (optim.AdamW, dict(lr=0.05, weight_decay=0.0)),
    (optim.Adamax, dict(lr=0.05)),
    (optim.NAdam, dict(lr=0.05)),
]


@pytest.mark.parametrize("cls,hyper", CONVERGE, ids=[f"{c.__name__}-{i}" for i, (c, _) in
                                                     enumerate(CONVERGE)])
def test_converges_on_parabola(cls, hyper):
    target = np.array([1.0, -2.0, 0.5])
    x = minigrad.tensor(np.zeros(3), requires_grad=True)
    opt = cls([x], **hyper)
    steps = 3000 if cls is optim.Adadelta else 600
    for _ in range(steps):
        opt.zero_grad()
        ((x - minigrad.tensor(target)) ** 2).sum().backward()
        opt.step()
    tol = 0.05 if cls is optim.Adadelta else 1e-2
    np.testing.assert_allclose(x.detach().numpy(), target, atol=tol)


@pytest.mark.parametrize("cls,hyper,steps", [
    (optim.Adam, dict(lr=0.02), 3000),
    (optim.SGD, dict(lr=1e-3, momentum=0.9), 5000),
])
def test_converges_on_rosenbrock(cls, hyper, steps):
    xy = minigrad.tensor(np.array([-1.5, 2.0]), requires_grad=True)
    opt = cls([xy], **hyper)
    for _ in range(steps):
        opt.zero_grad()
        x, y = xy[0], xy[1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
        opt.step()
    np.testing.assert_allclose(xy.detach().numpy(), [1.0, 1.0], atol=0.05)


def test_non_contiguous_parameters_are_updated_in_their_own_memory():
    base = np.arange(12.0).reshape(3, 4)
    p = minigrad.tensor(base, requires_grad=True)
    p.data = minigrad.from_numpy(base.T)  # a transposed (Fortran-ordered) view of base
    q = minigrad.tensor(np.arange(10.0), requires_grad=True)
    q.data = q.data[::2]  # strided
    opt = optim.SGD([p, q], lr=1.0)
    np.testing.assert_array_equal(p.detach().numpy(), base.T)
    np.testing.assert_array_equal(q.detach().numpy(), np.arange(0.0, 10.0, 2.0))
    p.grad = minigrad.tensor(np.ones((4, 3)))
    q.grad = minigrad.tensor(np.arange(5.0))
    opt.step()
    # as in PyTorch, p still shares base's memory: the update is seen through base
    np.testing.assert_array_equal(base, np.arange(12.0).reshape(3, 4) - 1)
    np.testing.assert_array_equal(p.detach().numpy(), base.T)
    np.testing.assert_array_equal(q.detach().numpy(), np.arange(0.0, 10.0, 2.0) - np.arange(5.0))
