"""``minigrad.distributions``: probability distributions with the names and interface of
``torch.distributions`` (Normal, Categorical, Bernoulli, Uniform, Beta, Exponential, Laplace,
MultivariateNormal, Independent, OneHotCategorical, kl_divergence / register_kl).

log_prob, entropy, rsample and kl_divergence are built from minigrad's recorded ops (so they
differentiate, twice if needed). Samples come from minigrad's global generator:
``minigrad.manual_seed`` makes them reproducible (not equal to PyTorch's for a seed)."""
from . import constraints  # noqa: F401
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Distribution", "Exponential", "Independent",
           "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
