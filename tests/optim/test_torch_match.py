"""Optional: every algorithm and option against torch.optim (float64, 50 steps), and every
learning-rate scheduler against torch.optim.lr_scheduler.

Skipped cleanly when torch is not installed. torch's for-loop implementations use the same
formulas but a few different roundings (lerp for the moving averages), so agreement is to
~1e-12 relative rather than bit for bit. The schedulers evaluate the same expressions in the
same order as torch's (plain Python floats), so their learning rates agree bit for bit.
"""
import math

import numpy as np
import pytest

from cases import CASES, MULTI, gradient, initial_arrays, make_params, noise_table, skipped

import minigrad

torch = pytest.importorskip("torch")

STEPS = 50


_TORCH_NAMES = {"sgd": "SGD", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop",
                "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
                "radam": "RAdam", "rprop": "Rprop", "asgd": "ASGD"}
# The cases of algorithms torch.optim has (Lion, schedule-free: test_package_match.py).
TORCH_CASES = [c for c in CASES if c[0].split("-")[0] in _TORCH_NAMES]


def _torch_optimizer(name, params, hyper):
    cls = getattr(torch.optim, _TORCH_NAMES[name.split("-")[0]])
    return cls(params, foreach=False, **hyper)


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_matches_torch(case):
    name, cls, _, hyper = case
    arrays = initial_arrays(MULTI, np.float64)
    noise = noise_table(MULTI, STEPS, np.float64)
    params = make_params(arrays)
    opt = cls(params, **hyper)
    tparams = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    topt = _torch_optimizer(name, tparams, hyper)
    # torch keeps ASGD's eta and mu in tensors of the default dtype (created at the first
    # step): float64 here, so that the update rules are compared rather than float32 scalars
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for t in range(STEPS):
            for k, (p, tp) in enumerate(zip(params, tparams)):
                if skipped(k, t, True):
                    p.grad = None
                    tp.grad = None
                else:
                    p.grad = minigrad.tensor(gradient(k, t, p.detach().numpy(), noise))
                    tp.grad = torch.from_numpy(gradient(k, t, tp.detach().numpy(), noise))
            opt.step()
            topt.step()
    finally:
        torch.set_default_dtype(default)
    # torch keeps NAdam's running product of momentum coefficients in a float32 scalar tensor
    # (minigrad: a Python float), which shows at ~1e-8 relative.
    rtol, atol = (1e-7, 1e-9) if name.startswith("nadam") else (1e-10, 1e-12)
    for k, (p, tp) in enumerate(zip(params, tparams)):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"{name}: param {k}")


# ---- learning-rate schedulers: identical learning rates to torch.optim.lr_scheduler ------------
SCHED_STEPS = 30
SCHED_LRS = (0.1, 0.02)  # two param groups with different learning rates


def _sched_pair(cls="SGD", lrs=SCHED_LRS, **hyper):
    """The same optimizer in torch and minigrad, one group per entry of ``lrs``."""
    if cls == "SGD":
        hyper.setdefault("momentum", 0.9)
    topt = getattr(torch.optim, cls)(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs], **hyper)
    opt = getattr(minigrad.optim, cls)(
        [{"params": [minigrad.tensor(np.zeros(2), requires_grad=True)], "lr": lr}
         for lr in lrs], **hyper)
    return topt, opt


def _sched_state(opt, scheds):
    """Everything a scheduler changes: group lrs, momenta, each scheduler's get_last_lr()."""
    row = [g["lr"] for g in opt.param_groups]
    row += [g["momentum"] for g in opt.param_groups if "momentum" in g]
    row += [g["betas"][0] for g in opt.param_groups if "betas" in g]
    for s in scheds:
        row += list(s.get_last_lr())
    return [float(x) for x in row]


def _assert_same_schedule(build, steps=SCHED_STEPS, cls="SGD", lrs=SCHED_LRS, prepare=None,
                          **hyper):
    """``build(lr_scheduler_module, optimizer)`` gives one scheduler or a list (stepped in
    order); the two libraries must agree at every step, bit for bit."""
    topt, opt = _sched_pair(cls, lrs, **hyper)
    if prepare is not None:
        prepare(topt)
        prepare(opt)
    tscheds, scheds = build(torch.optim.lr_scheduler, topt), build(minigrad.optim.lr_scheduler,
                                                                    opt)
    if not isinstance(scheds, list):
        tscheds, scheds = [tscheds], [scheds]
    for t in range(steps):
        np.testing.assert_array_equal(_sched_state(opt, scheds), _sched_state(topt, tscheds),
                                      err_msg=f"step {t}")
        if t == steps - 1:
            break
        topt.step()
        opt.step()
        for ts, s in zip(tscheds, scheds):
            ts.step()
            s.step()
        for ts, s in zip(tscheds, scheds):  # (ChainedScheduler has none, in both)
            assert getattr(s, "last_epoch", None) == getattr(ts, "last_epoch", None)


SCHEDULERS = [
    ("step", lambda M, o, **kw: M.StepLR(o, step_size=3, gamma=0.5, **kw)),
    ("step-1", lambda M, o, **kw: M.StepLR(o, step_size=1, gamma=0.9, **kw)),
    ("multistep", lambda M, o, **kw: M.MultiStepLR(o, milestones=[9, 2, 4, 4, 0], gamma=0.5,
                                                   **kw)),
    ("exponential", lambda M, o, **kw: M.ExponentialLR(o, gamma=0.9, **kw)),
    ("cosine", lambda M, o, **kw: M.CosineAnnealingLR(o, T_max=7, eta_min=0.001, **kw)),
    ("cosine-T1", lambda M, o, **kw: M.CosineAnnealingLR(o, T_max=1, **kw)),
    ("cosine-T2.5", lambda M, o, **kw: M.CosineAnnealingLR(o, T_max=2.5, eta_min=0.05, **kw)),
    ("lambda", lambda M, o, **kw: M.LambdaLR(o, lambda e: 1 / (1 + e), **kw)),
    ("lambda-per-group", lambda M, o, **kw: M.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1 + e],
                                                       **kw)),
    ("linear", lambda M, o, **kw: M.LinearLR(o, start_factor=0.25, total_iters=6, **kw)),
    ("linear-down", lambda M, o, **kw: M.LinearLR(o, 1.0, 0.0, total_iters=10, **kw)),
    ("linear-0", lambda M, o, **kw: M.LinearLR(o, 0.5, 1.0, total_iters=0, **kw)),
    ("onecycle", lambda M, o, **kw: M.OneCycleLR(o, max_lr=[1.0, 0.3], total_steps=40, **kw)),
    ("multiplicative", lambda M, o, **kw: M.MultiplicativeLR(o, lambda e: 0.95 - 0.01 * e,
                                                             **kw)),
    ("multiplicative-per-group", lambda M, o, **kw: M.MultiplicativeLR(
        o, [lambda e: 0.9, lambda e: 1.02], **kw)),
    ("constant", lambda M, o, **kw: M.ConstantLR(o, **kw)),
    ("constant-options", lambda M, o, **kw: M.ConstantLR(o, factor=0.5, total_iters=3, **kw)),
    ("polynomial", lambda M, o, **kw: M.PolynomialLR(o, **kw)),
    ("polynomial-2", lambda M, o, **kw: M.PolynomialLR(o, total_iters=12, power=2.0, **kw)),
    ("warm-restarts", lambda M, o, **kw: M.CosineAnnealingWarmRestarts(o, T_0=5, **kw)),
    ("warm-restarts-mult", lambda M, o, **kw: M.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001, **kw)),
    ("cyclic", lambda M, o, **kw: M.CyclicLR(o, 0.01, 0.1, step_size_up=4, **kw)),
    ("cyclic-triangular2", lambda M, o, **kw: M.CyclicLR(
        o, [0.01, 0.002], [0.1, 0.05], step_size_up=3, step_size_down=5, mode="triangular2",
        **kw)),
    ("cyclic-exp-range", lambda M, o, **kw: M.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.97, base_momentum=0.7,
        max_momentum=0.95, **kw)),
    ("cyclic-no-momentum", lambda M, o, **kw: M.CyclicLR(
        o, 0.01, 0.1, step_size_up=2, cycle_momentum=False,
        scale_fn=lambda x: 0.5 ** x, scale_mode="iterations", **kw)),
]
SCHED_IDS = [s[0] for s in SCHEDULERS]


@pytest.mark.parametrize("name,build", SCHEDULERS, ids=SCHED_IDS)
def test_scheduler_matches_torch(name, build):
    _assert_same_schedule(build)


def _with_initial_lr(opt):
    """Groups as after some epochs: current lr != 'initial_lr' (and OneCycleLR's keys)."""
    for g, init, peak in zip(opt.param_groups, (0.2, 0.4), (1.0, 0.3)):
        g.update(lr=g["lr"] / 2, initial_lr=init, max_lr=peak, min_lr=init / 1e4,
                 max_momentum=0.95, base_momentum=0.85)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, 8])
@pytest.mark.parametrize("name,build", SCHEDULERS, ids=SCHED_IDS)
def test_scheduler_constructed_with_last_epoch_matches_torch(name, build, k):
    _assert_same_schedule(lambda M, o: build(M, o, last_epoch=k), prepare=_with_initial_lr)


@pytest.mark.parametrize("name,build", SCHEDULERS, ids=SCHED_IDS)
def test_scheduler_missing_initial_lr_matches_torch(name, build):
    def prepare(opt):
        opt.param_groups[0]["initial_lr"] = 0.1  # group 1 lacks it

    topt, opt = _sched_pair()
    prepare(topt)
    prepare(opt)
    with pytest.raises(KeyError, match=r"param_groups\[1\]") as terr:
        build(torch.optim.lr_scheduler, topt, last_epoch=4)
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in "
                                       r"param_groups\[1\] when resuming scheduler with "
                                       r"last_epoch >= 0") as err:
        build(minigrad.optim.lr_scheduler, opt, last_epoch=4)
    assert str(terr.value.args[0]).splitlines()[0] in str(err.value)
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]


CHAINS = [
    ("step+exponential", lambda M, o: [M.StepLR(o, 3, 0.5), M.ExponentialLR(o, 0.9)]),
    ("exponential+step", lambda M, o: [M.ExponentialLR(o, 0.9), M.StepLR(o, 3, 0.5)]),
    ("cosine+multistep", lambda M, o: [M.CosineAnnealingLR(o, 10, 0.001),
                                       M.MultiStepLR(o, [4, 8], 0.3)]),
    ("linear+cosine", lambda M, o: [M.LinearLR(o, 0.5, 1.0, 4), M.CosineAnnealingLR(o, 10)]),
    ("cosine+linear", lambda M, o: [M.CosineAnnealingLR(o, 10), M.LinearLR(o, 0.5, 1.0, 4)]),
    ("lambda+exponential", lambda M, o: [M.LambdaLR(o, lambda e: 0.95 ** e),
                                         M.ExponentialLR(o, 0.9)]),
    ("exponential+lambda", lambda M, o: [M.ExponentialLR(o, 0.9),
                                         M.LambdaLR(o, lambda e: 0.95 ** e)]),
    ("four", lambda M, o: [M.StepLR(o, 3, 0.5), M.ExponentialLR(o, 0.9),
                           M.CosineAnnealingLR(o, 5), M.LinearLR(o, 0.3, 0.9, 7)]),
    ("onecycle+exponential", lambda M, o: [M.OneCycleLR(o, [1.0, 0.5], total_steps=40),
                                           M.ExponentialLR(o, 0.9)]),
]


@pytest.mark.parametrize("name,build", CHAINS, ids=[c[0] for c in CHAINS])
def test_chained_schedulers_match_torch(name, build):
    _assert_same_schedule(build)


# SequentialLR and ChainedScheduler: one scheduler made of others
COMPOSITES = [
    ("sequential-warmup-cosine", lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, 0.1, total_iters=5), M.CosineAnnealingLR(o, T_max=20)],
        milestones=[5])),
    ("sequential-three", lambda M, o: M.SequentialLR(
        o, [M.ConstantLR(o, 0.5, total_iters=4), M.ExponentialLR(o, 0.9),
            M.StepLR(o, 3, 0.5)], milestones=[3, 10])),
    ("sequential-polynomial", lambda M, o: M.SequentialLR(
        o, [M.MultiplicativeLR(o, lambda e: 1.1), M.PolynomialLR(o, total_iters=8)],
        milestones=[6])),
    ("chained", lambda M, o: M.ChainedScheduler([M.ConstantLR(o, 0.1, total_iters=2),
                                                 M.ExponentialLR(o, 0.9)])),
    ("chained-three", lambda M, o: M.ChainedScheduler(
        [M.MultiStepLR(o, [3, 6], 0.5), M.LinearLR(o, 0.2, total_iters=5),
         M.PolynomialLR(o, total_iters=25, power=0.5)], optimizer=o)),
    ("chained-in-sequential", lambda M, o: M.SequentialLR(
        o, [M.ChainedScheduler([M.ConstantLR(o, 0.5, total_iters=2), M.ExponentialLR(o, 0.95)]),
            M.CosineAnnealingLR(o, 10)], milestones=[6])),
]


# A ChainedScheduler inside SequentialLR warns that a scheduler stepped before the optimizer,
# in torch as here: its members' _step_count was reset by the rewind.
_IGNORE_ORDER = pytest.mark.filterwarnings("ignore:.*before .?optimizer.step")


@_IGNORE_ORDER
@pytest.mark.parametrize("name,build", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_schedulers_match_torch(name, build):
    _assert_same_schedule(build)


@_IGNORE_ORDER
@pytest.mark.parametrize("stop", [2, 7])
@pytest.mark.parametrize("name,build", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_state_dict_resume_matches_torch(name, build, stop):
    traces = []
    for lib, M in (("torch", torch.optim.lr_scheduler), ("minigrad", minigrad.optim.lr_scheduler)):
        opt = _sched_pair()[0 if lib == "torch" else 1]
        sched = build(M, opt)
        rows = []
        for t in range(SCHED_STEPS):
            if t == stop:
                opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
                opt = _sched_pair(lrs=(0.7, 0.7))[0 if lib == "torch" else 1]
                sched = build(M, opt)
                opt.load_state_dict(opt_sd)
                sched.load_state_dict(sched_sd)
            rows.append(_sched_state(opt, [sched]))
            opt.step()
            sched.step()
        traces.append(rows)
    np.testing.assert_array_equal(traces[1], traces[0])


@pytest.mark.parametrize("T_mult", [1, 2])
def test_warm_restarts_fractional_epochs_match_torch(T_mult):
    rows = []
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler), _sched_pair()):
        sched = M.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=T_mult, eta_min=1e-3)
        row = []
        for epoch in range(8):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                row.append([g["lr"] for g in opt.param_groups] + [sched.T_cur, sched.T_i])
        rows.append(row)
    np.testing.assert_array_equal(rows[1], rows[0])


@pytest.mark.parametrize("make", [
    lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2)], milestones=[3]),
    lambda M, o: M.SequentialLR(o, [], milestones=[]),
    lambda M, o: M.ChainedScheduler([]),
    lambda M, o: M.SequentialLR(o, [M.ReduceLROnPlateau(o)], milestones=[]),
    lambda M, o: M.CyclicLR(o, 0.1, 1.0, mode="sawtooth"),
    lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=0),
    lambda M, o: M.ConstantLR(o, factor=1.5),
    lambda M, o: M.MultiplicativeLR(o, [lambda e: 1.0]),
], ids=["milestones", "no-scheduler", "no-chain", "plateau", "mode", "T_0", "T_mult", "factor",
        "lambdas"])
def test_new_scheduler_bad_arguments_raise_value_error_as_torch(make):
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler), _sched_pair()):
        with pytest.raises(ValueError):
            make(M, opt)


def test_cyclic_needs_momentum_as_torch():
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler),
                      _sched_pair("Adagrad")):
        with pytest.raises(ValueError, match="momentum"):
            M.CyclicLR(opt, 0.01, 0.1)
        M.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)


@pytest.mark.parametrize("order", ["scheduler-first", "optimizer-first"])
@pytest.mark.parametrize("stop", [1, 7, 18])
@pytest.mark.parametrize("name,build", SCHEDULERS, ids=SCHED_IDS)
def test_scheduler_state_dict_resume_matches_torch(name, build, stop, order):
    """Stop after ``stop`` steps, rebuild optimizer and scheduler, load both state dicts (in
    the documented order, or loading the optimizer before building the scheduler, which lets
    the scheduler's initial step overwrite the lrs in both libraries), continue."""
    traces = []
    for lib, M in (("torch", torch.optim.lr_scheduler), ("minigrad", minigrad.optim.lr_scheduler)):
        pair = _sched_pair()
        opt = pair[0] if lib == "torch" else pair[1]
        sched = build(M, opt)
        rows = []
        for t in range(SCHED_STEPS):
            if t == stop:
                opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
                fresh = _sched_pair(lrs=(0.7, 0.7), momentum=0.1)
                opt = fresh[0] if lib == "torch" else fresh[1]
                if order == "scheduler-first":
                    sched = build(M, opt)
                    opt.load_state_dict(opt_sd)
                else:
                    opt.load_state_dict(opt_sd)
                    sched = build(M, opt)
                sched.load_state_dict(sched_sd)
            rows.append(_sched_state(opt, [sched]))
            opt.step()
            sched.step()
        traces.append(rows)
    np.testing.assert_array_equal(traces[1], traces[0])


ONE_CYCLE = [
    dict(total_steps=30),
    dict(epochs=3, steps_per_epoch=10),
    dict(total_steps=30, three_phase=True),
    dict(total_steps=30, anneal_strategy="linear"),
    dict(total_steps=30, three_phase=True, anneal_strategy="linear"),
    dict(total_steps=30, cycle_momentum=False),
    dict(total_steps=30, pct_start=0.0),
    dict(total_steps=30, pct_start=0.5, three_phase=True),
    dict(total_steps=30, pct_start=0.7, three_phase=True),
    dict(total_steps=30, pct_start=2 / 30),
    dict(total_steps=1),
    dict(total_steps=2, three_phase=True),
    dict(total_steps=30, div_factor=10.0, final_div_factor=100.0),
    dict(total_steps=30, base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.99]),
]


@pytest.mark.parametrize("cls,hyper", [("SGD", {}), ("SGD", dict(momentum=0.0)),
                                       ("RMSprop", dict(momentum=0.5)), ("Adam", {}),
                                       ("AdamW", dict(betas=(0.8, 0.9))), ("NAdam", {})])
@pytest.mark.parametrize("kw", ONE_CYCLE, ids=[str(i) for i in range(len(ONE_CYCLE))])
def test_one_cycle_matches_torch(kw, cls, hyper):
    total = kw.get("total_steps", 30)
    # total_steps + 1 values: torch also allows the step to t = total_steps
    _assert_same_schedule(lambda M, o: M.OneCycleLR(o, max_lr=[1.0, 0.3], **kw),
                          steps=total + 1 if total > 1 else 1, cls=cls, **hyper)


@pytest.mark.parametrize("total", [1, 10])
def test_one_cycle_step_past_the_end_matches_torch(total):
    errors = []
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler), _sched_pair()):
        sched = M.OneCycleLR(opt, max_lr=1.0, total_steps=total)
        for _ in range(total):
            opt.step()
            sched.step()
        opt.step()
        with pytest.raises(ValueError) as err:
            sched.step()
        errors.append(str(err.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("kw", [
    dict(), dict(total_steps=0), dict(total_steps=-3), dict(epochs=3), dict(epochs=0,
                                                                            steps_per_epoch=3),
    dict(epochs=3, steps_per_epoch=-1), dict(total_steps=30, pct_start=1.5),
    dict(total_steps=30, pct_start=-0.1), dict(total_steps=30, anneal_strategy="exp"),
    dict(total_steps=30, base_momentum=[0.8]), dict(total_steps=30, max_momentum=[0.8] * 3),
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "none")
def test_one_cycle_bad_arguments_raise_value_error_as_torch(kw):
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler), _sched_pair()):
        with pytest.raises(ValueError):
            M.OneCycleLR(opt, max_lr=1.0, **kw)


def test_one_cycle_without_momentum_raises_value_error_as_torch():
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler),
                      _sched_pair("Adagrad")):
        with pytest.raises(ValueError, match="momentum"):
            M.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        M.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)


def _metric_streams():
    rng = np.random.default_rng(0)
    return {
        "falling": (10 - np.cumsum(rng.uniform(-0.05, 0.2, 60))).tolist(),
        "rising": np.cumsum(rng.uniform(-0.05, 0.2, 60)).tolist(),
        "negative": (-1 - np.cumsum(rng.uniform(-0.05, 0.1, 60))).tolist(),
        "flat": [1.0] * 60,
        "zigzag": [1.0, 2.0] * 30,
        "nan-inf": [float("inf")] * 5 + [1.0, float("nan"), 0.9] * 10,
    }


PLATEAU = [
    dict(), dict(mode="max"), dict(patience=0),
    dict(patience=3, cooldown=2, threshold=0.05, threshold_mode="abs"),
    dict(mode="max", patience=2, cooldown=1, threshold=0.01),
    dict(mode="max", threshold_mode="abs", threshold=0.1, patience=1),
    dict(patience=1, min_lr=[0.3, 0.001]), dict(patience=1, min_lr=0.01),
    dict(patience=1, factor=0.5, eps=0.06), dict(patience=1, factor=0.0),
    dict(patience=2, cooldown=5), dict(patience=1, threshold=-0.1), dict(patience=1, min_lr=2.0),
]


@pytest.mark.parametrize("stream", list(_metric_streams()))
@pytest.mark.parametrize("kw", PLATEAU, ids=[str(i) for i in range(len(PLATEAU))])
def test_reduce_on_plateau_matches_torch(kw, stream):
    metrics = _metric_streams()[stream]
    topt, opt = _sched_pair(lrs=(1.0, 0.05))
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
    sched = minigrad.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    for t, metric in enumerate(metrics):
        tsched.step(metric)
        sched.step(metric)
        assert _sched_state(opt, [sched]) == _sched_state(topt, [tsched]), t
        assert (sched.num_bad_epochs, sched.cooldown_counter, sched.last_epoch) == \
            (tsched.num_bad_epochs, tsched.cooldown_counter, tsched.last_epoch)
        assert sched.best == tsched.best or (math.isnan(sched.best) and math.isnan(tsched.best))


@pytest.mark.parametrize("min_lr", [0.0, 0.2, [0.1, 0.2]])
def test_reduce_on_plateau_added_group_matches_torch(min_lr):
    outcomes = []
    for lib, opt in zip(("torch", "minigrad"), _sched_pair(lrs=(1.0, 0.05))):
        M = torch.optim.lr_scheduler if lib == "torch" else minigrad.optim.lr_scheduler
        sched = M.ReduceLROnPlateau(opt, patience=1, min_lr=min_lr)
        p = torch.zeros(1, requires_grad=True) if lib == "torch" else \
            minigrad.tensor(np.zeros(1), requires_grad=True)
        try:
            for t in range(8):
                if t == 2:
                    opt.add_param_group({"params": [p], "lr": 0.5})
                sched.step(1.0)
            outcomes.append([g["lr"] for g in opt.param_groups])
        except RuntimeError:
            outcomes.append("RuntimeError")
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("kw", [dict(factor=1.0), dict(factor=2), dict(mode="up"),
                                dict(threshold_mode="x"), dict(min_lr=[0.1])])
def test_reduce_on_plateau_bad_arguments_raise_value_error_as_torch(kw):
    for M, opt in zip((torch.optim.lr_scheduler, minigrad.optim.lr_scheduler), _sched_pair()):
        with pytest.raises(ValueError):
            M.ReduceLROnPlateau(opt, **kw)
