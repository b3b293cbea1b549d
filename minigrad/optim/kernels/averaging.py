"""Weight averaging (``swa_utils.AveragedModel``) and the bandwidth yardsticks of the benchmark."""
from numba import prange

from ._common import lerp, parallel, serial


@serial
def average_serial(avg, cur, hp, use_lerp):
    """One averaging step over flat buffers: ``avg = lerp(avg, cur, hp[0])`` (EMA with weight
    ``1 - decay``, or torch's multi-tensor SWA with ``1 / (n + 1)``), or torch's per-tensor SWA
    ``avg = avg + (cur - avg) / hp[0]`` with ``hp[0] = n + 1``."""
    c = hp[0]
    if use_lerp:
        for i in range(avg.size):
            avg[i] = lerp(avg[i], cur[i], c)
    else:
        for i in range(avg.size):
            a = avg[i]
            avg[i] = a + (cur[i] - a) / c


@parallel
def average_parallel(avg, cur, hp, use_lerp):
    """Parallel twin of :func:`average_serial`."""
    c = hp[0]
    if use_lerp:
        for i in prange(avg.size):
            avg[i] = lerp(avg[i], cur[i], c)
    else:
        for i in prange(avg.size):
            a = avg[i]
            avg[i] = a + (cur[i] - a) / c


# --------------------------------------------------------------------------------------------
# Bandwidth yardstick for the benchmark: the optimizer's access pattern (read two, write one).
# --------------------------------------------------------------------------------------------
@parallel
def axpy_parallel(a, b, s):
    """In-place ``a += s*b`` over flat arrays (memory-bandwidth reference, parallel)."""
    for i in prange(a.size):
        a[i] = a[i] + s * b[i]


@serial
def axpy_serial(a, b, s):
    """In-place ``a += s*b`` over flat arrays (memory-bandwidth reference, serial)."""
    for i in range(a.size):
        a[i] = a[i] + s * b[i]


@parallel
def triad_parallel(a, b, c, s):
    """STREAM triad ``a = b + s*c`` (memory-bandwidth reference, parallel)."""
    for i in prange(a.size):
        a[i] = b[i] + s * c[i]


