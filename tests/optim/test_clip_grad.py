"""Gradient clipping against direct formulas and (optionally) torch.nn.utils."""
import math

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_


def _params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    ps = [minigrad.tensor(np.asarray(rng.standard_normal(s), dtype), requires_grad=True)
          for s in [(3, 4), (5,), ()]]
    for p in ps:
        p.grad = minigrad.tensor(np.asarray(rng.standard_normal(p.shape) * 3, dtype))
    return ps


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm(norm_type, max_norm):
    ps = _params()
    before = np.concatenate([p.grad.numpy().ravel() for p in ps])
    if norm_type == math.inf:
        expected_total = np.abs(before).max()
    else:
        expected_total = (np.abs(before) ** norm_type).sum() ** (1 / norm_type)
    total = clip_grad_norm_(ps, max_norm, norm_type)
    assert float(total.detach().numpy()) == pytest.approx(expected_total, rel=1e-12)
    after = np.concatenate([p.grad.numpy().ravel() for p in ps])
    scale = min(1.0, max_norm / (expected_total + 1e-6))
    np.testing.assert_allclose(after, before * scale, rtol=1e-12)


def test_clip_grad_norm_skips_missing_and_keeps_flat_views():
    ps = _params()
    ps[1].grad = None
    opt = optim.SGD(ps, lr=0.1)
    opt.zero_grad()
    sum(((p * p).sum() for p in (ps[0], ps[2]))).backward()
    clip_grad_norm_(ps, 0.1)
    fb = opt._flats[0][0]
    assert np.shares_memory(ps[0].grad.numpy(), fb.grad)
    assert np.linalg.norm(np.concatenate([ps[0].grad.numpy().ravel(), ps[2].grad.numpy().ravel()])) \
        == pytest.approx(0.1, rel=1e-4)
    assert float(clip_grad_norm_([ps[1]], 1.0).data) == 0.0


def test_clip_grad_norm_nonfinite():
    ps = _params()
    ps[0].grad.numpy()[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    ps = _params(dtype=np.float32)
    before = [p.grad.numpy().copy() for p in ps]
    clip_grad_value_(ps, 0.7)
    for p, b in zip(ps, before):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(b, -0.7, 0.7))
        assert p.grad.numpy().dtype == np.float32


@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    ps = _params(seed=3)
    tps = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in ps]
    for p, tp in zip(ps, tps):
        tp.grad = torch.tensor(p.grad.numpy())
    total = clip_grad_norm_(ps, 1.0, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, 1.0, norm_type)
    assert float(total.detach().numpy()) == pytest.approx(float(ttotal), rel=1e-12)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)
