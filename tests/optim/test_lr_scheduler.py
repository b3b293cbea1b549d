"""Schedulers against closed forms written out here (independent of the code under test).

The comparisons with torch.optim.lr_scheduler are in test_torch_match.py.
"""
import io
import math
import warnings
from bisect import bisect_right

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim import lr_scheduler as S

EPOCHS = 40
LRS = (0.1, 0.02)  # two param groups with different learning rates


def _opt(lr=0.1, cls=optim.SGD, lrs=None, **kw):
    """An optimizer with one group (``lr``) or one group per entry of ``lrs``."""
    if lrs is None:
        return cls([minigrad.tensor(np.zeros(2), requires_grad=True)], lr=lr, **kw)
    groups = [{"params": [minigrad.tensor(np.zeros(2), requires_grad=True)], "lr": g_lr}
              for g_lr in lrs]
    return cls(groups, lr=lr, **kw)


def _lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def _trace(sched, n=EPOCHS):
    """Learning rates of every group at epochs 0 .. n-1 (shape (n, groups))."""
    rows = [list(sched.get_last_lr())]
    for _ in range(n - 1):
        sched.optimizer.step()
        sched.step()
        rows.append(list(sched.get_last_lr()))
        assert rows[-1] == _lrs(sched.optimizer)
    return np.array(rows)


def _cos(t, base, T, eta):
    return eta + (base - eta) * (1 + math.cos(math.pi * t / T)) / 2


def _linear_factor(t, s, e, n):
    return s + (e - s) * min(t, n) / n


# (name, scheduler, closed form lr(t, base_lr))
CLOSED_FORMS = [
    ("step", lambda o: S.StepLR(o, step_size=7, gamma=0.5),
     lambda t, b: b * 0.5 ** (t // 7)),
    ("multistep", lambda o: S.MultiStepLR(o, milestones=[30, 12, 5, 12], gamma=0.3),
     lambda t, b: b * 0.3 ** bisect_right([5, 12, 12, 30], t)),
    ("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), lambda t, b: b * 0.9 ** t),
    ("cosine", lambda o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.001),
     lambda t, b: _cos(t, b, 15, 0.001)),
    ("cosine-T1", lambda o: S.CosineAnnealingLR(o, T_max=1), lambda t, b: _cos(t, b, 1, 0.0)),
    ("lambda", lambda o: S.LambdaLR(o, lambda e: 1.0 / (1 + e)), lambda t, b: b / (1 + t)),
    ("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=10),
     lambda t, b: b * _linear_factor(t, 0.25, 0.75, 10)),
    ("linear-down", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=8),
     lambda t, b: b * _linear_factor(t, 1.0, 0.0, 8)),
    ("linear-0-iters", lambda o: S.LinearLR(o, start_factor=0.5, total_iters=0),
     lambda t, b: b * 0.5),
]


@pytest.mark.parametrize("name,make,closed", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_closed_form(name, make, closed):
    lrs = _trace(make(_opt()))[:, 0]
    expected = np.array([closed(t, 0.1) for t in range(EPOCHS)])
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,make,closed", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_closed_form_several_groups(name, make, closed):
    lrs = _trace(make(_opt(lrs=LRS)))
    expected = np.array([[closed(t, b) for b in LRS] for t in range(EPOCHS)])
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)


# ---- get_last_lr / get_lr ----------------------------------------------------------------------
def test_get_last_lr_is_what_the_optimizer_holds():
    opt = _opt(lrs=LRS)
    sched = S.LinearLR(opt, start_factor=0.5, total_iters=4)
    assert sched.get_last_lr() == [0.05, 0.01] == _lrs(opt)
    opt.step()
    sched.step()
    assert sched.get_last_lr() == pytest.approx([0.1 * 0.625, 0.02 * 0.625], rel=1e-15)
    assert sched.get_last_lr() == _lrs(opt)


def test_get_lr_outside_step_warns():
    sched = S.ExponentialLR(_opt(), gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    sched.optimizer.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()  # no warning from the call inside step()


def test_scheduler_step_before_optimizer_step_warns_once():
    opt = _opt()
    sched = S.StepLR(opt, step_size=1, gamma=0.5)
    with pytest.warns(UserWarning, match="before optimizer.step"):
        sched.step()
    assert sched.get_last_lr() == [0.05]  # the schedule still advances, as in PyTorch
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD([p], lr=0.1),
    lambda p: optim.Adam([p], lr=0.1),
    lambda p: optim.LBFGS([p], lr=0.1),
])
def test_no_warning_when_the_optimizer_stepped_first(make):
    p = minigrad.tensor(np.ones(2), requires_grad=True)
    opt = make(p)
    sched = S.ExponentialLR(opt, gamma=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


# ---- chained schedulers ------------------------------------------------------------------------
def test_chained_step_and_exponential():
    opt = _opt(lrs=LRS)
    first = S.StepLR(opt, step_size=3, gamma=0.5)
    second = S.ExponentialLR(opt, gamma=0.9)
    firsts, seconds = [first.get_last_lr()], [second.get_last_lr()]
    for _ in range(29):
        opt.step()
        first.step()
        second.step()
        firsts.append(first.get_last_lr())
        seconds.append(second.get_last_lr())
    for t in range(30):
        for k, b in enumerate(LRS):
            # each get_last_lr() is the lr right after that scheduler's own update
            assert seconds[t][k] == pytest.approx(b * 0.5 ** (t // 3) * 0.9 ** t, rel=1e-13)
            assert firsts[t][k] == pytest.approx(b * 0.5 ** (t // 3) * 0.9 ** max(t - 1, 0),
                                                 rel=1e-13)


def test_chained_linear_warmup_and_exponential():
    opt = _opt(lrs=LRS)
    scheds = [S.LinearLR(opt, start_factor=0.2, total_iters=5), S.ExponentialLR(opt, gamma=0.95)]
    for t in range(30):
        assert _lrs(opt) == pytest.approx(
            [b * _linear_factor(t, 0.2, 1.0, 5) * 0.95 ** t for b in LRS], rel=1e-13)
        opt.step()
        for s in scheds:
            s.step()


def test_chained_cosine_and_multistep():
    opt = _opt(lrs=LRS)
    scheds = [S.CosineAnnealingLR(opt, T_max=30), S.MultiStepLR(opt, milestones=[4, 9], gamma=0.5)]
    for t in range(30):  # before the trough, eta_min=0: the two factors multiply
        assert _lrs(opt) == pytest.approx(
            [_cos(t, b, 30, 0.0) * 0.5 ** bisect_right([4, 9], t) for b in LRS], rel=1e-12)
        opt.step()
        for s in scheds:
            s.step()


# ---- constructed by hand with last_epoch=k -----------------------------------------------------
CURRENT, INITIAL = (0.05, 0.3), (0.2, 0.4)


def _resumable_opt():
    """Two groups whose current lr differs from their 'initial_lr' (as after some epochs)."""
    opt = _opt(lrs=CURRENT, momentum=0.9)
    for g, init in zip(opt.param_groups, INITIAL):
        g["initial_lr"] = init
    return opt


def _hand_expectations(k):
    """{name: (factory(opt, **kw), lr at step j after construction for a group with current lr
    c and initial_lr b)}. After construction ``last_epoch == k + 1``; j counts later steps."""
    def decays(j, s):  # multiples of s in k+1 .. k+1+j
        return (k + 1 + j) // s - k // s

    return {
        "step": (lambda o, **kw: S.StepLR(o, step_size=3, gamma=0.5, **kw),
                 lambda j, c, b: c * 0.5 ** decays(j, 3)),
        "multistep": (lambda o, **kw: S.MultiStepLR(o, milestones=[2, 4, 4, 9], gamma=0.5, **kw),
                      lambda j, c, b: c * 0.5 ** sum(k < m <= k + 1 + j for m in [2, 4, 4, 9])),
        # the initial step leaves the lr unchanged, later steps multiply by gamma
        "exponential": (lambda o, **kw: S.ExponentialLR(o, gamma=0.9, **kw),
                        lambda j, c, b: c * 0.9 ** j),
        # unchanged, then the chainable cosine ratio relative to epoch k + 1 (before the trough)
        "cosine": (lambda o, **kw: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001, **kw),
                   lambda j, c, b: 0.001 + (c - 0.001) * (1 + math.cos(math.pi * (k + 1 + j) / 20))
                   / (1 + math.cos(math.pi * (k + 1) / 20))),
        # closed form from base_lrs = the groups' 'initial_lr'
        "lambda": (lambda o, **kw: S.LambdaLR(o, lambda e: 1.0 / (1 + e), **kw),
                   lambda j, c, b: b / (2 + k + j)),
        # unchanged, then the linear factor's ratio relative to epoch k + 1
        "linear": (lambda o, **kw: S.LinearLR(o, start_factor=0.25, total_iters=12, **kw),
                   lambda j, c, b: c * _linear_factor(k + 1 + j, 0.25, 1.0, 12)
                   / _linear_factor(k + 1, 0.25, 1.0, 12)),
    }


HAND = ["step", "multistep", "exponential", "cosine", "lambda", "linear"]


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("name", HAND)
def test_constructed_with_last_epoch(name, k):
    make, expected = _hand_expectations(k)[name]
    sched = make(_resumable_opt(), last_epoch=k)
    assert sched.last_epoch == k + 1 and sched.base_lrs == list(INITIAL)
    n = 16 - k  # stays before the cosine trough
    want = [[expected(j, c, b) for c, b in zip(CURRENT, INITIAL)] for j in range(n)]
    np.testing.assert_allclose(_trace(sched, n), want, rtol=1e-12)


def test_one_cycle_constructed_with_last_epoch():
    opt = _opt(lrs=(0.7, 0.7), momentum=0.5)
    for g, m in zip(opt.param_groups, (1.0, 0.4)):
        g.update(initial_lr=m / 25, max_lr=m, min_lr=m / 25 / 1e4, max_momentum=0.95,
                 base_momentum=0.85)
    sched = S.OneCycleLR(opt, max_lr=123.0, total_steps=30, last_epoch=6)  # max_lr: from groups
    for t in range(7, 30):
        for g, m in zip(opt.param_groups, (1.0, 0.4)):
            lr, mom = _one_cycle_closed(t, 30, m)
            assert g["lr"] == pytest.approx(lr, rel=1e-12)
            assert g["momentum"] == pytest.approx(mom, rel=1e-12)
        opt.step()
        sched.step()


@pytest.mark.parametrize("name", HAND + ["onecycle"])
def test_last_epoch_without_initial_lr_raises(name):
    opt = _opt(lrs=LRS, momentum=0.9)
    opt.param_groups[0]["initial_lr"] = 0.1  # group 1 lacks it
    make = (lambda o, **kw: S.OneCycleLR(o, max_lr=1.0, total_steps=10, **kw)) \
        if name == "onecycle" else _hand_expectations(3)[name][0]
    with pytest.raises(KeyError, match=r"'initial_lr'.*param_groups\[1\].*last_epoch"):
        make(opt, last_epoch=3)
    with pytest.raises(ValueError, match="initial_lr"):  # the same error is also a ValueError
        make(opt, last_epoch=3)
    assert _lrs(opt) == list(LRS)


# ---- state_dict round trip ---------------------------------------------------------------------
def _round_trip(sched, via_save):
    sd = sched.state_dict()
    if via_save:  # through a minigrad checkpoint
        buf = io.BytesIO()
        minigrad.save({"sched": sd, "opt": sched.optimizer.state_dict()}, buf)
        buf.seek(0)
        back = minigrad.load(buf)
        return back["sched"], back["opt"]
    return sd, sched.optimizer.state_dict()


ROUND_TRIP = CLOSED_FORMS + [
    ("onecycle", lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.2], total_steps=EPOCHS),
     lambda t, b: _one_cycle_closed(t, EPOCHS, 1.0 if b == LRS[0] else 0.2)[0]),
    ("onecycle-3-linear", lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.2], total_steps=EPOCHS,
                                                 three_phase=True, anneal_strategy="linear"),
     lambda t, b: _one_cycle_closed(t, EPOCHS, 1.0 if b == LRS[0] else 0.2, three_phase=True,
                                    strategy="linear")[0]),
]


@pytest.mark.parametrize("via_save", [False, True], ids=["dict", "minigrad.save"])
@pytest.mark.parametrize("stop", [1, 9, 23])
@pytest.mark.parametrize("name,make,closed", ROUND_TRIP, ids=[c[0] for c in ROUND_TRIP])
def test_state_dict_round_trip_mid_schedule(name, make, closed, stop, via_save):
    opt = _opt(lrs=LRS, momentum=0.9)
    sched = make(opt)
    for _ in range(stop):
        opt.step()
        sched.step()
    sched_sd, opt_sd = _round_trip(sched, via_save)
    # resume as in PyTorch: build both as for a fresh run, then load the optimizer, then the
    # scheduler
    opt = _opt(lrs=(0.5, 0.5), momentum=0.3)
    sched = make(opt)
    opt.load_state_dict(opt_sd)
    sched.load_state_dict(sched_sd)
    assert sched.get_last_lr() == pytest.approx([closed(stop, b) for b in LRS], rel=1e-12)
    lrs = _trace(sched, EPOCHS - stop)
    want = [[closed(t, b) for b in LRS] for t in range(stop, EPOCHS)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12, atol=1e-15)


class _Halving:
    """A callable object whose state LambdaLR's state_dict keeps."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


def test_lambda_state_dict_keeps_callable_objects_state():
    sched = S.LambdaLR(_opt(lrs=LRS), [_Halving(0.5), lambda e: 1.0 + e])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}, None]
    fresh = _Halving(0.9)
    other = S.LambdaLR(_opt(lrs=LRS), [fresh, lambda e: 2.0])
    other.load_state_dict(sd)
    assert fresh.rate == 0.5 and sd["lr_lambdas"] == [{"rate": 0.5}, None]


def test_multistep_milestones_survive_minigrad_save():
    opt = _opt(lrs=LRS)
    sched = S.MultiStepLR(opt, milestones=[3, 3, 5])
    sd, _ = _round_trip(sched, via_save=True)
    other = S.MultiStepLR(_opt(lrs=LRS), milestones=[1])
    other.load_state_dict(sd)
    assert other.milestones == {3: 2, 5: 1} and other.milestones[4] == 0


# ---- OneCycleLR --------------------------------------------------------------------------------
def _anneal(start, end, f, strategy):
    if strategy == "cos":
        return end + (start - end) * (1 + math.cos(math.pi * f)) / 2
    return start + (end - start) * f


def _one_cycle_closed(t, total, max_lr, pct=0.3, div=25.0, final_div=1e4, three_phase=False,
                      strategy="cos", max_m=0.95, base_m=0.85):
    """(lr, momentum) at step t, from the policy's definition."""
    initial = max_lr / div
    low = initial / final_div
    up = pct * total - 1  # last step of the warm-up
    if t <= up:
        f = t / up
        return _anneal(initial, max_lr, f, strategy), _anneal(max_m, base_m, f, strategy)
    if not three_phase:
        f = (t - up) / (total - 1 - up)
        return _anneal(max_lr, low, f, strategy), _anneal(base_m, max_m, f, strategy)
    down = 2 * pct * total - 2  # back at the initial lr
    if t <= down:
        f = (t - up) / (down - up)
        return _anneal(max_lr, initial, f, strategy), _anneal(base_m, max_m, f, strategy)
    f = (t - down) / (total - 1 - down)
    return _anneal(initial, low, f, strategy), max_m


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_closed_form_and_momentum(strategy, three_phase):
    opt = _opt(lrs=LRS, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=[1.0, 0.3], total_steps=50, anneal_strategy=strategy,
                         three_phase=three_phase, base_momentum=[0.85, 0.8],
                         max_momentum=[0.95, 0.9])
    for t in range(51):  # step total_steps (one past the schedule) is allowed, as in PyTorch
        for g, m, lo, hi in zip(opt.param_groups, (1.0, 0.3), (0.85, 0.8), (0.95, 0.9)):
            lr, mom = _one_cycle_closed(t, 50, m, three_phase=three_phase, strategy=strategy,
                                        max_m=hi, base_m=lo)
            assert g["lr"] == pytest.approx(lr, rel=1e-12)
            assert g["momentum"] == pytest.approx(mom, rel=1e-12)
        if t < 50:
            opt.step()
            sched.step()
    with pytest.raises(ValueError, match="Tried to step 51 times.*total steps is 50"):
        sched.step()


def test_one_cycle_landmarks():
    opt = _opt(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=50)
    lrs, moms = [], []
    for _ in range(50):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1.0 / 25) and lrs[14] == pytest.approx(1.0)
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    assert moms[0] == pytest.approx(0.95) and moms[14] == pytest.approx(0.85)
    assert int(np.argmax(lrs)) == int(np.argmin(moms)) == 14


@pytest.mark.parametrize("cls,kw", [(optim.Adam, dict(betas=(0.9, 0.99))),
                                    (optim.AdamW, {}), (optim.NAdam, {})])
def test_one_cycle_cycles_beta1_only(cls, kw):
    opt = _opt(cls=cls, lrs=LRS, **kw)
    beta2 = opt.param_groups[0]["betas"][1]
    sched = S.OneCycleLR(opt, max_lr=0.01, epochs=2, steps_per_epoch=5)
    for t in range(10):
        _, mom = _one_cycle_closed(t, 10, 0.01)
        for g in opt.param_groups:
            assert g["betas"][0] == pytest.approx(mom, rel=1e-12) and g["betas"][1] == beta2
        opt.step()
        sched.step()


def test_one_cycle_rmsprop_momentum_and_no_cycle():
    opt = _opt(cls=optim.RMSprop, momentum=0.5)
    S.OneCycleLR(opt, max_lr=0.01, total_steps=10)
    assert opt.param_groups[0]["momentum"] == 0.95
    opt = _opt(cls=optim.Adagrad)  # no momentum: fine without cycle_momentum
    sched = S.OneCycleLR(opt, max_lr=0.01, total_steps=10, cycle_momentum=False)
    for t in range(10):
        assert opt.param_groups[0]["lr"] == pytest.approx(_one_cycle_closed(t, 10, 0.01)[0])
        opt.step()
        sched.step()
    opt = _opt(momentum=0.3)
    S.OneCycleLR(opt, max_lr=0.01, total_steps=10, cycle_momentum=False)
    assert opt.param_groups[0]["momentum"] == 0.3 and "max_momentum" not in opt.param_groups[0]


def test_one_cycle_no_warmup_and_epochs():
    opt = _opt(momentum=0.9)
    S.OneCycleLR(opt, max_lr=1.0, total_steps=20, pct_start=0.0)
    # warm-up ends at step -1: step 0 is 1/20 into the annealing
    assert opt.param_groups[0]["lr"] == pytest.approx(_anneal(1.0, 1e-4 / 25, 1 / 20, "cos"))
    a, b = _opt(momentum=0.9), _opt(momentum=0.9)
    sa = S.OneCycleLR(a, max_lr=1.0, epochs=4, steps_per_epoch=5)
    sb = S.OneCycleLR(b, max_lr=1.0, total_steps=20)
    assert sa.total_steps == 20 and _trace(sa, 20).tolist() == _trace(sb, 20).tolist()


# ---- ReduceLROnPlateau -------------------------------------------------------------------------
def _plateau_run(metrics, lrs=(1.0,), **kw):
    opt = _opt(lrs=lrs)
    sched = S.ReduceLROnPlateau(opt, **kw)
    out = []
    for m in metrics:
        sched.step(m)
        assert sched.get_last_lr() == _lrs(opt)
        out.append(_lrs(opt) if len(lrs) > 1 else opt.param_groups[0]["lr"])
    return out


def test_reduce_on_plateau_patience_cooldown_min_lr():
    lrs = _plateau_run([5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3],
                       patience=2, factor=0.5, cooldown=1, min_lr=0.2)
    # 3 bad epochs (> patience) halve the lr; the next epoch is cooldown (not counted); the
    # improvement to 3 at index 10 resets the count; the floor min_lr=0.2 clips 0.125.
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.2,
                   0.2, 0.2, 0.2]


def test_reduce_on_plateau_patience_zero_and_cooldown_longer():
    assert _plateau_run([1, 2, 2, 0.5, 2], patience=0, factor=0.5) == [1, 0.5, 0.25, 0.25, 0.125]
    # cooldown 3: after a reduction three epochs do not count, then patience 0 acts again
    lrs = _plateau_run([1, 2, 2, 2, 2, 2, 2], patience=0, cooldown=3, factor=0.5)
    assert lrs == [1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_reduce_on_plateau_max_mode():
    lrs = _plateau_run([1, 2, 3, 3, 3, 2.5, 4, 4, 4], mode="max", patience=1, factor=0.5)
    assert lrs == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]


@pytest.mark.parametrize("mode,threshold_mode,best,equal,better", [
    ("min", "rel", 10.0, 10.0 * (1 - 0.1), 8.99),   # better: < best * (1 - threshold)
    ("min", "abs", 10.0, 10.0 - 0.1, 9.89),         # better: < best - threshold
    ("max", "rel", 10.0, 10.0 * (1 + 0.1), 11.01),  # better: > best * (1 + threshold)
    ("max", "abs", 10.0, 10.0 + 0.1, 10.11),        # better: > best + threshold
])
def test_reduce_on_plateau_threshold_modes(mode, threshold_mode, best, equal, better):
    kw = dict(mode=mode, threshold=0.1, threshold_mode=threshold_mode, patience=0, factor=0.5)
    # exactly at the threshold is not an improvement: the lr halves
    assert _plateau_run([best, equal], **kw) == [1.0, 0.5]
    assert _plateau_run([best, better], **kw) == [1.0, 1.0]


def test_reduce_on_plateau_rel_threshold_with_negative_metric():
    # 'rel' scales best: for best = -10 in min mode an improvement must be < -9 * ... = -9.0
    kw = dict(threshold=0.1, patience=0, factor=0.5)
    assert _plateau_run([-10.0, -9.5], **kw) == [1.0, 1.0]   # -9.5 < -10 * 0.9 = -9: better
    assert _plateau_run([-10.0, -8.5], **kw) == [1.0, 0.5]


def test_reduce_on_plateau_min_lr_per_group_and_eps():
    lrs = _plateau_run([1, 1, 1, 1], lrs=(1.0, 0.1), patience=0, factor=0.5, min_lr=[0.3, 0.04])
    assert lrs == [[1.0, 0.1], [0.5, 0.05], [0.3, 0.04], [0.3, 0.04]]
    # a reduction by no more than eps is skipped (here per group: 0.05 -> 0.025 is, 1 -> 0.5 not)
    lrs = _plateau_run([1, 1, 1], lrs=(1.0, 0.05), patience=0, factor=0.5, eps=0.03)
    assert lrs == [[1.0, 0.05], [0.5, 0.05], [0.25, 0.05]]


def test_reduce_on_plateau_metric_types():
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, patience=0)
    for metric in [np.float64(3.0), np.float32(2.0), minigrad.tensor(np.array(1.0)),
                   np.array(0.5), 0.25]:
        sched.step(metric)
    assert sched.best == 0.25 and opt.param_groups[0]["lr"] == 0.1


def test_reduce_on_plateau_added_param_group():
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, patience=0, factor=0.5, min_lr=0.2)
    opt.add_param_group({"params": [minigrad.tensor(np.zeros(1), requires_grad=True)],
                         "lr": 0.3})
    sched.step(1.0)
    sched.step(1.0)  # a scalar min_lr applies to the new group too (0.3 -> 0.2); a min_lr
    # above the current lr never raises it (0.1 stays)
    assert _lrs(opt) == [0.1, 0.2] and sched.min_lrs == [0.2, 0.2]
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, patience=0, min_lr=[0.01])
    opt.add_param_group({"params": [minigrad.tensor(np.zeros(1), requires_grad=True)]})
    sched.step(1.0)
    with pytest.raises(RuntimeError, match="min_lrs"):
        sched.step(1.0)


def test_reduce_on_plateau_state_dict_round_trip():
    metrics = [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3]
    kw = dict(patience=2, factor=0.5, cooldown=1, min_lr=0.2)
    reference = _plateau_run(metrics, **kw)
    for stop in range(1, len(metrics)):
        opt = _opt(lr=1.0)
        sched = S.ReduceLROnPlateau(opt, **kw)
        for m in metrics[:stop]:
            sched.step(m)
        sched_sd, opt_sd = _round_trip(sched, via_save=True)
        opt = _opt(lr=1.0)
        sched = S.ReduceLROnPlateau(opt, **kw)
        opt.load_state_dict(opt_sd)
        sched.load_state_dict(sched_sd)
        lrs = []
        for m in metrics[stop:]:
            sched.step(m)
            lrs.append(opt.param_groups[0]["lr"])
        assert lrs == reference[stop:], stop


def test_reduce_on_plateau_is_an_lr_scheduler():
    sched = S.ReduceLROnPlateau(_opt(lrs=LRS))
    assert isinstance(sched, S.LRScheduler) and sched.get_last_lr() == list(LRS)


# ---- argument validation -----------------------------------------------------------------------
@pytest.mark.parametrize("make,match", [
    (lambda o: S.StepLR(o, step_size=0), r"step_size.*positive integer"),
    (lambda o: S.StepLR(o, step_size=2.5), r"step_size.*positive integer"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), r"T_max.*> 0"),
    (lambda o: S.LinearLR(o, start_factor=0), r"start_factor.*\(0, 1\]"),
    (lambda o: S.LinearLR(o, end_factor=2), r"end_factor.*\[0, 1\]"),
    (lambda o: S.LambdaLR(o, [lambda e: 1, lambda e: 1]), "lr_lambda"),
    (lambda o: S.OneCycleLR(o, max_lr=1), "total_steps OR .epochs AND steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, max_lr=1, epochs=3), "steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=0), "positive integer total_steps"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=7.5), "positive integer total_steps"),
    (lambda o: S.OneCycleLR(o, max_lr=1, epochs=-1, steps_per_epoch=3), "positive integer epochs"),
    (lambda o: S.OneCycleLR(o, max_lr=1, epochs=2, steps_per_epoch=0),
     "positive integer steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, pct_start=2),
     "between 0 and 1 pct_start"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, pct_start=-0.1),
     "between 0 and 1 pct_start"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, pct_start=float("nan")), "pct_start"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, pct_start=0.1),
     r"pct_start \* total_steps must not be 1"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, anneal_strategy="x"),
     "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, div_factor=0), "div_factor > 0"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10, final_div_factor=-1),
     "final_div_factor > 0"),
    (lambda o: S.OneCycleLR(o, max_lr=[1, 2, 3], total_steps=10), "max_lr.*one value per"),
    (lambda o: S.OneCycleLR(o, max_lr=1, total_steps=10), "momentum"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), "[Ff]actor should be < 1.0"),
    (lambda o: S.ReduceLROnPlateau(o, mode="up"), "mode up is unknown.*'min' or 'max'"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="x"), "threshold_mode must be 'rel' or"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), "min_lr.*one value per"),
])
def test_scheduler_validation(make, match):
    opt = _opt(cls=optim.Adagrad)
    with pytest.raises(ValueError, match=match):
        make(opt)
    assert _lrs(opt) == [0.1] and "initial_lr" not in opt.param_groups[0]


def test_integral_values_accepted():
    opt = _opt(momentum=0.9)
    assert S.OneCycleLR(opt, max_lr=1, total_steps=np.int64(10), pct_start=0).total_steps == 10
    assert S.StepLR(_opt(), step_size=3.0).step_size == 3
