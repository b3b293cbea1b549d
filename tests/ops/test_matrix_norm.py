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
