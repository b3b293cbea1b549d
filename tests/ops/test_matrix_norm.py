"""linalg.matrix_norm's orders against numpy's, gradchecks, and PyTorch's values and gradients."""
import math

import numpy as np
import pytest

import minigrad as mg

ORDS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]
DIMS = [(-2, -1), (0, 2), (2, 1)]


def _a():
    return np.random.default_rng(3).standard_normal((2, 3, 4))


@pytest.mark.parametrize("ord", ORDS)
@pytest.mark.parametrize("dim", DIMS)
def test_matches_numpy(ord, dim):
    a = _a()
    moved = np.moveaxis(a, dim, (-2, -1))
    expected = np.linalg.norm(moved, ord=ord, axis=(-2, -1))
    got = mg.linalg.matrix_norm(mg.tensor(a), ord, dim).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    kept = mg.linalg.matrix_norm(mg.tensor(a), ord, dim, keepdim=True)
    assert kept.shape == tuple(1 if i in {d % 3 for d in dim} else n for i, n in enumerate(a.shape))


@pytest.mark.parametrize("ord", ORDS)
def test_gradcheck(ord):
    a = mg.tensor(_a(), requires_grad=True)
    assert mg.gradcheck(lambda x: mg.linalg.matrix_norm(x, ord, (0, 2)), (a,))


@pytest.mark.parametrize("ord", ORDS)
@pytest.mark.parametrize("dim", DIMS)
def test_matches_torch(ord, dim):
    torch = pytest.importorskip("torch")
    a = _a()
    t, m = torch.tensor(a, requires_grad=True), mg.tensor(a, requires_grad=True)
    rt, rm = torch.linalg.matrix_norm(t, ord, dim), mg.linalg.matrix_norm(m, ord, dim)
    np.testing.assert_allclose(rm.detach().numpy(), rt.detach().numpy(), rtol=1e-10)
    rt.sum().backward()
    rm.sum().backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("kwargs,match", [
    (dict(ord=3), "ord must be"), (dict(dim=(1, 1)), "dims must differ"),
    (dict(dim=0), "pair of dims"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mg.linalg.matrix_norm(mg.tensor(_a()), **kwargs)
    with pytest.raises(ValueError, match="at least 2 dims"):
        mg.linalg.matrix_norm(mg.tensor([1.0, 2.0]))


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, -1, 2, -2, math.inf, 0.5])
@pytest.mark.parametrize("dim", [None, -1, (0, 1), (-1, -2), (0, 2)])
def test_linalg_norm_matches_torch_and_refuses_what_it_refuses(shape, ord, dim):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(5).standard_normal(shape)
    t, m = torch.tensor(a, requires_grad=True), mg.tensor(a, requires_grad=True)
    try:
        rt = torch.linalg.norm(t, ord, dim)
    except (RuntimeError, IndexError, ValueError):
        with pytest.raises((ValueError, IndexError)):
            mg.linalg.norm(m, ord, dim)
        return
    rm = mg.linalg.norm(m, ord, dim)
    np.testing.assert_allclose(rm.detach().numpy(), rt.detach().numpy(), rtol=1e-10)
    rt.sum().backward()
    rm.sum().backward()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_linalg_norm_without_torch():
    a = np.arange(1.0, 13.0).reshape(3, 4)
    assert np.isclose(mg.linalg.norm(mg.tensor(a)).item(), np.linalg.norm(a))
    assert np.isclose(mg.linalg.norm(mg.tensor(a), "nuc").item(), np.linalg.norm(a, "nuc"))
    np.testing.assert_allclose(mg.linalg.norm(mg.tensor(a), 1, dim=-1).numpy(),
                               np.abs(a).sum(-1))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        mg.linalg.norm(mg.ones(2, 2, 2), 2)
    with pytest.raises(ValueError, match="needs two dims"):
        mg.linalg.norm(mg.ones(3), "fro")
