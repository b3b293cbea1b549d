"""Adam-like kernels: Adam/AdamW, Adamax, NAdam (and RAdam). See the package docstring for the
conventions every kernel follows."""
import numpy as np

from numba import prange

from ._common import inline, lerp, nan_max, parallel, serial


# --------------------------------------------------------------------------------------------
# Adam / AdamW:  [AdamW: p *= 1 - lr*wd | Adam: g += wd*p];  m = b1*m + (1-b1)*g;
#   v = b2*v + (1-b2)*g*g;  [amsgrad: vmax = max(vmax, v), use vmax];
#   p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)
# l2 = weight decay added to the gradient (Adam); decay_factor = 1 - lr*wd (AdamW) or 1.
# --------------------------------------------------------------------------------------------
@inline
def _adam_elem(i, p, g, m, v, vmax, step_size, beta1, one_minus_beta1, beta2, one_minus_beta2,
               bias_correction2_sqrt, eps, weight_decay, decay_factor, sign, l2, amsgrad):
    pi = p[i] * decay_factor
    d = sign * g[i]
    d = d + weight_decay * pi if l2 else d
    mi = beta1 * m[i] + one_minus_beta1 * d
    m[i] = mi
    vi = beta2 * v[i] + one_minus_beta2 * d * d
    v[i] = vi
    if amsgrad:
        vi = nan_max(vmax[i], vi)
        vmax[i] = vi
    p[i] = pi - step_size * mi / (np.sqrt(vi) / bias_correction2_sqrt + eps)


@serial
def adam_serial(p, g, m, v, vmax, hp, l2, amsgrad):
    step_size = hp[0]
    beta1 = hp[1]
    one_minus_beta1 = hp[2]
    beta2 = hp[3]
    one_minus_beta2 = hp[4]
    bias_correction2_sqrt = hp[5]
    eps = hp[6]
    weight_decay = hp[7]
    decay_factor = hp[8]
    sign = hp[9]
    if amsgrad:
        for i in range(p.size):
            _adam_elem(i, p, g, m, v, vmax, step_size, beta1, one_minus_beta1, beta2,
                       one_minus_beta2, bias_correction2_sqrt, eps, weight_decay, decay_factor,
                       sign, l2, True)
    else:
        for i in range(p.size):
            _adam_elem(i, p, g, m, v, vmax, step_size, beta1, one_minus_beta1, beta2,
                       one_minus_beta2, bias_correction2_sqrt, eps, weight_decay, decay_factor,
                       sign, l2, False)


@parallel
def adam_parallel(p, g, m, v, vmax, hp, l2, amsgrad):
    step_size = hp[0]
    beta1 = hp[1]
    one_minus_beta1 = hp[2]
    beta2 = hp[3]
    one_minus_beta2 = hp[4]
    bias_correction2_sqrt = hp[5]
    eps = hp[6]
    weight_decay = hp[7]
    decay_factor = hp[8]
    sign = hp[9]
    if amsgrad:
        for i in prange(p.size):
            _adam_elem(i, p, g, m, v, vmax, step_size, beta1, one_minus_beta1, beta2,
                       one_minus_beta2, bias_correction2_sqrt, eps, weight_decay, decay_factor,
                       sign, l2, True)
    else:
        for i in prange(p.size):
            _adam_elem(i, p, g, m, v, vmax, step_size, beta1, one_minus_beta1, beta2,
                       one_minus_beta2, bias_correction2_sqrt, eps, weight_decay, decay_factor,
                       sign, l2, False)


# --------------------------------------------------------------------------------------------
# Adamax:  m = b1*m + (1-b1)*g;  u = max(b2*u, |g| + eps);  p -= (lr/bc1) * m / u
# --------------------------------------------------------------------------------------------
@inline
def _adamax_elem(i, p, g, m, u, clr, beta1, one_minus_beta1, beta2, eps, weight_decay, sign):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    mi = beta1 * m[i] + one_minus_beta1 * d
    m[i] = mi
    ui = nan_max(beta2 * u[i], abs(d) + eps)
    u[i] = ui
    p[i] = pi - clr * mi / ui


@serial
def adamax_serial(p, g, m, u, hp):
    clr = hp[0]
    beta1 = hp[1]
    one_minus_beta1 = hp[2]
    beta2 = hp[3]
    eps = hp[4]
    weight_decay = hp[5]
    sign = hp[6]
    for i in range(p.size):
        _adamax_elem(i, p, g, m, u, clr, beta1, one_minus_beta1, beta2, eps, weight_decay, sign)


@parallel
def adamax_parallel(p, g, m, u, hp):
    clr = hp[0]
    beta1 = hp[1]
    one_minus_beta1 = hp[2]
    beta2 = hp[3]
    eps = hp[4]
    weight_decay = hp[5]
    sign = hp[6]
    for i in prange(p.size):
        _adamax_elem(i, p, g, m, u, clr, beta1, one_minus_beta1, beta2, eps, weight_decay, sign)


# --------------------------------------------------------------------------------------------
# NAdam:  m, v as Adam;  denom = sqrt(v / bc2) + eps;
#         p -= c_grad * g / denom;  p -= c_avg * m / denom
#   with c_grad = lr (1 - mu_t) / (1 - prod mu),  c_avg = lr mu_{t+1} / (1 - prod mu * mu_{t+1})
# --------------------------------------------------------------------------------------------
@inline
def _nadam_elem(i, p, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2,
                bias_correction2, eps, c_grad, c_avg, weight_decay, decay_factor, sign, l2):
    pi = p[i] * decay_factor
    d = sign * g[i]
    d = d + weight_decay * pi if l2 else d
    mi = beta1 * m[i] + one_minus_beta1 * d
    m[i] = mi
    vi = beta2 * v[i] + one_minus_beta2 * d * d
    v[i] = vi
    denom = np.sqrt(vi / bias_correction2) + eps
    pi = pi - c_grad * d / denom
    p[i] = pi - c_avg * mi / denom


@serial
def nadam_serial(p, g, m, v, hp, l2):
    beta1 = hp[0]
    one_minus_beta1 = hp[1]
    beta2 = hp[2]
    one_minus_beta2 = hp[3]
    bias_correction2 = hp[4]
    eps = hp[5]
    c_grad = hp[6]
    c_avg = hp[7]
    weight_decay = hp[8]
    decay_factor = hp[9]
    sign = hp[10]
    for i in range(p.size):
        _nadam_elem(i, p, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2,
                    bias_correction2, eps, c_grad, c_avg, weight_decay, decay_factor, sign, l2)


@parallel
def nadam_parallel(p, g, m, v, hp, l2):
    beta1 = hp[0]
    one_minus_beta1 = hp[1]
    beta2 = hp[2]
    one_minus_beta2 = hp[3]
    bias_correction2 = hp[4]
    eps = hp[5]
    c_grad = hp[6]
    c_avg = hp[7]
    weight_decay = hp[8]
    decay_factor = hp[9]
    sign = hp[10]
    for i in prange(p.size):
        _nadam_elem(i, p, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2,
                    bias_correction2, eps, c_grad, c_avg, weight_decay, decay_factor, sign, l2)


# --------------------------------------------------------------------------------------------
# RAdam:  [decoupled: p *= 1 - lr*wd | g += wd*p];  m = lerp(m, g, 1-b1);  v = b2*v + (1-b2)*g*g;
#   rectified (rho_t > 5):  p -= (m/bc1) * lr * (sqrt(bc2) / (sqrt(v) + eps)) * rect
#   otherwise:              p -= (m/bc1) * lr
# --------------------------------------------------------------------------------------------
@inline
def _radam_elem(i, p, g, m, v, lr, one_minus_beta1, beta2, one_minus_beta2, bias_correction1,
                bias_correction2_sqrt, eps, rect, weight_decay, decay_factor, sign, l2,
                rectified):
    pi = p[i] * decay_factor
    d = sign * g[i]
    d = d + weight_decay * pi if l2 else d
    mi = lerp(m[i], d, one_minus_beta1)
    m[i] = mi
    vi = beta2 * v[i] + one_minus_beta2 * d * d
    v[i] = vi
    step = mi / bias_correction1 * lr
    if rectified:
        step = step * (bias_correction2_sqrt / (np.sqrt(vi) + eps)) * rect
    p[i] = pi - step


@serial
def radam_serial(p, g, m, v, hp, l2, rectified):
    lr = hp[0]
    one_minus_beta1 = hp[1]
    beta2 = hp[2]
    one_minus_beta2 = hp[3]
    bias_correction1 = hp[4]
    bias_correction2_sqrt = hp[5]
    eps = hp[6]
    rect = hp[7]
    weight_decay = hp[8]
    decay_factor = hp[9]
    sign = hp[10]
    for i in range(p.size):
        _radam_elem(i, p, g, m, v, lr, one_minus_beta1, beta2, one_minus_beta2,
                    bias_correction1, bias_correction2_sqrt, eps, rect, weight_decay,
                    decay_factor, sign, l2, rectified)


@parallel
def radam_parallel(p, g, m, v, hp, l2, rectified):
    lr = hp[0]
    one_minus_beta1 = hp[1]
    beta2 = hp[2]
    one_minus_beta2 = hp[3]
    bias_correction1 = hp[4]
    bias_correction2_sqrt = hp[5]
    eps = hp[6]
    rect = hp[7]
    weight_decay = hp[8]
    decay_factor = hp[9]
    sign = hp[10]
    for i in prange(p.size):
        _radam_elem(i, p, g, m, v, lr, one_minus_beta1, beta2, one_minus_beta2,
                    bias_correction1, bias_correction2_sqrt, eps, rect, weight_decay,
                    decay_factor, sign, l2, rectified)


# --------------------------------------------------------------------------------------------
# Lion:  p *= 1 - lr*wd;  p -= lr * sign(b1*m + (1-b1)*g);  m = b2*m + (1-b2)*g
# --------------------------------------------------------------------------------------------
@inline
def _lion_elem(i, p, g, m, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, decay_factor):
    gi = g[i]
    mi = m[i]
    p[i] = p[i] * decay_factor - lr * np.sign(mi * beta1 + one_minus_beta1 * gi)
    m[i] = mi * beta2 + one_minus_beta2 * gi


@serial
def lion_serial(p, g, m, hp):
    lr = hp[0]
    beta1 = hp[1]
    one_minus_beta1 = hp[2]
    beta2 = hp[3]
    one_minus_beta2 = hp[4]
    decay_factor = hp[5]
    for i in range(p.size):
        _lion_elem(i, p, g, m, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, decay_factor)


@parallel
def lion_parallel(p, g, m, hp):
    lr = hp[0]
    beta1 = hp[1]
    one_minus_beta1 = hp[2]
    beta2 = hp[3]
    one_minus_beta2 = hp[4]
    decay_factor = hp[5]
    for i in prange(p.size):
        _lion_elem(i, p, g, m, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, decay_factor)
