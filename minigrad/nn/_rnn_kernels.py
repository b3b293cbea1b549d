"""numpy kernels of one recurrent layer in one direction: the forward over all time steps
(saving what backpropagation through time needs) and its backward.

Conventions shared by every kernel (arrays only, no graph):

* ``gx`` is the input projection of every step, ``x_t W_ih^T + b_ih`` (with the parts of
  ``b_hh`` that simply add folded in), computed by the caller in one matmul. It and every
  per-step array are indexed ``[t, batch]`` (time-major views, whatever the memory layout).
* Gate order is PyTorch's (LSTM ``i, f, g, o``; GRU ``r, z, n`` with the reset gate applied
  to ``W_hn h + b_hn``), except that for sequences of several steps the LSTM kernels take
  weights and projections in the order ``i, f, o, g`` (:func:`gate_order`): the three
  sigmoid gates are then one contiguous block, activated by a single call. The caller
  permutes the weights in and the gradients back (a cost a single step does not repay).
* ``batch_sizes`` (packed sequences) gives the number of active rows at each time step,
  non-increasing: sequences are sorted longest first, so the active rows are a prefix. An
  inactive row keeps its state; its output stays zero. In reverse direction a sequence
  starts at its own last step, with the initial state, which this gives for free.
* ``Run`` holds the saved arrays; ``backward`` fills ``dgx`` (gradient of the projection,
  i.e. of the gate pre-activations from the input side) and ``dgh`` (from the hidden
  side; the same array except for GRU's ``n`` gate), and returns the gradients of the
  initial states. The caller turns ``dgx``/``dgh`` into weight and input gradients with
  one matmul each.
* LSTM without a projection runs the loops of ``_lstm_steps`` instead (the same numbers,
  their elementwise work compiled; that one adds the biases to ``gx`` itself, see
  :func:`raw_projection`); the numpy LSTM loops here are its fallback.
"""
import numpy as np

from . import _lstm_steps

# Products are np.dot, not @: for the small 2-d operands of a step np.matmul costs several
# times more (up to 10x for a transposed operand with an inner dimension of 1).


def sigmoid_(a):
    """Logistic sigmoid in place, as ``0.5 tanh(a / 2) + 0.5``: no overflow, no temporary."""
    np.multiply(a, 0.5, out=a)
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def gate_order(mode, hidden, steps):
    """The row permutation from PyTorch's gate order to the kernels' (None: the same)."""
    if mode != "LSTM" or steps == 1:
        return None
    H = hidden
    return np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # i, f, o, g


def raw_projection(run, dtype):
    """Whether :func:`forward` takes ``gx`` without the biases (it adds them itself)."""
    return run.mode == "LSTM" and _lstm_steps.takes_raw_projection(run, dtype)


def _lstm_gates(H, permuted):
    """Slices ``i, f, o, g`` of the gate columns and the blocks holding the sigmoid gates."""
    i, f = slice(0, H), slice(H, 2 * H)
    if permuted:
        return i, f, slice(2 * H, 3 * H), slice(3 * H, 4 * H), [slice(0, 3 * H)]
    return i, f, slice(3 * H, 4 * H), slice(2 * H, 3 * H), [slice(0, 2 * H), slice(3 * H, 4 * H)]


class Run:
    """The saved state of one layer-direction forward, for its backward."""

    def __init__(self, mode, weights, reverse, batch_sizes, T, B, permuted=False):
        self.mode = mode
        self.w = weights
        self.permuted = permuted
        self.reverse = reverse
        self.batch_sizes = batch_sizes
        self.T, self.B = T, B

    def steps(self):
        return range(self.T - 1, -1, -1) if self.reverse else range(self.T)

    def rows(self, t):
        return self.B if self.batch_sizes is None else int(self.batch_sizes[t])


def forward(run, gx, h0, c0, out, hprev, cprev, proj_in):
    """Run one direction. ``out`` (T, B, H_out) receives each step's output; ``hprev`` /
    ``cprev`` (T, B, ...) receive the state before each step and ``proj_in`` the
    unprojected LSTM output (None when not saving for backward). Returns the final
    states ``(h, c)`` (``c`` None except for LSTM)."""
    h = h0.copy()
    c = c0.copy() if c0 is not None else None
    saving = hprev is not None
    if run.mode == "LSTM":
        _lstm_forward(run, gx, h, c, out, hprev, cprev, proj_in)
    elif run.mode == "GRU":
        _gru_forward(run, gx, h, out, hprev, saving)
    else:
        _rnn_forward(run, gx, h, out, hprev, saving)
    return h, c


def _lstm_forward(run, gx, h, c, out, hprev, cprev, proj_in):
    """One tanh over all four gates: the sigmoid gates' pre-activations are halved first,
    and ``0.5 tanh(x / 2) + 0.5`` is their sigmoid. In the kernel order (``run.permuted``)
    the halving is done once, in ``gx`` and in a copy of ``W_hh``; otherwise per step."""
    T, B, G = gx.shape
    H = G // 4
    si, sf, so, sg, blocks = _lstm_gates(H, run.permuted)
    if _lstm_steps.applies(run, gx.dtype):
        return _lstm_steps.forward(run, gx, h, c, out, hprev, cprev,
                                   (si.start, sf.start, so.start, sg.start))
    w_hh_t = run.w.w_hh.T
    if run.permuted:
        w_hh = run.w.w_hh.copy()
        w_hh[:3 * H] *= 0.5
        w_hh_t = w_hh.T
        gx[..., :3 * H] *= 0.5
    w_hr_t = None if run.w.w_hr is None else run.w.w_hr.T
    run.acts = acts = np.empty((T, B, G), dtype=gx.dtype)
    run.tanh_c = tanh_c = np.empty((T, B, H), dtype=gx.dtype)
    ig = np.empty((B, H), dtype=gx.dtype)
    for t in run.steps():
        b = run.rows(t)
        if hprev is not None:
            hprev[t] = h
            cprev[t] = c
        hp, cp = h[:b], c[:b]
        a = acts[t, :b]
        np.dot(hp, w_hh_t, out=a)
        a += gx[t, :b]
        if not run.permuted:
            for blk in blocks:
                a[:, blk] *= 0.5
        np.tanh(a, out=a)
        for blk in blocks:
            sig = a[:, blk]
            sig *= 0.5
            sig += 0.5
        i, f, o, g = a[:, si], a[:, sf], a[:, so], a[:, sg]
        cp *= f
        cp += np.multiply(i, g, out=ig[:b])
        tc = tanh_c[t, :b]
        np.tanh(cp, out=tc)
        if w_hr_t is None:
            np.multiply(o, tc, out=hp)
        else:
            m = o * tc
            if proj_in is not None:
                proj_in[t, :b] = m
            np.dot(m, w_hr_t, out=hp)
        out[t, :b] = hp


def _gru_forward(run, gx, h, out, hprev, saving):
    w_hh_t = run.w.w_hh.T
    b_hn = None if run.w.b_hh is None else run.w.b_hh[2 * (run.w.b_hh.shape[0] // 3):]
    T, B, G = gx.shape
    H = G // 3
    run.acts = acts = np.empty((T, B, G), dtype=gx.dtype)  # r, z, n
    run.hn = hn_all = np.empty((T, B, H), dtype=gx.dtype) if saving else None  # W_hn h + b_hn
    for t in run.steps():
        b = run.rows(t)
        if saving:
            hprev[t] = h
        hp = h[:b]
        gh = np.dot(hp, w_hh_t)
        hn = gh[:, 2 * H:]
        if b_hn is not None:
            hn += b_hn
        a = acts[t, :b]
        np.add(gx[t, :b, :2 * H], gh[:, :2 * H], out=a[:, :2 * H])
        sigmoid_(a[:, :2 * H])
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        np.multiply(r, hn, out=n)
        n += gx[t, :b, 2 * H:]
        np.tanh(n, out=n)
        if saving:
            hn_all[t, :b] = hn
        hp -= n
        hp *= z
        hp += n          # h' = n + z (h - n) = (1 - z) n + z h
        out[t, :b] = hp


def _rnn_forward(run, gx, h, out, hprev, saving):
    w_hh_t = run.w.w_hh.T
    T, B, H = gx.shape
    run.acts = acts = np.empty((T, B, H), dtype=gx.dtype)  # the new hidden states
    relu = run.mode == "RNN_RELU"
    for t in run.steps():
        b = run.rows(t)
        if saving:
            hprev[t] = h
        a = acts[t, :b]
        np.dot(h[:b], w_hh_t, out=a)
        a += gx[t, :b]
        if relu:
            np.maximum(a, 0, out=a)
        else:
            np.tanh(a, out=a)
        h[:b] = a
        out[t, :b] = a


def backward(run, g_out, g_h, g_c, dgx, dgh, hprev, cprev, dproj):
    """Backpropagation through time of one direction. ``g_out`` (T, B, H_out) or None is
    the gradient of the outputs, ``g_h`` / ``g_c`` of the final states (or None). Writes
    the gate gradients into ``dgx`` / ``dgh`` (zero-filled when sequences are packed) and,
    with a projection, each step's output gradient into ``dproj``. Returns the gradients
    of the initial states ``(dh0, dc0)``."""
    dt = dgx.dtype
    dh = np.zeros((run.B, hprev.shape[2]), dt) if g_h is None else np.array(g_h, dt)
    if run.mode == "LSTM":
        H = dgx.shape[2] // 4
        dc = np.zeros((run.B, H), dt) if g_c is None else np.array(g_c, dt)
        _lstm_backward(run, g_out, dh, dc, dgx, cprev, dproj)
        return dh, dc
    if run.mode == "GRU":
        _gru_backward(run, g_out, dh, dgx, dgh, hprev)
    else:
        _rnn_backward(run, g_out, dh, dgx)
    return dh, None


def _lstm_backward(run, g_out, dh, dc, dgx, cprev, dproj):
    """Writes the gate gradients in the forward's gate order."""
    w_hh, w_hr = run.w.w_hh, run.w.w_hr
    H = dgx.shape[2] // 4
    si, sf, so, sg, blocks = _lstm_gates(H, run.permuted)
    if _lstm_steps.applies(run, dgx.dtype):
        return _lstm_steps.backward(run, g_out, dh, dc, dgx, cprev,
                                    (si.start, sf.start, so.start, sg.start))
    scratch = np.empty((run.B, 3 * H), dtype=dgx.dtype)
    for t in reversed(run.steps()):
        b = run.rows(t)
        dhb, dcb = dh[:b], dc[:b]
        if g_out is not None:
            dhb += g_out[t, :b]
        if w_hr is not None:
            dproj[t, :b] = dhb
            dm = np.dot(dhb, w_hr)
        else:
            dm = dhb
        a = run.acts[t, :b]
        i, f, o, g = a[:, si], a[:, sf], a[:, so], a[:, sg]
        tc = run.tanh_c[t, :b]
        d = dgx[t, :b]
        tmp = scratch[:b, :H]
        np.multiply(tc, tc, out=tmp)
        np.subtract(1, tmp, out=tmp)
        tmp *= o
        tmp *= dm
        dcb += tmp                                     # dc += dm o (1 - tanh(c)^2)
        np.multiply(dcb, g, out=d[:, si])              # di
        np.multiply(dcb, cprev[t, :b], out=d[:, sf])   # df
        np.multiply(dm, tc, out=d[:, so])              # do
        np.multiply(dcb, i, out=d[:, sg])              # dg
        for blk in blocks:                             # through the sigmoids
            s = a[:, blk]
            sd = scratch[:b, :s.shape[1]]
            np.subtract(1, s, out=sd)
            sd *= s
            d[:, blk] *= sd
        gd = tmp
        np.multiply(g, g, out=gd)
        np.subtract(1, gd, out=gd)
        d[:, sg] *= gd                                 # through tanh
        dcb *= f
        np.dot(d, w_hh, out=dhb)


def _gru_backward(run, g_out, dh, dgx, dgh, hprev):
    w_hh = run.w.w_hh
    H = dgx.shape[2] // 3
    for t in reversed(run.steps()):
        b = run.rows(t)
        dhb = dh[:b]
        if g_out is not None:
            dhb += g_out[t, :b]
        a = run.acts[t, :b]
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        d = dgx[t, :b]
        dn = dhb * (1 - z)
        dn *= 1 - n * n
        d[:, 2 * H:] = dn
        d[:, :H] = dn * run.hn[t, :b] * r * (1 - r)
        d[:, H:2 * H] = dhb * (hprev[t, :b] - n) * z * (1 - z)
        e = dgh[t, :b]
        e[:, :2 * H] = d[:, :2 * H]
        np.multiply(dn, r, out=e[:, 2 * H:])
        dhb *= z
        dhb += np.dot(e, w_hh)


def _rnn_backward(run, g_out, dh, dgx):
    w_hh = run.w.w_hh
    relu = run.mode == "RNN_RELU"
    for t in reversed(run.steps()):
        b = run.rows(t)
        dhb = dh[:b]
        if g_out is not None:
            dhb += g_out[t, :b]
        h = run.acts[t, :b]
        d = dgx[t, :b]
        if relu:
            np.multiply(dhb, h > 0, out=d)
        else:
            np.multiply(dhb, 1 - h * h, out=d)
        np.dot(d, w_hh, out=dhb)
