"""The compiled LSTM step loop (``minigrad.nn._lstm_steps``) against the numpy loop it
replaces (still the fallback): outputs and every gradient must be bit-identical, in both
gate orders (sequences: the kernels' ``i, f, o, g``; a cell step: PyTorch's), both
directions, packed batches, ``batch_first``, with and without biases (which the compiled
loop adds itself) and with and without an output gradient."""
import os

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.nn import _lstm_steps
from minigrad.nn.utils.rnn import pack_padded_sequence

CONFIGS = {
    "plain": dict(),
    "bidir_2layers_batch_first": dict(bidirectional=True, num_layers=2, batch_first=True),
    "packed_bidir": dict(bidirectional=True, packed=True),
    "packed_batch_first": dict(batch_first=True, packed=True),
    "no_bias": dict(bias=False),
    "one_step": dict(T=1),
    "only_h_n": dict(loss="h_n"),
    "cell": dict(cell=True),
    "cell_no_bias": dict(cell=True, bias=False),
}


def _run(cfg, dtype):
    """Output and gradient arrays of one forward/backward, from fixed seeds."""
    cfg = dict(cfg)
    T, B = cfg.pop("T", 6), 5
    mg.manual_seed(0)
    rng = np.random.default_rng(3)
    if cfg.pop("cell", False):
        m = nn.LSTMCell(4, 7, dtype=dtype, **cfg)
        x, h, c = (mg.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
                   for s in ((B, 4), (B, 7), (B, 7)))
        h1, c1 = m(x, (h, c))
        (h1.sum() + (c1 * c1).sum()).backward()
        outs, leaves = [h1, c1], [x, h, c]
    else:
        packed, loss = cfg.pop("packed", False), cfg.pop("loss", "out")
        m = nn.LSTM(4, 7, dtype=dtype, **cfg)
        shape = (B, T, 4) if cfg.get("batch_first") else (T, B, 4)
        x = mg.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        inp = pack_padded_sequence(x, [6, 5, 3, 3, 1], batch_first=cfg.get("batch_first",
                                                                           False)) \
            if packed else x
        out, (h_n, c_n) = m(inp)
        out = out.data if packed else out
        ((out * out).sum() if loss == "out" else (h_n * c_n).sum()).backward()
        outs, leaves = [out, h_n, c_n], [x]
    grads = [t.grad for t in leaves] + [p.grad for p in m.parameters()]
    return [a.detach().numpy().copy() for a in outs + grads]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_compiled_steps_match_numpy_loop_bitwise(name, dtype, monkeypatch):
    # forced on, so that under NUMBA_DISABLE_JIT=1 the kernels' Python is compared instead
    monkeypatch.setattr(_lstm_steps, "applies", lambda run, dt: run.w.w_hr is None)
    compiled = _run(CONFIGS[name], dtype)
    monkeypatch.setattr(_lstm_steps, "applies", lambda run, dt: False)
    reference = _run(CONFIGS[name], dtype)
    assert len(compiled) == len(reference)
    for a, b in zip(compiled, reference):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="nothing is compiled")
def test_compiled_steps_are_taken_only_where_they_apply(monkeypatch):
    taken = []
    real = _lstm_steps.applies

    def spy(run, dt):
        taken.append(real(run, dt))
        return taken[-1]

    monkeypatch.setattr(_lstm_steps, "applies", spy)
    x = mg.randn(3, 2, 4)
    nn.LSTM(4, 5)(x)
    assert taken and all(taken)
    taken.clear()
    nn.LSTM(4, 5, proj_size=2)(x)           # projections: the numpy loop
    assert taken and not any(taken)
