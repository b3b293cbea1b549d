"""The window argmax of max pooling as a numba loop, compiled at first use.

numpy's form copies every window out of the strided window view and takes ``argmax`` over
a last axis of ``kh * kw`` (often 4) elements, whose per-row overhead dominates: about
0.3 ms for a (64, 16, 8, 8) float32 input, a fifth of the digits CNN's training step. This
loop reads each window in place.
"""
import functools

import numpy as np


@functools.cache  # compiled (and numba imported) on first use only
def _build():
    from ..optim._jit import kernel_jit

    @kernel_jit(error_model="numpy", nogil=True)
    def window_argmax(xp, kh, kw, sh, sw, k):
        """``k[a, b, i, j]`` = row-major offset of the maximum in window (i, j) of plane
        (a, b) of the padded input ``xp``: the first maximum on ties, the first NaN if any
        (numpy's argmax rule, which is PyTorch's)."""
        n, c, oh, ow = k.shape
        for a in range(n):
            for b in range(c):
                plane = xp[a, b]
                for i in range(oh):
                    for j in range(ow):
                        r0, c0 = i * sh, j * sw
                        best = plane[r0, c0]
                        at = 0
                        if best == best:
                            for p in range(kh):
                                for q in range(kw):
                                    v = plane[r0 + p, c0 + q]
                                    if v != v:
                                        at = p * kw + q
                                        break
                                    if v > best:
                                        best = v
                                        at = p * kw + q
                                else:
                                    continue
                                break
                        k[a, b, i, j] = at

    return window_argmax


def available(x):
    """Whether the compiled loop applies (numba's JIT on, a float32 or float64 input: numba
    has no float16)."""
    from numba.core import config
    return not config.DISABLE_JIT and x.dtype.kind == "f" and x.dtype.itemsize >= 4


def window_argmax(xp, kernel, stride, out_hw):
    """Window offsets of the maxima, shape ``(n, c, oh, ow)``, for the padded input ``xp``."""
    k = np.empty(xp.shape[:2] + tuple(out_hw), dtype=np.int64)
    _build()(np.ascontiguousarray(xp), kernel[0], kernel[1], stride[0], stride[1], k)
    return k
