"""Shared checkpoint contents and the deep comparison the serialization tests use."""
import numpy as np

import minigrad


def assert_same(a, b, where="obj"):
    """Recursive equality that also checks exact types, dtypes, requires_grad and NaNs."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, minigrad.Tensor):
        assert a.requires_grad == b.requires_grad, where
        assert_same(a._data, b._data, where + ".data")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype, where
        assert (a == b) or (np.isnan(a) and np.isnan(b)), where
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), where
        for (ka, va), kb in zip(a.items(), b.keys()):
            assert type(ka) is type(kb), f"{where}: key {ka!r}"
            assert_same(va, b[kb], f"{where}[{ka!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def model_and_optimizer_state():
    """Shaped like real checkpoints: a model state_dict and an optimizer state_dict."""
    rng = np.random.default_rng(0)
    return {
        "model": {
            "0.weight": minigrad.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True),
            "0.bias": minigrad.tensor(np.zeros(4, np.float32), requires_grad=True),
            "bn.running_mean": rng.standard_normal(4),
            "bn.num_batches_tracked": np.int64(7),
        },
        "optimizer": {
            "state": {0: {"step": 10, "exp_avg": np.ones((4, 3), np.float32)}, 1: {"step": 10}},
            "param_groups": [
                {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False, "params": [0, 1]}
            ],
        },
        "epoch": 3,
        "best_loss": float("inf"),
        "note": "résumé ✓",
        "extra": None,
    }


def trained_checkpoint():
    """A real training checkpoint: a small conv net's state_dict (a (32, 16, 3, 3) weight, as
    in the report that found header flips loading wrong shapes), its parameters as tensors
    (one also detached, an alias), and Adam's state after two steps."""
    from minigrad import nn, optim

    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(16, 32, 3), nn.ReLU(), nn.Flatten(), nn.Linear(32, 4))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    x = minigrad.tensor(np.random.default_rng(0).standard_normal((2, 16, 3, 3)).astype(np.float32))
    for _ in range(2):
        opt.zero_grad()
        (model(x) ** 2).sum().backward()
        opt.step()
    params = list(model.parameters())
    return {"model": model.state_dict(), "optimizer": opt.state_dict(),
            "params": params, "frozen_bias": params[1].detach(), "epoch": 2}
