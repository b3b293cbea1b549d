"""The float32 GELU of training: the exact-erf GELU at PyTorch's speed and with its numbers.

``scipy.special.erf`` (or ``math.erf`` per element without scipy) takes ~9 ms (~100 ms) for
the 1M activations of one transformer block, against PyTorch's ~0.3 ms: it was a fifth of a
GPT training step. PyTorch's CPU kernels compute float32 erf with Abramowitz & Stegun 7.1.26,

    erf(z) = 1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-z^2),  t = 1 / (1 + p |z|)

(absolute error <= 1.5e-7, about one float32 ulp of the CDF), and so does this module: with
``z = x / sqrt 2`` the same ``e = exp(-x^2 / 2)`` gives the CDF and the density
``pdf = e / sqrt(2 pi)``, so the backward ``g (cdf + x pdf)`` needs no second transcendental.
``e`` is one numpy call (SIMD exp) and the rest one numba loop without calls, which LLVM
vectorises. The forward keeps ``e`` for the backward.

Used for float32 arrays when numba's JIT is on; float64 (gradchecks) keeps the exact erf.
"""
import functools

import numpy as np

_P = np.float32(0.3275911)
_A1, _A2, _A3 = np.float32(0.254829592), np.float32(-0.284496736), np.float32(1.421413741)
_A4, _A5 = np.float32(-1.453152027), np.float32(1.061405429)
_INV_SQRT2 = np.float32(0.7071067811865476)
_INV_SQRT_2PI = np.float32(0.3989422804014327)


def available(x):
    """Whether the fast path applies: float32 and numba's JIT on."""
    if x.dtype != np.float32:
        return False
    from numba.core import config
    return not config.DISABLE_JIT


@functools.cache  # compiled (and numba imported) on first use only
def _build():
    from numba import njit

    from ..optim._jit import kernel_jit

    half, one = np.float32(0.5), np.float32(1.0)

    @njit(inline="always", error_model="numpy")  # compiled into its callers
    def cdf(v, e):
        t = one / (one + _P * abs(v) * _INV_SQRT2)
        tail = half * ((((_A5 * t + _A4) * t + _A3) * t + _A2) * t + _A1) * t * e
        return one - tail if v >= 0 else tail

    @kernel_jit(error_model="numpy")
    def forward(x, e, out):
        for i in range(x.size):
            out[i] = x[i] * cdf(x[i], e[i])

    @kernel_jit(error_model="numpy")
    def backward(x, e, g, out):
        for i in range(x.size):
            out[i] = g[i] * (cdf(x[i], e[i]) + x[i] * e[i] * _INV_SQRT_2PI)

    return forward, backward


def _gaussian(x):
    """``exp(-x^2 / 2)``, as a new contiguous float32 array."""
    e = np.multiply(x, x)
    e *= np.float32(-0.5)
    return np.exp(e, out=e)


def gelu_forward(x):
    """``(gelu(x), e)`` for a float32 array ``x``."""
    x = np.ascontiguousarray(x)
    e = _gaussian(x)
    out = np.empty_like(x)
    _build()[0](x.reshape(-1), e.reshape(-1), out.reshape(-1))
    return out, e


def gelu_backward(x, e, g):
    """``g * gelu'(x)`` from the forward's ``e``."""
    x = np.ascontiguousarray(x)
    g = np.ascontiguousarray(g, dtype=np.float32)
    out = np.empty_like(x)
    _build()[1](x.reshape(-1), e.reshape(-1), g.reshape(-1), out.reshape(-1))
    return out
