"""minigrad.distributions against independent numpy / math references (closed forms written
here, numerical integration, numpy's linear algebra): no torch needed."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributions as D

RNG = np.random.default_rng(99)


def _t(a):
    return mg.tensor(np.asarray(a, dtype=np.float64))


def _np(t):
    return t.detach().numpy()


def test_normal_log_prob_cdf_entropy():
    loc, scale, x = 0.7, 1.9, np.array([-3.0, 0.0, 0.7, 4.2])
    d = D.Normal(_t(loc), _t(scale))
    pdf = np.exp(-(x - loc) ** 2 / (2 * scale ** 2)) / (scale * math.sqrt(2 * math.pi))
    np.testing.assert_allclose(_np(d.log_prob(_t(x))), np.log(pdf), rtol=1e-12)
    cdf = [0.5 * (1 + math.erf((v - loc) / (scale * math.sqrt(2)))) for v in x]
    np.testing.assert_allclose(_np(d.cdf(_t(x))), cdf, rtol=1e-12)
    np.testing.assert_allclose(_np(d.icdf(_t(cdf))), x, rtol=1e-9)
    # entropy = -integral p log p, by the trapezoid rule on a wide grid
    g = np.linspace(loc - 12 * scale, loc + 12 * scale, 200001)
    p = np.exp(-(g - loc) ** 2 / (2 * scale ** 2)) / (scale * math.sqrt(2 * math.pi))
    np.testing.assert_allclose(d.entropy().item(), np.trapezoid(-p * np.log(p), g), rtol=1e-8)


def test_laplace_and_exponential_closed_forms():
    x = np.array([-2.0, 0.3, 5.0])
    d = D.Laplace(_t(0.3), _t(1.5))
    np.testing.assert_allclose(_np(d.log_prob(_t(x))), -np.abs(x - 0.3) / 1.5 - math.log(3.0),
                               rtol=1e-12)
    np.testing.assert_allclose(d.entropy().item(), 1 + math.log(3.0), rtol=1e-12)
    assert d.variance.item() == pytest.approx(2 * 1.5 ** 2, rel=1e-12)
    e = D.Exponential(_t(2.5))
    y = np.array([0.0, 0.4, 3.0])
    np.testing.assert_allclose(_np(e.log_prob(_t(y))), np.log(2.5 * np.exp(-2.5 * y)), rtol=1e-12)
    np.testing.assert_allclose(_np(e.cdf(_t(y))), 1 - np.exp(-2.5 * y), rtol=1e-12)
    assert e.mean.item() == pytest.approx(0.4) and e.variance.item() == pytest.approx(0.16)
    assert e.entropy().item() == pytest.approx(1 - math.log(2.5), rel=1e-12)


def test_uniform_log_prob_inside_and_outside():
    d = D.Uniform(_t([0.0, -1.0]), _t([2.0, 3.0]), validate_args=False)
    lp = _np(d.log_prob(_t([[1.0, 2.9], [2.0, -1.0], [-0.1, 3.5]])))
    np.testing.assert_allclose(lp[0], [-math.log(2), -math.log(4)], rtol=1e-12)
    assert lp[1, 0] == -np.inf and lp[1, 1] == pytest.approx(-math.log(4))  # [low, high)
    assert np.all(lp[2] == -np.inf)
    np.testing.assert_allclose(_np(d.variance), [4 / 12, 16 / 12], rtol=1e-12)


def test_beta_against_lgamma_and_numerical_integration():
    a, b = 2.3, 3.7
    x = np.array([0.05, 0.4, 0.93])
    d = D.Beta(_t(a), _t(b))
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    ref = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) + log_norm
    np.testing.assert_allclose(_np(d.log_prob(_t(x))), ref, rtol=1e-12)
    g = np.linspace(0, 1, 400001)[1:-1]
    p = np.exp((a - 1) * np.log(g) + (b - 1) * np.log1p(-g) + log_norm)
    np.testing.assert_allclose(d.entropy().item(), np.trapezoid(-p * np.log(p), g), rtol=1e-7)
    assert d.mean.item() == pytest.approx(a / (a + b), rel=1e-12)
    assert d.mode.item() == pytest.approx((a - 1) / (a + b - 2), rel=1e-12)
    assert d.variance.item() == pytest.approx(a * b / ((a + b) ** 2 * (a + b + 1)), rel=1e-12)


def test_bernoulli_and_categorical_against_numpy():
    p = np.array([0.1, 0.5, 0.8])
    d = D.Bernoulli(probs=_t(p))
    np.testing.assert_allclose(_np(d.log_prob(_t([1.0, 0.0, 0.0]))),
                               np.log([0.1, 0.5, 0.2]), rtol=1e-12)
    np.testing.assert_allclose(_np(d.entropy()), -(p * np.log(p) + (1 - p) * np.log1p(-p)),
                               rtol=1e-12)
    m = _np(d.mode)
    assert m[0] == 0 and np.isnan(m[1]) and m[2] == 1
    logits = RNG.standard_normal((2, 4))
    c = D.Categorical(logits=_t(logits))
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    idx = np.array([[3, 0], [1, 1]])
    np.testing.assert_allclose(_np(c.log_prob(mg.tensor(idx))),
                               logp[np.arange(2), idx], rtol=1e-12)
    np.testing.assert_allclose(_np(c.entropy()), -(np.exp(logp) * logp).sum(-1), rtol=1e-12)
    w = np.array([1.0, 3.0, 0.0, 4.0])  # unnormalised weights, one zero
    c = D.Categorical(probs=_t(w))
    np.testing.assert_allclose(_np(c.probs), w / 8)
    assert c.log_prob(mg.tensor(2)).item() < -30  # log(eps), as PyTorch's clamp
    assert c.mode.item() == 3
    oh = D.OneHotCategorical(probs=_t(w))
    assert oh.log_prob(_t([0.0, 1.0, 0.0, 0.0])).item() == pytest.approx(math.log(3 / 8))
    np.testing.assert_array_equal(_np(oh.mode), [0, 0, 0, 1])


def test_multivariate_normal_against_numpy():
    k = 4
    a = RNG.standard_normal((k, k))
    cov = a @ a.T + np.eye(k)
    mu = RNG.standard_normal(k)
    x = RNG.standard_normal((5, k))
    d = D.MultivariateNormal(_t(mu), covariance_matrix=_t(cov))
    diff = x - mu
    maha = np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff)
    ref = -0.5 * (k * math.log(2 * math.pi) + np.linalg.slogdet(cov)[1] + maha)
    np.testing.assert_allclose(_np(d.log_prob(_t(x))), ref, rtol=1e-10)
    ent = 0.5 * (k * (1 + math.log(2 * math.pi)) + np.linalg.slogdet(cov)[1])
    assert d.entropy().item() == pytest.approx(ent, rel=1e-12)
    np.testing.assert_allclose(_np(d.precision_matrix), np.linalg.inv(cov), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(_np(d.variance), np.diag(cov), rtol=1e-12)
    # the same distribution from its precision matrix and from its Cholesky factor
    for kw in ({"precision_matrix": _t(np.linalg.inv(cov))},
               {"scale_tril": _t(np.linalg.cholesky(cov))}):
        other = D.MultivariateNormal(_t(mu), **kw)
        np.testing.assert_allclose(_np(other.log_prob(_t(x))), ref, rtol=1e-9)
        np.testing.assert_allclose(_np(other.covariance_matrix), cov, rtol=1e-9, atol=1e-12)


def test_kl_closed_forms():
    kl = D.kl_divergence(D.Normal(_t(0.3), _t(1.2)), D.Normal(_t(-0.5), _t(0.7))).item()
    ref = math.log(0.7 / 1.2) + (1.2 ** 2 + 0.8 ** 2) / (2 * 0.7 ** 2) - 0.5
    assert kl == pytest.approx(ref, rel=1e-12)
    p, q = np.array([0.2, 0.5, 0.3]), np.array([0.4, 0.4, 0.2])
    kl = D.kl_divergence(D.Categorical(probs=_t(p)), D.Categorical(probs=_t(q))).item()
    assert kl == pytest.approx(np.sum(p * np.log(p / q)), rel=1e-12)
    kl = D.kl_divergence(D.Bernoulli(probs=_t(0.3)), D.Bernoulli(probs=_t(0.6))).item()
    assert kl == pytest.approx(0.3 * math.log(0.5) + 0.7 * math.log(0.7 / 0.4), rel=1e-12)
    k = 3
    a, b = RNG.standard_normal((k, k)), RNG.standard_normal((k, k))
    S0, S1 = a @ a.T + np.eye(k), b @ b.T + np.eye(k)
    m0, m1 = RNG.standard_normal(k), RNG.standard_normal(k)
    kl = D.kl_divergence(D.MultivariateNormal(_t(m0), _t(S0)), D.MultivariateNormal(_t(m1), _t(S1)))
    S1i = np.linalg.inv(S1)
    ref = 0.5 * (np.trace(S1i @ S0) + (m1 - m0) @ S1i @ (m1 - m0) - k
                 + np.linalg.slogdet(S1)[1] - np.linalg.slogdet(S0)[1])
    assert kl.item() == pytest.approx(ref, rel=1e-10)
    # Independent of Normals: the sum of the elementwise KLs
    l0, l1, s0, s1 = (RNG.standard_normal(3), RNG.standard_normal(3), RNG.uniform(0.5, 2, 3),
                      RNG.uniform(0.5, 2, 3))
    kl = D.kl_divergence(D.Independent(D.Normal(_t(l0), _t(s0)), 1),
                         D.Independent(D.Normal(_t(l1), _t(s1)), 1)).item()
    ref = np.sum(np.log(s1 / s0) + (s0 ** 2 + (l0 - l1) ** 2) / (2 * s1 ** 2) - 0.5)
    assert kl == pytest.approx(ref, rel=1e-12)


def test_kl_registry_dispatch_and_missing_pair():
    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(_t(0.0), _t(1.0)), D.Normal(_t(1.0), _t(1.0))
    assert D.kl_divergence(p, q).item() == pytest.approx(0.5)  # inherited Normal-Normal
    try:
        @D.register_kl(MyNormal, D.Normal)
        def _kl(p, q):
            return p.loc * 0 + 42.0

        assert D.kl_divergence(p, q).item() == 42.0  # the more specific pair wins
        assert D.kl_divergence(D.Normal(_t(0.0), _t(1.0)), q).item() == pytest.approx(0.5)
    finally:
        from minigrad.distributions import kl as kl_module
        del kl_module._KL_REGISTRY[MyNormal, D.Normal]
        kl_module._KL_MEMOIZE.clear()
    with pytest.raises(NotImplementedError, match="Normal.*Categorical"):
        D.kl_divergence(q, D.Categorical(probs=_t([0.5, 0.5])))
    with pytest.raises(TypeError, match="type_q"):
        D.register_kl(D.Normal, int)
