"""Schedule-free kernels (Defazio et al. 2024), as the ``schedulefree`` package computes them.

The parameter holds ``y`` (the point where gradients are taken) in train mode; ``z`` is the base
sequence and the average ``x`` is not stored: ``y = (1 - beta) z + beta x``, so one lerp moves
the parameter between ``y`` and ``x`` (:func:`lerp_to`, the ``train()``/``eval()`` switch).
"""
import numpy as np

from numba import prange

from ._common import inline, lerp, parallel, serial


# --------------------------------------------------------------------------------------------
# SGDScheduleFree:  d = g + wd*y;  y = lerp(y, z, c) + lr*(momentum*(1-c) - 1)*d;  z -= lr*d
# AdamWScheduleFree: v = b2*v + (1-b2)*g*g;  d = g / (sqrt(v/bc2) + eps) + wd*y;  y, z as above
# --------------------------------------------------------------------------------------------
@inline
def _sf_elem(i, y, g, z, v, ckp1, y_coef, lr, weight_decay, beta2, one_minus_beta2,
             bias_correction2, eps, adaptive):
    yi = y[i]
    d = g[i]
    if adaptive:
        vi = v[i] * beta2 + one_minus_beta2 * d * d
        v[i] = vi
        d = d / (np.sqrt(vi / bias_correction2) + eps)
    d = d + weight_decay * yi if weight_decay != 0 else d
    zi = z[i]
    y[i] = lerp(yi, zi, ckp1) + y_coef * d
    z[i] = zi - lr * d


@serial
def schedule_free_serial(y, g, z, v, hp, adaptive):
    ckp1 = hp[0]
    y_coef = hp[1]
    lr = hp[2]
    weight_decay = hp[3]
    beta2 = hp[4]
    one_minus_beta2 = hp[5]
    bias_correction2 = hp[6]
    eps = hp[7]
    if adaptive:
        for i in range(y.size):
            _sf_elem(i, y, g, z, v, ckp1, y_coef, lr, weight_decay, beta2, one_minus_beta2,
                     bias_correction2, eps, True)
    else:
        for i in range(y.size):
            _sf_elem(i, y, g, z, v, ckp1, y_coef, lr, weight_decay, beta2, one_minus_beta2,
                     bias_correction2, eps, False)


@parallel
def schedule_free_parallel(y, g, z, v, hp, adaptive):
    ckp1 = hp[0]
    y_coef = hp[1]
    lr = hp[2]
    weight_decay = hp[3]
    beta2 = hp[4]
    one_minus_beta2 = hp[5]
    bias_correction2 = hp[6]
    eps = hp[7]
    if adaptive:
        for i in prange(y.size):
            _sf_elem(i, y, g, z, v, ckp1, y_coef, lr, weight_decay, beta2, one_minus_beta2,
                     bias_correction2, eps, True)
    else:
        for i in prange(y.size):
            _sf_elem(i, y, g, z, v, ckp1, y_coef, lr, weight_decay, beta2, one_minus_beta2,
                     bias_correction2, eps, False)


@serial
def lerp_to_serial(a, b, weight):
    """``a = lerp(a, b, weight)`` in place (torch's formula); ``weight`` a 1-element array."""
    w = weight[0]
    for i in range(a.size):
        a[i] = lerp(a[i], b[i], w)


@parallel
def lerp_to_parallel(a, b, weight):
    """Parallel twin of :func:`lerp_to_serial`."""
    w = weight[0]
    for i in prange(a.size):
        a[i] = lerp(a[i], b[i], w)
