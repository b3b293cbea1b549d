"""Samples: moments of 20,000 seeded draws within a few standard errors of the closed-form
values (written here), reproducibility through minigrad.manual_seed, and the support."""
import math
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributions as D

N = 20_000


def _t(a):
    return mg.tensor(np.asarray(a, dtype=np.float64))


def _check_moments(x, mean, var, name):
    """Sample mean and variance along axis 0 within 5 standard errors."""
    x = np.asarray(x, dtype=np.float64)
    m, v = x.mean(0), x.var(0, ddof=1)
    assert np.all(np.abs(m - mean) < 5 * np.sqrt(np.asarray(var) / len(x))), (name, m, mean)
    mu4 = ((x - m) ** 4).mean(0)
    n = len(x)  # Var(s^2) = (mu4 - sigma^4) / n + 2 sigma^4 / (n (n - 1))
    se_var = np.sqrt(np.maximum(mu4 - v ** 2, 0) / n + 2 * v ** 2 / (n * (n - 1)))
    assert np.all(np.abs(v - var) < 5 * se_var), (name, v, var)


# name, distribution, closed-form mean, closed-form variance (per batch element)
def _cases():
    a, b = np.array([0.5, 2.0]), np.array([0.7, 5.0])
    return [
        ("Normal", D.Normal(_t([0.3, -2.0]), _t([1.5, 0.2])), [0.3, -2.0], [2.25, 0.04]),
        ("Laplace", D.Laplace(_t([1.0, -1.0]), _t([0.5, 2.0])), [1.0, -1.0], [0.5, 8.0]),
        ("Exponential", D.Exponential(_t([0.5, 4.0])), [2.0, 0.25], [4.0, 1 / 16]),
        ("Uniform", D.Uniform(_t([-1.0, 2.0]), _t([3.0, 2.5])), [1.0, 2.25], [16 / 12, 0.25 / 12]),
        ("Beta", D.Beta(_t(a), _t(b)), a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))),
        ("Bernoulli", D.Bernoulli(probs=_t([0.1, 0.7])), [0.1, 0.7], [0.09, 0.21]),
        ("Bernoulli_logits", D.Bernoulli(logits=_t([0.0])), [0.5], [0.25]),
    ]


@pytest.mark.parametrize("case", range(7))
def test_sample_moments(case):
    name, d, mean, var = _cases()[case]
    mg.manual_seed(100 + case)
    _check_moments(d.sample((N,)).numpy(), mean, var, name)
    if d.has_rsample:
        mg.manual_seed(200 + case)
        _check_moments(d.rsample((N,)).detach().numpy(), mean, var, name + ".rsample")


def test_support_of_samples():
    mg.manual_seed(0)
    assert D.Exponential(_t(3.0)).sample((N,)).numpy().min() >= 0
    u = D.Uniform(_t(2.0), _t(2.5)).sample((N,)).numpy()
    assert u.min() >= 2.0 and u.max() < 2.5
    beta = D.Beta(_t(0.1), _t(0.1)).sample((N,)).numpy()  # mass piled at both ends
    assert beta.min() > 0 and beta.max() < 1
    assert set(np.unique(D.Bernoulli(probs=_t(0.5)).sample((100,)).numpy())) == {0.0, 1.0}


def test_categorical_and_one_hot_frequencies():
    probs = np.array([[0.1, 0.2, 0.7, 0.0], [0.25, 0.25, 0.25, 0.25]])
    mg.manual_seed(7)
    s = D.Categorical(probs=_t(probs)).sample((N,)).numpy()
    assert s.shape == (N, 2) and s.dtype == np.int64
    for row in range(2):
        freq = np.bincount(s[:, row], minlength=4) / N
        se = np.sqrt(probs[row] * (1 - probs[row]) / N)
        assert np.all(np.abs(freq - probs[row]) <= 5 * se + 1e-12), freq
    assert not np.any(s[:, 0] == 3)  # zero probability never drawn
    oh = D.OneHotCategorical(logits=_t(np.log(probs[0] + 1e-300))).sample((N,)).numpy()
    assert oh.shape == (N, 4) and np.all(oh.sum(-1) == 1)
    _check_moments(oh[:, :3], probs[0, :3], probs[0, :3] * (1 - probs[0, :3]), "OneHot")


def test_multivariate_normal_sample_covariance():
    cov = np.array([[2.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 0.5]])
    mu = np.array([1.0, -1.0, 0.0])
    for kw in ("covariance_matrix", "scale_tril", "precision_matrix"):
        mat = {"covariance_matrix": cov, "scale_tril": np.linalg.cholesky(cov),
               "precision_matrix": np.linalg.inv(cov)}[kw]
        mg.manual_seed(11)
        x = D.MultivariateNormal(_t(mu), **{kw: _t(mat)}).sample((N,)).numpy()
        _check_moments(x, mu, np.diag(cov), kw)
        # each covariance entry: E[(x_i - mu_i)(x_j - mu_j)] within 5 standard errors
        prods = (x - mu)[:, :, None] * (x - mu)[:, None, :]
        se = prods.std(0) / math.sqrt(N)
        assert np.all(np.abs(prods.mean(0) - cov) < 5 * se), kw


def test_manual_seed_makes_samples_reproducible():
    dists = [D.Normal(_t([0.0, 1.0]), _t([1.0, 2.0])), D.Categorical(logits=_t([0.1, 0.5, 2.0])),
             D.Bernoulli(probs=_t([0.3, 0.6])), D.Beta(_t(2.0), _t(3.0)),
             D.Laplace(_t(0.0), _t(1.0)),
             D.Exponential(_t(1.0)), D.Uniform(_t(0.0), _t(1.0)),
             D.MultivariateNormal(_t([0.0, 0.0]), scale_tril=_t([[1.0, 0.0], [0.5, 1.0]]))]
    for d in dists:
        draws = []
        for seed in (5, 5, 6):
            mg.manual_seed(seed)
            draws.append(d.sample((50,)).numpy())
            if d.has_rsample:
                r = d.rsample((50,)).detach().numpy()
                draws[-1] = np.concatenate([draws[-1].ravel(), r.ravel()])
        np.testing.assert_array_equal(draws[0], draws[1], err_msg=type(d).__name__)
        assert not np.array_equal(draws[0], draws[2]), type(d).__name__
    # the draws come from the global generator: its state moves
    state = mg.get_rng_state().numpy().copy()
    D.Normal(_t(0.0), _t(1.0)).sample()
    assert not np.array_equal(state, mg.get_rng_state().numpy())


def test_rsample_is_differentiable_and_sample_is_not():
    loc = mg.tensor([0.5, -0.5], dtype=mg.float64, requires_grad=True)
    scale = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    d = D.Normal(loc, scale)
    mg.manual_seed(3)
    x = d.rsample((4,))
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [4.0, 4.0])
    eps = (x.detach().numpy() - [0.5, -0.5]) / [1.0, 2.0]
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-12)
    assert not d.sample((4,)).requires_grad
    with pytest.raises(NotImplementedError, match="rsample"):
        D.Bernoulli(probs=_t(0.5)).rsample()


def test_distributions_is_imported_lazily():
    code = ("import sys, minigrad; assert 'minigrad.distributions' not in sys.modules; "
            "assert minigrad.distributions.Normal.__name__ == 'Normal'")
    subprocess.run([sys.executable, "-c", code], check=True)
