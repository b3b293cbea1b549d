"""Numba kernels for L-BFGS's vector work: the curvature pair and the two-loop recursion.

Imported by :class:`minigrad.optim.lbfgs.LBFGS` at its first ``step()`` (never at
``import minigrad.optim``). Kernels are serial, compiled once per dtype and cached on disk
(:func:`._jit.kernel_jit`), without ``fastmath`` (a NaN gradient must propagate into the direction, not be folded away).

**Why numba here.** The two-loop recursion is ``4 * m`` dot/axpy passes over ``n``-vectors
(``m`` = stored pairs, up to ``history_size = 100``). Written with numpy, each pass is a
separate call costing ~1 us of dispatch plus a temporary array, so for the small models L-BFGS
is used on the recursion is mostly overhead: about 0.5 ms per iteration with ``m = 100``
whatever ``n`` is. One fused kernel does the whole recursion in one call, with no temporaries.
Its dots keep four partial sums (a single running sum is bound by the add latency, and numba
may not reorder a float sum without ``fastmath``). Measured on the 2-core development machine
(float64, m = 100 pairs, best of 5, a loaded machine; ``python -m minigrad.optim.lbfgs_kernels``
reprints it)::

            n   numpy two-loop   numba kernel
            2           534 us           3 us
          100           548 us          10 us
        1,000           734 us         103 us
       10,000          2753 us        1675 us
    1,000,000          >0.9 s         ~0.6 s

The kernel wins at every size (at large ``n`` both are memory-bound; numpy also pays for its
temporaries), so it is always used. ``curvature_pair`` fuses the four numpy calls that form
``y``, ``s``, ``<y, s>`` and ``<y, y>`` into one pass (saves a few us per iteration; it is called
once per iteration, like the recursion). Everything else L-BFGS does per iteration
(``x += t d``, ``<g, d>``, ``max |g|``) is one numpy call each, where a kernel cannot pay.
Parallel (``prange``) versions would not pay either: the recursion is sequential across pairs,
and each pass is too short to amortise a thread wake-up at the sizes L-BFGS is used on.

The recursion (Nocedal & Wright, Algorithm 7.4, as ``torch.optim.LBFGS`` writes it)::

    q = -g
    for i = m-1 .. 0:  al[i] = ro[i] * <s_i, q>;  q -= al[i] * y_i
    d = H_diag * q
    for i = 0 .. m-1:  be = ro[i] * <y_i, d>;     d += (al[i] - be) * s_i

Pairs live in the rows of two ``(history_size + 1, n)`` arrays used as a ring: ``rows[k]`` is
the row of the ``k``-th oldest pair, so dropping the oldest pair moves no memory.
"""
import numpy as np

from ._jit import kernel_jit


@kernel_jit()
def _dot_row(a, r, b, n):
    """``<a[r], b>`` with four partial sums: independent chains let the CPU overlap the adds
    (one chain is bound by the add latency; without fastmath numba may not reorder the sum
    itself). Starts from the first product so the sum stays in the arrays' dtype."""
    s0 = a[r, 0] * b[0]
    s1 = s0 * 0
    s2 = s1
    s3 = s1
    j = 1
    while j < n and (n - j) % 4 != 0:
        s0 += a[r, j] * b[j]
        j += 1
    while j < n:
        s0 += a[r, j] * b[j]
        s1 += a[r, j + 1] * b[j + 1]
        s2 += a[r, j + 2] * b[j + 2]
        s3 += a[r, j + 3] * b[j + 3]
        j += 4
    return (s0 + s1) + (s2 + s3)


@kernel_jit()
def _two_loop_kernel(g, dirs, stps, ro, rows, num_old, h_diag, al, d):
    n = g.shape[0]
    for j in range(n):
        d[j] = -g[j]
    for k in range(num_old - 1, -1, -1):
        r = rows[k]
        a = _dot_row(stps, r, d, n) * ro[r]
        al[k] = a
        for j in range(n):
            d[j] -= a * dirs[r, j]
    for j in range(n):
        d[j] *= h_diag
    for k in range(num_old):
        r = rows[k]
        c = al[k] - _dot_row(dirs, r, d, n) * ro[r]
        for j in range(n):
            d[j] += c * stps[r, j]


@kernel_jit()
def _curvature_pair_kernel(g, prev_g, d, t, y, s):
    """``y = g - prev_g``, ``s = t d``; returns ``(<y, s>, <y, y>)``, in one pass."""
    ys = (g[0] - prev_g[0]) * (d[0] * t) * 0
    yy = ys
    for j in range(g.shape[0]):
        yj = g[j] - prev_g[j]
        sj = d[j] * t
        y[j] = yj
        s[j] = sj
        ys += yj * sj
        yy += yj * yj
    return ys, yy


def two_loop_numpy(g, dirs, stps, ro, rows, num_old, h_diag, al, d):
    """The recursion with one numpy call per pass (reference, and the path for large ``n``)."""
    np.negative(g, out=d)
    for k in range(num_old - 1, -1, -1):
        r = rows[k]
        a = np.dot(stps[r], d) * ro[r]
        al[k] = a
        d -= a * dirs[r]
    d *= h_diag
    for k in range(num_old):
        r = rows[k]
        be = np.dot(dirs[r], d) * ro[r]
        d += (al[k] - be) * stps[r]


def two_loop(g, dirs, stps, ro, rows, num_old, h_diag, al, d):
    """Write the L-BFGS direction ``-H g`` into ``d`` (see the module docstring).

    ``rows`` (int64 array) lists the ring rows of the pairs oldest first; ``ro`` is indexed by
    row, ``al`` (scratch, length >= num_old) by position.
    """
    h_diag = g.dtype.type(h_diag)
    if g.shape[0] == 0:
        two_loop_numpy(g, dirs, stps, ro, rows, num_old, h_diag, al, d)
    else:
        _two_loop_kernel(g, dirs, stps, ro, rows, num_old, h_diag, al, d)


def curvature_pair(g, prev_g, d, t, y, s):
    """``y = g - prev_g`` and ``s = t d`` written in place; returns ``(<y, s>, <y, y>)``."""
    t = g.dtype.type(t)
    if g.shape[0] == 0:
        np.subtract(g, prev_g, out=y)
        np.multiply(d, t, out=s)
        return np.dot(y, s), np.dot(y, y)
    return _curvature_pair_kernel(g, prev_g, d, t, y, s)


def _benchmark(sizes=(2, 1000, 100_000, 1_000_000), m=100, repeat=5):
    """Time both two-loop paths (prints the table quoted in the module docstring)."""
    import time
    rng = np.random.default_rng(0)
    print(f"{'n':>10} {'numpy two-loop':>16} {'numba kernel':>14}")
    for n in sizes:
        g = rng.standard_normal(n)
        # Realistic pairs (y close to a positive scaling of s) keep the recursion bounded:
        # random ones overflow, and inf/NaN arithmetic would distort the timings.
        stps = rng.standard_normal((m + 1, n))
        dirs = stps * rng.uniform(0.5, 2.0, (m + 1, n))
        ro = 1.0 / np.einsum("ij,ij->i", dirs, stps)
        rows = np.arange(m, dtype=np.int64)
        al, d = np.empty(m), np.empty(n)
        _two_loop_kernel(g, dirs, stps, ro, rows, m, 1.0, al, d)  # compile
        times = []
        for fn in (two_loop_numpy, _two_loop_kernel):
            best = float("inf")
            for _ in range(repeat):
                t0 = time.perf_counter()
                fn(g, dirs, stps, ro, rows, m, 1.0, al, d)
                best = min(best, time.perf_counter() - t0)
            times.append(best)
        print(f"{n:>10,} {times[0] * 1e6:>13.0f} us {times[1] * 1e6:>11.0f} us")


if __name__ == "__main__":
    _benchmark()
