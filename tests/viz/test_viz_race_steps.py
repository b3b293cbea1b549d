"""The first steps of each raced optimizer match a hand computation (plain numpy formulas).

Beale's function from (1, 1.5): gradients of both signs and different sizes per coordinate,
so a mix-up between coordinates, a missing bias correction or an eps in the wrong place shows.
Learning rates are given explicitly, so these tests do not depend on the surfaces' tuning.
"""
import numpy as np
import pytest

from minigrad.viz import race

STEPS = 6
START = (1.0, 1.5)


def beale(p):
    x, y = p
    return (1.5 - x + x * y)**2 + (2.25 - x + x * y**2)**2 + (2.625 - x + x * y**3)**2


def beale_grad(p):
    x, y = p
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return np.array([2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
                     2 * a * x + 4 * b * x * y + 6 * c * x * y**2])


def hand_sgd(lr, momentum=0.0, nesterov=False):
    p, buf, path = np.array(START), None, [np.array(START)]
    for _ in range(STEPS):
        g = beale_grad(p)
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        path.append(p)
    return np.array(path)


def hand_adagrad(lr, eps=1e-10):
    p, s, path = np.array(START), np.zeros(2), [np.array(START)]
    for _ in range(STEPS):
        g = beale_grad(p)
        s = s + g * g
        p = p - lr * g / (np.sqrt(s) + eps)
        path.append(p)
    return np.array(path)


def hand_adadelta(lr, rho=0.9, eps=1e-6):
    p, v, u, path = np.array(START), np.zeros(2), np.zeros(2), [np.array(START)]
    for _ in range(STEPS):
        g = beale_grad(p)
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
        path.append(p)
    return np.array(path)


def hand_rmsprop(lr, alpha=0.99, eps=1e-8):
    p, v, path = np.array(START), np.zeros(2), [np.array(START)]
    for _ in range(STEPS):
        g = beale_grad(p)
        v = alpha * v + (1 - alpha) * g * g
        p = p - lr * g / (np.sqrt(v) + eps)
        path.append(p)
    return np.array(path)


def hand_adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    p, m, v, path = np.array(START), np.zeros(2), np.zeros(2), [np.array(START)]
    for t in range(1, STEPS + 1):
        g = beale_grad(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(p)
    return np.array(path)


CASES = {
    "sgd:lr=0.01": lambda: hand_sgd(0.01),
    "momentum:lr=0.002": lambda: hand_sgd(0.002, momentum=0.9),
    "nesterov:lr=0.002": lambda: hand_sgd(0.002, momentum=0.9, nesterov=True),
    "adagrad:lr=0.5": lambda: hand_adagrad(0.5),
    "adadelta:lr=1.0": lambda: hand_adadelta(1.0),
    "rmsprop:lr=0.01": lambda: hand_rmsprop(0.01),
    "adam:lr=0.05": lambda: hand_adam(0.05),
    "adam:lr=0.05:betas=(0.8,0.99)": lambda: hand_adam(0.05, 0.8, 0.99),
}


@pytest.fixture(scope="module")
def result():
    return race("beale", list(CASES), steps=STEPS, start=START)


@pytest.mark.parametrize("spec", list(CASES))
def test_first_steps_match_hand_computation(result, spec):
    traj = result.trajectories[list(CASES).index(spec)]
    expected = CASES[spec]()
    assert traj.status == "ok" and traj.steps == STEPS
    np.testing.assert_allclose(traj.positions, expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(traj.losses, [beale(p) for p in expected], rtol=1e-10)
    assert traj.evaluations == STEPS  # first-order: one closure call per step


def test_the_hand_computations_really_move(result):
    # Guard against a vacuous comparison: every method moved, and they moved differently.
    finals = np.array([t.positions[-1] for t in result])
    assert np.all(np.linalg.norm(finals - START, axis=1) > 1e-3)
    assert len({tuple(np.round(f, 8)) for f in finals}) == len(finals)
