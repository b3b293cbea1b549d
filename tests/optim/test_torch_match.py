"""Optional: every algorithm and option against torch.optim (float64, 50 steps).

Skipped cleanly when torch is not installed. torch's for-loop implementations use the same
formulas but a few different roundings (lerp for the moving averages), so agreement is to
~1e-12 relative rather than bit for bit.
"""
import numpy as np
import pytest

from cases import CASE_IDS, CASES, MULTI, gradient, initial_arrays, make_params, noise_table, \
    skipped

import minigrad

torch = pytest.importorskip("torch")

STEPS = 50


def _torch_optimizer(name, params, hyper):
    cls = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
           "adadelta": torch.optim.Adadelta, "rmsprop": torch.optim.RMSprop,
           "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "adamax": torch.optim.Adamax,
           "nadam": torch.optim.NAdam}[name.split("-")[0]]
    return cls(params, foreach=False, **hyper)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_matches_torch(case):
    name, cls, _, hyper = case
    arrays = initial_arrays(MULTI, np.float64)
    noise = noise_table(MULTI, STEPS, np.float64)
    params = make_params(arrays)
    opt = cls(params, **hyper)
    tparams = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    topt = _torch_optimizer(name, tparams, hyper)
    for t in range(STEPS):
        for k, (p, tp) in enumerate(zip(params, tparams)):
            if skipped(k, t, True):
                p.grad = None
                tp.grad = None
            else:
                p.grad = minigrad.tensor(gradient(k, t, p.data, noise))
                tp.grad = torch.from_numpy(gradient(k, t, tp.detach().numpy(), noise))
        opt.step()
        topt.step()
    # torch keeps NAdam's running product of momentum coefficients in a float32 scalar tensor
    # (minigrad: a Python float), which shows at ~1e-8 relative.
    rtol, atol = (1e-7, 1e-9) if name.startswith("nadam") else (1e-10, 1e-12)
    for k, (p, tp) in enumerate(zip(params, tparams)):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"{name}: param {k}")
