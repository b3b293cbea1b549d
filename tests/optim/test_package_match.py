"""Optional: the newer optimizers against the implementations users compare with.

* torch.optim's Adafactor and Muon (float64; Muon's Newton-Schulz runs in bfloat16 in torch and
  in float32 here, so Muon agrees to bfloat16's precision only);
* the authors' packages: ``lion-pytorch`` (Lion), ``schedulefree`` (SGDScheduleFree,
  AdamWScheduleFree, with their train()/eval() switch), ``prodigyopt`` (Prodigy).

Each test skips cleanly when its package is absent (``pip install "minigrad[compare]"``).
"""
import numpy as np
import pytest

from cases import MULTI, gradient, initial_arrays, make_params, noise_table, skipped

import minigrad
from minigrad import optim

torch = pytest.importorskip("torch")

STEPS = 40
MATRICES = [(6, 5), (5, 3), (3, 7), (4, 4), (4, 3), (2, 9)]


def _race(opt, topt, params, tparams, noise, steps=STEPS, multi=True, before_step=None):
    """Step both with the same gradient rule (a function of each side's own parameters)."""
    for t in range(steps):
        for k, (p, tp) in enumerate(zip(params, tparams)):
            if multi and skipped(k, t, True):
                p.grad = tp.grad = None
            else:
                p.grad = minigrad.tensor(gradient(k, t, p.detach().numpy(), noise))
                tp.grad = torch.from_numpy(gradient(k, t, tp.detach().numpy(), noise))
        opt.step()
        topt.step()


def _pair(shapes, dtype=np.float64):
    arrays = initial_arrays(shapes, dtype)
    return (arrays, noise_table(shapes, STEPS, dtype), make_params(arrays),
            [torch.tensor(a.copy(), requires_grad=True) for a in arrays])


def _assert_close(params, tparams, rtol, atol, what):
    for k, (p, tp) in enumerate(zip(params, tparams)):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=rtol,
                                   atol=atol, err_msg=f"{what}: param {k}")


@pytest.mark.parametrize("hyper", [dict(), dict(lr=0.05, beta2_decay=-0.5, eps=(1e-6, 1e-2),
                                                 d=2.0, weight_decay=0.1, maximize=True)])
def test_adafactor_matches_torch(hyper):
    shapes = [(6, 5), (5,), (), (3, 2, 4), (4, 3), (7,)]
    _, noise, params, tparams = _pair(shapes)
    _race(optim.Adafactor(params, **hyper), torch.optim.Adafactor(tparams, foreach=False,
                                                                   **hyper),
          params, tparams, noise)
    _assert_close(params, tparams, 1e-10, 1e-12, "adafactor")


@pytest.mark.parametrize("hyper", [dict(lr=0.02), dict(lr=0.02, nesterov=False,
                                                       adjust_lr_fn="match_rms_adamw",
                                                       momentum=0.9, ns_steps=3)])
def test_muon_matches_torch_at_bfloat16_precision(hyper):
    _, noise, params, tparams = _pair(MATRICES)
    opt = optim.Muon(params, **hyper)
    topt = torch.optim.Muon(tparams, **hyper)
    for t in range(10):
        for k, (p, tp) in enumerate(zip(params, tparams)):
            g = gradient(k, t, p.detach().numpy(), noise)
            p.grad, tp.grad = minigrad.tensor(g), torch.from_numpy(g.copy())
        before = [p.detach().numpy().copy() for p in params]
        opt.step()
        topt.step()
        for k, (p, tp) in enumerate(zip(params, tparams)):
            # the steps (not the weights) agree to what 5 bfloat16 iterations keep (8-bit
            # mantissas: a few percent)
            ours = p.detach().numpy() - before[k]
            theirs = tp.detach().numpy() - before[k]
            assert np.linalg.norm(ours - theirs) <= 8e-2 * np.linalg.norm(theirs), (t, k)
            tp.data.copy_(torch.from_numpy(p.detach().numpy().copy()))  # no drift


@pytest.mark.parametrize("hyper", [dict(lr=0.02), dict(lr=0.02, nesterov=False,
                                                       adjust_lr_fn="match_rms_adamw",
                                                       momentum=0.9, ns_steps=3)])
def test_muon_matches_torch_exactly_without_bfloat16(hyper, monkeypatch):
    """The same rule: with torch's bfloat16 cast turned into float64 and minigrad's iteration in
    float64, the two agree to 1e-12 over many steps."""
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.double().clone())
    _, noise, params, tparams = _pair(MATRICES)
    _race(optim.Muon(params, ns_dtype=np.float64, **hyper), torch.optim.Muon(tparams, **hyper),
          params, tparams, noise)
    _assert_close(params, tparams, 1e-12, 1e-13, "muon")


def test_muon_float32_is_closer_to_exact_orthogonalization_than_bfloat16():
    """Run once in float64 (ns_dtype) as the yardstick: minigrad's float32 default is nearer
    to it than torch's bfloat16 iteration."""
    g = np.random.default_rng(0).standard_normal((16, 8))
    steps = {}
    for label, kw in (("f32", {}), ("f64", dict(ns_dtype=np.float64))):
        p = minigrad.tensor(np.zeros((16, 8)), requires_grad=True)
        opt = optim.Muon([p], lr=1.0, weight_decay=0.0, momentum=0.0, nesterov=False, **kw)
        p.grad = minigrad.tensor(g)
        opt.step()
        steps[label] = -p.detach().numpy()
    tp = torch.zeros((16, 8), dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Muon([tp], lr=1.0, weight_decay=0.0, momentum=0.0, nesterov=False)
    tp.grad = torch.from_numpy(g.copy())
    topt.step()
    ours = np.linalg.norm(steps["f32"] - steps["f64"])
    theirs = np.linalg.norm(-tp.detach().numpy() - steps["f64"])
    assert ours < theirs / 10


# ---- the authors' packages ---------------------------------------------------------------
@pytest.mark.parametrize("hyper", [dict(lr=0.01), dict(lr=0.01, betas=(0.8, 0.95),
                                                        weight_decay=0.5),
                                   dict(lr=0.01, weight_decay=1e-3,
                                        decoupled_weight_decay=True)])
def test_lion_matches_lion_pytorch(hyper):
    lion_pytorch = pytest.importorskip("lion_pytorch")
    _, noise, params, tparams = _pair(MULTI)
    _race(optim.Lion(params, **hyper), lion_pytorch.Lion(tparams, **hyper), params, tparams,
          noise)
    _assert_close(params, tparams, 1e-12, 1e-12, "lion")


SF = [("SGDScheduleFree", dict(lr=0.1)),
      ("SGDScheduleFree", dict(lr=0.2, momentum=0.8, weight_decay=0.1, warmup_steps=5, r=1.0,
                               weight_lr_power=1.0)),
      ("AdamWScheduleFree", dict(lr=0.05)),
      ("AdamWScheduleFree", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-4, weight_decay=0.1,
                                 warmup_steps=4, r=0.5))]


@pytest.mark.parametrize("name,hyper", SF, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SF)])
def test_schedule_free_matches_schedulefree(name, hyper):
    schedulefree = pytest.importorskip("schedulefree")
    _, noise, params, tparams = _pair(MULTI)
    opt = getattr(optim, name)(params, **hyper)
    topt = getattr(schedulefree, name)(tparams, **hyper)
    opt.train()
    topt.train()
    _race(opt, topt, params, tparams, noise, steps=20)
    opt.eval()   # x, the averaged weights
    topt.eval()
    _assert_close(params, tparams, 1e-10, 1e-12, f"{name} eval")
    opt.train()  # back to y, and on
    topt.train()
    _race(opt, topt, params, tparams, noise, steps=20)
    _assert_close(params, tparams, 1e-10, 1e-12, f"{name} train")
    for k, p in enumerate(params):
        if p in opt.state:
            np.testing.assert_allclose(opt.state[p]["z"], topt.state[tparams[k]]["z"].numpy(),
                                       rtol=1e-10, atol=1e-12)
    assert opt.param_groups[0]["k"] == topt.param_groups[0]["k"] == 40


PRODIGY = [dict(), dict(lr=0.5, betas=(0.8, 0.99), beta3=0.9, weight_decay=0.1, decouple=False,
                        use_bias_correction=True, safeguard_warmup=True, d0=1e-4, d_coef=2.0,
                        growth_rate=1.05),
           dict(betas=(0.0, 0.999), weight_decay=0.05), dict(slice_p=3, weight_decay=0.01)]


@pytest.mark.parametrize("hyper", PRODIGY, ids=[str(i) for i in range(len(PRODIGY))])
def test_prodigy_matches_prodigyopt(hyper):
    prodigyopt = pytest.importorskip("prodigyopt")
    _, noise, params, tparams = _pair(MULTI)
    opt = optim.Prodigy(params, **hyper)
    topt = prodigyopt.Prodigy(tparams, **hyper)
    _race(opt, topt, params, tparams, noise)
    _assert_close(params, tparams, 1e-9, 1e-12, "prodigy")
    for key in ("d", "d_max", "d_numerator", "k"):
        np.testing.assert_allclose(opt.param_groups[0][key], topt.param_groups[0][key],
                                   rtol=1e-9, err_msg=key)


def test_named_parameters_state_dict_matches_torch():
    """params as (name, tensor) pairs: names kept in each group's param_names, in the state
    dict, and given back by load_state_dict, as torch 2.13 does."""
    a, b = minigrad.tensor(np.zeros(2), requires_grad=True), \
        minigrad.tensor(np.zeros(3), requires_grad=True)
    ta, tb = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    ours = optim.Adam([{"params": [("w", a)]}, {"params": [("b", b)], "lr": 0.1}])
    theirs = torch.optim.Adam([{"params": [("w", ta)]}, {"params": [("b", tb)], "lr": 0.1}])
    for o, t in ((ours, theirs),):
        assert [g["param_names"] for g in o.param_groups] == \
            [g["param_names"] for g in t.param_groups]
        assert [g["param_names"] for g in o.state_dict()["param_groups"]] == \
            [g["param_names"] for g in t.state_dict()["param_groups"]]
    errors = []
    for lib, x, y in (("torch", ta, tb), ("minigrad", a, b)):
        module = torch.optim if lib == "torch" else optim
        for args in ([("w", x), y], ):
            with pytest.raises(ValueError) as err:
                module.Adam(args)
            errors.append(str(err.value).split(" (")[0])
        named = module.Adam([("w", x)])
        with pytest.raises(ValueError) as err:
            named.add_param_group({"params": [y]})
        errors.append(str(err.value))
    assert errors[0] == errors[2] and errors[1] == errors[3]
