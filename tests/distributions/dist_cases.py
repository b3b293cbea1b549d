"""Shared cases of the distribution tests: each builds the same distribution from a module
(``minigrad.distributions`` or ``torch.distributions``) and a dict of parameter tensors.

Imported by the test files as a sibling module (tests/ has no __init__.py files)."""
import numpy as np

RNG = np.random.default_rng(20260)
B = (2, 3)  # batch shape of the elementwise cases


def _pos(shape, lo=0.3, hi=2.5):
    return RNG.uniform(lo, hi, shape)


def _simplex(shape):
    w = RNG.uniform(0.1, 1.0, shape)
    return w / w.sum(-1, keepdims=True)


def _spd(k, batch=()):
    a = RNG.standard_normal(batch + (k, k))
    return a @ np.swapaxes(a, -1, -2) + k * np.eye(k)


def _onehot(idx, k):
    return np.eye(k)[idx]


_LOW = RNG.standard_normal(B)
_COV = _spd(3, (2,))
CASES = {
    # name: (builder, params, value)
    "Normal": (lambda D, p: D.Normal(p["loc"], p["scale"]),
               {"loc": RNG.standard_normal(B), "scale": _pos(B)}, RNG.standard_normal((4,) + B)),
    "Laplace": (lambda D, p: D.Laplace(p["loc"], p["scale"]),
                {"loc": RNG.standard_normal(B), "scale": _pos(B)}, RNG.standard_normal((4,) + B)),
    "Exponential": (lambda D, p: D.Exponential(p["rate"]),
                    {"rate": _pos(B)}, _pos((4,) + B, 0.01, 3.0)),
    "Uniform": (lambda D, p: D.Uniform(p["low"], p["high"]),
                {"low": _LOW, "high": _LOW + _pos(B, 2.0, 3.0)},
                _LOW + RNG.uniform(0, 1.9, (4,) + B)),
    "Beta": (lambda D, p: D.Beta(p["concentration1"], p["concentration0"]),
             {"concentration1": _pos(B, 0.4, 3.0), "concentration0": _pos(B, 0.4, 3.0)},
             RNG.uniform(0.02, 0.98, (4,) + B)),
    "Bernoulli_probs": (lambda D, p: D.Bernoulli(probs=p["probs"]),
                        {"probs": RNG.uniform(0.05, 0.95, B)},
                        RNG.integers(0, 2, (4,) + B).astype(np.float64)),
    "Bernoulli_logits": (lambda D, p: D.Bernoulli(logits=p["logits"]),
                         {"logits": 3 * RNG.standard_normal(B)},
                         RNG.integers(0, 2, (4,) + B).astype(np.float64)),
    "Categorical_probs": (lambda D, p: D.Categorical(probs=p["probs"]),
                          {"probs": _simplex((3, 5))}, RNG.integers(0, 5, (4, 3))),
    "Categorical_logits": (lambda D, p: D.Categorical(logits=p["logits"]),
                           {"logits": 2 * RNG.standard_normal((3, 5))}, RNG.integers(0, 5, (4, 3))),
    "OneHotCategorical_probs": (lambda D, p: D.OneHotCategorical(probs=p["probs"]),
                                {"probs": _simplex((3, 4))},
                                _onehot(RNG.integers(0, 4, (2, 3)), 4)),
    "OneHotCategorical_logits": (lambda D, p: D.OneHotCategorical(logits=p["logits"]),
                                 {"logits": RNG.standard_normal((3, 4))},
                                 _onehot(RNG.integers(0, 4, (2, 3)), 4)),
    "MVN_cov": (lambda D, p: D.MultivariateNormal(p["loc"], covariance_matrix=p["cov"]),
                {"loc": RNG.standard_normal((2, 3)), "cov": _COV}, RNG.standard_normal((4, 2, 3))),
    "MVN_tril": (lambda D, p: D.MultivariateNormal(p["loc"], scale_tril=p["tril"]),
                 {"loc": RNG.standard_normal(3), "tril": np.linalg.cholesky(_COV)},
                 RNG.standard_normal((4, 1, 3))),
    "MVN_precision": (lambda D, p: D.MultivariateNormal(p["loc"], precision_matrix=p["prec"]),
                      {"loc": RNG.standard_normal((2, 3)), "prec": _spd(3)},
                      RNG.standard_normal((4, 2, 3))),
    "Independent_Normal": (lambda D, p: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
                           {"loc": RNG.standard_normal(B), "scale": _pos(B)},
                           RNG.standard_normal((4,) + B)),
}

# KL pairs: (name of the case, second parameter set)
KL_SECOND = {
    "Normal": {"loc": RNG.standard_normal(B), "scale": _pos(B)},
    "Laplace": {"loc": RNG.standard_normal(B), "scale": _pos(B)},
    "Exponential": {"rate": _pos(B)},
    "Uniform": {"low": _LOW - _pos(B, 0.1, 0.5), "high": _LOW + _pos(B, 3.0, 4.0)},
    "Beta": {"concentration1": _pos(B, 0.4, 3.0), "concentration0": _pos(B, 0.4, 3.0)},
    "Bernoulli_probs": {"probs": RNG.uniform(0.05, 0.95, B)},
    "Bernoulli_logits": {"logits": RNG.standard_normal(B)},
    "Categorical_probs": {"probs": _simplex((3, 5))},
    "Categorical_logits": {"logits": RNG.standard_normal((3, 5))},
    "OneHotCategorical_probs": {"probs": _simplex((3, 4))},
    "MVN_cov": {"loc": RNG.standard_normal((2, 3)), "cov": _spd(3, (2,))},
    "MVN_tril": {"loc": RNG.standard_normal(3), "tril": np.linalg.cholesky(_spd(3))},
    "MVN_precision": {"loc": RNG.standard_normal((2, 3)), "prec": _spd(3, (2,))},
    "Independent_Normal": {"loc": RNG.standard_normal(B), "scale": _pos(B)},
}
