"""Bad arguments: clear errors naming the argument (validate_args on by default, as in
PyTorch), values outside the support in log_prob, and validate_args=False turning it off.
Where torch is installed, it rejects (and accepts) the same constructions."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.distributions as D


def _t(a):
    return mg.tensor(np.asarray(a, dtype=np.float64))


NAN = float("nan")
# (builder of the bad distribution from a module and a tensor constructor, regex on the message)
BAD = [
    (lambda M, T: M.Normal(T(0.0), T(-1.0)), r"parameter scale .*Positive|GreaterThan"),
    (lambda M, T: M.Normal(T(0.0), T(0.0)), r"parameter scale"),
    (lambda M, T: M.Normal(T([NAN, 0.0]), T(1.0)), r"parameter loc .*Real"),
    (lambda M, T: M.Laplace(T(0.0), T([1.0, -2.0])), r"parameter scale"),
    (lambda M, T: M.Exponential(T(-1.0)), r"parameter rate"),
    (lambda M, T: M.Uniform(T(1.0), T(0.0)), r"parameter low"),
    (lambda M, T: M.Beta(T(0.0), T(1.0)), r"parameter concentration1"),
    (lambda M, T: M.Beta(T(1.0), T(-2.0)), r"parameter concentration0"),
    (lambda M, T: M.Bernoulli(probs=T(1.5)), r"parameter probs"),
    (lambda M, T: M.Bernoulli(logits=T(NAN)), r"parameter logits"),
    (lambda M, T: M.Categorical(probs=T([-0.5, 1.5])), r"parameter probs .*Simplex"),
    (lambda M, T: M.OneHotCategorical(probs=T([0.5, -0.1])), r"parameter probs"),
    (lambda M, T: M.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 2.0], [2.0, 1.0]])),
     r"parameter covariance_matrix .*PositiveDefinite"),
    (lambda M, T: M.MultivariateNormal(T([0.0, 0.0]), scale_tril=T([[1.0, 0.0], [0.3, -1.0]])),
     r"parameter scale_tril .*LowerCholesky"),
    (lambda M, T: M.MultivariateNormal(T([0.0, 0.0]), precision_matrix=T([[1.0, 0.5], [0.4, 1.0]])),
     r"parameter precision_matrix"),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_parameters_raise_value_error_naming_them(i):
    build, pattern = BAD[i]
    with pytest.raises(ValueError, match=pattern):
        build(D, _t)


@pytest.mark.parametrize("i", range(len(BAD)))
def test_torch_rejects_the_same_parameters(i):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        BAD[i][0](torch.distributions, lambda a: torch.tensor(a, dtype=torch.float64))


def test_validate_args_false_and_the_global_switch():
    assert np.isnan(D.Normal(_t(0.0), _t(-1.0), validate_args=False).log_prob(_t(0.0)).item())
    D.Distribution.set_default_validate_args(False)
    try:
        D.Exponential(_t(-1.0))
        D.Normal(_t(0.0), _t(1.0)).log_prob(_t(NAN))
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="rate"):
        D.Exponential(_t(-1.0))
    with pytest.raises(ValueError, match="True or False"):
        D.Distribution.set_default_validate_args("yes")


def test_structural_errors():
    with pytest.raises(ValueError, match="probs.*logits"):
        D.Bernoulli()
    with pytest.raises(ValueError, match="probs.*logits"):
        D.Categorical(probs=_t([0.5, 0.5]), logits=_t([0.0, 0.0]))
    with pytest.raises(ValueError, match="probs.*one-dimensional"):
        D.Categorical(probs=_t(0.5))
    with pytest.raises(ValueError, match="exactly one of covariance_matrix"):
        D.MultivariateNormal(_t([0.0]), _t([[1.0]]), scale_tril=_t([[1.0]]))
    with pytest.raises(ValueError, match="exactly one of covariance_matrix"):
        D.MultivariateNormal(_t([0.0]))
    with pytest.raises(ValueError, match="loc must be at least one-dimensional"):
        D.MultivariateNormal(_t(0.0), _t([[1.0]]))
    with pytest.raises(ValueError, match="covariance_matrix .* event size 2"):
        D.MultivariateNormal(_t([0.0, 0.0]), _t(np.eye(3)))
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.Independent(D.Normal(_t([0.0, 1.0]), _t(1.0)), 2)
    with pytest.raises(TypeError, match="base_distribution"):
        D.Independent(_t([0.0]), 1)
    with pytest.raises(TypeError, match="loc must be a Tensor or a number"):
        D.Normal("zero", 1.0)
    with pytest.raises(ValueError, match="broadcast.*loc .*scale"):
        D.Normal(_t([0.0, 1.0]), _t([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="KL-divergence .*event shapes"):
        D.kl_divergence(D.MultivariateNormal(_t([0.0]), _t([[1.0]])),
                        D.MultivariateNormal(_t([0.0, 0.0]), _t(np.eye(2))))


def test_log_prob_checks_the_value():
    with pytest.raises(ValueError, match="must be a Tensor"):
        D.Normal(_t(0.0), _t(1.0)).log_prob(0.5)
    with pytest.raises(ValueError, match="support .*Exponential"):
        D.Exponential(_t(1.0)).log_prob(_t(-0.5))
    with pytest.raises(ValueError, match="support"):
        D.Bernoulli(probs=_t(0.3)).log_prob(_t(0.5))
    with pytest.raises(ValueError, match="support .*IntegerInterval"):
        D.Categorical(probs=_t([0.5, 0.5])).log_prob(mg.tensor(2))
    with pytest.raises(ValueError, match="support"):
        D.Beta(_t(2.0), _t(2.0)).log_prob(_t(1.5))
    with pytest.raises(ValueError, match="support"):
        D.Uniform(_t(0.0), _t(1.0)).log_prob(_t(1.0))  # [low, high)
    with pytest.raises(ValueError, match="support"):
        D.OneHotCategorical(probs=_t([0.5, 0.5])).log_prob(_t([1.0, 1.0]))
    with pytest.raises(ValueError, match="broadcastable"):
        D.Normal(_t([0.0, 1.0]), _t(1.0)).log_prob(_t([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="event_shape"):
        D.MultivariateNormal(_t([0.0, 0.0]), _t(np.eye(2))).log_prob(_t([0.0, 0.0, 0.0]))
    # switched off: no check
    lp = D.Exponential(_t(1.0), validate_args=False).log_prob(_t(-0.5))
    assert lp.item() == 0.5  # log(1) + 1 * 0.5


def test_sample_shape_errors():
    with pytest.raises(TypeError, match="sample_shape"):
        D.Normal(_t(0.0), _t(1.0)).sample("3")
    with pytest.raises(ValueError, match="sample_shape"):
        D.Normal(_t(0.0), _t(1.0)).sample((-1,))
    assert D.Normal(_t(0.0), _t(1.0)).sample(3).shape == (3,)
