"""Optional: forward values and gradients against PyTorch with the same weights."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(7)


def both(a, requires_grad=True):
    """The same float64 data as a minigrad and a torch tensor."""
    return (mg.tensor(a, dtype=mg.float64, requires_grad=requires_grad),
            torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad))


def close(mine, theirs, **kw):
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12, **kw)


def copy_params(mine, theirs):
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(mine.named_parameters(), theirs.named_parameters()):
            assert name == tname
            tp.copy_(torch.from_numpy(p.detach().numpy().astype(np.float64)))


def check_module(mine, theirs, x_np):
    mine.double()
    theirs.double()
    copy_params(mine, theirs)
    x, tx = both(x_np)
    out, tout = mine(x), theirs(tx)
    close(out, tout)
    w = RNG.standard_normal(out.shape)
    (out * mg.tensor(w, dtype=mg.float64)).sum().backward()
    (tout * torch.from_numpy(w)).sum().backward()
    close(x.grad, tx.grad)
    for p, tp in zip(mine.parameters(), theirs.parameters()):
        close(p.grad, tp.grad)
    for (k, v), (tk, tv) in zip(mine.state_dict().items(), theirs.state_dict().items()):
        assert k == tk
        np.testing.assert_allclose(v, tv.numpy(), rtol=1e-10)


def test_linear():
    check_module(nn.Linear(5, 3), torch.nn.Linear(5, 3), RNG.standard_normal((4, 5)))


@pytest.mark.parametrize("kernel,stride,padding", [(3, 1, 0), (3, 2, 1), ((2, 3), (2, 1), (1, 2))])
def test_conv2d(kernel, stride, padding):
    check_module(nn.Conv2d(2, 3, kernel, stride, padding),
                 torch.nn.Conv2d(2, 3, kernel, stride, padding), RNG.standard_normal((2, 2, 7, 6)))


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1)])
def test_pooling(kernel, stride, padding):
    x = RNG.standard_normal((2, 3, 7, 6))
    check_module(nn.MaxPool2d(kernel, stride, padding), torch.nn.MaxPool2d(kernel, stride, padding), x)
    check_module(nn.AvgPool2d(kernel, stride, padding), torch.nn.AvgPool2d(kernel, stride, padding), x)
    check_module(nn.AvgPool2d(kernel, stride, padding, count_include_pad=False),
                 torch.nn.AvgPool2d(kernel, stride, padding, count_include_pad=False), x)


def test_batchnorm_train_then_eval():
    for mine, theirs, shape in [(nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), (6, 3)),
                                (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), (4, 3, 5)),
                                (nn.BatchNorm2d(2, momentum=0.3), torch.nn.BatchNorm2d(2, momentum=0.3),
                                 (3, 2, 4, 4))]:
        for _ in range(2):
            check_module(mine, theirs, RNG.standard_normal(shape) * 2 + 1)
        mine.eval(), theirs.eval()
        check_module(mine, theirs, RNG.standard_normal(shape))


def test_layernorm_and_embedding():
    ln, tln = nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))
    with torch.no_grad():
        tln.weight.normal_()
        tln.bias.normal_()
    ln.weight.detach().numpy()[...] = tln.weight.detach().numpy()
    ln.bias.detach().numpy()[...] = tln.bias.detach().numpy()
    check_module(ln, tln, RNG.standard_normal((4, 2, 3)))
    emb, temb = nn.Embedding(5, 3).double(), torch.nn.Embedding(5, 3).double()
    copy_params(emb, temb)
    idx = np.array([[0, 4, 4], [1, 0, 0]])
    out, tout = emb(mg.tensor(idx)), temb(torch.from_numpy(idx))
    close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    close(emb.weight.grad, temb.weight.grad)


@pytest.mark.parametrize("name,kwargs", [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("tanh", {}), ("sigmoid", {}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("softplus", {"beta": 2.0}),
    ("softmax", {"dim": 1}), ("log_softmax", {"dim": 0})])
def test_activations(name, kwargs):
    x, tx = both(RNG.standard_normal((3, 4)) * 3)
    close(getattr(F, name)(x, **kwargs), getattr(TF, name)(tx, **kwargs))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses(reduction):
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    probs = RNG.uniform(0.05, 0.95, (4, 5))
    cls = np.array([0, 4, 2, 2])
    cases = [
        ("mse_loss", a, b, {}), ("l1_loss", a, b, {}), ("huber_loss", a, b, {"delta": 0.5}),
        ("binary_cross_entropy", probs, (b > 0).astype(float), {}),
        ("binary_cross_entropy_with_logits", a * 5, probs, {}),
    ]
    for name, x_np, y_np, kw in cases:
        x, tx = both(x_np)
        y, ty = both(y_np, requires_grad=False)
        out, tout = getattr(F, name)(x, y, reduction=reduction, **kw), \
            getattr(TF, name)(tx, ty, reduction=reduction, **kw)
        close(out, tout)
        out.sum().backward()
        tout.sum().backward()
        close(x.grad, tx.grad)
    for smoothing in (0.0, 0.25):
        x, tx = both(a)
        out = F.cross_entropy(x, mg.tensor(cls), reduction=reduction, label_smoothing=smoothing)
        tout = TF.cross_entropy(tx, torch.from_numpy(cls), reduction=reduction,
                                label_smoothing=smoothing)
        close(out, tout)
        out.sum().backward()
        tout.sum().backward()
        close(x.grad, tx.grad)
    x, tx = both(a)
    close(F.nll_loss(x, mg.tensor(cls), reduction=reduction),
          TF.nll_loss(tx, torch.from_numpy(cls), reduction=reduction))


def test_cross_entropy_ignore_index_spatial_and_probabilities():
    x, tx = both(RNG.standard_normal((2, 3, 2, 2)))
    y = np.array([[[0, 2], [1, -100]], [[2, 2], [-100, 0]]])
    out = F.cross_entropy(x, mg.tensor(y), label_smoothing=0.1)
    tout = TF.cross_entropy(tx, torch.from_numpy(y), label_smoothing=0.1)
    close(out, tout)
    out.backward()
    tout.backward()
    close(x.grad, tx.grad)
    p = RNG.dirichlet(np.ones(4), size=3)
    x, tx = both(RNG.standard_normal((3, 4)))
    close(F.cross_entropy(x, mg.tensor(p, dtype=mg.float64), label_smoothing=0.2),
          TF.cross_entropy(tx, torch.from_numpy(p), label_smoothing=0.2))


def test_init_gains_and_fans_match_torch():
    for args in [("linear",), ("tanh",), ("relu",), ("leaky_relu", 0.2), ("leaky_relu",), ("selu",)]:
        assert nn.init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))
    from torch.nn.init import _calculate_fan_in_and_fan_out as torch_fans
    for shape in [(3, 4), (5, 2, 3, 3)]:
        assert nn.init._calculate_fan_in_and_fan_out(mg.zeros(*shape)) == torch_fans(torch.zeros(shape))


def test_torch_state_dict_loads_into_the_same_architecture():
    def build(lib):
        return lib.Sequential(lib.Conv2d(1, 4, 3, padding=1), lib.BatchNorm2d(4), lib.ReLU(),
                              lib.MaxPool2d(2), lib.Flatten(), lib.Linear(16, 8),
                              lib.LayerNorm(8), lib.Linear(8, 3))
    theirs = build(torch.nn).double()
    theirs.train()
    theirs(torch.randn(5, 1, 4, 4, dtype=torch.float64))  # move the running statistics
    theirs.eval()
    mine = build(nn).double().eval()
    sd = {k: v.numpy() for k, v in theirs.state_dict().items()}
    assert list(sd) == list(mine.state_dict())
    mine.load_state_dict(sd)
    x = RNG.standard_normal((3, 1, 4, 4))
    close(mine(mg.tensor(x, dtype=mg.float64)), theirs(torch.from_numpy(x)))
