"""Schedulers against their closed forms, and (optionally) against torch.optim.lr_scheduler."""
import math
from bisect import bisect_right

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim import lr_scheduler as S

EPOCHS = 40


def _opt(lr=0.1, cls=optim.SGD, **kw):
    p = minigrad.tensor(np.zeros(2), requires_grad=True)
    return cls([p], lr=lr, **kw)


def _trace(sched, n=EPOCHS):
    lrs = [sched.get_last_lr()[0]]
    for _ in range(n - 1):
        sched.optimizer.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs[-1] == sched.optimizer.param_groups[0]["lr"]
    return np.array(lrs)


CLOSED_FORMS = [
    ("step", lambda o: S.StepLR(o, step_size=7, gamma=0.5),
     lambda t: 0.1 * 0.5 ** (t // 7)),
    ("multistep", lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
     lambda t: 0.1 * 0.3 ** bisect_right([5, 12, 12, 30], t)),
    ("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), lambda t: 0.1 * 0.9 ** t),
    ("cosine", lambda o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.01),
     lambda t: 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * t / 15)) / 2),
    ("lambda", lambda o: S.LambdaLR(o, lambda e: 1.0 / (1 + e)), lambda t: 0.1 / (1 + t)),
    ("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=10),
     lambda t: 0.1 * (0.25 + 0.5 * min(t, 10) / 10)),
]


@pytest.mark.parametrize("name,make,closed", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_closed_form(name, make, closed):
    lrs = _trace(make(_opt()))
    expected = np.array([closed(t) for t in range(EPOCHS)])
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)


def _one_cycle_closed(t, total, max_lr, pct=0.3, div=25.0, final_div=1e4):
    initial = max_lr / div
    low = initial / final_div
    up_end = pct * total - 1
    if t <= up_end:
        frac = t / up_end
        return initial + (max_lr - initial) * (1 - math.cos(math.pi * frac)) / 2
    frac = (t - up_end) / (total - 1 - up_end)
    return low + (max_lr - low) * (1 + math.cos(math.pi * frac)) / 2


def test_one_cycle_closed_form_and_momentum():
    opt = _opt(cls=optim.SGD, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=50)
    lrs, moms = [opt.param_groups[0]["lr"]], [opt.param_groups[0]["momentum"]]
    for _ in range(49):
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
    expected = [_one_cycle_closed(t, 50, 1.0) for t in range(50)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert moms[0] == pytest.approx(0.95) and min(moms) == pytest.approx(0.85)
    assert int(np.argmax(lrs)) == int(np.argmin(moms)) == 14
    with pytest.raises(ValueError, match="Tried to step"):
        sched.step()
        sched.step()


def test_one_cycle_cycles_adam_beta1():
    opt = _opt(cls=optim.Adam, betas=(0.9, 0.999))
    S.OneCycleLR(opt, max_lr=0.01, epochs=2, steps_per_epoch=5)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)


def test_reduce_on_plateau():
    opt = _opt(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1, min_lr=0.2)
    lrs = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3]:
        sched.step(metric)
        lrs.append(opt.param_groups[0]["lr"])
    # 3 bad epochs (> patience) halve the lr; the next epoch is cooldown (not counted); the
    # improvement to 3 at index 10 resets the count; the floor min_lr=0.2 clips 0.125.
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.2,
                   0.2, 0.2, 0.2]


def test_scheduler_state_dict_resume():
    opt = _opt()
    sched = S.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    sd = sched.state_dict()
    opt2 = _opt()
    opt2.param_groups[0]["initial_lr"] = 0.1
    sched2 = S.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(sd)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    sched.step()
    sched2.step()
    assert sched.get_last_lr() == sched2.get_last_lr()


@pytest.mark.parametrize("make,match", [
    (lambda o: S.StepLR(o, step_size=0), "step_size"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), "T_max"),
    (lambda o: S.LinearLR(o, start_factor=0), "start_factor"),
    (lambda o: S.LinearLR(o, end_factor=2), "end_factor"),
    (lambda o: S.LambdaLR(o, [lambda e: 1, lambda e: 1]), "lr_lambdas"),
    (lambda o: S.OneCycleLR(o, max_lr=1), "total_steps"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, pct_start=2), "pct_start"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, anneal_strategy="x"),
     "anneal_strategy"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10), "momentum"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), "Factor"),
    (lambda o: S.ReduceLROnPlateau(o, mode="up"), "mode"),
    (lambda o: S.StepLR(o, step_size=3, last_epoch=5), "initial_lr"),
])
def test_scheduler_validation(make, match):
    with pytest.raises((ValueError, KeyError), match=match):
        make(_opt(cls=optim.Adagrad))


# ---- optional: identical learning rates to torch's schedulers ----------------------------------
TORCH_CASES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[5, 12, 12, 30], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=15, eta_min=0.01)),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=10)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=EPOCHS, three_phase=True)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=EPOCHS, anneal_strategy="linear")),
]


@pytest.mark.parametrize("name,kw", TORCH_CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                      enumerate(TORCH_CASES)])
def test_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    tp = torch.zeros(2, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    opt = _opt(momentum=0.9)
    sched = getattr(S, name)(opt, **kw)
    for _ in range(EPOCHS - 1):
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-14)
        assert opt.param_groups[0]["momentum"] == pytest.approx(
            topt.param_groups[0]["momentum"], rel=1e-14)
        topt.step()
        tsched.step()
        sched.step()


def test_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    topt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=1.0)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, patience=3, cooldown=2,
                                                        threshold=0.05, threshold_mode="abs")
    opt = _opt(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, patience=3, cooldown=2, threshold=0.05,
                                threshold_mode="abs")
    rng = np.random.default_rng(0)
    metric = 10.0
    for _ in range(60):
        metric = metric - rng.uniform(-0.05, 0.2)
        tsched.step(metric)
        sched.step(metric)
        assert opt.param_groups[0]["lr"] == topt.param_groups[0]["lr"]
