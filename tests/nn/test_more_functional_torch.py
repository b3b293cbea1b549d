"""Activations, losses and distances against PyTorch: values and gradients in float64 (every
reduction), the module forms, and the gradient conventions at the kinks."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(21)


def close(mine, theirs, what="", rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(mine.detach().numpy()), theirs.detach().numpy(),
                               rtol=rtol, atol=atol, err_msg=what)


def run_both(fn, tfn, arrays, grad_mask=None, kwargs=None, **tol):
    """Call ``fn``/``tfn`` on the same float64 (or int) arrays; compare outputs and the
    gradients of a random projection of the outputs."""
    kwargs = kwargs or {}
    grad_mask = grad_mask or [a.dtype.kind == "f" for a in arrays]
    mine = [mg.tensor(a, requires_grad=g) for a, g in zip(arrays, grad_mask)]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grad_mask)]
    out, tout = fn(*mine, **kwargs), tfn(*theirs, **kwargs)
    close(out, tout, "value", **tol)
    w = RNG.standard_normal(tuple(tout.shape))
    (out * mg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if b.requires_grad:
            close(a.grad, b.grad, f"grad of argument {i}", **tol)


KINKS = np.array([0.0, -3.0, 3.0, 6.0, -1.0, 1.0, 0.5, -0.5, 20.0, -20.0, 2.0, -2.0])

ACTIVATIONS = [
    ("silu", {}), ("mish", {}), ("elu", {}), ("elu", {"alpha": 0.3}), ("selu", {}),
    ("celu", {"alpha": 2.0}), ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 0.5}),
    ("relu6", {}), ("hardswish", {}), ("hardsigmoid", {}), ("softsign", {}), ("logsigmoid", {}),
    ("tanhshrink", {}), ("softshrink", {}), ("softshrink", {"lambd": 1.0}), ("hardshrink", {}),
    ("hardshrink", {"lambd": 2.0}), ("threshold", {"threshold": 0.5, "value": -3.0}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS)
def test_activation(name, kw):
    x = np.concatenate([RNG.standard_normal(30) * 4, KINKS]).reshape(6, 7)
    # torch's float64 hardsigmoid gradient uses 1/6 rounded to float32
    tol = dict(rtol=1e-7) if name == "hardsigmoid" else {}
    run_both(getattr(F, name), getattr(TF, name), [x], kwargs=kw, **tol)


@pytest.mark.parametrize("weight_size,shape", [(1, (4, 3, 5)), (3, (4, 3, 5)), (3, (4, 3)),
                                               (1, (6,))])
def test_prelu(weight_size, shape):
    x = RNG.standard_normal(shape)
    x.flat[0] = 0.0
    run_both(F.prelu, TF.prelu, [x, RNG.uniform(0.1, 0.5, weight_size)])


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_glu(dim):
    run_both(lambda x: F.glu(x, dim), lambda x: TF.glu(x, dim), [RNG.standard_normal((4, 6, 2))])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmin(dim):
    run_both(lambda x: F.softmin(x, dim), lambda x: TF.softmin(x, dim),
             [RNG.standard_normal((3, 4))])


def test_softmin_implicit_dim_warns_like_torch():
    x = RNG.standard_normal((2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = F.softmin(mg.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(out, TF.softmin(torch.tensor(x)))


@pytest.mark.parametrize("cls,kw", [
    ("SiLU", {}), ("Mish", {}), ("ELU", {"alpha": 0.5}), ("SELU", {}), ("CELU", {"alpha": 0.7}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("ReLU6", {}), ("Hardswish", {}),
    ("Hardsigmoid", {}), ("Softsign", {}), ("LogSigmoid", {}), ("Tanhshrink", {}),
    ("Softshrink", {"lambd": 0.3}), ("Hardshrink", {"lambd": 0.3}), ("GLU", {"dim": 1}),
    ("Softmin", {"dim": 1}), ("Threshold", {"threshold": 0.1, "value": 20.0}),
    ("PReLU", {"num_parameters": 4, "init": 0.1}),
])
def test_activation_modules(cls, kw):
    mine, theirs = getattr(nn, cls)(**kw).double(), getattr(torch.nn, cls)(**kw).double()
    assert repr(mine) == repr(theirs)
    x = RNG.standard_normal((3, 4, 2))
    close(mine(mg.tensor(x)), theirs(torch.tensor(x)))


# ----- losses -----------------------------------------------------------------------------
def _cls_target(n, c, ignore=None):
    t = RNG.integers(0, c, n)
    if ignore is not None:
        t[1] = ignore
    return t


def _signs(*shape):
    return np.where(RNG.random(shape) < 0.5, -1.0, 1.0)


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,make,kw", [
    ("mse_loss", lambda: [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))], {}),
    ("l1_loss", lambda: [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))], {}),
    ("huber_loss", lambda: [RNG.standard_normal((4, 3)) * 2, RNG.standard_normal((4, 3))],
     {"delta": 0.7}),
    ("smooth_l1_loss", lambda: [RNG.standard_normal((4, 3)) * 2, RNG.standard_normal((4, 3))],
     {"beta": 0.5}),
    ("smooth_l1_loss", lambda: [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))],
     {"beta": 0.0}),
    ("soft_margin_loss", lambda: [RNG.standard_normal((4, 3)), _signs(4, 3)], {}),
    ("multilabel_soft_margin_loss",
     lambda: [RNG.standard_normal((4, 3)), (RNG.random((4, 3)) < 0.5) * 1.0], {}),
    ("poisson_nll_loss", lambda: [RNG.standard_normal((4, 3)), RNG.poisson(2.0, (4, 3)) * 1.0],
     {"full": True}),
    ("poisson_nll_loss", lambda: [RNG.uniform(0.1, 3, (4, 3)), RNG.poisson(2.0, (4, 3)) * 1.0],
     {"log_input": False}),
    ("gaussian_nll_loss", lambda: [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)),
                                   RNG.uniform(0.5, 2, (4, 3))], {"full": True}),
    ("gaussian_nll_loss", lambda: [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)),
                                   RNG.uniform(0.5, 2, (4,))], {}),
    ("gaussian_nll_loss", lambda: [RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)),
                                   np.r_[RNG.uniform(0.5, 2, 3), 0.0].reshape(4, 1)], {"eps": 0.1}),
    ("cosine_embedding_loss", lambda: [RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3)),
                                       _signs(5)], {"margin": 0.2}),
    ("cosine_embedding_loss", lambda: [RNG.standard_normal(3), RNG.standard_normal(3),
                                       np.array(-1.0)], {}),
    ("margin_ranking_loss", lambda: [RNG.standard_normal(6), RNG.standard_normal(6), _signs(6)],
     {"margin": 0.3}),
    ("hinge_embedding_loss", lambda: [RNG.standard_normal((4, 3)), _signs(4, 3)], {"margin": 0.5}),
    ("multi_margin_loss", lambda: [RNG.standard_normal((5, 4)), _cls_target(5, 4)], {}),
    ("multi_margin_loss", lambda: [RNG.standard_normal((5, 4)), _cls_target(5, 4)],
     {"p": 2, "margin": 0.5, "weight": torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=torch.float64)}),
    ("multi_margin_loss", lambda: [RNG.standard_normal(4), np.array(2)], {}),
    ("triplet_margin_loss", lambda: [RNG.standard_normal((5, 3)) for _ in range(3)], {}),
    ("triplet_margin_loss", lambda: [RNG.standard_normal((5, 3)) for _ in range(3)],
     {"p": 1.0, "swap": True, "margin": 2.0}),
    ("triplet_margin_loss", lambda: [RNG.standard_normal(3) for _ in range(3)], {"p": 3.0}),
])
def test_loss(name, make, kw, reduction):
    arrays = make()
    mine_kw = {k: (mg.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v)
               for k, v in kw.items()}
    mask = [a.dtype.kind == "f" for a in arrays]
    if name in ("cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
                "soft_margin_loss"):
        mask[-1] = False  # targets torch does not differentiate
    if name == "poisson_nll_loss" and kw.get("full"):
        mask[-1] = False  # torch's target gradient is NaN where target == 0; minigrad's is finite
    mine_fn = lambda *a: getattr(F, name)(*a, reduction=reduction, **mine_kw)  # noqa: E731
    torch_fn = lambda *a: getattr(TF, name)(*a, reduction=reduction, **kw)  # noqa: E731
    run_both(mine_fn, torch_fn, arrays, grad_mask=mask)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(4), 3))
    p = RNG.dirichlet(np.ones(4), 3)
    p[0, 1] = 0.0  # xlogy(0, 0) = 0
    t = np.log(p + 1e-3) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                 lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
                 [x, t], grad_mask=[True, log_target])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("probs", [False, True])
def test_weighted_cross_entropy(reduction, smoothing, probs):
    x = RNG.standard_normal((5, 4))
    w = RNG.uniform(0.2, 2.0, 4)
    t = RNG.dirichlet(np.ones(4), 5) if probs else _cls_target(5, 4, ignore=-100)
    run_both(lambda a, b: F.cross_entropy(a, b, weight=mg.tensor(w), reduction=reduction,
                                          label_smoothing=smoothing),
             lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(w), reduction=reduction,
                                           label_smoothing=smoothing),
             [x, t], grad_mask=[True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_nll_and_spatial(reduction):
    lsm = np.log(RNG.dirichlet(np.ones(3), (2, 4, 5))).transpose(0, 3, 1, 2)  # (N, C, H, W)
    t = RNG.integers(0, 3, (2, 4, 5))
    t[0, 0, 0] = 7
    w = np.array([0.5, 2.0, 1.0])
    run_both(lambda a, b: F.nll_loss(a, b, weight=mg.tensor(w), ignore_index=7,
                                     reduction=reduction),
             lambda a, b: TF.nll_loss(a, b, weight=torch.tensor(w), ignore_index=7,
                                      reduction=reduction),
             [np.ascontiguousarray(lsm), t], grad_mask=[True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_pos_weight(reduction):
    x, y = RNG.standard_normal((4, 3)) * 3, (RNG.random((4, 3)) < 0.4) * 1.0
    pw, w = RNG.uniform(0.5, 3, 3), RNG.uniform(0.5, 1.5, (4, 3))
    run_both(lambda a, b: F.binary_cross_entropy_with_logits(
                 a, b, weight=mg.tensor(w), pos_weight=mg.tensor(pw), reduction=reduction),
             lambda a, b: TF.binary_cross_entropy_with_logits(
                 a, b, weight=torch.tensor(w), pos_weight=torch.tensor(pw), reduction=reduction),
             [x, y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression(name, reduction):
    x, y, w = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3)), RNG.random((4, 3))
    run_both(lambda a, b: getattr(F, name)(a, b, reduction=reduction, weight=mg.tensor(w)),
             lambda a, b: getattr(TF, name)(a, b, reduction=reduction, weight=torch.tensor(w)),
             [x, y])


def test_legacy_size_average_and_reduce():
    x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            mine = F.mse_loss(mg.tensor(x), mg.tensor(y), size_average=size_average, reduce=reduce)
            module = nn.L1Loss(size_average=size_average, reduce=reduce)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = TF.mse_loss(torch.tensor(x), torch.tensor(y), size_average=size_average,
                                 reduce=reduce)
            tmodule = torch.nn.L1Loss(size_average=size_average, reduce=reduce)
        close(mine, theirs)
        assert module.reduction == tmodule.reduction


@pytest.mark.parametrize("cls,kw,n_inputs", [
    ("SmoothL1Loss", {"beta": 0.5}, 2), ("HuberLoss", {"delta": 0.5}, 2),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, 2),
    ("PoissonNLLLoss", {"log_input": True}, 2), ("SoftMarginLoss", {}, 2),
    ("MultiLabelSoftMarginLoss", {}, 2), ("HingeEmbeddingLoss", {"margin": 2.0}, 2),
    ("MarginRankingLoss", {"margin": 0.1}, 3), ("CosineEmbeddingLoss", {"margin": 0.1}, 3),
    ("TripletMarginLoss", {"margin": 0.5, "swap": True}, 3),
    ("TripletMarginWithDistanceLoss", {"margin": 0.5}, 3),
    ("GaussianNLLLoss", {"full": True}, 3), ("L1Loss", {"reduction": "sum"}, 2),
    ("MSELoss", {"reduction": "none"}, 2),
])
def test_loss_modules(cls, kw, n_inputs):
    mine, theirs = getattr(nn, cls)(**kw), getattr(torch.nn, cls)(**kw)
    assert repr(mine) == repr(theirs)
    shape = (3,) if cls in ("MarginRankingLoss",) else (3, 4)
    arrays = [RNG.standard_normal(shape) for _ in range(n_inputs)]
    if cls in ("HingeEmbeddingLoss", "SoftMarginLoss", "MarginRankingLoss"):
        arrays[-1] = _signs(*shape)
    if cls == "CosineEmbeddingLoss":
        arrays[-1] = _signs(3)
    if cls == "GaussianNLLLoss":
        arrays[-1] = np.abs(arrays[-1])
    if cls == "MultiLabelSoftMarginLoss":
        arrays[-1] = (arrays[-1] > 0) * 1.0
    close(mine(*[mg.tensor(a) for a in arrays]), theirs(*[torch.tensor(a) for a in arrays]))


# ----- distances and one_hot ----------------------------------------------------------------
def test_distance_modules():
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    for mine, theirs in [(nn.PairwiseDistance(p=1.5, keepdim=True),
                          torch.nn.PairwiseDistance(p=1.5, keepdim=True)),
                         (nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0))]:
        assert repr(mine) == repr(theirs)
        close(mine(mg.tensor(a), mg.tensor(b)), theirs(torch.tensor(a), torch.tensor(b)))


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("dim", [0, 1])
def test_normalize(p, dim):
    x = RNG.standard_normal((4, 5))
    x[0] = 0.0  # a zero row: the norm is clamped at eps, the gradient stays finite
    x[1, 2] = 0.0  # a zero element of a non-zero vector: gradient 0 there, also for p < 1
    run_both(lambda a: F.normalize(a, p=p, dim=dim), lambda a: TF.normalize(a, p=p, dim=dim), [x])


@pytest.mark.parametrize("shapes,dim", [(((4, 5), (4, 5)), 1), (((4, 5), (1, 5)), 1),
                                        (((3, 4, 2), (3, 4, 2)), -1), (((6,), (6,)), 0)])
def test_cosine_similarity(shapes, dim):
    a, b = (RNG.standard_normal(s) for s in shapes)
    a.flat[:2] = 1e-10  # tiny norms exercise the eps clamp
    run_both(lambda x, y: F.cosine_similarity(x, y, dim=dim),
             lambda x, y: TF.cosine_similarity(x, y, dim=dim), [a, b])


@pytest.mark.parametrize("p", [1.0, 2.0, 2.5, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim):
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    b[0] = a[0]  # distance eps-small
    run_both(lambda x, y: F.pairwise_distance(x, y, p=p, keepdim=keepdim),
             lambda x, y: TF.pairwise_distance(x, y, p=p, keepdim=keepdim), [a, b])


@pytest.mark.parametrize("num_classes", [-1, 6])
def test_one_hot(num_classes):
    idx = RNG.integers(0, 5, (3, 4))
    out = F.one_hot(mg.tensor(idx), num_classes)
    tout = TF.one_hot(torch.tensor(idx), num_classes)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), tout.numpy())


@pytest.mark.parametrize("cls,names", [("CrossEntropyLoss", ["weight"]), ("NLLLoss", ["weight"]),
                                       ("BCELoss", ["weight"]),
                                       ("BCEWithLogitsLoss", ["weight", "pos_weight"]),
                                       ("MultiMarginLoss", ["weight"]),
                                       ("MultiLabelSoftMarginLoss", ["weight"])])
def test_loss_weights_are_buffers_in_the_state_dict(cls, names):
    w = RNG.uniform(0.5, 2.0, 3)
    theirs = getattr(torch.nn, cls)(**{n: torch.tensor(w) for n in names})
    mine = getattr(nn, cls)(**{n: mg.tensor(w) for n in names})
    assert list(mine.state_dict()) == list(theirs.state_dict()) == names
    holder = nn.Sequential(nn.Linear(2, 3), mine)
    holder.load_state_dict({"0.weight": np.zeros((3, 2), np.float32),
                            "0.bias": np.zeros(3, np.float32),
                            **{f"1.{n}": t.numpy() * 2 for n, t in theirs.state_dict().items()}})
    for n in names:
        np.testing.assert_allclose(getattr(mine, n).numpy(), w * 2)
    assert getattr(mine.float(), names[0]).dtype == np.float32
    assert getattr(nn, cls)().state_dict() == {}


@pytest.mark.parametrize("name", ["SiLU", "Mish", "SELU", "Hardswish", "Hardsigmoid"])
def test_inplace_flag_activations_are_separate_classes_with_torch_reprs(name):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(mg.nn, name), getattr(torch.nn, name)
    assert isinstance(ours(), mg.nn.SiLU) == isinstance(theirs(), torch.nn.SiLU)
    for inplace in (False, True):
        assert repr(ours(inplace=inplace)) == repr(theirs(inplace=inplace))
