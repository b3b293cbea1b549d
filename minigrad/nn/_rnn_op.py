"""The recurrent layers (RNN, LSTM, GRU and their cells) as single graph nodes.

A whole stack (every layer, both directions, every time step, the dropout between layers)
is one hidden node whose outputs ``output``, ``h_n`` and ``c_n`` are cheap routing nodes,
as PyTorch's fused ``_VF.lstm`` is. The forward runs the numpy kernels of
``_rnn_kernels``: the input projection of all time steps of a layer is one matmul, then a
Python loop does one small matmul and a few in-place elementwise ops per step. The
first-order backward is backpropagation through time in numpy, closing with one matmul
per weight. Under ``create_graph=True`` the same function, written with Tensor ops
(:func:`_composite_stack`), is differentiated instead, so gradients of any order are exact.
A cell step (``LSTMCell`` ...) is the same node with one layer and one step.
"""
from collections import namedtuple

import numpy as np

from .. import grad_mode
from .. import random as _random
from ..autograd import engine
from ..autograd.function import _NO_DATA, output_route
from ..ops.elementwise import relu, sigmoid, tanh
from ..ops.linalg import linear
from ..ops.shape import cat, stack
from ..tensor import SAVES_INPUTS, SAVES_NOTHING, Tensor, make
from . import _rnn_kernels as K

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}

#: One layer-direction's weights, PyTorch's names; ``b_*`` and ``w_hr`` may be None.
Weights = namedtuple("Weights", "w_ih w_hh b_ih b_hh w_hr")

#: The static description of a stack.
Config = namedtuple("Config", "mode num_layers num_directions batch_first")


class _Layout:
    """Arrays live in the caller's layout, (T, B, F) or (B, T, F) with ``batch_first``;
    the kernels index them through time-major views."""

    def __init__(self, batch_first, T, B, dtype, packed):
        self.batch_first, self.T, self.B, self.dtype, self.packed = batch_first, T, B, dtype, packed

    def alloc(self, features, zeros=False):
        shape = (self.B, self.T, features) if self.batch_first else (self.T, self.B, features)
        # packed sequences leave the rows of finished sequences untouched: they must be zero
        return (np.zeros if zeros or self.packed else np.empty)(shape, dtype=self.dtype)

    def tm(self, a):
        if a is None or not self.batch_first:
            return a
        return a.swapaxes(0, 1)


def _projection(mode, x2, w, biases=True):
    """``x W_ih^T + b_ih`` for every step at once, with ``b_hh`` folded in where it only
    adds (all of it, except GRU's ``b_hn``, which the reset gate multiplies). Without
    ``biases``, ``x W_ih^T`` alone (the kernel adds them: ``_rnn_kernels.raw_projection``)."""
    gx = np.dot(x2, w.w_ih.T)
    if not biases:
        return gx
    if w.b_ih is not None:
        gx += w.b_ih
    if w.b_hh is not None:
        if mode == "GRU":
            k = 2 * (w.b_hh.shape[0] // 3)
            gx[:, :k] += w.b_hh[:k]
        else:
            gx += w.b_hh
    return gx


def _reorder(w, rows):
    """``w`` with the gate rows of its input and hidden weights and biases taken in
    ``rows`` (``w_hr`` has no gate rows)."""
    def take(a):
        return None if a is None else a[rows]
    return Weights(take(w.w_ih), take(w.w_hh), take(w.b_ih), take(w.b_hh), w.w_hr)


def _stack_forward(cfg, x, h0, c0, W, masks, batch_sizes, saving):
    """Arrays ``(output, h_n, c_n, saved)`` of the whole stack; ``x`` is 3-d in the
    configured layout, ``h0``/``c0`` are (L*D, B, .) arrays or None (zeros)."""
    mode, L, D = cfg.mode, cfg.num_layers, cfg.num_directions
    B, T = (x.shape[0], x.shape[1]) if cfg.batch_first else (x.shape[1], x.shape[0])
    lay = _Layout(cfg.batch_first, T, B, x.dtype, batch_sizes is not None)
    h_out = W[0].w_hh.shape[1]
    hidden = W[0].w_hh.shape[0] // GATES[mode]
    lstm = mode == "LSTM"
    order = K.gate_order(mode, hidden, T)
    h_n = np.empty((L * D, B, h_out), dtype=x.dtype)
    c_n = np.empty((L * D, B, hidden), dtype=x.dtype) if lstm else None
    saved, inp = [], x
    for layer in range(L):
        out = lay.alloc(D * h_out)
        out_tm = lay.tm(out)
        x2 = inp.reshape(-1, inp.shape[-1])
        runs = []
        for d in range(D):
            k = layer * D + d
            w = W[k] if order is None else _reorder(W[k], order)
            run = K.Run(mode, w, d == 1, batch_sizes, T, B, order is not None)
            gx = _projection(mode, x2, w, not K.raw_projection(run, x.dtype))
            gx = gx.reshape(out.shape[:2] + (-1,))
            hprev = lay.alloc(h_out) if saving else None
            cprev = lay.alloc(hidden) if saving and lstm else None
            proj_in = lay.alloc(hidden, zeros=True) if saving and w.w_hr is not None else None
            h0k = np.zeros((B, h_out), x.dtype) if h0 is None else h0[k]
            c0k = None if not lstm else np.zeros((B, hidden), x.dtype) if c0 is None else c0[k]
            h, c = K.forward(run, lay.tm(gx), h0k, c0k, out_tm[..., d * h_out:(d + 1) * h_out],
                             lay.tm(hprev), lay.tm(cprev), lay.tm(proj_in))
            h_n[k] = h
            if lstm:
                c_n[k] = c
            runs.append((run, hprev, cprev, proj_in))
        saved.append((inp, runs))
        inp = out * masks[layer] if masks is not None and layer < L - 1 else out
    return inp, h_n, c_n, (lay, saved)


def _stack_backward(cfg, W, masks, saved, g_out, g_hn, g_cn, need_input):
    """Gradient arrays ``(d_input, d_h0, d_c0, [per layer-direction Weights of grads])``.
    The kernels' weights (``run.w``) may have their gate rows permuted: the products use
    them, and the weight gradients are permuted back to PyTorch's order at the end."""
    mode, D = cfg.mode, cfg.num_directions
    lay, layers = saved
    dt = lay.dtype
    h_out = W[0].w_hh.shape[1]
    lstm = mode == "LSTM"
    dh0 = np.empty((len(W), lay.B, h_out), dtype=dt)
    dc0 = np.empty((len(W), lay.B, W[0].w_hh.shape[0] // 4), dtype=dt) if lstm else None
    dW = [None] * len(W)
    g = g_out
    d_in = None
    for layer in range(len(layers) - 1, -1, -1):
        inp, runs = layers[layer]
        x2 = inp.reshape(-1, inp.shape[-1])
        g_tm = lay.tm(g)
        d_in = None
        for d, (run, hprev, cprev, proj_in) in enumerate(runs):
            k = layer * D + d
            w = run.w
            G = w.w_hh.shape[0]
            dgx = lay.alloc(G)
            dgh = lay.alloc(G) if mode == "GRU" else dgx
            dproj = lay.alloc(h_out) if w.w_hr is not None else None
            go = None if g_tm is None else g_tm[..., d * h_out:(d + 1) * h_out]
            dh, dc = K.backward(run, go, None if g_hn is None else g_hn[k],
                                None if g_cn is None else g_cn[k], lay.tm(dgx), lay.tm(dgh),
                                lay.tm(hprev), lay.tm(cprev), lay.tm(dproj))
            dh0[k] = dh
            if lstm:
                dc0[k] = dc
            dgx2, dgh2 = dgx.reshape(-1, G), dgh.reshape(-1, G)
            db_ih = dgx2.sum(axis=0) if w.b_ih is not None else None
            db_hh = None if w.b_hh is None else db_ih if dgh is dgx else dgh2.sum(axis=0)
            dw_hr = None if dproj is None else np.dot(dproj.reshape(-1, h_out).T,
                                                      proj_in.reshape(-1, proj_in.shape[-1]))
            dW[k] = Weights(np.dot(dgx2.T, x2), np.dot(dgh2.T, hprev.reshape(-1, h_out)), db_ih,
                            db_hh, dw_hr)
            order = K.gate_order(mode, G // GATES[mode], lay.T)
            if order is not None:
                dW[k] = _reorder(dW[k], np.argsort(order))
            if layer > 0 or need_input:
                part = np.dot(dgx2, w.w_ih)
                d_in = part if d_in is None else d_in + part
        if layer > 0:
            g = d_in.reshape(inp.shape)
            if masks is not None:
                g = g * masks[layer - 1]
    dx = None if d_in is None else d_in.reshape(layers[0][0].shape)
    return dx, dh0, dc0, dW


# ----- the same function in Tensor ops (differentiated under create_graph) -------------
def _cell_composite(mode, gx, h, c, w):
    """One step from the projected input ``gx`` (``x W_ih^T + b_ih``), as Tensor ops."""
    gh = linear(h, w.w_hh, w.b_hh)
    if mode == "LSTM":
        i, f, g, o = (gx + gh).chunk(4, dim=1)
        c = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h = sigmoid(o) * tanh(c)
        return (h if w.w_hr is None else linear(h, w.w_hr)), c
    if mode == "GRU":
        xr, xz, xn = gx.chunk(3, dim=1)
        hr, hz, hn = gh.chunk(3, dim=1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = tanh(xn + r * hn)
        return (1 - z) * n + z * h, None
    pre = gx + gh
    return (relu(pre) if mode == "RNN_RELU" else tanh(pre)), None


def _composite_stack(cfg, x, hx, cx, W, masks, batch_sizes):
    """``(output, h_n, c_n)`` of the stack built from Tensor ops, step by step."""
    mode, D = cfg.mode, cfg.num_directions
    x = x.transpose(0, 1) if cfg.batch_first else x
    T, B = x.shape[0], x.shape[1]
    h_out = W[0].w_hh.shape[1]
    hidden = W[0].w_hh.shape[0] // GATES[mode]
    zeros = Tensor._wrap(np.zeros((B, max(h_out, hidden)), x.dtype))
    hs, cs = [], []
    for layer in range(cfg.num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            w = W[k]
            gx = linear(x, w.w_ih, w.b_ih)
            h = zeros[:, :h_out] if hx is None else hx[k]
            c = None if mode != "LSTM" else zeros[:, :hidden] if cx is None else cx[k]
            steps = [None] * T
            for t in (range(T - 1, -1, -1) if d == 1 else range(T)):
                b = B if batch_sizes is None else int(batch_sizes[t])
                hb, cb = _cell_composite(mode, gx[t, :b], h[:b], None if c is None else c[:b], w)
                if b < B:
                    h = cat([hb, h[b:]])
                    c = None if c is None else cat([cb, c[b:]])
                    hb = cat([hb, zeros[b:, :h_out]])
                else:
                    h, c = hb, cb
                steps[t] = hb
            outs.append(stack(steps))
            hs.append(h)
            cs.append(c)
        x = outs[0] if D == 1 else cat(outs, dim=2)
        if masks is not None and layer < cfg.num_layers - 1:
            mask = masks[layer]
            x = x * Tensor._wrap(mask.swapaxes(0, 1) if cfg.batch_first else mask)
    out = x.transpose(0, 1) if cfg.batch_first else x
    return out, stack(hs), (stack(cs) if mode == "LSTM" else None)


def _alias(t):
    """An identity node: differentiating with respect to it gives the partial derivative
    through the composite only, not through ``t``'s own history."""
    return make(t._data, (t,), lambda g, out: (g,), "Alias", SAVES_NOTHING)


def _composite_grads(composite, parents, grads_out):
    """Under create_graph: the vector-Jacobian products of ``composite(*parents)`` with
    ``grads_out``, one per parent (None where not needed), themselves differentiable."""
    args = [_alias(p) if p.requires_grad else p for p in parents]
    wanted = [a for a, p in zip(args, parents) if p.requires_grad]
    pairs = [(o, g) for o, g in zip(composite(*args), grads_out)
             if o is not None and g is not None and o.requires_grad]
    if not pairs or not wanted:
        return (None,) * len(parents)
    grads = iter(engine.grad([o for o, _ in pairs], wanted, [g for _, g in pairs],
                             create_graph=True, allow_unused=True))
    return tuple(next(grads) if p.requires_grad else None for p in parents)


def _wrap_arrays(parents, arrays):
    return tuple(None if a is None or not p.requires_grad else Tensor._wrap(a)
                 for p, a in zip(parents, arrays))


def _node(arrays, parents, numpy_backward, composite, name):
    """Tensors for the output ``arrays`` of one op over ``parents``. Several outputs feed
    one hidden node through routing nodes (the engine's nodes have one output each)."""
    if len(arrays) == 1:
        def backward(g, out):
            if not grad_mode.enabled():
                return _wrap_arrays(parents, numpy_backward((g._data,)))
            return _composite_grads(composite, parents, (g,))

        return (make(arrays[0], parents, backward, name, SAVES_INPUTS),)

    def hub_backward(g, hub):
        if not grad_mode.enabled():
            return _wrap_arrays(parents, numpy_backward(
                [None if part is None else part._data for part in g.parts]))
        return _composite_grads(composite, parents, g.parts)

    hub = make(_NO_DATA, parents, hub_backward, name, SAVES_INPUTS)
    n = len(arrays)

    return tuple(None if a is None else make(a, (hub,), output_route(i, n), name, SAVES_NOTHING)
                 for i, a in enumerate(arrays))


def _dropout_masks(cfg, x, h_out, p):
    """Inverted-dropout masks for the outputs of every layer but the last, drawn from
    minigrad's global generator as ``F.dropout`` draws."""
    shape = x.shape[:2] + (cfg.num_directions * h_out,)
    rng = _random.default_generator()
    scale = x.dtype.type(1.0 / (1.0 - p)) if p < 1 else x.dtype.type(0)
    return [(rng.random(shape, dtype=np.float32) >= p).astype(x.dtype) * scale
            for _ in range(cfg.num_layers - 1)]


def rnn(cfg, input, hx, cx, weights, dropout=0.0, training=False, batch_sizes=None):
    """Run the stack described by ``cfg`` (a :class:`Config`). ``input`` is 3-d in the
    configured layout; ``hx`` (and ``cx`` for LSTM) are ``(L*D, B, .)`` Tensors or None
    (zeros); ``weights`` holds one :class:`Weights` of Tensors per layer and direction,
    PyTorch's order (layer 0 forward, layer 0 reverse, layer 1, ...). ``batch_sizes``: the
    active batch rows per time step of a packed batch. Returns ``(output, h_n, c_n)``
    (``c_n`` None except for LSTM). Arguments arrive validated."""
    lstm = cfg.mode == "LSTM"
    W = [Weights(*(None if t is None else t._data for t in w)) for w in weights]
    flat = [t for w in weights for t in w if t is not None]
    states = [s for s in (hx, cx) if s is not None]
    parents = (input, *states, *flat)
    recording = grad_mode.enabled() and any(p.requires_grad for p in parents)
    h_out = W[0].w_hh.shape[1]
    p = float(dropout) if training and cfg.num_layers > 1 else 0.0
    masks = _dropout_masks(cfg, input._data, h_out, p) if p > 0 else None
    out, h_n, c_n, saved = _stack_forward(cfg, input._data, None if hx is None else hx._data,
                                          None if cx is None else cx._data, W, masks,
                                          batch_sizes, recording)
    if not recording:
        return Tensor._wrap(out), Tensor._wrap(h_n), (Tensor._wrap(c_n) if lstm else None)

    def numpy_backward(grads):
        g_out, g_hn = grads[0], grads[1]
        g_cn = grads[2] if lstm else None
        dx, dh0, dc0, dW = _stack_backward(cfg, W, masks, saved, g_out, g_hn, g_cn,
                                           input.requires_grad)
        state_grads = [dh0] if hx is not None else []
        if cx is not None:
            state_grads.append(dc0)
        return (dx, *state_grads, *[g for w, gw in zip(W, dW) for g, a in zip(gw, w)
                                    if a is not None])

    def composite(x, *rest):
        h = rest[0] if hx is not None else None
        c = rest[len(states) - 1] if cx is not None else None
        it = iter(rest[len(states):])
        tw = [Weights(*(None if a is None else next(it) for a in w)) for w in W]
        return _composite_stack(cfg, x, h, c, tw, masks, batch_sizes)

    name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM": "LSTM", "GRU": "GRU"}[cfg.mode]
    arrays = (out, h_n, c_n) if lstm else (out, h_n)
    outs = _node(arrays, parents, numpy_backward, composite, name)
    return outs if lstm else (*outs, None)


def cell(mode, input, hx, cx, w_ih, w_hh, b_ih, b_hh):
    """One step of a cell on a batch: ``input`` (B, I), ``hx``/``cx`` (B, H) or None.
    Returns ``h'`` (and ``c'`` for LSTM): a single node."""
    cfg = Config(mode, 1, 1, False)
    lstm = mode == "LSTM"
    W = [Weights(w_ih._data, w_hh._data, None if b_ih is None else b_ih._data,
                 None if b_hh is None else b_hh._data, None)]
    weights = [t for t in (w_ih, w_hh, b_ih, b_hh) if t is not None]
    states = [s for s in (hx, cx) if s is not None]
    parents = (input, *states, *weights)
    recording = grad_mode.enabled() and any(p.requires_grad for p in parents)

    def unsqueezed(t):
        return None if t is None else t._data[None]

    _, h_n, c_n, saved = _stack_forward(cfg, input._data[None], unsqueezed(hx), unsqueezed(cx),
                                        W, None, None, recording)
    arrays = (h_n[0], c_n[0]) if lstm else (h_n[0],)
    if not recording:
        return tuple(Tensor._wrap(a) for a in arrays)

    def numpy_backward(grads):
        g_h = None if grads[0] is None else grads[0][None]
        g_c = None if not lstm or grads[1] is None else grads[1][None]
        dx, dh0, dc0, dW = _stack_backward(cfg, W, None, saved, None, g_h, g_c,
                                           input.requires_grad)
        state_grads = [dh0[0]] if hx is not None else []
        if cx is not None:
            state_grads.append(dc0[0])
        return (None if dx is None else dx[0], *state_grads,
                *[g for g, a in zip(dW[0], W[0]) if a is not None])

    def composite(x, *rest):
        h = rest[0] if hx is not None else None
        c = rest[len(states) - 1] if cx is not None else None
        B = x.shape[0]
        zeros = Tensor._wrap(np.zeros((B, w_hh.shape[1]), x.dtype))
        it = iter(rest[len(states):])
        w = Weights(*(None if a is None else next(it) for a in W[0]))
        return _cell_composite(mode, linear(x, w.w_ih, w.b_ih), zeros if h is None else h,
                               zeros if (lstm and c is None) else c, w)

    name = {"RNN_TANH": "RNNCell", "RNN_RELU": "RNNCell", "LSTM": "LSTMCell", "GRU": "GRUCell"}
    return _node(arrays, parents, numpy_backward, composite, name[mode])
