"""Fused Numba kernels: one pass over flat, contiguous 1-D buffers per optimizer update.

Every algorithm has exactly one *element rule* (``_<name>_elem``, inlined at Numba-IR level)
and two loops over it that differ only in ``range`` vs ``prange``:

* ``<name>_serial``   -- ``@njit``, for small buffers where waking threads costs more than it saves;
* ``<name>_parallel`` -- ``@njit(parallel=True)`` with ``prange`` over the elements.

The element rule is written once, so the two variants cannot drift apart. The two loops are two
Python functions, not one function given to ``njit`` twice: numba's cache keys an entry by the
function and its signature, not by ``parallel``, and with ``cache=True`` a ``parallel=True``
dispatcher of the same function loaded the serial one's cached code and ran serially (checked
with numba 0.68: one cache file, a cache hit on the first parallel call). The formulas, operation
for operation, are those of :mod:`minigrad.optim.reference` (which follow PyTorch's single-tensor
implementations): IEEE ``+ - * / sqrt`` are exactly rounded and no fastmath flag is set, so a kernel
reproduces the numpy reference bit for bit.

Hygiene (each item cost a measured slowdown or a wrong answer in the prototypes):

* ``error_model="numpy"``: Python's error model checks every division for zero and made serial
  Adam 6-7x slower; numpy's gives IEEE inf/nan instead, which is what the reference does too.
* No ``fastmath``: it lets LLVM fold ``isnan`` and reassociate, breaking NaN propagation and the
  bit-exact agreement with the reference.
* Scalars are passed in the arrays' dtype (a Python float would make a float32 loop compute in
  float64: 1.5-3x slower and different results), packed in one small array ``hp`` whose order is
  given by each kernel's first lines. One array argument instead of ten scalars cuts Numba's
  dispatch cost from ~4.5 us to ~1.5 us per call (measured), which dominates small models.
* Boolean options are runtime arguments, not compile-time specialisations, so each kernel compiles
  once per dtype (float32, float64) and never again. Options that guard an optional buffer's
  load/store select one of a few loop copies *outside* the element loop (see below).
* ``np.sqrt`` rather than ``math.sqrt``: identical machine code under Numba, and with
  ``NUMBA_DISABLE_JIT=1`` it keeps float32 scalars float32 (``math.sqrt`` returns a Python float,
  which would round twice and break the bit-exact comparison with the reference).
* Cached on disk (:func:`._jit.kernel_jit`, in a per-user folder, never beside this file): the
  first compile of a parallel kernel costs ~0.7 s; later processes load it.

* ``nogil=True``: other Python threads (a data loader) keep running during a step.

Importing this module imports numba and starts its threading layer with minigrad's OpenMP
configuration (:mod:`._threading`), but compiles nothing; :mod:`minigrad.optim` therefore imports
it lazily, at the first ``step()``.
"""
import numpy as np

from numba import njit, prange

from ._jit import kernel_jit
from ._threading import configure_openmp

# Must run before numba's OpenMP pool is first loaded (the first parallel launch): GNU OpenMP
# reads its environment only once, when it is loaded. See _threading for the why.
configure_openmp()

_OPTS = dict(error_model="numpy", nogil=True)


def _serial(fn):
    return kernel_jit(**_OPTS)(fn)


def _parallel(fn):
    return kernel_jit(parallel=True, **_OPTS)(fn)


_inline = njit(inline="always", error_model="numpy")


@_inline
def _nan_max(a, b):
    """max(a, b) that propagates NaN from either side, like np.maximum / torch.maximum."""
    return b if (b > a or b != b) else a


# Writing style that keeps the loops vectorizable: a flag that only *chooses a value* is a select
# (``x if flag else y``, both sides computed); a flag that guards a *load or store* of an optional
# buffer is hoisted into its own loop. ``maximize`` is a multiplication by ``sign`` = -1 or +1 and
# AdamW's decay a multiplication by ``decay_factor`` (1 when off): both exact, so bit-identical
# to the reference's ``-g`` and untouched ``p``. A branch with a store inside the loop stopped LLVM
# from vectorizing serial Adam (7x slower, measured).

# --------------------------------------------------------------------------------------------
# SGD:  d = -g if maximize else g;  d += wd*p;  b = d (first) | mu*b + (1-dampening)*d;
#       d = d + mu*b (nesterov) | b;  p -= lr*d
# --------------------------------------------------------------------------------------------
@_inline
def _sgd_elem(i, p, g, buf, lr, momentum, one_minus_dampening, weight_decay, sign,
              use_momentum, first, nesterov):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    if use_momentum:
        b = d if first else momentum * buf[i] + one_minus_dampening * d
        buf[i] = b
        d = d + momentum * b if nesterov else b
    p[i] = pi - lr * d


@_serial
def sgd_serial(p, g, buf, hp, use_momentum, first, nesterov):
    lr = hp[0]
    momentum = hp[1]
    one_minus_dampening = hp[2]
    weight_decay = hp[3]
    sign = hp[4]
    if use_momentum:
        for i in range(p.size):
            _sgd_elem(i, p, g, buf, lr, momentum, one_minus_dampening, weight_decay, sign,
                      True, first, nesterov)
    else:
        for i in range(p.size):
            _sgd_elem(i, p, g, buf, lr, momentum, one_minus_dampening, weight_decay, sign,
                      False, first, nesterov)


@_parallel
def sgd_parallel(p, g, buf, hp, use_momentum, first, nesterov):
    lr = hp[0]
    momentum = hp[1]
    one_minus_dampening = hp[2]
    weight_decay = hp[3]
    sign = hp[4]
    if use_momentum:
        for i in prange(p.size):
            _sgd_elem(i, p, g, buf, lr, momentum, one_minus_dampening, weight_decay, sign,
                      True, first, nesterov)
    else:
        for i in prange(p.size):
            _sgd_elem(i, p, g, buf, lr, momentum, one_minus_dampening, weight_decay, sign,
                      False, first, nesterov)


# --------------------------------------------------------------------------------------------
# Adagrad:  s += g*g;  p -= clr * g / (sqrt(s) + eps),  clr = lr / (1 + (t-1)*lr_decay)
# --------------------------------------------------------------------------------------------
@_inline
def _adagrad_elem(i, p, g, s, clr, weight_decay, eps, sign):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    si = s[i] + d * d
    s[i] = si
    p[i] = pi - clr * d / (np.sqrt(si) + eps)


@_serial
def adagrad_serial(p, g, s, hp):
    clr = hp[0]
    weight_decay = hp[1]
    eps = hp[2]
    sign = hp[3]
    for i in range(p.size):
        _adagrad_elem(i, p, g, s, clr, weight_decay, eps, sign)


@_parallel
def adagrad_parallel(p, g, s, hp):
    clr = hp[0]
    weight_decay = hp[1]
    eps = hp[2]
    sign = hp[3]
    for i in prange(p.size):
        _adagrad_elem(i, p, g, s, clr, weight_decay, eps, sign)


# --------------------------------------------------------------------------------------------
# Adadelta:  v = rho*v + (1-rho)*g*g;  delta = sqrt(u + eps) / sqrt(v + eps) * g;
#            u = rho*u + (1-rho)*delta*delta;  p -= lr*delta
# --------------------------------------------------------------------------------------------
@_inline
def _adadelta_elem(i, p, g, sq, acc, lr, rho, one_minus_rho, eps, weight_decay, sign):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    v = rho * sq[i] + one_minus_rho * d * d
    sq[i] = v
    u = acc[i]
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * d
    acc[i] = rho * u + one_minus_rho * delta * delta
    p[i] = pi - lr * delta


@_serial
def adadelta_serial(p, g, sq, acc, hp):
    lr = hp[0]
    rho = hp[1]
    one_minus_rho = hp[2]
    eps = hp[3]
    weight_decay = hp[4]
    sign = hp[5]
    for i in range(p.size):
        _adadelta_elem(i, p, g, sq, acc, lr, rho, one_minus_rho, eps, weight_decay, sign)


@_parallel
def adadelta_parallel(p, g, sq, acc, hp):
    lr = hp[0]
    rho = hp[1]
    one_minus_rho = hp[2]
    eps = hp[3]
    weight_decay = hp[4]
    sign = hp[5]
    for i in prange(p.size):
        _adadelta_elem(i, p, g, sq, acc, lr, rho, one_minus_rho, eps, weight_decay, sign)


# --------------------------------------------------------------------------------------------
# RMSprop:  v = a*v + (1-a)*g*g;  [centered: ga = a*ga + (1-a)*g; v~ = v - ga*ga]
#           avg = sqrt(v~) + eps;  momentum: b = mu*b + g/avg, p -= lr*b;  else p -= lr*g/avg
# --------------------------------------------------------------------------------------------
@_inline
def _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps, weight_decay,
                  momentum, sign, centered, use_momentum):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    v = alpha * sq[i] + one_minus_alpha * d * d
    sq[i] = v
    if centered:
        ga = alpha * gavg[i] + one_minus_alpha * d
        gavg[i] = ga
        v = v - ga * ga
    avg = np.sqrt(v) + eps
    if use_momentum:
        b = momentum * buf[i] + d / avg
        buf[i] = b
        p[i] = pi - lr * b
    else:
        p[i] = pi - lr * d / avg


@_serial
def rmsprop_serial(p, g, sq, gavg, buf, hp, centered, use_momentum):
    lr = hp[0]
    alpha = hp[1]
    one_minus_alpha = hp[2]
    eps = hp[3]
    weight_decay = hp[4]
    momentum = hp[5]
    sign = hp[6]
    n = p.size
    if centered and use_momentum:
        for i in range(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, True, True)
    elif centered:
        for i in range(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, True, False)
    elif use_momentum:
        for i in range(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, False, True)
    else:
        for i in range(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, False, False)


@_parallel
def rmsprop_parallel(p, g, sq, gavg, buf, hp, centered, use_momentum):
    lr = hp[0]
    alpha = hp[1]
    one_minus_alpha = hp[2]
    eps = hp[3]
    weight_decay = hp[4]
    momentum = hp[5]
    sign = hp[6]
    n = p.size
    if centered and use_momentum:
        for i in prange(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, True, True)
    elif centered:
        for i in prange(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, True, False)
    elif use_momentum:
        for i in prange(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, False, True)
    else:
        for i in prange(n):
            _rmsprop_elem(i, p, g, sq, gavg, buf, lr, alpha, one_minus_alpha, eps,
                          weight_decay, momentum, sign, False, False)


# --------------------------------------------------------------------------------------------
# Adam / AdamW:  [AdamW: p *= 1 - lr*wd | Adam: g += wd*p];  m = b1*m + (1-b1)*g;
#   v = b2*v + (1-b2)*g*g;  [amsgrad: vmax = max(vmax, v), use vmax];
#   p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)
# l2 = weight decay added to the gradient (Adam); decay_factor = 1 - lr*wd (AdamW) or 1.
# --------------------------------------------------------------------------------------------
@_inline
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
        vi = _nan_max(vmax[i], vi)
        vmax[i] = vi
    p[i] = pi - step_size * mi / (np.sqrt(vi) / bias_correction2_sqrt + eps)


@_serial
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


@_parallel
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
@_inline
def _adamax_elem(i, p, g, m, u, clr, beta1, one_minus_beta1, beta2, eps, weight_decay, sign):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    mi = beta1 * m[i] + one_minus_beta1 * d
    m[i] = mi
    ui = _nan_max(beta2 * u[i], abs(d) + eps)
    u[i] = ui
    p[i] = pi - clr * mi / ui


@_serial
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


@_parallel
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
@_inline
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


@_serial
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


@_parallel
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
# Bandwidth yardstick for the benchmark: the optimizer's access pattern (read two, write one).
# --------------------------------------------------------------------------------------------
@_parallel
def axpy_parallel(a, b, s):
    """In-place ``a += s*b`` over flat arrays (memory-bandwidth reference, parallel)."""
    for i in prange(a.size):
        a[i] = a[i] + s * b[i]


@_serial
def axpy_serial(a, b, s):
    """In-place ``a += s*b`` over flat arrays (memory-bandwidth reference, serial)."""
    for i in range(a.size):
        a[i] = a[i] + s * b[i]


@_parallel
def triad_parallel(a, b, c, s):
    """STREAM triad ``a = b + s*c`` (memory-bandwidth reference, parallel)."""
    for i in prange(a.size):
        a[i] = b[i] + s * c[i]


#: name -> (serial kernel, parallel kernel); the optimizer classes look kernels up here.
KERNELS = {
    "sgd": (sgd_serial, sgd_parallel),
    "adagrad": (adagrad_serial, adagrad_parallel),
    "adadelta": (adadelta_serial, adadelta_parallel),
    "rmsprop": (rmsprop_serial, rmsprop_parallel),
    "adam": (adam_serial, adam_parallel),
    "adamax": (adamax_serial, adamax_parallel),
    "nadam": (nadam_serial, nadam_parallel),
}
