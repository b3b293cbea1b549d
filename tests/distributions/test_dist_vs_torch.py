"""minigrad.distributions against torch.distributions (2.13) for the same parameters and
values: log_prob, entropy, mean, mode, variance, stddev, cdf/icdf, kl_divergence, their
gradients w.r.t. the parameters (and the value), and the shapes of samples."""
import os
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributions as mgd

sys.path.insert(0, os.path.dirname(__file__))
from dist_cases import CASES, KL_SECOND  # noqa: E402

torch = pytest.importorskip("torch")
td = torch.distributions

W = np.random.default_rng(5)


def _tensors(lib, params, grad=True):
    if lib == "torch":
        return {k: torch.tensor(v, dtype=torch.float64, requires_grad=grad)
                for k, v in params.items()}
    return {k: mg.tensor(v, dtype=mg.float64, requires_grad=grad) for k, v in params.items()}


def _value(lib, value, grad=False):
    if value.dtype.kind == "i":
        return torch.tensor(value) if lib == "torch" else mg.tensor(value)
    if lib == "torch":
        return torch.tensor(value, dtype=torch.float64, requires_grad=grad)
    return mg.tensor(value, dtype=mg.float64, requires_grad=grad)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(a, b, name, rtol=1e-9, atol=1e-11):
    if a is None or b is None:  # a gradient that is None (no path) on one side: zero on the other
        assert not np.any(_np(b if a is None else a)), f"{name}: None vs non-zero gradient"
        return
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, f"{name}: shape {a.shape} vs torch {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=name)


QUANTITIES = ("mean", "mode", "variance", "stddev")


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_torch(case):
    build, params, value = CASES[case]
    continuous = value.dtype.kind == "f" and not case.startswith(("Bernoulli", "OneHot"))
    outs = {}
    for lib, D in (("torch", td), ("mg", mgd)):
        p = _tensors(lib, params)
        v = _value(lib, value, grad=continuous)
        d = build(D, p)
        res = {"log_prob": d.log_prob(v), "entropy": d.entropy()}
        for q in QUANTITIES:
            res[q] = getattr(d, q)
        res["batch_shape"], res["event_shape"] = tuple(d.batch_shape), tuple(d.event_shape)
        # one scalar from every differentiable quantity, weighted so no error can cancel
        rng = np.random.default_rng(11)
        total = 0
        for k in ("log_prob", "entropy") + QUANTITIES:
            t = res[k]
            if t.dtype in (torch.int64, np.int64) or np.isnan(_np(t)).any():
                continue
            w = rng.standard_normal(tuple(t.shape))
            total = total + (t * (torch.tensor(w) if lib == "torch" else mg.tensor(w))).sum()
        total.backward()
        res["grads"] = {k: t.grad for k, t in p.items()}
        res["value_grad"] = v.grad if continuous else None
        outs[lib] = res
    t, m = outs["torch"], outs["mg"]
    assert m["batch_shape"] == t["batch_shape"] and m["event_shape"] == t["event_shape"]
    for k in ("log_prob", "entropy") + QUANTITIES:
        _close(m[k], t[k], f"{case}.{k}")
    for k in params:
        _close(m["grads"][k], t["grads"][k], f"{case} d/d{k}", rtol=1e-8, atol=1e-10)
    if continuous:
        _close(m["value_grad"], t["value_grad"], f"{case} d/dvalue", rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("case", sorted(KL_SECOND))
def test_kl_divergence_and_its_gradients_match_torch(case):
    build, params, _ = CASES[case]
    second = KL_SECOND[case]
    outs = {}
    for lib, D in (("torch", td), ("mg", mgd)):
        p, q = _tensors(lib, params), _tensors(lib, second)
        kl = D.kl_divergence(build(D, p), build(D, q))
        w = np.random.default_rng(3).standard_normal(tuple(kl.shape))
        finite = np.isfinite(_np(kl))
        mask = w * finite
        (kl.masked_fill(torch.tensor(~finite) if lib == "torch" else mg.tensor(~finite), 0)
         * (torch.tensor(mask) if lib == "torch" else mg.tensor(mask))).sum().backward()
        outs[lib] = (kl, {k: t.grad for k, t in p.items()}, {k: t.grad for k, t in q.items()})
    (kt, gpt, gqt), (km, gpm, gqm) = outs["torch"], outs["mg"]
    _close(km, kt, f"KL {case}")
    assert np.all(_np(kt) >= -1e-12)
    for ref, got, which in ((gpt, gpm, "p"), (gqt, gqm, "q")):
        for k in ref:
            _close(got[k], ref[k], f"KL {case} d/d{which}.{k}", rtol=1e-8, atol=1e-10)


def test_kl_with_zero_probabilities_matches_torch():
    p = np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])
    q = np.array([[0.3, 0.7, 0.0], [0.1, 0.1, 0.8]])
    res = []
    for D, T in ((td, lambda a: torch.tensor(a)), (mgd, lambda a: mg.tensor(a))):
        res.append((D.kl_divergence(D.Categorical(probs=T(p)), D.Categorical(probs=T(q))),
                    D.kl_divergence(D.Categorical(probs=T(q)), D.Categorical(probs=T(p))),
                    D.kl_divergence(D.Bernoulli(probs=T(p)), D.Bernoulli(probs=T(q))),
                    D.kl_divergence(D.Uniform(T(0.0), T(2.0)), D.Uniform(T(0.5), T(3.0)))))
    for a, b in zip(res[1], res[0]):
        _close(a, b, "zero-probability KL")


@pytest.mark.parametrize("case", ["Normal", "Laplace", "Exponential", "Uniform"])
def test_cdf_and_icdf_match_torch(case):
    build, params, value = CASES[case]
    for lib, D in (("torch", td), ("mg", mgd)):
        d = build(D, _tensors(lib, params, grad=False))
        v = _value(lib, value)
        u = _value(lib, np.random.default_rng(1).uniform(0.05, 0.95, value.shape))
        if lib == "torch":
            ref = (d.cdf(v), d.icdf(u))
        else:
            got = (d.cdf(v), d.icdf(u))
    _close(got[0], ref[0], f"{case}.cdf")
    _close(got[1], ref[1], f"{case}.icdf")


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes_and_dtypes_match_torch(case, sample_shape):
    build, params, _ = CASES[case]
    dt = build(td, _tensors("torch", params))
    dm = build(mgd, _tensors("mg", params))
    st, sm = dt.sample(sample_shape), dm.sample(sample_shape)
    assert tuple(sm.shape) == tuple(st.shape)
    assert str(sm.dtype) == str(st.dtype).replace("torch.", "")
    assert not sm.requires_grad
    assert dm.has_rsample == dt.has_rsample or case == "Beta"  # see test_beta_has_no_rsample
    if dt.has_rsample and dm.has_rsample:
        r = dm.rsample(sample_shape)
        assert tuple(r.shape) == tuple(dt.rsample(sample_shape).shape) and r.requires_grad
    # log_prob of a sample has shape sample_shape + batch_shape
    assert tuple(dm.log_prob(sm).shape) == tuple(dt.log_prob(st).shape)


@pytest.mark.parametrize("case", ["Normal", "Laplace", "Exponential", "Uniform", "Beta",
                                  "Bernoulli_probs", "Categorical_logits",
                                  "OneHotCategorical_probs", "MVN_cov", "Independent_Normal"])
def test_expand_matches_torch(case):
    build, params, value = CASES[case]
    dt = build(td, _tensors("torch", params, grad=False))
    dm = build(mgd, _tensors("mg", params, grad=False))
    new_batch = (4,) + tuple(dt.batch_shape)
    et, em = dt.expand(new_batch), dm.expand(new_batch)
    assert tuple(em.batch_shape) == tuple(et.batch_shape)
    assert tuple(em.event_shape) == tuple(et.event_shape)
    assert type(em) is type(dm)
    assert tuple(em.sample((2,)).shape) == tuple(et.sample((2,)).shape)
    value = value[:1]  # broadcasts against the new leading batch dim
    _close(em.log_prob(_value("mg", value)), et.log_prob(_value("torch", value)), "expanded")
    _close(em.entropy(), et.entropy(), "expanded entropy")


def test_mvn_matrices_match_torch():
    loc, cov = np.zeros(3), CASES["MVN_cov"][1]["cov"]
    for kw in ("covariance_matrix", "precision_matrix", "scale_tril"):
        mat = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov),
               "scale_tril": np.linalg.cholesky(cov)}[kw]
        dt = td.MultivariateNormal(torch.tensor(loc), **{kw: torch.tensor(mat)})
        dm = mgd.MultivariateNormal(mg.tensor(loc), **{kw: mg.tensor(mat)})
        for attr in ("covariance_matrix", "precision_matrix", "scale_tril"):
            _close(getattr(dm, attr), getattr(dt, attr), f"{kw} -> {attr}", rtol=1e-8)


def test_enumerate_support_matches_torch():
    for name in ("Bernoulli_probs", "Categorical_probs", "OneHotCategorical_probs"):
        build, params, _ = CASES[name]
        dt = build(td, _tensors("torch", params, grad=False))
        dm = build(mgd, _tensors("mg", params, grad=False))
        for expand in (True, False):
            np.testing.assert_array_equal(_np(dm.enumerate_support(expand)),
                                          _np(dt.enumerate_support(expand)))


def test_float32_parameters_stay_float32_as_in_torch():
    dm = mgd.Normal(mg.tensor([0.0, 1.0]), 2.0)
    dt = td.Normal(torch.tensor([0.0, 1.0]), 2.0)
    assert str(dm.scale.dtype) == "float32" == str(dt.scale.dtype).replace("torch.", "")
    assert str(dm.rsample((3,)).dtype) == "float32"
    assert str(dm.log_prob(mg.tensor([0.5, 0.5])).dtype) == "float32"
    assert mgd.Normal(0.0, 1.0).batch_shape == td.Normal(0.0, 1.0).batch_shape == ()
