"""Property test: random hyperparameters, shapes, dtypes and gradient-less steps; the fused
kernels must reproduce the numpy reference bit for bit."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from cases import CASES, ready

BY_NAME = {}
for _name, _cls, _ref, _ in CASES:
    BY_NAME.setdefault(_name.split("-")[0], (_cls, _ref))

unit = st.floats(0.0, 0.99)
small = st.floats(0.0, 0.5)
flag = st.booleans()
HYPER = {
    "sgd": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0), "momentum": unit,
                                  "weight_decay": small, "maximize": flag}),
    "adagrad": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0), "lr_decay": small,
                                      "weight_decay": small, "eps": st.floats(1e-10, 1e-2),
                                      "initial_accumulator_value": small, "maximize": flag}),
    "adadelta": st.fixed_dictionaries({"lr": st.floats(0.1, 2.0), "rho": unit,
                                       "eps": st.floats(1e-8, 1e-3), "weight_decay": small}),
    "rmsprop": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.1), "alpha": unit,
                                      "momentum": unit, "centered": flag, "maximize": flag,
                                      "eps": st.floats(1e-8, 1e-2)}),
    "adam": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "betas": st.tuples(unit, unit),
                                   "weight_decay": small, "amsgrad": flag, "maximize": flag}),
    "adamw": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "betas": st.tuples(unit, unit),
                                    "weight_decay": small, "amsgrad": flag}),
    "adamax": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "betas": st.tuples(unit, unit),
                                     "weight_decay": small, "maximize": flag}),
    "nadam": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "betas": st.tuples(unit, unit),
                                    "weight_decay": small, "momentum_decay": small,
                                    "decoupled_weight_decay": flag}),
    "radam": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "betas": st.tuples(unit, unit),
                                    "weight_decay": small, "maximize": flag,
                                    "decoupled_weight_decay": flag}),
    "rprop": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5),
                                    "etas": st.tuples(st.floats(0.1, 0.9), st.floats(1.1, 2.0)),
                                    "maximize": flag}),
    "asgd": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "lambd": small,
                                   "alpha": st.floats(0.0, 1.0), "t0": st.floats(0, 5),
                                   "weight_decay": small, "maximize": flag}),
    "lion": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5), "betas": st.tuples(unit, unit),
                                   "weight_decay": small}),
    "sgdschedulefree": st.fixed_dictionaries({"lr": st.floats(1e-3, 1.0),
                                              "momentum": st.floats(0.05, 0.95),
                                              "weight_decay": small,
                                              "warmup_steps": st.integers(0, 4),
                                              "r": st.floats(0.0, 2.0)}),
    "adamwschedulefree": st.fixed_dictionaries({"lr": st.floats(1e-3, 0.5),
                                                "betas": st.tuples(st.floats(0.05, 0.95), unit),
                                                "weight_decay": small,
                                                "warmup_steps": st.integers(0, 4)}),
}


@st.composite
def problems(draw):
    name = draw(st.sampled_from(sorted(HYPER)))
    hyper = draw(HYPER[name])
    shapes = draw(st.lists(st.lists(st.integers(1, 4), max_size=2).map(tuple),
                           min_size=1, max_size=4))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    steps = draw(st.integers(1, 8))
    # which parameter has a gradient at which step
    mask = draw(st.lists(st.lists(st.booleans(), min_size=len(shapes), max_size=len(shapes)),
                         min_size=steps, max_size=steps))
    threshold = draw(st.sampled_from([0, 10**9]))
    seed = draw(st.integers(0, 2**16))
    return name, hyper, shapes, dtype, mask, threshold, seed


@settings(max_examples=60, deadline=None)
@given(problems())
def test_random_problems_match_reference(problem):
    name, hyper, shapes, dtype, mask, threshold, seed = problem
    cls, ref_cls = BY_NAME[name]
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(rng.standard_normal(s), dtype) for s in shapes]
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = ready(cls(params, parallel_threshold=threshold, **hyper))
    ref_arrays = [a.copy() for a in arrays]
    ref = ref_cls(ref_arrays, **hyper)
    for row in mask:
        grads = [np.asarray(rng.standard_normal(s), dtype) if has else None
                 for s, has in zip(shapes, row)]
        for p, g in zip(params, grads):
            p.grad = None if g is None else minigrad.tensor(g)
        opt.step()
        ref.step(grads)
    for p, r in zip(params, ref_arrays):
        np.testing.assert_array_equal(p.detach().numpy(), r)
