"""Models trained in minigrad load into the same network in PyTorch with load_state_dict, and
PyTorch weights load into minigrad: the keys, shapes and layouts are PyTorch's. Each round
trip goes both in memory and through a safetensors file, and the two frameworks then give the
same outputs on the same input."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import nets
from minigrad import nn, optim

torch = pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(11)


# --------------------------------------------------------------------------- the networks
# Each pair is one definition (tests/interop/nets.py) built from minigrad.nn and torch.nn.


def mlp_pair():
    return nets.mlp(nn), nets.mlp(torch.nn), lambda n: RNG.standard_normal((n, 4)).astype(np.float32)


def bn_pair(momentum=0.1):
    return (nets.bn_net(nn, momentum), nets.bn_net(torch.nn, momentum),
            lambda n: RNG.standard_normal((n, 2, 5, 5)).astype(np.float32))


# --------------------------------------------------------------------------- helpers


def train_minigrad(model, make_x, steps=5, classes=3):
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        x = make_x(16)
        y = RNG.integers(0, classes, 16)
        opt.zero_grad()
        F.cross_entropy(model(mg.tensor(x)), y).backward()
        opt.step()


def train_torch(model, make_x, steps=5, classes=3):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        x = torch.from_numpy(make_x(16))
        y = torch.from_numpy(RNG.integers(0, classes, 16))
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def minigrad_to_torch(mine, theirs, via, tmp_path):
    if via == "memory":
        state = {k: torch.from_numpy(v.numpy()) for k, v in mine.state_dict().items()}
    else:
        stt = pytest.importorskip("safetensors.torch")
        mg.save_safetensors(mine.state_dict(), tmp_path / "m.safetensors")
        state = stt.load_file(str(tmp_path / "m.safetensors"))
    theirs.load_state_dict(state)  # strict: every key, shape and dtype must fit


def torch_to_minigrad(theirs, mine, via, tmp_path):
    if via == "memory":
        state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    else:
        stt = pytest.importorskip("safetensors.torch")
        stt.save_file(theirs.state_dict(), str(tmp_path / "t.safetensors"))
        state = mg.load_safetensors(tmp_path / "t.safetensors")
    mine.load_state_dict(state)


def assert_same_state(mine, theirs):
    ours, their_state = mine.state_dict(), theirs.state_dict()
    assert list(ours) == list(their_state)
    for k, v in ours.items():
        v, t = v.numpy(), their_state[k].numpy()
        assert v.dtype == t.dtype and v.shape == t.shape, k
        assert v.tobytes() == t.tobytes(), k


def assert_same_outputs(mine, theirs, x):
    """float32 outputs to float32 rounding; then both in float64 on the same (float32)
    weights, where any difference in layout or formula would show far above 1e-12."""
    with mg.no_grad(), torch.no_grad():
        np.testing.assert_allclose(mine(mg.tensor(x)).numpy(), theirs(torch.from_numpy(x)).numpy(),
                                   rtol=1e-5, atol=1e-5)
        mine.double(), theirs.double()
        try:
            np.testing.assert_allclose(mine(mg.tensor(x.astype(np.float64))).numpy(),
                                       theirs(torch.from_numpy(x.astype(np.float64))).numpy(),
                                       rtol=1e-12, atol=1e-12)
        finally:
            mine.float(), theirs.float()


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("via", ["memory", "safetensors"])
@pytest.mark.parametrize("pair", [mlp_pair, bn_pair], ids=["mlp", "batchnorm"])
def test_trained_in_minigrad_runs_in_torch(pair, via, tmp_path):
    mine, theirs, make_x = pair()
    train_minigrad(mine, make_x)
    mine.eval(), theirs.eval()
    minigrad_to_torch(mine, theirs, via, tmp_path)
    assert_same_state(mine, theirs)
    assert_same_outputs(mine, theirs, make_x(32))


@pytest.mark.parametrize("via", ["memory", "safetensors"])
@pytest.mark.parametrize("pair", [mlp_pair, bn_pair], ids=["mlp", "batchnorm"])
def test_trained_in_torch_runs_in_minigrad(pair, via, tmp_path):
    mine, theirs, make_x = pair()
    train_torch(theirs, make_x)
    mine.eval(), theirs.eval()
    torch_to_minigrad(theirs, mine, via, tmp_path)
    assert_same_state(mine, theirs)
    assert_same_outputs(mine, theirs, make_x(32))


@pytest.mark.parametrize("momentum", [0.1, None], ids=["momentum", "cumulative"])
def test_batchnorm_state_carries_over_and_training_continues_identically(momentum, tmp_path):
    """Running statistics and num_batches_tracked (0-d int64) move across; one more training
    step on each side then updates them identically (momentum=None uses the count)."""
    mine, theirs, make_x = bn_pair(momentum)
    train_minigrad(mine, make_x, steps=4)
    assert mine.bn1.num_batches_tracked.shape == () and mine.bn1.num_batches_tracked.item() == 4
    minigrad_to_torch(mine, theirs, "safetensors", tmp_path)
    assert theirs.bn1.num_batches_tracked.dim() == 0 and theirs.bn1.num_batches_tracked.item() == 4
    x = make_x(16)
    out = mine(mg.tensor(x))  # training mode: batch statistics, running stats updated
    tout = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    for k, v in mine.state_dict().items():
        np.testing.assert_allclose(v, theirs.state_dict()[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    assert mine.bn2.num_batches_tracked.item() == theirs.bn2.num_batches_tracked.item() == 5


def test_digits_cnn_example_weights_run_in_torch(tmp_path):
    """End to end: examples/digits_cnn.py trains and saves its weights; PyTorch's copy of the
    network loads them and classifies the digits exactly as minigrad does."""
    pytest.importorskip("sklearn")
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file

    from minigrad.datasets import load_digits

    path = tmp_path / "digits_cnn.safetensors"
    env = dict(os.environ, MINIGRAD_EXAMPLES_QUICK="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "digits_cnn.py"),
                             "--epochs", "6", "--save", str(path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"weights saved to {path}" in result.stdout

    mine, theirs = nets.digits_cnn(nn).eval(), nets.digits_cnn(torch.nn).eval()
    mine.load_state_dict(mg.load_safetensors(path))
    theirs.load_state_dict(load_file(str(path)))
    X, y = load_digits(flatten=False)
    X = (X[:, None] / 16.0).astype(np.float32)
    with mg.no_grad(), torch.no_grad():
        ours = mine(mg.tensor(X)).numpy()
        their_logits = theirs(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(ours, their_logits, rtol=1e-5, atol=1e-5)
    assert (ours.argmax(1) == their_logits.argmax(1)).all()
    assert (ours.argmax(1) == y).mean() > 0.6  # trained (~80% after 6 quick epochs), not random


def test_torch_initialised_cnn_runs_in_minigrad(tmp_path):
    mine, theirs = nets.digits_cnn(nn).eval(), nets.digits_cnn(torch.nn).eval()
    torch_to_minigrad(theirs, mine, "memory", tmp_path)
    assert_same_state(mine, theirs)
    assert_same_outputs(mine, theirs, RNG.random((8, 1, 8, 8)).astype(np.float32))


def test_mismatched_architectures_are_refused_clearly():
    mine = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    with pytest.raises(nn.StateDictError, match="'0.weight': shape \\(8, 4\\) in the checkpoint, \\(16, 4\\)"):
        mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})


# --------------------------------------------------------------------------- recurrent layers

RECURRENT = [
    ("RNN", dict(num_layers=2, nonlinearity="relu")),
    ("RNN", dict(bidirectional=True, batch_first=True)),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(proj_size=3, batch_first=True)),
    ("GRU", dict(num_layers=2, bias=False)),
]


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("via", ["memory", "safetensors"])
@pytest.mark.parametrize("kind, kwargs", RECURRENT, ids=[f"{k}-{'-'.join(kw)}" for k, kw in RECURRENT])
def test_recurrent_layers_both_ways(kind, kwargs, via, tmp_path):
    if not hasattr(nn, kind):
        pytest.skip(f"nn.{kind} is not in this build of minigrad")
    mine, theirs = getattr(nn, kind)(5, 6, **kwargs), getattr(torch.nn, kind)(5, 6, **kwargs)
    x = RNG.standard_normal((4, 3, 5)).astype(np.float32)  # (seq, batch, feature) or batch first

    def outputs():
        with mg.no_grad(), torch.no_grad():
            ours, theirs_ = mine(mg.tensor(x)), theirs(torch.from_numpy(x))
        flat = lambda o: [o] if not isinstance(o, tuple) else [a for b in o for a in flat(b)]  # noqa: E731
        return [o.numpy() for o in flat(ours)], [o.numpy() for o in flat(theirs_)]

    for direction in ("minigrad->torch", "torch->minigrad"):
        if direction == "minigrad->torch":
            with mg.no_grad():
                for p in mine.parameters():
                    p.copy_(RNG.standard_normal(p.shape).astype(np.float32) * 0.5)
            minigrad_to_torch(mine, theirs, via, tmp_path)
        else:
            torch.nn.init.uniform_(next(theirs.parameters()), -0.7, 0.7)
            torch_to_minigrad(theirs, mine, via, tmp_path)
        assert_same_state(mine, theirs)
        ours, their_out = outputs()
        assert len(ours) == len(their_out)
        for a, b in zip(ours, their_out):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
