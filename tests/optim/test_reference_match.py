"""Every algorithm and option against the plain-numpy reference, step for step, 50 steps.

The kernels perform the reference's IEEE operations in the same order with no fastmath, so the
trajectories must agree exactly (bit for bit), in float32 and float64, single tensor and
multi-tensor with skipped gradients, serial and parallel kernels.
"""
import numpy as np
import pytest

from cases import CASE_IDS, CASES, MULTI, SINGLE, gradient, initial_arrays, make_params, \
    noise_table, ready, skipped

import minigrad

STEPS = 50


@pytest.mark.parametrize("kernel", ["serial", "parallel"])
@pytest.mark.parametrize("layout", ["single", "multi"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_matches_reference(case, dtype, layout, kernel):
    _, cls, ref_cls, hyper = case
    multi = layout == "multi"
    shapes = MULTI if multi else SINGLE
    arrays = initial_arrays(shapes, dtype)
    noise = noise_table(shapes, STEPS, dtype)
    params = make_params(arrays)
    threshold = 0 if kernel == "parallel" else 10**12
    opt = ready(cls(params, parallel_threshold=threshold, **hyper))
    ref_arrays = [a.copy() for a in arrays]
    ref = ref_cls(ref_arrays, **hyper)
    for t in range(STEPS):
        ref_grads = []
        for k, (p, r) in enumerate(zip(params, ref_arrays)):
            if skipped(k, t, multi):
                p.grad = None
                ref_grads.append(None)
            else:
                p.grad = minigrad.tensor(gradient(k, t, p.detach().numpy(), noise))
                ref_grads.append(gradient(k, t, r, noise))
        opt.step()
        ref.step(ref_grads)
        for k, (p, r) in enumerate(zip(params, ref_arrays)):
            assert p.data.dtype == dtype
            np.testing.assert_array_equal(p.detach().numpy(), r, err_msg=f"param {k} at step {t}")
    if multi:
        # The parameter that never had a gradient is untouched and has no state.
        np.testing.assert_array_equal(params[1].detach().numpy(), arrays[1])
        assert params[1] not in opt.state
        # Per-parameter step counts (where the algorithm has one) follow the reference.
        for k, p in enumerate(params):
            if "step" in ref.state[k]:
                assert opt.state[p]["step"] == ref.state[k]["step"]
    # The state tensors agree as well.
    for k, p in enumerate(params):
        for name, value in ref.state[k].items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(opt.state[p][name], value, err_msg=name)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_moves_parameters(case):
    """Guard against a vacuous comparison: both sides must actually change the parameters."""
    _, cls, _, hyper = case
    params = make_params(initial_arrays(SINGLE, np.float64))
    before = params[0].detach().numpy().copy()
    opt = ready(cls(params, **hyper))
    params[0].grad = minigrad.tensor(np.ones(SINGLE[0]))
    opt.step()
    assert not np.array_equal(params[0].detach().numpy(), before)
