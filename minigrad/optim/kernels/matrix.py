"""Kernels for the optimizers whose update is not elementwise: Muon and Adafactor.

Each tensor is its own problem (a matrix to orthogonalize, row and column statistics), so these
kernels run once per parameter, not once per flat run. What is fused: every pass over the
elements (momentum and norm in one pass; row sums, column sums and the parameter's norm in
one pass; the update's norm; the final write). What runs in numpy: Muon's Newton-Schulz
matrix products (BLAS) and Adafactor's O(rows + columns) work on the factored moments.
Reductions accumulate in float64 whatever the parameters' dtype.
"""
import numpy as np

from numba import prange

from ._common import lerp, parallel, serial


# --------------------------------------------------------------------------------------------
# Muon, first pass:  buf = lerp(buf, g, 1 - mu);  u = lerp(g, buf, mu) (nesterov) | buf;
#   out = u (in the Newton-Schulz dtype);  returns sum(out^2)
# --------------------------------------------------------------------------------------------
@serial
def muon_momentum_serial(g, buf, out, hp, nesterov):
    one_minus_mu = hp[0]
    mu = hp[1]
    total = 0.0
    for i in range(g.size):
        gi = g[i]
        b = lerp(buf[i], gi, one_minus_mu)
        buf[i] = b
        u = out.dtype.type(lerp(gi, b, mu) if nesterov else b)
        out[i] = u
        total += np.float64(u) * np.float64(u)
    return total


@parallel
def muon_momentum_parallel(g, buf, out, hp, nesterov):
    one_minus_mu = hp[0]
    mu = hp[1]
    total = 0.0
    for i in prange(g.size):
        gi = g[i]
        b = lerp(buf[i], gi, one_minus_mu)
        buf[i] = b
        u = out.dtype.type(lerp(gi, b, mu) if nesterov else b)
        out[i] = u
        total += np.float64(u) * np.float64(u)
    return total


# Muon, last pass:  p = p * (1 - lr*wd) - adjusted_lr * O  (O given as rows x cols, or its
# transpose when the iteration ran on the wide orientation)
@serial
def muon_apply_serial(p, ortho, hp, transposed):
    decay = hp[0]
    step = hp[1]
    rows, cols = (ortho.shape[1], ortho.shape[0]) if transposed else ortho.shape
    for r in range(rows):
        for c in range(cols):
            o = ortho[c, r] if transposed else ortho[r, c]
            i = r * cols + c
            p[i] = p[i] * decay - step * o


@parallel
def muon_apply_parallel(p, ortho, hp, transposed):
    decay = hp[0]
    step = hp[1]
    rows, cols = (ortho.shape[1], ortho.shape[0]) if transposed else ortho.shape
    for r in prange(rows):
        for c in range(cols):
            o = ortho[c, r] if transposed else ortho[r, c]
            i = r * cols + c
            p[i] = p[i] * decay - step * o


# --------------------------------------------------------------------------------------------
# Adafactor, factored (a tensor of shape (..., R, C) seen as (B, R, C)):
#   pass 1: row_sum[b, r] = sum_c g^2;  col_sum[b, c] = sum_r g^2;  returns sum(p^2)
#   (numpy: row/col means, lerps into row_var/col_var, row_var's mean per batch)
#   pass 2: u = g / sqrt(max(row_var[b, r] * col_var[b, c] / rmean[b], eps1^2));  sum(u^2)
#   pass 3: p = p * decay - scale * u
# Vectors: pass 1 updates v = lerp(v, g^2, w) and returns sum(p^2), sum(u^2) with
#   u = g / sqrt(max(v, eps1^2));  pass 3 as above.
# --------------------------------------------------------------------------------------------
@serial
def adafactor_sums_serial(p, g, row_sum, col_sum, B, R, C, chunks):
    col_sum[:] = 0.0
    total = 0.0
    for row in range(B * R):
        b = row // R
        base = row * C
        s = 0.0
        for c in range(C):
            gi = np.float64(g[base + c])
            g2 = gi * gi
            s += g2
            col_sum[b * C + c] += g2
            pi = np.float64(p[base + c])
            total += pi * pi
        row_sum[row] = s
    return total


@parallel
def adafactor_sums_parallel(p, g, row_sum, col_sum, B, R, C, chunks):
    # Column sums cross rows: each chunk of rows owns one row of ``partial`` (no two
    # iterations write the same element), then the chunks are added up per column.
    # ``chunks``: a few per thread (numba's get_num_threads here would disable the cache).
    rows = B * R
    chunks = max(1, min(rows, chunks))
    per = (rows + chunks - 1) // chunks
    partial = np.zeros((chunks, B * C))
    psq = np.zeros(chunks)
    for k in prange(chunks):
        acc = 0.0
        for row in range(k * per, min(rows, (k + 1) * per)):
            b = row // R
            base = row * C
            s = 0.0
            for c in range(C):
                gi = np.float64(g[base + c])
                g2 = gi * gi
                s += g2
                partial[k, b * C + c] += g2
                pi = np.float64(p[base + c])
                acc += pi * pi
            row_sum[row] = s
        psq[k] = acc
    for j in prange(B * C):
        s = 0.0
        for k in range(chunks):
            s += partial[k, j]
        col_sum[j] = s
    total = 0.0
    for k in range(chunks):
        total += psq[k]
    return total


@serial
def adafactor_factored_sumsq_serial(g, row_var, col_var, rmean, hp, B, R, C):
    eps1_sq = hp[0]
    total = 0.0
    for row in range(B * R):
        b = row // R
        rv = row_var[row]
        for c in range(C):
            est = max(rv * col_var[b * C + c] / rmean[b], eps1_sq)
            u = np.float64(g[row * C + c] / np.sqrt(est))
            total += u * u
    return total


@parallel
def adafactor_factored_sumsq_parallel(g, row_var, col_var, rmean, hp, B, R, C):
    eps1_sq = hp[0]
    total = 0.0
    for row in prange(B * R):
        b = row // R
        rv = row_var[row]
        for c in range(C):
            est = max(rv * col_var[b * C + c] / rmean[b], eps1_sq)
            u = np.float64(g[row * C + c] / np.sqrt(est))
            total += u * u
    return total


@serial
def adafactor_factored_apply_serial(p, g, row_var, col_var, rmean, hp, B, R, C):
    eps1_sq = hp[0]
    decay = hp[1]
    scale = hp[2]
    sign = hp[3]
    for row in range(B * R):
        b = row // R
        rv = row_var[row]
        for c in range(C):
            i = row * C + c
            est = max(rv * col_var[b * C + c] / rmean[b], eps1_sq)
            p[i] = p[i] * decay - scale * (sign * g[i] / np.sqrt(est))


@parallel
def adafactor_factored_apply_parallel(p, g, row_var, col_var, rmean, hp, B, R, C):
    eps1_sq = hp[0]
    decay = hp[1]
    scale = hp[2]
    sign = hp[3]
    for row in prange(B * R):
        b = row // R
        rv = row_var[row]
        for c in range(C):
            i = row * C + c
            est = max(rv * col_var[b * C + c] / rmean[b], eps1_sq)
            p[i] = p[i] * decay - scale * (sign * g[i] / np.sqrt(est))


@serial
def adafactor_vector_serial(p, g, v, hp):
    eps1_sq = hp[0]
    weight = hp[4]
    psq = 0.0
    usq = 0.0
    for i in range(p.size):
        gi = g[i]
        vi = lerp(v[i], gi * gi, weight)
        v[i] = vi
        u = np.float64(gi / np.sqrt(max(vi, eps1_sq)))
        usq += u * u
        pi = np.float64(p[i])
        psq += pi * pi
    return psq, usq


@parallel
def adafactor_vector_parallel(p, g, v, hp):
    eps1_sq = hp[0]
    weight = hp[4]
    psq = 0.0
    usq = 0.0
    for i in prange(p.size):
        gi = g[i]
        vi = lerp(v[i], gi * gi, weight)
        v[i] = vi
        u = np.float64(gi / np.sqrt(max(vi, eps1_sq)))
        usq += u * u
        pi = np.float64(p[i])
        psq += pi * pi
    return psq, usq


@serial
def adafactor_vector_apply_serial(p, g, v, hp):
    eps1_sq = hp[0]
    decay = hp[1]
    scale = hp[2]
    sign = hp[3]
    for i in range(p.size):
        p[i] = p[i] * decay - scale * (sign * g[i] / np.sqrt(max(v[i], eps1_sq)))


@parallel
def adafactor_vector_apply_parallel(p, g, v, hp):
    eps1_sq = hp[0]
    decay = hp[1]
    scale = hp[2]
    sign = hp[3]
    for i in prange(p.size):
        p[i] = p[i] * decay - scale * (sign * g[i] / np.sqrt(max(v[i], eps1_sq)))
