"""Float64 finite-difference checks (minigrad.gradcheck) of log_prob, entropy, rsample and
kl_divergence w.r.t. the parameters, and second derivatives (gradgradcheck)."""
import os
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributions as D
from minigrad.autograd.gradcheck import gradgradcheck

sys.path.insert(0, os.path.dirname(__file__))
from dist_cases import CASES, KL_SECOND  # noqa: E402

# The matrix cases go through a free matrix A (cov = A A^T + I): a perturbation of one
# element of a symmetric matrix leaves the symmetric set (cholesky reads one triangle).
MATRIX_CASES = {"MVN_cov", "MVN_precision", "MVN_tril"}


def _leaf(a):
    return mg.tensor(np.ascontiguousarray(a), dtype=mg.float64, requires_grad=True)


def _free(case, params):
    """The parameters gradcheck perturbs, and a function of them building the distribution."""
    build = CASES[case][0]
    names = sorted(params)
    if case not in MATRIX_CASES:
        return [_leaf(params[k]) for k in names], lambda *ts: build(D, dict(zip(names, ts)))
    key = next(k for k in names if k != "loc")
    m = params[key]
    A = np.linalg.cholesky(m - 0.5 * np.eye(3)) if key != "tril" else m
    n = A.shape[-1]

    def make(loc, A):
        eye = mg.eye(n, dtype=mg.float64)
        mat = A.tril() if key == "tril" else A @ A.mT + 0.5 * eye
        return build(D, {"loc": loc, key: mat})

    return [_leaf(params["loc"]), _leaf(A)], make


def _value(case):
    v = CASES[case][2]
    return mg.tensor(v) if v.dtype.kind == "i" else mg.tensor(v, dtype=mg.float64)


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_prob_and_entropy_gradcheck(case):
    leaves, make = _free(case, CASES[case][1])
    value = _value(case)
    assert mg.gradcheck(lambda *ts: make(*ts).log_prob(value), tuple(leaves))
    assert mg.gradcheck(lambda *ts: make(*ts).entropy(), tuple(leaves))


@pytest.mark.parametrize("case", ["Normal", "Laplace", "Exponential", "Uniform", "MVN_cov",
                                  "MVN_tril", "MVN_precision", "Independent_Normal"])
def test_rsample_gradcheck(case):
    leaves, make = _free(case, CASES[case][1])

    def draw(*ts):
        mg.manual_seed(1234)  # the same noise at every evaluation
        return make(*ts).rsample((3,))

    assert mg.gradcheck(draw, tuple(leaves))


@pytest.mark.parametrize("case", sorted(KL_SECOND))
def test_kl_gradcheck(case):
    lp, make = _free(case, CASES[case][1])
    lq, _ = _free(case, KL_SECOND[case])
    n = len(lp)
    assert mg.gradcheck(lambda *ts: D.kl_divergence(make(*ts[:n]), make(*ts[n:])),
                        tuple(lp + lq))


@pytest.mark.parametrize("case", ["Normal", "Beta", "Bernoulli_logits", "Categorical_probs",
                                  "MVN_tril", "MVN_cov"])
def test_double_backward(case):
    leaves, make = _free(case, CASES[case][1])
    value = _value(case)
    assert gradgradcheck(lambda *ts: make(*ts).log_prob(value), tuple(leaves), atol=1e-4)
    lq, _ = _free(case, KL_SECOND[case])
    n = len(leaves)
    assert gradgradcheck(lambda *ts: D.kl_divergence(make(*ts[:n]), make(*ts[n:])),
                         tuple(leaves + lq), atol=1e-4)


def test_bernoulli_log_prob_gradient_at_zero_and_large_logits():
    # softplus without a threshold: exact for |logits| > 20, gradient sigmoid(0) = 1/2 at 0
    logits = mg.tensor([0.0, 30.0, -30.0, 700.0], dtype=mg.float64, requires_grad=True)
    d = D.Bernoulli(logits=logits)
    lp = d.log_prob(mg.tensor([1.0, 1.0, 1.0, 0.0], dtype=mg.float64))
    lp.sum().backward()
    ref = [-np.log(2), -np.log1p(np.exp(-30.0)), -30 - np.log1p(np.exp(-30.0)), -700.0]
    np.testing.assert_allclose(lp.detach().numpy(), ref, rtol=1e-14)
    x, v = np.array([0.0, 30.0, -30.0, 700.0]), np.array([1, 1, 1, 0])
    # d/dx = v - sigmoid(x), written v sigmoid(-x) - (1 - v) sigmoid(x) to avoid cancellation
    ref_grad = v / (1 + np.exp(x)) - (1 - v) / (1 + np.exp(-x))
    np.testing.assert_allclose(logits.grad.numpy(), ref_grad, rtol=1e-12)
