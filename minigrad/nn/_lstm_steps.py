"""The LSTM time loop with its elementwise work compiled by numba (at first use), for the
common case: float32/float64, no projection (``proj_size=0``), numba's JIT on.

**Why.** A step of the numpy loop in ``_rnn_kernels`` is 13 small ufunc calls forward and
19 backward besides its matmul, each on views sliced in Python: at (B=32, H=64) their call
overhead (~1 us each) outweighed the matmul, and made LSTM 2.7x slower than PyTorch's fused
(oneDNN) LSTM. Here a step keeps the matmul and the tanh calls in numpy (numpy's SIMD tanh;
numba's scalar ``tanhf`` is ~40x slower) and does everything else in compiled calls between
them, which index the arrays by ``t`` themselves: 3 numpy + 3 compiled calls forward, one of
each backward.

**Same numbers.** The compiled loops do the numpy loop's float operations in the same order
and precision (no fastmath: nothing is fused into an FMA or reordered; constants have the
array's dtype, as numba widens a Python float or int literal to float64), so results are
bit-identical to the numpy path, which stays the fallback (float16, projections, JIT off).

Arguments follow ``_rnn_kernels``: time-major arrays indexed ``[t, batch]``, the gate columns
given by their offsets ``gi, gf, go, gg`` (PyTorch's order or the kernels' ``i, f, o, g``).
Each loop over rows writes one array: where one loop wrote several (or a row loop held several
inner loops), LLVM left most of the work scalar (grad_step 2-3x slower, measured).
"""
import functools

import numpy as np


@functools.cache  # compiled (and numba imported) on first use only
def _build():
    from ..optim._jit import kernel_jit

    jit = kernel_jit(error_model="numpy", nogil=True)

    @jit
    def gates_in(acts, gx, b_ih, b_hh, scale, t, b, scale_sum):
        """Adds the input side to ``acts[t]`` (which holds ``h W_hh^T``): ``gx[t]``, with
        ``b_ih`` and ``b_hh`` added as ``_rnn_op._projection`` adds them when they are given
        (size 0: already in ``gx``), times ``scale`` (0.5 on the sigmoid gates, which take
        ``tanh`` of half their argument). ``scale_sum``: scale the sum, as ``W_hh`` was not
        pre-scaled (one step, PyTorch's order); else only the input side is scaled."""
        for r in range(b):
            a, x = acts[t, r], gx[t, r]
            if b_ih.size:
                for j in range(a.shape[0]):
                    a[j] = a[j] + ((x[j] + b_ih[j]) + b_hh[j]) * scale[j]
            elif scale_sum:
                for j in range(a.shape[0]):
                    a[j] = (a[j] + x[j]) * scale[j]
            else:
                for j in range(a.shape[0]):
                    a[j] = a[j] + x[j] * scale[j]

    @jit
    def cell(acts, c, cprev, t, b, H, gi, gf, go, gg, saving):
        """After ``tanh`` of the gates: the sigmoid gates ``0.5 tanh + 0.5``, then
        ``c = f c + i g`` in place (``cprev[t]`` keeps the old ``c``, all rows)."""
        half = acts.dtype.type(0.5)
        if saving:
            cprev[t] = c
        for s in (gi, gf, go):
            for r in range(b):
                sig = acts[t, r, s:s + H]
                for j in range(H):
                    sig[j] = sig[j] * half + half
        for r in range(b):
            a, cr = acts[t, r], c[r]
            i, f, g = a[gi:gi + H], a[gf:gf + H], a[gg:gg + H]
            for j in range(H):
                cr[j] = cr[j] * f[j] + i[j] * g[j]

    @jit
    def hidden(acts, tanh_c, h, out, hprev, t, b, H, go, saving):
        """``h = o tanh(c)``, copied to ``out[t]`` (``hprev[t]`` keeps the old ``h``)."""
        if saving:
            hprev[t] = h
        for r in range(b):
            hr, o, tc = h[r], acts[t, r, go:go + H], tanh_c[t, r]
            for j in range(H):
                hr[j] = o[j] * tc[j]
        for r in range(b):
            out[t, r] = h[r]

    @jit
    def grad_step(acts, tanh_c, cprev, g_out, dh, dc, dgx, t, b, H, gi, gf, go, gg):
        """One step back: ``dh += g_out[t]`` (size-0 ``g_out``: none), the gate gradients
        into ``dgx[t]`` through the activations, and ``dc`` carried to the previous step;
        the caller then sets ``dh = dgx[t] W_hh``."""
        one = acts.dtype.type(1)
        if g_out.size:
            for r in range(b):
                dhr, gr = dh[r], g_out[t, r]
                for j in range(H):
                    dhr[j] += gr[j]
        for r in range(b):          # dc += dh o (1 - tanh(c)^2)
            dhr, dcr, tc, o = dh[r], dc[r], tanh_c[t, r], acts[t, r, go:go + H]
            for j in range(H):
                dcr[j] = dcr[j] + (one - tc[j] * tc[j]) * o[j] * dhr[j]
        for r in range(b):          # di = dc g i (1 - i)
            a, dcr, d = acts[t, r], dc[r], dgx[t, r, gi:gi + H]
            i, g = a[gi:gi + H], a[gg:gg + H]
            for j in range(H):
                d[j] = dcr[j] * g[j] * ((one - i[j]) * i[j])
        for r in range(b):          # df = dc c_prev f (1 - f)
            dcr, cp, f, d = dc[r], cprev[t, r], acts[t, r, gf:gf + H], dgx[t, r, gf:gf + H]
            for j in range(H):
                d[j] = dcr[j] * cp[j] * ((one - f[j]) * f[j])
        for r in range(b):          # do = dh tanh(c) o (1 - o)
            dhr, tc, o, d = dh[r], tanh_c[t, r], acts[t, r, go:go + H], dgx[t, r, go:go + H]
            for j in range(H):
                d[j] = dhr[j] * tc[j] * ((one - o[j]) * o[j])
        for r in range(b):          # dg = dc i (1 - g^2)
            a, dcr, d = acts[t, r], dc[r], dgx[t, r, gg:gg + H]
            i, g = a[gi:gi + H], a[gg:gg + H]
            for j in range(H):
                d[j] = dcr[j] * i[j] * (one - g[j] * g[j])
        for r in range(b):          # dc_prev = dc f
            dcr, f = dc[r], acts[t, r, gf:gf + H]
            for j in range(H):
                dcr[j] *= f[j]

    return gates_in, cell, hidden, grad_step


def applies(run, dtype):
    """Whether this path runs ``run``: numba's JIT on, float32/float64, no projection."""
    from numba.core import config
    return (not config.DISABLE_JIT and dtype in (np.float32, np.float64)
            and run.w.w_hr is None)


def takes_raw_projection(run, dtype):
    """Whether :func:`forward` wants ``gx = x W_ih^T`` without the biases: for a sequence
    (``run.permuted``) with both biases it adds them, and halves the sigmoid gates, a step
    at a time while the step's rows are in cache, instead of three passes over all of
    ``gx`` (~150 us of the 1 ms forward of the benchmark's LSTM)."""
    return (applies(run, dtype) and run.permuted and run.w.b_ih is not None
            and run.w.b_hh is not None)


def forward(run, gx, h, c, out, hprev, cprev, cols):
    """The time loop of ``_rnn_kernels._lstm_forward`` (same arguments; ``cols`` the gate
    offsets ``(gi, gf, go, gg)``; ``gx`` without biases where :func:`takes_raw_projection`).
    In the kernels' order (``run.permuted``) the sigmoid gates' halving is done once in a
    copy of ``W_hh`` and per step on the input side; otherwise per step on the sum."""
    gates_in, cell, hidden, _ = _build()
    T, B, G = gx.shape
    H = G // 4
    gi, gf, go, gg = cols
    scale = np.full(G, 0.5, dtype=gx.dtype)
    scale[gg:gg + H] = 1
    w_hh_t = run.w.w_hh.T
    if run.permuted:
        w_hh = run.w.w_hh.copy()
        w_hh[:3 * H] *= 0.5
        w_hh_t = w_hh.T
    no_bias = np.empty(0, dtype=gx.dtype)
    b_ih, b_hh = ((run.w.b_ih, run.w.b_hh) if takes_raw_projection(run, gx.dtype)
                  else (no_bias, no_bias))
    run.acts = acts = np.empty((T, B, G), dtype=gx.dtype)
    run.tanh_c = tanh_c = np.empty((T, B, H), dtype=gx.dtype)
    saving = hprev is not None
    if not saving:  # the kernels take arrays: size-0 stand-ins, never written
        hprev = cprev = np.empty((0, B, H), dtype=gx.dtype)
    for t in run.steps():
        b = run.rows(t)
        a = acts[t, :b]
        np.dot(h[:b], w_hh_t, out=a)
        gates_in(acts, gx, b_ih, b_hh, scale, t, b, not run.permuted)
        np.tanh(a, out=a)
        cell(acts, c, cprev, t, b, H, gi, gf, go, gg, saving)
        np.tanh(c[:b], out=tanh_c[t, :b])
        hidden(acts, tanh_c, h, out, hprev, t, b, H, go, saving)


def backward(run, g_out, dh, dc, dgx, cprev, cols):
    """The time loop of ``_rnn_kernels._lstm_backward`` without a projection."""
    grad_step = _build()[3]
    w_hh = run.w.w_hh
    H = dgx.shape[2] // 4
    gi, gf, go, gg = cols
    if g_out is None:
        g_out = np.empty((0, 0, 0), dtype=dgx.dtype)
    for t in reversed(run.steps()):
        b = run.rows(t)
        grad_step(run.acts, run.tanh_c, cprev, g_out, dh, dc, dgx, t, b, H, gi, gf, go, gg)
        np.dot(dgx[t, :b], w_hh, out=dh[:b])
