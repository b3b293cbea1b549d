"""Every hyperparameter check: ValueError naming the argument and the allowed range."""
import numpy as np
import pytest

import minigrad
from minigrad import optim


def _p():
    return [minigrad.tensor(np.zeros(2), requires_grad=True)]


BAD = [
    (optim.SGD, dict(lr=-0.1), r"learning rate: -0.1 \(must be in \[0.0, inf\)\)"),
    (optim.SGD, dict(lr=0.1, momentum=-1), "momentum value"),
    (optim.SGD, dict(lr=0.1, dampening=-1), "dampening value"),
    (optim.SGD, dict(lr=0.1, weight_decay=-1), "weight_decay value"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum > 0"),
    (optim.SGD, dict(lr=0.1, nesterov=True, momentum=0.9, dampening=0.1),
     "zero dampening"),
    (optim.SGD, dict(lr=float("nan")), "learning rate"),
    (optim.SGD, dict(lr="fast"), "learning rate.*must be a number"),
    (optim.Adagrad, dict(lr=-1), "learning rate"),
    (optim.Adagrad, dict(lr_decay=-1), "lr_decay value"),
    (optim.Adagrad, dict(weight_decay=-1), "weight_decay value"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    (optim.Adagrad, dict(eps=-1), "epsilon value"),
    (optim.Adadelta, dict(lr=-1), "learning rate"),
    (optim.Adadelta, dict(rho=1.5), r"rho value: 1.5 \(must be in \[0.0, 1.0\]\)"),
    (optim.Adadelta, dict(eps=-1), "epsilon value"),
    (optim.Adadelta, dict(weight_decay=-1), "weight_decay value"),
    (optim.RMSprop, dict(lr=-1), "learning rate"),
    (optim.RMSprop, dict(alpha=-1), "alpha value"),
    (optim.RMSprop, dict(eps=-1), "epsilon value"),
    (optim.RMSprop, dict(weight_decay=-1), "weight_decay value"),
    (optim.RMSprop, dict(momentum=-1), "momentum value"),
    (optim.Adam, dict(lr=-1), "learning rate"),
    (optim.Adam, dict(eps=-1), "epsilon value"),
    (optim.Adam, dict(betas=(1.0, 0.999)), r"beta parameter at index 0: 1.0 \(must be in "
                                            r"\[0.0, 1.0\)\)"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
    (optim.Adam, dict(betas=0.9), "betas.*pair"),
    (optim.Adam, dict(weight_decay=-1), "weight_decay value"),
    (optim.AdamW, dict(lr=-1), "learning rate"),
    (optim.AdamW, dict(betas=(0.9, 1.0)), "beta parameter at index 1"),
    (optim.AdamW, dict(weight_decay=-1), "weight_decay value"),
    (optim.Adamax, dict(lr=-1), "learning rate"),
    (optim.Adamax, dict(eps=-1), "epsilon value"),
    (optim.Adamax, dict(betas=(-0.1, 0.9)), "beta parameter at index 0"),
    (optim.Adamax, dict(weight_decay=-1), "weight_decay value"),
    (optim.NAdam, dict(lr=-1), "learning rate"),
    (optim.NAdam, dict(eps=-1), "epsilon value"),
    (optim.NAdam, dict(betas=(0.9, 2)), "beta parameter at index 1"),
    (optim.NAdam, dict(weight_decay=-1), "weight_decay value"),
    (optim.NAdam, dict(momentum_decay=-1), "momentum_decay value"),
]


@pytest.mark.parametrize("cls,kw,match", BAD,
                         ids=[f"{c.__name__}-{'-'.join(k)}" for c, k, _ in BAD])
def test_invalid_hyperparameter(cls, kw, match):
    with pytest.raises(ValueError, match=match):
        cls(_p(), **kw)


def test_invalid_group_hyperparameter():
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adam([{"params": _p(), "lr": -1.0}])


def test_boundaries_are_accepted():
    optim.SGD(_p(), lr=0.0, momentum=0.0)
    optim.Adam(_p(), lr=0.0, betas=(0.0, 0.0), eps=0.0)
    optim.Adadelta(_p(), rho=1.0)


def test_bad_params_argument():
    assert optim.SGD(_p()).defaults["lr"] == 1e-3  # PyTorch's default
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.Adam(_p()[0])
    with pytest.raises(TypeError, match="only optimize Tensors"):
        optim.Adam([np.zeros(2)])
    with pytest.raises(ValueError, match="non-leaf"):
        optim.Adam([_p()[0] * 2])
