"""race(): same start for all, entries of every kind, divergence and escape, closures, errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from minigrad.viz import SURFACES, LossSurface, race
from minigrad.viz import optimizers as registry
from minigrad.viz.optimizers import parse_spec, split_lineup


def test_every_trajectory_starts_at_the_same_point_with_its_own_parameter():
    result = race("quadratic", ["sgd", "adam", "adam"], steps=5, start=(0.5, -1.0))
    assert result.start == (0.5, -1.0) and result.steps == 5 and len(result) == 3
    for t in result:
        assert t.positions.shape == (6, 2) and t.losses.shape == (6,)
        np.testing.assert_array_equal(t.positions[0], [0.5, -1.0])
    # Two identical entries give identical paths: nothing is shared between contestants.
    np.testing.assert_array_equal(result[1].positions, result[2].positions)


def test_defaults_come_from_the_surface():
    surface = SURFACES["rosenbrock"]
    result = race("rosenbrock", ["adam"], steps=2)
    assert result.start == surface.start
    assert result[0].hyperparameters["lr"] == surface.lr["adam"]["lr"]
    assert race("saddle", "sgd", steps=None).steps == SURFACES["saddle"].steps


def test_divergent_optimizer_is_stopped_and_marked_and_the_race_goes_on():
    result = race("rosenbrock", ["sgd:lr=0.1", "adam:lr=0.01"], steps=50)
    bad, good = result
    assert bad.status == "diverged" and bad.diverged
    assert 1 <= bad.stopped_at <= 50 and bad.reason
    assert np.all(np.isfinite(bad.positions))  # a non-finite position is never recorded
    assert len(bad.positions) <= bad.stopped_at + 1
    assert good.status == "ok" and good.stopped_at is None and good.steps == 50
    assert "diverged at step" in result.summary()


def test_non_finite_updates_are_caught_without_warnings():
    # lr=inf makes the first update inf - inf = nan on purpose.
    with np.errstate(all="raise"):
        result = race("quadratic", ["sgd:lr=1e308", "momentum:lr=1e308"], steps=20)
    for t in result:
        assert t.diverged and t.stopped_at is not None


def test_arithmetic_error_inside_step_marks_divergence():
    class Exploding(optim.SGD):
        def step(self, closure=None):
            raise FloatingPointError("overflow in the update")

    result = race("saddle", [lambda ps: Exploding(ps, lr=0.1), "sgd"], steps=3)
    assert result[0].diverged and "FloatingPointError" in result[0].reason
    assert result[0].stopped_at == 1 and result[0].steps == 0
    assert result[1].status == "ok"


def test_running_off_an_unbounded_surface_is_an_escape_not_a_divergence():
    result = race("saddle", ["momentum:lr=0.05"], steps=400, blowup=10)
    (t,) = result
    assert t.status == "escaped" and not t.diverged and t.stopped_at < 400
    assert t.losses[-1] < -100


def test_flying_off_uphill_on_a_saddle_is_a_divergence():
    """SGD with lr=10 on x^2 - y^2 overshoots the bounded x direction: x -> -19x each step."""
    (t,) = race("saddle", ["sgd:lr=10"], steps=50)
    assert t.status == "diverged" and t.diverged and t.stopped_at == 2
    assert t.positions[-1][0] == pytest.approx(-361.0) and t.losses[-1] > 1e5


def test_entries_of_every_kind():
    mine = mg.tensor([0.0, 0.0], dtype=mg.float64, requires_grad=True)
    instance = optim.Adam([mine], lr=0.05)
    result = race("beale", {
        "named": "adam:lr=0.05",
        "pair": ("adam", {"lr": 0.05}),
        "class": optim.Adam,  # plain registry entry for the class: the surface's tuned lr
        "factory": lambda ps: optim.Adam(ps, lr=0.05),
        "instance": instance,
    }, steps=4)
    assert [t.label for t in result] == ["named", "pair", "class", "factory", "instance"]
    expected = result["named"].positions
    for label in ("pair", "class", "factory", "instance"):
        np.testing.assert_allclose(result[label].positions, expected, rtol=0, atol=0)
    # The instance raced with its own parameter, moved in place from the start point.
    np.testing.assert_array_equal(mine.detach().numpy(), expected[-1])


def test_instance_over_two_scalars():
    x = mg.tensor([1.0], dtype=mg.float64, requires_grad=True)
    y = mg.tensor([1.5], dtype=mg.float64, requires_grad=True)
    a = race("beale", [optim.SGD([x, y], lr=0.01)], steps=3)[0]
    b = race("beale", ["sgd:lr=0.01"], steps=3, start=(1.0, 1.5))[0]
    np.testing.assert_allclose(a.positions, b.positions, rtol=1e-15)


def test_labels_show_the_callers_hyperparameters():
    result = race("saddle", ["sgd", "sgd:lr=0.1", ("adam", {"lr": 0.2})], steps=1)
    assert [t.label for t in result] == ["SGD", "SGD (lr=0.1)", "Adam (lr=0.2)"]
    assert result["SGD (lr=0.1)"] is result[1]
    with pytest.raises(KeyError, match="SGD"):
        result["nobody"]


class HalvingNewton(optim.SGD):
    """A closure-driven optimizer that evaluates the loss three times per step (as a line search
    does): stands in for L-BFGS in tests that must not depend on it."""

    def step(self, closure):
        losses = [float(closure()) for _ in range(3)]
        assert losses[0] == losses[1] == losses[2]
        return super().step()


def test_closure_based_step_is_supported_and_counted():
    result = race("quadratic", [lambda ps: HalvingNewton(ps, lr=0.01)], steps=4)
    assert result[0].evaluations == 12 and result[0].status == "ok"


def test_second_order_entries_follow_the_classes_that_exist(monkeypatch):
    names = set(registry.available_optimizers())
    assert {"sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam"} <= names
    for entry in registry._ALL:
        assert (entry.name in names) == (entry.cls is not None)
    # A class that is not there is not listed, and asking for it says so.
    monkeypatch.setattr(registry.OptimizerEntry, "cls", property(
        lambda self: None if self.name == "lbfgs" else optim.SGD))
    assert "lbfgs" not in registry.available_optimizers()
    with pytest.raises(ValueError, match="no LBFGS"):
        race("saddle", ["lbfgs"], steps=1)


@pytest.mark.parametrize("name", ["lbfgs", "newton", "newton-cg"])
def test_second_order_optimizers_race_when_present(name):
    if name not in registry.available_optimizers():
        pytest.skip(f"minigrad.optim has no class for {name} yet")
    t = race("rosenbrock", [name], steps=60)[0]
    assert t.status == "ok"
    assert np.hypot(*(t.positions[-1] - 1.0)) < 1e-3  # curvature gets there fast
    assert t.evaluations >= 60


def test_bad_entries_raise_clear_errors():
    with pytest.raises(ValueError) as e:
        race("saddle", ["sgd", "adamm"])
    for name in ("adamm", "sgd", "momentum", "adam"):
        assert name in str(e.value)
    with pytest.raises(ValueError, match="no hyperparameter 'lrr'.*lr"):
        race("saddle", ["adam:lrr=0.1"])
    with pytest.raises(ValueError, match="momentum fixes momentum"):
        race("saddle", ["momentum:momentum=0.5"])
    with pytest.raises(ValueError, match="learning rate"):
        race("saddle", ["adam:lr=-1"])
    with pytest.raises(ValueError, match="KEY=VALUE"):
        race("saddle", ["adam:0.1"])
    with pytest.raises(ValueError, match="bad value"):
        race("saddle", ["adam:lr=fast"])
    with pytest.raises(TypeError, match="optimizer entry"):
        race("saddle", [42])
    with pytest.raises(ValueError, match="at least one"):
        race("saddle", [])


def test_bad_steps_and_start():
    with pytest.raises(ValueError, match="steps"):
        race("saddle", "sgd", steps=-1)
    with pytest.raises(ValueError, match="steps"):
        race("saddle", "sgd", steps=2.5)
    with pytest.raises(ValueError, match="start"):
        race("saddle", "sgd", start=(1.0,))
    with pytest.raises(ValueError, match="start"):
        race("saddle", "sgd", start=(np.nan, 0.0))
    with pytest.raises(ValueError, match="two 1-element tensors"):
        race("saddle", optim.SGD([mg.tensor([1.0, 2.0, 3.0], requires_grad=True)], lr=0.1))


def test_optimizers_may_be_any_iterable_or_a_single_entry():
    assert [t.label for t in race("saddle", (n for n in ["sgd", "adam"]), steps=1)] == [
        "SGD", "Adam"]
    p = mg.tensor([0.0, 0.0], dtype=mg.float64, requires_grad=True)
    assert len(race("saddle", optim.SGD([p], lr=0.1), steps=1)) == 1
    assert len(race("saddle", ("adam", {"lr": 0.1}), steps=1)) == 1


def test_zero_steps_records_the_start_only():
    t = race("beale", "adam", steps=0)[0]
    assert t.positions.shape == (1, 2) and t.status == "ok"


def test_custom_surface():
    bowl = LossSurface(name="bowl", title="bowl", fn=lambda x, y: x**2 + 4 * y**2,
                       xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.0), minima=((0.0, 0.0),),
                       min_value=0.0, lr={"sgd": {"lr": 0.1}})
    t = race(bowl, "sgd", steps=50)[0]
    assert t.hyperparameters["lr"] == 0.1 and t.losses[-1] < 1e-6


def test_parse_spec_and_split_lineup():
    assert parse_spec("adam") == ("adam", {})
    assert parse_spec("Adam:lr=0.1:amsgrad=true") == ("adam", {"lr": 0.1, "amsgrad": True})
    assert parse_spec("adam:betas=(0.9,0.99)") == ("adam", {"betas": (0.9, 0.99)})
    assert split_lineup("sgd, adam:betas=(0.9,0.99),rmsprop,") == [
        "sgd", "adam:betas=(0.9,0.99)", "rmsprop"]
