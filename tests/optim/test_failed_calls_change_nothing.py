"""A step() or load_state_dict() that raises changes nothing: every group is checked before any
kernel runs, every entry of a state dict before anything is applied. Each test snapshots the
parameters, the state (moments, step counts), the hyperparameters and the version counters
before the failing call, compares them after, and where it matters checks that a retry steps
once (the trajectory equals an optimizer that never saw the failure)."""
import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.tensor import Tensor

SHAPES = [(3, 2), (4,)]  # one group per shape


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return [minigrad.tensor(rng.standard_normal(s), requires_grad=True) for s in SHAPES]


def _grads(params, t):
    for p in params:
        p.grad = minigrad.tensor(np.cos(p.detach().numpy() * (t + 1)))


def _two_groups(cls, params, **kw):
    return cls([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], **kw)


def snapshot(opt):
    """Everything a failed call must leave alone, as plain copies."""
    params = [p for g in opt.param_groups for p in g["params"]]
    return {
        "params": [p._data.copy() for p in params],
        "versions": [p._version for p in params],
        "groups": [{k: (list(v) if isinstance(v, (list, tuple)) else v)
                    for k, v in g.items() if k != "params"} for g in opt.param_groups],
        "state": [{k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v)
                   for k, v in opt.state.get(p, {}).items()} for p in params],
    }


def assert_unchanged(before, opt):
    after = snapshot(opt)
    for a, b in zip(before["params"], after["params"]):
        np.testing.assert_array_equal(a, b)
    assert before["versions"] == after["versions"]
    assert before["groups"] == after["groups"]
    assert [sorted(s) for s in before["state"]] == [sorted(s) for s in after["state"]]
    for sa, sb in zip(before["state"], after["state"]):
        for k in sa:
            if isinstance(sa[k], np.ndarray):
                np.testing.assert_array_equal(sa[k], sb[k], err_msg=k)
            else:
                assert sa[k] == sb[k], k


def _trained(cls, steps, **kw):
    params = _params()
    opt = _two_groups(cls, params, **kw)
    for t in range(steps):
        _grads(params, t)
        opt.step()
    return params, opt


# --------------------------------------------------------------------------- step()

def _wrong_shape(opt, params):
    params[1].grad = minigrad.tensor(np.ones(5))


def _complex_grad(opt, params):
    params[1].grad = Tensor._wrap(np.ones(4, np.complex128))  # Tensor() itself refuses complex


def _resized(opt, params):
    params[1].data = minigrad.tensor(np.ones(6))


def _set(key, value):
    def corrupt(opt, params):
        opt.param_groups[1][key] = value
    return corrupt


STEP_FAILURES = [
    ("wrong-shape-grad", optim.Adam, {}, _wrong_shape, RuntimeError, "gradient of shape"),
    ("complex-grad", optim.Adam, {}, _complex_grad, TypeError, "complex128"),
    ("resized-param", optim.SGD, dict(momentum=0.9), _resized, RuntimeError, "changed shape"),
    ("str-lr", optim.Adam, {}, _set("lr", "0.1"), ValueError, r"param_groups\[1\]: Invalid lr: .0.1."),
    ("none-lr", optim.SGD, {}, _set("lr", None), ValueError, r"param_groups\[1\]: Invalid lr: None"),
    ("none-momentum", optim.SGD, dict(momentum=0.9), _set("momentum", None), ValueError,
     "momentum"),
    ("none-weight-decay", optim.SGD, {}, _set("weight_decay", None), ValueError, "weight_decay"),
    ("betas-one", optim.Adam, {}, _set("betas", (0.9,)), ValueError, "betas"),
    ("betas-str", optim.Adam, {}, _set("betas", (0.9, "0.999")), ValueError, r"betas\[1\]"),
    ("betas-none", optim.NAdam, {}, _set("betas", None), ValueError, "betas"),
    ("str-flag", optim.Adam, {}, _set("amsgrad", "False"), ValueError, "amsgrad.*True or False"),
    ("none-eps", optim.RMSprop, {}, _set("eps", None), ValueError, "eps"),
    ("missing-lr", optim.Adagrad, {}, lambda o, p: o.param_groups[1].pop("lr"), ValueError,
     r"param_groups\[1\] has no hyperparameter 'lr'"),
]


@pytest.mark.parametrize("name,cls,kw,corrupt,error,match", STEP_FAILURES,
                         ids=[f[0] for f in STEP_FAILURES])
def test_failed_step_changes_nothing(name, cls, kw, corrupt, error, match):
    params, opt = _trained(cls, 3, **kw)
    _grads(params, 3)
    corrupt(opt, params)
    before = snapshot(opt)
    with pytest.raises(error, match=match):
        opt.step()
    assert_unchanged(before, opt)
    with pytest.raises(error, match=match):  # and again: still nothing stepped
        opt.step()
    assert_unchanged(before, opt)


def test_retry_after_a_failed_step_steps_once():
    """Group 0 is not stepped by the failed call, so after fixing group 1 the run is the same
    as one that never failed (a half-done step would have moved group 0 twice)."""
    params, opt = _trained(optim.Adam, 3)
    ref_params, ref_opt = _trained(optim.Adam, 3)
    _grads(params, 3)
    _grads(ref_params, 3)
    good = opt.param_groups[1]["lr"]
    opt.param_groups[1]["lr"] = "0.05"
    with pytest.raises(ValueError):
        opt.step()
    opt.param_groups[1]["lr"] = good
    opt.step()
    ref_opt.step()
    for p, q in zip(params, ref_params):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    assert [opt.state[p]["step"] for p in params] == [4, 4]


def test_list_hyperparameter_changed_in_place_is_checked_again():
    params, opt = _trained(optim.Adam, 1)
    opt.param_groups[1]["betas"] = [0.9, 0.999]  # a list can change without being reassigned
    _grads(params, 1)
    opt.step()
    opt.param_groups[1]["betas"][1] = None
    _grads(params, 2)
    before = snapshot(opt)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        opt.step()
    assert_unchanged(before, opt)


def test_step_allows_what_pytorch_allows_after_construction():
    """Ranges are checked at construction (as PyTorch); a step only checks types, so a
    scheduler may take lr below zero, as PyTorch's CosineAnnealingLR can."""
    p = minigrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = -0.5
    p.grad = minigrad.tensor(np.ones(2))
    opt.step()
    np.testing.assert_array_equal(p.detach().numpy(), [1.5, 1.5])


@pytest.mark.parametrize("cls,kw,match", [
    (optim.Adam, dict(lr="0.1"), "learning rate: '0.1' .must be a number"),
    (optim.SGD, dict(lr=None), "learning rate: None"),
    (optim.Adam, dict(amsgrad="yes"), "amsgrad: 'yes' .must be True or False"),
    (optim.SGD, dict(nesterov=None), "nesterov"),
    (optim.RMSprop, dict(centered=2), "centered"),
    (optim.Adam, dict(betas=(0.9, "0.999")), "beta parameter at index 1"),
])
def test_bad_types_fail_at_construction(cls, kw, match):
    with pytest.raises(ValueError, match=match):
        cls([minigrad.tensor(np.zeros(2), requires_grad=True)], **kw)


def test_numpy_numbers_and_bools_are_accepted():
    p = minigrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([p], lr=np.float32(0.1), betas=(np.float64(0.9), 0.999), amsgrad=np.bool_(True))
    p.grad = minigrad.tensor(np.ones(2))
    opt.step()
    assert "max_exp_avg_sq" in opt.state[p]


# --------------------------------------------------------------------------- load_state_dict()

def _adam_state_dict():
    _, opt = _trained(optim.Adam, 4, amsgrad=True)
    return opt.state_dict()


def _edit(fn):
    def make():
        sd = _adam_state_dict()
        fn(sd)
        return sd
    return make


def _state(sd, idx):
    return sd["state"][idx]


LOAD_FAILURES = [
    # The first group's lr changes to 0.123 in the dict; a later entry is bad.
    ("bad-lr-later-group", _edit(lambda sd: sd["param_groups"][1].update(lr=-1.0)),
     r"param_groups\[1\].*learning rate"),
    ("str-lr", _edit(lambda sd: sd["param_groups"][1].update(lr="0.1")), "learning rate"),
    ("bad-flag", _edit(lambda sd: sd["param_groups"][1].update(amsgrad="no")), "amsgrad"),
    ("wrong-shape-moment", _edit(lambda sd: _state(sd, 1).update(exp_avg=np.zeros(5))),
     r"'exp_avg' of parameter 1 has shape \(5,\), expected \(4,\)"),
    ("complex-moment", _edit(lambda sd: _state(sd, 1).update(exp_avg_sq=np.zeros(4, complex))),
     "dtype complex128"),
    ("str-moment", _edit(lambda sd: _state(sd, 1).update(exp_avg="zeros")), "dtype <U5"),
    ("none-moment", _edit(lambda sd: _state(sd, 1).update(exp_avg=None)), "is None"),
    ("negative-step", _edit(lambda sd: _state(sd, 1).update(step=-1)), "step count"),
    ("fractional-step", _edit(lambda sd: _state(sd, 1).update(step=2.5)), "step count"),
    ("str-step", _edit(lambda sd: _state(sd, 1).update(step="4")), "step count"),
    ("state-not-a-dict", _edit(lambda sd: sd["state"].update({1: [1, 2]})), "not a dict"),
    ("bad-state-key", _edit(lambda sd: sd["state"].update({"x": {}})), "'x' is not a parameter"),
    ("no-state", _edit(lambda sd: sd.pop("state")), "no 'state' entry"),
    ("one-group", _edit(lambda sd: sd["param_groups"].pop()), "different number of parameter"),
    ("group-size", _edit(lambda sd: sd["param_groups"][1]["params"].append(7)), "doesn't match"),
    ("other-class", lambda: {**_adam_state_dict(), "optimizer_class": "SGD"},
     "from a SGD optimizer, not Adam"),
]


@pytest.mark.parametrize("name,make,match", LOAD_FAILURES, ids=[f[0] for f in LOAD_FAILURES])
def test_failed_load_state_dict_changes_nothing(name, make, match):
    sd = make()
    sd["param_groups"][0]["lr"] = 0.123  # would be applied first by a load that is not staged
    params, opt = _trained(optim.Adam, 2, amsgrad=True)
    before = snapshot(opt)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(sd)
    assert_unchanged(before, opt)
    assert opt.param_groups[0]["lr"] == 1e-3


def test_failed_load_then_steps_as_if_it_never_happened():
    params, opt = _trained(optim.Adam, 2)
    ref_params, ref_opt = _trained(optim.Adam, 2)
    sd = opt.state_dict()
    sd["state"][1]["exp_avg"] = np.zeros(3)
    with pytest.raises(ValueError):
        opt.load_state_dict(sd)
    for t in (2, 3):
        _grads(params, t)
        _grads(ref_params, t)
        opt.step()
        ref_opt.step()
    for p, q in zip(params, ref_params):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_another_optimizers_state_dict_is_refused_naming_both_classes():
    _, sgd = _trained(optim.SGD, 2, momentum=0.9)
    params, adam = _trained(optim.Adam, 2)
    before = snapshot(adam)
    with pytest.raises(ValueError, match="from a SGD optimizer, not Adam"):
        adam.load_state_dict(sgd.state_dict())
    assert_unchanged(before, adam)
    with pytest.raises(ValueError, match="from a Adam optimizer, not AdamW"):
        _two_groups(optim.AdamW, _params()).load_state_dict(adam.state_dict())


def test_pytorch_style_state_dict_without_class_is_still_checked_by_entry_names():
    """A dict without 'optimizer_class' (PyTorch's) loads, unless its state has none of the
    entries this class keeps (SGD's momentum_buffer into Adam)."""
    _, sgd = _trained(optim.SGD, 2, momentum=0.9)
    sd = sgd.state_dict()
    del sd["optimizer_class"]
    params, adam = _trained(optim.Adam, 2)
    before = snapshot(adam)
    with pytest.raises(ValueError, match=r"\['momentum_buffer'\], none of which Adam keeps"):
        adam.load_state_dict(sd)
    assert_unchanged(before, adam)

    _, src = _trained(optim.Adam, 3)
    sd = src.state_dict()
    del sd["optimizer_class"]
    adam.load_state_dict(sd)
    assert adam.state[params[0]]["step"] == 3


def test_state_dict_names_its_class_and_pytorch_accepts_the_extra_key():
    _, opt = _trained(optim.NAdam, 1)
    assert opt.state_dict()["optimizer_class"] == "NAdam"
    torch = pytest.importorskip("torch")
    sd = opt.state_dict()
    tp = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float64)) for s in SHAPES]
    topt = torch.optim.NAdam([{"params": [tp[0]]}, {"params": [tp[1]]}])
    sd["state"] = {k: {n: torch.as_tensor(np.asarray(v)) for n, v in st.items()}
                   for k, st in sd["state"].items()}
    topt.load_state_dict(sd)  # PyTorch ignores keys it does not know
    np.testing.assert_array_equal(topt.state[tp[1]]["exp_avg"].numpy(),
                                  opt.state[opt.param_groups[1]["params"][0]]["exp_avg"])


def test_lbfgs_and_newton_refuse_another_class():
    x = minigrad.tensor(np.ones(3), requires_grad=True)
    sd = optim.SGD([x], lr=0.1).state_dict()
    for cls in (optim.LBFGS, optim.Newton):
        with pytest.raises(ValueError, match=f"from a SGD optimizer, not {cls.__name__}"):
            cls([x]).load_state_dict(sd)


# --------------------------------------------------------------------------- Prodigy's own step()

def _prodigy(steps):
    params = _params()
    opt = optim.Prodigy([{"params": [params[0]]}, {"params": [params[1]]}])
    for t in range(steps):
        _grads(params, t)
        opt.step()
    _grads(params, steps)
    return params, opt


@pytest.mark.parametrize("steps", [0, 3], ids=["fresh", "trained"])
@pytest.mark.parametrize("corrupt,error,match", [
    (_set("lr", 0.5), RuntimeError, "different lr values"),
    (_set("eps", "1e-8"), ValueError, r"param_groups\[1\]: Invalid eps"),
    (_set("d_coef", None), ValueError, r"param_groups\[1\]: Invalid d_coef"),
    (_wrong_shape, RuntimeError, "gradient of shape"),
], ids=["lr-mismatch", "str-eps", "none-d_coef", "wrong-shape-grad"])
def test_failed_prodigy_step_changes_nothing(steps, corrupt, error, match):
    """Prodigy steps all groups together (d is global): group 1's problem must be found before
    group 0 gets state, before d moves and before any parameter does."""
    params, opt = _prodigy(steps)
    corrupt(opt, params)
    before = snapshot(opt)
    with pytest.raises(error, match=match):
        opt.step()
    assert_unchanged(before, opt)
