"""The newer optimizers in the race: every registry entry races; Muon gets a 1 x 2 matrix,
schedule-free is switched to train mode, plain-gradient entries take SGD's tuned step size."""
import numpy as np
import pytest

from minigrad import optim
from minigrad.viz import race
from minigrad.viz import optimizers as registry

NEWER = ["radam", "rprop", "asgd", "adafactor", "muon", "lion", "sgd-schedulefree",
         "adamw-schedulefree", "prodigy"]


def test_newer_entries_are_listed():
    assert set(NEWER) <= set(registry.available_optimizers())


@pytest.mark.parametrize("name", NEWER)
def test_newer_optimizers_race_to_the_quadratics_minimum(name):
    t = race("quadratic", [name], steps=400)[0]
    assert t.status == "ok"
    assert float(t.losses[-1]) < 0.5 * float(t.losses[0])


def test_muon_races_on_a_row_matrix_with_steps_of_constant_length():
    """A 1 x 2 matrix has one singular value; 5 quintic Newton-Schulz steps map 1 to ~0.7
    (the iteration lands singular values in about [0.7, 1.2], not exactly at 1)."""
    t = race("quadratic", ["muon:lr=0.01:momentum=0.0"], steps=5)[0]
    steps = np.hypot(*np.diff(t.positions, axis=0).T)
    np.testing.assert_allclose(steps, steps[0], rtol=1e-4)  # float32 iteration
    assert 0.6 * 0.01 < steps[0] < 1.2 * 0.01


def test_schedule_free_is_put_in_train_mode_and_asgd_takes_sgds_step():
    from minigrad.viz.surfaces import SURFACES
    surface = SURFACES["rosenbrock"]
    for name in ("asgd", "sgd-schedulefree"):
        c = registry.resolve(name, surface)
        assert c.hyperparameters["lr"] == surface.lr["sgd"]["lr"]
    opt = registry.resolve("adamw-schedulefree", surface).make(
        [__import__("minigrad").tensor(np.zeros(2), requires_grad=True)])
    assert isinstance(opt, optim.AdamWScheduleFree) and opt.param_groups[0]["train_mode"]
