"""Adafactor, Muon and Prodigy against their plain-numpy references, step for step (50 steps).

Their updates contain reductions (norms, row/column means, sums over all parameters) and, for
Muon, matrix products; the kernels accumulate in float64 in their own order, so agreement is
to rounding: float64 to 1e-10 relative, float32 to 1e-6 (Muon: 2e-4, the float32
Newton-Schulz iteration amplifies rounding).
"""
import numpy as np
import pytest

from cases import gradient, initial_arrays, make_params, noise_table, skipped

import minigrad
from minigrad import optim
from minigrad.optim import reference

STEPS = 50
MATRICES = [(6, 5), (5, 3), (3, 7), (4, 4), (4, 3), (2, 9)]
TENSORS = [(6, 5), (5,), (), (3, 2, 4), (4, 3), (7,)]

CASES = [
    ("adafactor", optim.Adafactor, reference.Adafactor, dict(), TENSORS),
    ("adafactor-options", optim.Adafactor, reference.Adafactor,
     dict(lr=0.05, beta2_decay=-0.5, eps=(1e-6, 1e-2), d=2.0, weight_decay=0.1,
          maximize=True), TENSORS),
    ("muon", optim.Muon, reference.Muon, dict(lr=0.02), MATRICES),
    ("muon-options", optim.Muon, reference.Muon,
     dict(lr=0.02, weight_decay=0.01, momentum=0.9, nesterov=False, ns_steps=3,
          adjust_lr_fn="match_rms_adamw"), MATRICES),
    ("prodigy", optim.Prodigy, reference.Prodigy, dict(), TENSORS),
    ("prodigy-options", optim.Prodigy, reference.Prodigy,
     dict(lr=0.5, betas=(0.8, 0.99), beta3=0.9, weight_decay=0.1, decouple=False,
          use_bias_correction=True, safeguard_warmup=True, d0=1e-4, d_coef=2.0,
          growth_rate=1.05), TENSORS),
    ("prodigy-nomomentum", optim.Prodigy, reference.Prodigy,
     dict(betas=(0.0, 0.999), weight_decay=0.05), TENSORS),
]


def _tolerance(name, dtype):
    if dtype == np.float64:
        return dict(rtol=1e-10, atol=1e-12)
    return dict(rtol=2e-4, atol=2e-5) if name.startswith("muon") else dict(rtol=1e-6,
                                                                            atol=1e-7)


@pytest.mark.parametrize("kernel", ["serial", "parallel"])
@pytest.mark.parametrize("layout", ["single", "multi"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_reference(case, dtype, layout, kernel):
    name, cls, ref_cls, hyper, shapes = case
    multi = layout == "multi"
    shapes = shapes if multi else [(8, 5)] if name.startswith("muon") else [(40,)]
    arrays = initial_arrays(shapes, dtype)
    noise = noise_table(shapes, STEPS, dtype)
    params = make_params(arrays)
    opt = cls(params, parallel_threshold=0 if kernel == "parallel" else 10**12, **hyper)
    ref_arrays = [a.copy() for a in arrays]
    ref = ref_cls(ref_arrays, **hyper)
    tol = _tolerance(name, dtype)
    for t in range(STEPS):
        grads = []
        for k, (p, r) in enumerate(zip(params, ref_arrays)):
            if skipped(k, t, multi):
                p.grad = None
                grads.append(None)
            else:
                # the reference's own trajectory feeds its gradients: errors would grow
                p.grad = minigrad.tensor(gradient(k, t, p.detach().numpy(), noise))
                grads.append(gradient(k, t, r, noise))
        opt.step()
        ref.step(grads)
        for k, (p, r) in enumerate(zip(params, ref_arrays)):
            assert p.dtype == dtype
            np.testing.assert_allclose(p.detach().numpy(), r, err_msg=f"param {k}, step {t}",
                                       **tol)
    for k, p in enumerate(params):
        assert not np.array_equal(p.detach().numpy(), arrays[k]) or (multi and k == 1)
        for key, value in ref.state[k].items():
            if isinstance(value, np.ndarray):
                np.testing.assert_allclose(opt.state[p][key], value, err_msg=key,
                                           rtol=1e-3 if dtype == np.float32 else 1e-8,
                                           atol=1e-6 if dtype == np.float32 else 1e-12)
    if multi:
        np.testing.assert_array_equal(params[1].detach().numpy(), arrays[1])
        assert params[1] not in opt.state


def test_prodigy_estimate_matches_reference():
    """d, the global step size, follows the reference's estimate step for step."""
    arrays = initial_arrays(TENSORS, np.float64)
    noise = noise_table(TENSORS, 30, np.float64)
    params = make_params(arrays)
    opt = optim.Prodigy(params)
    ref_arrays = [a.copy() for a in arrays]
    ref = reference.Prodigy(ref_arrays)
    ds = []
    for t in range(30):
        for k, p in enumerate(params):
            p.grad = minigrad.tensor(gradient(k, t, p.detach().numpy(), noise))
        opt.step()
        ref.step([gradient(k, t, r, noise) for k, r in enumerate(ref_arrays)])
        np.testing.assert_allclose(opt.param_groups[0]["d"], ref.d, rtol=1e-12)
        ds.append(ref.d)
    assert ds[-1] > 100 * ds[0]  # the estimate grows from d0, as the method intends
