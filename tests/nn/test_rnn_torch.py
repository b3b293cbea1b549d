"""Recurrent layers against PyTorch: weights copied across through state_dict (both ways),
then outputs, final states and every gradient compared (float64 to 1e-10, float32 to
float32 rounding)."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(11)

KINDS = {"RNN": (nn.RNN, torch.nn.RNN), "LSTM": (nn.LSTM, torch.nn.LSTM),
         "GRU": (nn.GRU, torch.nn.GRU)}


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-11) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)


def _pair(a, dtype):
    return (mg.tensor(a.astype(dtype), requires_grad=True),
            torch.tensor(a.astype(dtype), requires_grad=True))


def _close(mine, theirs, dtype, what):
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), err_msg=what,
                               **_tol(dtype))


def _load_from_torch(mine, theirs):
    missing, unexpected = mine.load_state_dict({k: v.detach().numpy() for k, v in
                                                theirs.state_dict().items()})
    assert not missing and not unexpected


def _states(kind, layers, directions, batch, hidden, proj, dtype, unbatched=False):
    shape = (layers * directions,) + (() if unbatched else (batch,))
    h = _pair(RNG.standard_normal(shape + (proj or hidden,)), dtype)
    if kind != "LSTM":
        return h
    c = _pair(RNG.standard_normal(shape + (hidden,)), dtype)
    return (h[0], c[0]), (h[1], c[1])


def _compare(outs, touts, leaves, tleaves, mine, theirs, dtype):
    """Equal outputs; then, after backward of the same random projection, equal gradients
    of the ``leaves`` (inputs, states) and of every parameter."""
    assert len(outs) == len(touts)
    for o, t in zip(outs, touts):
        assert tuple(o.shape) == tuple(t.shape)
        _close(o, t, dtype, "output")
    weights = [RNG.standard_normal(tuple(t.shape)).astype(dtype) for t in touts]
    sum((o * mg.tensor(w)).sum() for o, w in zip(outs, weights)).backward()
    sum((t * torch.tensor(w)).sum() for t, w in zip(touts, weights)).backward()
    for a, b in zip(leaves, tleaves):
        _close(a.grad, b.grad, dtype, "input or state grad")
    tparams = dict(theirs.named_parameters())
    assert [n for n, _ in mine.named_parameters()] == list(tparams)
    for n, p in mine.named_parameters():
        _close(p.grad, tparams[n].grad, dtype, f"grad of {n}")


def _states_list(hx, kind):
    return [] if hx is None else list(hx) if kind == "LSTM" else [hx]


def _outputs(result):
    out, hidden = result
    return [out] + (list(hidden) if isinstance(hidden, tuple) else [hidden])


def check_against_torch(kind, dtype=np.float64, layers=1, bidirectional=False, batch_first=False,
                        bias=True, with_state=False, proj=0, nonlinearity=None, unbatched=False,
                        T=5, B=3, I=4, H=6):
    mine_cls, torch_cls = KINDS[kind]
    kwargs = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first,
                  bias=bias)
    if proj:
        kwargs["proj_size"] = proj
    if nonlinearity:
        kwargs["nonlinearity"] = nonlinearity
    theirs = torch_cls(I, H, **kwargs).to(torch.float64 if dtype == np.float64 else torch.float32)
    mine = mine_cls(I, H, **kwargs, dtype=dtype)
    _load_from_torch(mine, theirs)
    shape = (T, I) if unbatched else (B, T, I) if batch_first else (T, B, I)
    x, tx = _pair(RNG.standard_normal(shape), dtype)
    hx = thx = None
    if with_state:
        hx, thx = _states(kind, layers, 2 if bidirectional else 1, B, H, proj, dtype, unbatched)
    _compare(_outputs(mine(x, hx)), _outputs(theirs(tx, thx)), [x] + _states_list(hx, kind),
             [tx] + _states_list(thx, kind), mine, theirs, dtype)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, False), (1, True), (2, True)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_stack_float64(kind, layers, bidirectional, batch_first, with_state):
    check_against_torch(kind, np.float64, layers, bidirectional, batch_first,
                        with_state=with_state)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_stack_float32_and_no_bias(kind):
    check_against_torch(kind, np.float32, layers=2, bidirectional=True, with_state=True)
    check_against_torch(kind, np.float64, layers=2, bias=False, with_state=True)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input(kind, batch_first):
    check_against_torch(kind, unbatched=True, batch_first=batch_first, with_state=True)
    check_against_torch(kind, unbatched=True, layers=2, bidirectional=True)


def test_rnn_relu():
    check_against_torch("RNN", nonlinearity="relu", layers=2, bidirectional=True,
                        with_state=True)


@pytest.mark.parametrize("bidirectional,batch_first", [(False, False), (True, True)])
def test_lstm_projection(bidirectional, batch_first):
    check_against_torch("LSTM", layers=2, bidirectional=bidirectional, batch_first=batch_first,
                        with_state=True, proj=3)
    check_against_torch("LSTM", np.float32, layers=1, proj=2, with_state=False)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_weights_load_into_torch(kind):
    """minigrad -> torch: a minigrad-initialised model loaded into torch computes the same."""
    mine_cls, torch_cls = KINDS[kind]
    mg.manual_seed(3)
    mine = mine_cls(3, 5, num_layers=2, bidirectional=True)
    theirs = torch_cls(3, 5, num_layers=2, bidirectional=True)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy())
                            for k, v in mine.state_dict().items()})
    x = RNG.standard_normal((4, 2, 3)).astype(np.float32)
    with mg.no_grad():
        outs = _outputs(mine(mg.tensor(x)))
    with torch.no_grad():
        touts = _outputs(theirs(torch.from_numpy(x)))
    for o, t in zip(outs, touts):
        _close(o, t, np.float32, kind)


@pytest.mark.parametrize("cls,tcls,kw", [(nn.RNNCell, torch.nn.RNNCell, {}),
                                         (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
                                         (nn.LSTMCell, torch.nn.LSTMCell, {}),
                                         (nn.GRUCell, torch.nn.GRUCell, {}),
                                         (nn.GRUCell, torch.nn.GRUCell, {"bias": False})])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_cells(cls, tcls, kw, with_state, batched):
    theirs = tcls(4, 5, **kw).double()
    mine = cls(4, 5, **kw, dtype=mg.float64)
    _load_from_torch(mine, theirs)
    lstm = cls is nn.LSTMCell
    lead = (3,) if batched else ()
    x, tx = _pair(RNG.standard_normal(lead + (4,)), np.float64)
    hx = thx = None
    if with_state:
        pairs = [_pair(RNG.standard_normal(lead + (5,)), np.float64) for _ in range(1 + lstm)]
        hx = tuple(p[0] for p in pairs) if lstm else pairs[0][0]
        thx = tuple(p[1] for p in pairs) if lstm else pairs[0][1]
    # two steps, so the second one's state has a graph behind it
    outs, touts = mine(x, hx), theirs(tx, thx)
    outs, touts = mine(x * 0.5, outs), theirs(tx * 0.5, touts)
    kind = "LSTM" if lstm else "cell"
    _compare(_states_list(outs, kind), _states_list(touts, kind), [x] + _states_list(hx, kind),
             [tx] + _states_list(thx, kind), mine, theirs, np.float64)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences(kind, bidirectional, enforce_sorted):
    from minigrad.nn.utils import rnn as mrnn
    from torch.nn.utils import rnn as trnn
    mine_cls, torch_cls = KINDS[kind]
    theirs = torch_cls(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=True).double()
    mine = mine_cls(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=True,
                    dtype=mg.float64)
    _load_from_torch(mine, theirs)
    lengths = [5, 5, 3, 1] if enforce_sorted else [2, 5, 1, 4]
    x, tx = _pair(RNG.standard_normal((4, 5, 3)), np.float64)
    packed = mrnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    tpacked = trnn.pack_padded_sequence(tx, lengths, batch_first=True,
                                        enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(packed.batch_sizes.numpy(), tpacked.batch_sizes.numpy())
    _close(packed.data, tpacked.data, np.float64, "packed data")
    states = _states(kind, 2, 2 if bidirectional else 1, 4, 4, 0, np.float64)
    out, hidden = mine(packed, states[0])
    tout, thidden = theirs(tpacked, states[1])
    padded, lens = mrnn.pad_packed_sequence(out, batch_first=True, padding_value=-1.0)
    tpadded, tlens = trnn.pad_packed_sequence(tout, batch_first=True, padding_value=-1.0)
    np.testing.assert_array_equal(lens.numpy(), tlens.numpy())
    _compare([padded] + _states_list(hidden, kind), [tpadded] + _states_list(thidden, kind),
             [x] + _states_list(states[0], kind), [tx] + _states_list(states[1], kind), mine,
             theirs, np.float64)


@pytest.mark.parametrize("batch_first,side", [(False, "right"), (True, "right"), (True, "left")])
def test_pad_sequence(batch_first, side):
    from minigrad.nn.utils.rnn import pad_sequence
    from torch.nn.utils.rnn import pad_sequence as tpad
    arrays = [RNG.standard_normal((n, 2)) for n in (3, 5, 1)]
    xs = [mg.tensor(a, requires_grad=True) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = pad_sequence(xs, batch_first=batch_first, padding_value=7.0, padding_side=side)
    tout = tpad(txs, batch_first=batch_first, padding_value=7.0, padding_side=side)
    _close(out, tout, np.float64, "padded")
    w = RNG.standard_normal(tout.shape)
    (out * mg.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for a, b in zip(xs, txs):
        _close(a.grad, b.grad, np.float64, "grad")


def test_pack_sequence_roundtrip_matches_torch():
    from minigrad.nn.utils import rnn as mrnn
    from torch.nn.utils import rnn as trnn
    arrays = [RNG.standard_normal((n, 2)) for n in (2, 4, 4, 1)]
    packed = mrnn.pack_sequence([mg.tensor(a) for a in arrays], enforce_sorted=False)
    tpacked = trnn.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        np.testing.assert_array_equal(getattr(packed, field).numpy(),
                                      getattr(tpacked, field).numpy(), err_msg=field)
    _close(packed.data, tpacked.data, np.float64, "data")
    for a, b in zip(mrnn.unpack_sequence(packed), arrays):
        np.testing.assert_array_equal(a.numpy(), b)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_single_step_sequences(kind):
    """T = 1 takes the LSTM kernels' other gate layout (no permutation)."""
    check_against_torch(kind, T=1, layers=2, bidirectional=True, with_state=True)
    if kind == "LSTM":
        check_against_torch(kind, T=1, proj=3, with_state=True, batch_first=True)
