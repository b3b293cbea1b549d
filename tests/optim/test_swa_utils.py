"""minigrad.optim.swa_utils: AveragedModel (SWA, EMA, custom functions, buffers), SWALR and
update_bn, against torch.optim.swa_utils (optional) and against plain formulas. The models
are float32 (minigrad's default dtype), compared in float64 arithmetic to 1e-6."""
import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.optim import swa_utils


def _model():
    minigrad.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2))


def _snapshots(model, count, seed=0):
    """``count`` sets of values for the model's parameters and buffers."""
    rng = np.random.default_rng(seed)
    tensors = list(model.parameters()) + list(model.buffers())
    return [[(rng.standard_normal(t.shape).astype(t._data.dtype) if t._data.dtype.kind == "f"
              else np.asarray(rng.integers(0, 10), t._data.dtype)) for t in tensors]
            for _ in range(count)]


def _load(model, values):
    for t, v in zip(list(model.parameters()) + list(model.buffers()), values):
        t._data[...] = v


def test_swa_default_is_the_mean_of_the_snapshots():
    model = _model()
    avg = swa_utils.AveragedModel(model)
    snaps = _snapshots(model, 5)
    for values in snaps:
        _load(model, values)
        avg.update_parameters(model)
    n_params = len(list(model.parameters()))
    for k, p in enumerate(avg.parameters()):
        np.testing.assert_allclose(p._data, np.mean([s[k] for s in snaps], axis=0),
                                   rtol=1e-6, atol=1e-7)
    for k, b in enumerate(avg.module.buffers()):  # buffers: copied from the last snapshot
        np.testing.assert_array_equal(b._data, snaps[-1][n_params + k])
    assert int(avg.n_averaged._data) == 5


def test_ema_follows_the_recurrence():
    model = _model()
    avg = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.8))
    snaps = _snapshots(model, 6)
    expected = None
    for values in snaps:
        _load(model, values)
        avg.update_parameters(model)
        params = values[:len(list(model.parameters()))]
        params = [v.astype(np.float64) for v in params]
        expected = list(params) if expected is None else \
            [0.8 * e + 0.2 * v for e, v in zip(expected, params)]
    for p, e in zip(avg.parameters(), expected):
        np.testing.assert_allclose(p._data, e, rtol=1e-6, atol=1e-7)


def test_reads_the_optimizer_buffer_without_copy_and_still_right():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    avg = swa_utils.AveragedModel(model)
    avg.update_parameters(model)
    avg.update_parameters(model)
    group = next(iter(avg._flat.values()))
    assert group.scratch is None  # read straight from the optimizer's flat buffer
    assert swa_utils._back_to_back([p._data for p in model.parameters()],
                                   np.dtype(np.float32)) is not None
    # a model whose parameters are separate arrays goes through the scratch buffer
    other = _model()
    avg2 = swa_utils.AveragedModel(other)
    avg2.update_parameters(other)
    avg2.update_parameters(other)
    assert next(iter(avg2._flat.values())).scratch is not None
    for a, b in zip(avg2.parameters(), other.parameters()):
        np.testing.assert_array_equal(a._data, b._data)
    del opt


def test_bad_arguments():
    model = _model()
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match="Invalid decay value 1.5"):
        swa_utils.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match="device"):
        swa_utils.AveragedModel(model, device="cuda")
    avg = swa_utils.AveragedModel(model)
    with pytest.raises(ValueError, match="update_parameters: the model has"):
        avg.update_parameters(nn.Linear(3, 5))
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, 0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, 0.05, anneal_epochs=-1)


# ---- against torch ------------------------------------------------------------------------
def _torch_twin(model):
    torch = pytest.importorskip("torch")
    twin = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(),
                               torch.nn.Linear(5, 2))
    with torch.no_grad():
        for t, m in zip(list(twin.parameters()) + list(twin.buffers()),
                        list(model.parameters()) + list(model.buffers())):
            t.copy_(torch.from_numpy(np.asarray(m._data).copy()))
    return torch, twin


KINDS = ["swa", "ema", "swa-multi", "ema-buffers", "swa-buffers", "ema-avg-fn", "swa-avg-fn"]


@pytest.mark.parametrize("kind", KINDS)
def test_averaged_model_matches_torch(kind):
    model = _model()
    torch, twin = _torch_twin(model)
    S, T = swa_utils, torch.optim.swa_utils
    kw = {"swa": lambda m: {}, "ema": lambda m: dict(multi_avg_fn=m.get_ema_multi_avg_fn(0.9)),
          "swa-multi": lambda m: dict(multi_avg_fn=m.get_swa_multi_avg_fn()),
          "ema-buffers": lambda m: dict(multi_avg_fn=m.get_ema_multi_avg_fn(0.7),
                                        use_buffers=True),
          "swa-buffers": lambda m: dict(use_buffers=True),
          "ema-avg-fn": lambda m: dict(avg_fn=m.get_ema_avg_fn(0.9)),
          "swa-avg-fn": lambda m: dict(avg_fn=m.get_swa_avg_fn())}[kind]
    ours = S.AveragedModel(model, **kw(S))
    theirs = T.AveragedModel(twin, **kw(T))
    for values in _snapshots(model, 7):
        _load(model, values)
        with torch.no_grad():
            for t, v in zip(list(twin.parameters()) + list(twin.buffers()), values):
                t.copy_(torch.as_tensor(v))
        ours.update_parameters(model)
        theirs.update_parameters(twin)
    mine = list(ours.module.parameters()) + list(ours.module.buffers())
    other = list(theirs.module.parameters()) + list(theirs.module.buffers())
    for a, b in zip(mine, other):
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert int(ours.n_averaged._data) == int(theirs.n_averaged)


@pytest.mark.parametrize("kw", [dict(swa_lr=0.05), dict(swa_lr=[0.05, 0.01], anneal_epochs=3,
                                                          anneal_strategy="linear"),
                                dict(swa_lr=0.2, anneal_epochs=0)])
def test_swalr_matches_torch(kw):
    torch = pytest.importorskip("torch")
    lrs = []
    for lib in ("torch", "minigrad"):
        if lib == "torch":
            opt = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": 0.5},
                                   {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.1}],
                                  momentum=0.9)
            sched = torch.optim.swa_utils.SWALR(opt, **kw)
        else:
            opt = optim.SGD([{"params": [minigrad.tensor(np.zeros(2), requires_grad=True)],
                              "lr": 0.5},
                             {"params": [minigrad.tensor(np.zeros(2), requires_grad=True)],
                              "lr": 0.1}], momentum=0.9)
            sched = swa_utils.SWALR(opt, **kw)
        row = []
        for _ in range(15):
            row.append([g["lr"] for g in opt.param_groups] + list(sched.get_last_lr()))
            opt.step()
            sched.step()
        lrs.append(row)
    np.testing.assert_array_equal(lrs[1], lrs[0])


def test_update_bn_matches_torch():
    model = _model()
    torch, twin = _torch_twin(model)
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((8, 3)).astype(np.float32) for _ in range(5)]
    model.eval()
    twin.eval()
    swa_utils.update_bn([(b, None) for b in batches], model)
    torch.optim.swa_utils.update_bn([(torch.from_numpy(b), None) for b in batches], twin)
    bn, tbn = model[1], twin[1]
    np.testing.assert_allclose(bn.running_mean._data, tbn.running_mean.numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(bn.running_var._data, tbn.running_var.numpy(), rtol=1e-5)
    assert int(bn.num_batches_tracked._data) == int(tbn.num_batches_tracked) == 5
    assert bn.momentum == tbn.momentum == 0.1 and not model.training
