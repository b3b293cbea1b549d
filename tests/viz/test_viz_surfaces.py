"""The test functions: values and autograd gradients against hand-written numpy formulas."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.viz import SURFACES, LossSurface, get_surface

# Independent references: the functions and their analytic gradients, in plain numpy.
REFERENCE = {
    "saddle": (lambda x, y: x**2 - y**2,
               lambda x, y: (2 * x, -2 * y)),
    "monkey": (lambda x, y: x**3 - 3 * x * y**2,
               lambda x, y: (3 * x**2 - 3 * y**2, -6 * x * y)),
    "rosenbrock": (lambda x, y: (1 - x)**2 + 100 * (y - x**2)**2,
                   lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))),
    "beale": (lambda x, y: ((1.5 - x + x * y)**2 + (2.25 - x + x * y**2)**2
                            + (2.625 - x + x * y**3)**2),
              lambda x, y: (2 * (1.5 - x + x * y) * (y - 1)
                            + 2 * (2.25 - x + x * y**2) * (y**2 - 1)
                            + 2 * (2.625 - x + x * y**3) * (y**3 - 1),
                            2 * (1.5 - x + x * y) * x
                            + 2 * (2.25 - x + x * y**2) * 2 * x * y
                            + 2 * (2.625 - x + x * y**3) * 3 * x * y**2)),
    "himmelblau": (lambda x, y: (x**2 + y - 11)**2 + (x + y**2 - 7)**2,
                   lambda x, y: (4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
                                 2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7))),
    "rastrigin": (lambda x, y: (20 + x**2 - 10 * np.cos(2 * np.pi * x)
                                + y**2 - 10 * np.cos(2 * np.pi * y)),
                  lambda x, y: (2 * x + 20 * np.pi * np.sin(2 * np.pi * x),
                                2 * y + 20 * np.pi * np.sin(2 * np.pi * y))),
    "quadratic": (lambda x, y: 0.25 * (x + y)**2 + 25 * (x - y)**2,
                  lambda x, y: (0.5 * (x + y) + 50 * (x - y), 0.5 * (x + y) - 50 * (x - y))),
}


def test_every_surface_has_a_reference():
    assert set(SURFACES) == set(REFERENCE)


def autograd_value_and_grad(surface, x, y):
    p = mg.tensor([x, y], dtype=mg.float64, requires_grad=True)
    loss = surface(p[0], p[1])
    loss.backward()
    return loss.item(), p.grad.numpy().copy()


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_value_and_gradient_match_analytic(name):
    surface = SURFACES[name]
    f, grad = REFERENCE[name]
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(*surface.xlim, 20), rng.uniform(*surface.ylim, 20)])
    for x, y in np.vstack([points, [surface.start]]):
        value, g = autograd_value_and_grad(surface, x, y)
        assert value == pytest.approx(f(x, y), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(g, grad(x, y), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_known_minima_are_stationary_with_the_stated_value(name):
    surface = SURFACES[name]
    for x, y in surface.minima:
        value, g = autograd_value_and_grad(surface, x, y)
        assert value == pytest.approx(surface.min_value, abs=1e-9)
        np.testing.assert_allclose(g, 0.0, atol=1e-4)  # minima are given to 6 decimals


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_window_start_and_tuning_are_sane(name):
    surface = SURFACES[name]
    assert surface.xlim[0] < surface.start[0] < surface.xlim[1]
    assert surface.ylim[0] < surface.start[1] < surface.ylim[1]
    for x, y in surface.minima:
        assert surface.xlim[0] <= x <= surface.xlim[1] and surface.ylim[0] <= y <= surface.ylim[1]
    # Unbounded-below surfaces have no minima and no minimum value; the others have both.
    assert (surface.min_value is None) == (not surface.minima)
    assert surface.start_note
    assert surface.steps > 0


def test_grid_evaluates_the_same_expression_elementwise():
    surface = SURFACES["rosenbrock"]
    X, Y, Z = surface.grid(7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    np.testing.assert_allclose(Z, REFERENCE["rosenbrock"][0](X, Y), rtol=1e-12)
    assert X[0, 0] == surface.xlim[0] and Y[-1, -1] == surface.ylim[1]


def test_calling_on_numbers_gives_numpy_and_records_nothing():
    value = SURFACES["beale"](3.0, 0.5)
    assert isinstance(value, (np.ndarray, np.generic))
    assert float(value) == pytest.approx(0.0, abs=1e-12)


def test_saddle_start_is_just_off_the_ridge():
    # An exactly symmetric start has zero escape gradient (FIELD_NOTES, optimizer pictures).
    x, y = SURFACES["saddle"].start
    assert y != 0 and abs(y) < 1e-2


def test_get_surface_by_name_and_instance_and_error_lists_choices():
    assert get_surface("beale") is SURFACES["beale"]
    custom = LossSurface(name="bowl", title="bowl", fn=lambda x, y: x**2 + y**2,
                         xlim=(-1, 1), ylim=(-1, 1), start=(0.5, 0.5), minima=((0, 0),),
                         min_value=0.0)
    assert get_surface(custom) is custom
    with pytest.raises(ValueError) as e:
        get_surface("banana")
    assert "banana" in str(e.value)
    for name in SURFACES:
        assert name in str(e.value)


def test_rastrigin_uses_minigrad_cos_so_gradients_flow():
    p = mg.tensor([0.25, 0.0], dtype=mg.float64, requires_grad=True)
    SURFACES["rastrigin"](p[0], p[1]).backward()
    assert p.grad.numpy()[0] == pytest.approx(0.5 + 20 * math.pi, rel=1e-12)
