"""Optimizer machinery: grads via backward, skipped and duplicate parameters, rebinding,
zero_grad, param groups, state_dict resume, checkpoints, compile-once, lazy import."""
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim import reference


def _quadratic_loss(params):
    return sum(((p - 1.0) * (p - 1.0)).sum() for p in params)


def test_backward_writes_into_flat_buffer_and_converges():
    rng = np.random.default_rng(0)
    params = [minigrad.tensor(rng.standard_normal(s), requires_grad=True)
              for s in [(3, 4), (4,), (2, 2)]]
    opt = optim.Adam(params, lr=0.1)
    fb = opt._flats[0][0]
    for _ in range(300):
        opt.zero_grad()
        _quadratic_loss(params).backward()
        # the engine wrote the gradients straight into the optimizer's buffer
        for p in params:
            assert np.shares_memory(p.grad.numpy(), fb.grad)
        opt.step()
    for p in params:
        assert np.shares_memory(p.detach().numpy(), fb.values)
        np.testing.assert_allclose(p.detach().numpy(), 1.0, atol=1e-3)


def test_backward_matches_reference_trajectory():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(5, 3), (3,)]]
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True)
    ref_arrays = [a.copy() for a in arrays]
    ref = reference.SGD(ref_arrays, lr=0.1, momentum=0.9, nesterov=True)
    for _ in range(20):
        opt.zero_grad()
        _quadratic_loss(params).backward()
        opt.step()
        ref.step([np.float32(2) * (r - np.float32(1)) for r in ref_arrays])
    for p, r in zip(params, ref_arrays):
        np.testing.assert_allclose(p.detach().numpy(), r, rtol=1e-6)


def test_zero_grad_set_to_none_and_zeros():
    p = minigrad.tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), 0.0)
    opt.zero_grad()
    assert p.grad is None
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), 2.0)


def test_grad_none_is_skipped_without_state():
    a = minigrad.tensor(np.ones(3), requires_grad=True)
    b = minigrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = minigrad.tensor(np.ones(3))
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), 1.0)
    assert b not in opt.state and opt.state[a]["step"] == 1


def test_duplicate_parameter_updated_once():
    p = minigrad.tensor(np.zeros(2), requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate"):
        opt = optim.SGD([p, p], lr=1.0)
    p.grad = minigrad.tensor(np.ones(2))
    opt.step()
    np.testing.assert_array_equal(p.detach().numpy(), -1.0)


def test_parameter_in_two_groups_rejected():
    p = minigrad.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=1.0)


def test_user_rebinding_data_and_grad_is_respected():
    p = minigrad.tensor(np.zeros(3), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    p.data = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)  # rebound by the user
    p.grad = minigrad.tensor([1.0, 1.0, 1.0])    # a foreign gradient tensor
    opt.step()
    np.testing.assert_array_equal(p.detach().numpy(), [0.0, 1.0, 2.0])
    # nothing else saw the new array, so it moved into the flat buffer
    assert np.shares_memory(p.detach().numpy(), opt._flats[0][0].values)

    # rebound to a tensor the user keeps: p shares its memory, as in PyTorch
    t = minigrad.tensor([5.0, 5.0, 5.0], dtype=minigrad.float64)
    p.data = t
    p.grad = minigrad.tensor([1.0, 2.0, 3.0])
    opt.step()
    np.testing.assert_array_equal(t.numpy(), [4.0, 3.0, 2.0])
    assert np.shares_memory(p.detach().numpy(), t.numpy())

    p.data = minigrad.tensor([1.0, 2.0, 3.0])  # float32: the flat buffer is float64
    with pytest.raises(RuntimeError, match="changed dtype from float64 to float32"):
        opt.step()


def test_param_groups_and_mutable_lr():
    a = minigrad.tensor(np.zeros(2), requires_grad=True)
    b = minigrad.tensor(np.zeros(2, np.float32), requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=1.0)
    assert opt.param_groups[1]["momentum"] == 0
    a.grad, b.grad = minigrad.tensor(np.ones(2)), minigrad.tensor(np.ones(2, np.float32))
    opt.step()
    opt.param_groups[0]["lr"] = 0.25
    opt.step()
    np.testing.assert_array_equal(a.detach().numpy(), -1.25)
    np.testing.assert_array_equal(b.detach().numpy(), -1.0)
    c = minigrad.tensor(np.zeros(1), requires_grad=True)
    opt.add_param_group({"params": [c], "lr": 2.0})
    c.grad = minigrad.tensor(np.ones(1))
    opt.step()
    np.testing.assert_array_equal(c.detach().numpy(), -2.0)


def test_mixed_dtypes_in_one_group():
    a = minigrad.tensor(np.zeros(2, np.float32), requires_grad=True)
    b = minigrad.tensor(np.zeros(2, np.float64), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = minigrad.tensor(np.ones(2, np.float32)), minigrad.tensor(np.ones(2))
    opt.step()
    assert a.data.dtype == np.float32 and b.data.dtype == np.float64
    np.testing.assert_allclose(a.detach().numpy(), -0.1, rtol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), -0.1 / (1 + 1e-8), rtol=1e-12)


def test_integer_parameters_rejected():
    with pytest.raises(TypeError, match="float32 or float64"):
        optim.SGD([minigrad.tensor(np.zeros(2, np.int64))], lr=0.1)


def test_closure_is_called_and_returned():
    p = minigrad.tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss.detach().numpy()) == 2.0
    np.testing.assert_allclose(p.detach().numpy(), 0.8)


@pytest.mark.parametrize("name,cls,hyper", [
    ("sgd", optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("adagrad", optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    ("adadelta", optim.Adadelta, dict()),
    ("rmsprop", optim.RMSprop, dict(centered=True, momentum=0.5)),
    ("adam", optim.Adam, dict(lr=0.1, amsgrad=True)),
    ("adamw", optim.AdamW, dict(lr=0.1)),
    ("adamax", optim.Adamax, dict()),
    ("nadam", optim.NAdam, dict()),
])
@pytest.mark.parametrize("through_file", [False, True])
def test_state_dict_resume_gives_same_trajectory(name, cls, hyper, through_file, tmp_path):
    def grads_at(t, params):
        for k, p in enumerate(params):
            p.grad = None if (k == 1 and t % 2) else \
                minigrad.tensor(np.cos(p.detach().numpy() * (t + 1)) + 0.1 * p.detach().numpy())

    def fresh():
        rng = np.random.default_rng(3)
        return [minigrad.tensor(rng.standard_normal(s), requires_grad=True)
                for s in [(4, 3), (5,)]]

    straight = fresh()
    opt = cls(straight, **hyper)
    for t in range(30):
        grads_at(t, straight)
        opt.step()

    first = fresh()
    opt1 = cls(first, **hyper)
    for t in range(12):
        grads_at(t, first)
        opt1.step()
    sd = opt1.state_dict()
    values = [p.detach().numpy().copy() for p in first]
    if through_file:
        minigrad.save({"optim": sd, "params": values}, tmp_path / "ckpt")
        loaded = minigrad.load(tmp_path / "ckpt")
        sd, values = loaded["optim"], loaded["params"]
    resumed = [minigrad.tensor(v, requires_grad=True) for v in values]
    opt2 = cls(resumed, lr=0.123) if cls is optim.SGD else cls(resumed)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for t in range(12, 30):
        grads_at(t, resumed)
        opt2.step()
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_state_dict_is_a_snapshot():
    p = minigrad.tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([p])
    p.grad = minigrad.tensor(np.ones(3))
    opt.step()
    sd = opt.state_dict()
    before = sd["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], before)
    assert sd["param_groups"][0]["params"] == [0]


def test_load_state_dict_rejects_wrong_layout():
    a = optim.SGD([minigrad.tensor(np.ones(3), requires_grad=True)], lr=0.1)
    b = optim.SGD([minigrad.tensor(np.ones(3), requires_grad=True),
                   minigrad.tensor(np.ones(3), requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match"):
        b.load_state_dict(a.state_dict())


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="nothing is compiled")
def test_kernels_compile_once_per_dtype():
    from minigrad.optim import kernels
    for dtype in (np.float32, np.float64):
        for shape, threshold in (((10,), 10**12), ((10,), 0)):
            p = minigrad.tensor(np.ones(shape, dtype), requires_grad=True)
            opt = optim.Adam([p], parallel_threshold=threshold, amsgrad=False)
            p.grad = minigrad.tensor(np.ones(shape, dtype))
            opt.step()
    before = {k: (len(s.signatures), len(p.signatures)) for k, (s, p) in kernels.KERNELS.items()}
    for dtype in (np.float32, np.float64):
        for hyper in (dict(), dict(amsgrad=True, weight_decay=0.1, maximize=True)):
            for threshold in (0, 10**12):
                p = minigrad.tensor(np.ones((3, 4), dtype), requires_grad=True)
                opt = optim.Adam([p], parallel_threshold=threshold, **hyper)
                for _ in range(3):
                    p.grad = minigrad.tensor(np.ones((3, 4), dtype))
                    opt.step()
    after = {k: (len(s.signatures), len(p.signatures)) for k, (s, p) in kernels.KERNELS.items()}
    assert after == before
    assert after["adam"] == (2, 2)


def test_import_is_lazy_and_cheap():
    code = ("import sys, minigrad, minigrad.optim, minigrad.optim.lr_scheduler\n"
            "bad = [m for m in sys.modules if m == 'numba' or m.startswith('numba.')]\n"
            "assert not bad, bad\n"
            "assert 'minigrad.optim.kernels' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_parallel_switches():
    from minigrad.optim._config import DEFAULT_THRESHOLDS, NEVER, resolve_threshold
    p = minigrad.tensor(np.ones(2), requires_grad=True)
    assert optim.Adam([p], parallel=False)._threshold == NEVER
    assert optim.Adam([p], parallel_threshold=7)._threshold == 7
    assert resolve_threshold("adam") in (DEFAULT_THRESHOLDS["adam"],
                                         resolve_threshold("adam"))
    with pytest.raises(ValueError, match="parallel_threshold"):
        optim.Adam([p], parallel_threshold=-1)


def test_parallel_environment_variables(monkeypatch):
    from minigrad.optim._config import NEVER, resolve_threshold
    monkeypatch.setenv("MINIGRAD_PARALLEL", "0")
    assert resolve_threshold("sgd") == NEVER
    monkeypatch.setenv("MINIGRAD_PARALLEL", "1")
    monkeypatch.setenv("MINIGRAD_PARALLEL_THRESHOLD", "123")
    assert resolve_threshold("sgd") == 123
    assert resolve_threshold("sgd", parallel_threshold=5) == 5
    monkeypatch.setenv("MINIGRAD_PARALLEL_THRESHOLD", "lots")
    with pytest.raises(ValueError, match="MINIGRAD_PARALLEL_THRESHOLD"):
        resolve_threshold("sgd")


def test_nan_propagates():
    for cls in (optim.Adam, optim.Adamax):
        p = minigrad.tensor(np.ones(3), requires_grad=True)
        opt = cls([p], **({"amsgrad": True} if cls is optim.Adam else {}))
        p.grad = minigrad.tensor([np.nan, 1.0, 1.0])
        opt.step()
        assert np.isnan(p.detach().numpy()[0]) and np.isfinite(p.detach().numpy()[1:]).all()


_THREADING_PROBE = """
import json, os, numpy as np, minigrad
from minigrad import optim
p = minigrad.tensor(np.ones(10, np.float32), requires_grad=True)
p.grad = minigrad.tensor(np.ones(10, np.float32))
optim.Adam([p]).step()
info = optim._threading.threading_info()
info["env"] = os.environ.get("OMP_WAIT_POLICY")
print(json.dumps(info, default=str))
"""


def _probe(**env):
    import json
    full = {k: v for k, v in os.environ.items()
            if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "NUMBA_THREADING_LAYER",
                         "MINIGRAD_OMP_CONFIG")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", _THREADING_PROBE], env=full, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="no threading layer")
def test_openmp_configured_without_leaking_into_environment():
    info = _probe()
    if info["layer"] == "omp":
        assert info["configured"], info
        assert info["settings"] == {"OMP_WAIT_POLICY": "passive"}
    assert info["env"] is None  # removed again after numba's OpenMP pool was loaded


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="no threading layer")
def test_user_openmp_settings_are_kept():
    info = _probe(OMP_WAIT_POLICY="active")
    assert not info["configured"] and "OMP_WAIT_POLICY" in info["reason"]
    assert info["env"] == "active"
    info = _probe(MINIGRAD_OMP_CONFIG="none")
    assert not info["configured"]


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="no threading layer")
def test_set_num_threads_before_the_first_step_reaches_numba():
    code = ("import numpy as np, numba, minigrad\n"
            "minigrad.set_num_threads(1)\n"
            "p = minigrad.tensor(np.ones(10, np.float32), requires_grad=True)\n"
            "p.grad = minigrad.tensor(np.ones(10, np.float32))\n"
            "minigrad.optim.Adam([p]).step()\n"
            "print(numba.get_num_threads())\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "NUMBA_THREADING_LAYER",
                        "MINIGRAD_OMP_CONFIG", "NUMBA_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "1"
