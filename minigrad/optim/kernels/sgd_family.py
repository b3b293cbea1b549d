"""SGD-like kernels: SGD, Adagrad, Adadelta, RMSprop (and Rprop, ASGD). See the package docstring
for the conventions every kernel follows."""
import numpy as np

from numba import prange

from ._common import inline, parallel, serial


# --------------------------------------------------------------------------------------------
# SGD:  d = -g if maximize else g;  d += wd*p;  b = d (first) | mu*b + (1-dampening)*d;
#       d = d + mu*b (nesterov) | b;  p -= lr*d
# --------------------------------------------------------------------------------------------
@inline
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


@serial
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


@parallel
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
@inline
def _adagrad_elem(i, p, g, s, clr, weight_decay, eps, sign):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    si = s[i] + d * d
    s[i] = si
    p[i] = pi - clr * d / (np.sqrt(si) + eps)


@serial
def adagrad_serial(p, g, s, hp):
    clr = hp[0]
    weight_decay = hp[1]
    eps = hp[2]
    sign = hp[3]
    for i in range(p.size):
        _adagrad_elem(i, p, g, s, clr, weight_decay, eps, sign)


@parallel
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
@inline
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


@serial
def adadelta_serial(p, g, sq, acc, hp):
    lr = hp[0]
    rho = hp[1]
    one_minus_rho = hp[2]
    eps = hp[3]
    weight_decay = hp[4]
    sign = hp[5]
    for i in range(p.size):
        _adadelta_elem(i, p, g, sq, acc, lr, rho, one_minus_rho, eps, weight_decay, sign)


@parallel
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
@inline
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


@serial
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


@parallel
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
# Rprop (iRprop-):  s = g * prev;  factor = etaplus (s > 0) | etaminus (s < 0) | 1;
#   size = clamp(size * factor, min, max);  g = 0 where factor == etaminus;
#   p -= sign(g) * size;  prev = g
# --------------------------------------------------------------------------------------------
@inline
def _rprop_elem(i, p, g, prev, size, etaminus, etaplus, size_min, size_max, sign):
    d = sign * g[i]
    s = d * prev[i]
    # etaplus / etaplus: a 1 in the arrays' dtype (an integer literal would make it float64)
    one = etaplus / etaplus
    # torch.sign(nan) is 0, so a NaN product leaves the step size as it is (factor 1)
    factor = etaplus if s > 0 else (etaminus if s < 0 else one)
    st = size[i] * factor
    st = st if st > size_min else size_min  # torch.clamp_(min, max): max first, then min
    st = st if st < size_max else size_max
    size[i] = st
    d = d - d if factor == etaminus else d  # a sign change: skip this coordinate's step
    # sign as torch's: 0 for NaN, so a NaN gradient leaves the parameter where it is
    p[i] = p[i] - (one if d > 0 else (-one if d < 0 else one - one)) * st
    prev[i] = d


@serial
def rprop_serial(p, g, prev, size, hp):
    etaminus = hp[0]
    etaplus = hp[1]
    size_min = hp[2]
    size_max = hp[3]
    sign = hp[4]
    for i in range(p.size):
        _rprop_elem(i, p, g, prev, size, etaminus, etaplus, size_min, size_max, sign)


@parallel
def rprop_parallel(p, g, prev, size, hp):
    etaminus = hp[0]
    etaplus = hp[1]
    size_min = hp[2]
    size_max = hp[3]
    sign = hp[4]
    for i in prange(p.size):
        _rprop_elem(i, p, g, prev, size, etaminus, etaplus, size_min, size_max, sign)


# --------------------------------------------------------------------------------------------
# ASGD:  g += wd*p;  p = p * (1 - lambd*eta) - eta*g;  ax = ax + (p - ax)*mu  (ax = p if mu == 1)
# --------------------------------------------------------------------------------------------
@inline
def _asgd_elem(i, p, g, ax, eta, decay, mu, weight_decay, sign, average):
    pi = p[i]
    d = sign * g[i]
    d = d + weight_decay * pi if weight_decay != 0 else d
    pi = pi * decay - eta * d
    p[i] = pi
    if average:
        a = ax[i]
        ax[i] = a + (pi - a) * mu
    else:
        ax[i] = pi


@serial
def asgd_serial(p, g, ax, hp, average):
    eta = hp[0]
    decay = hp[1]
    mu = hp[2]
    weight_decay = hp[3]
    sign = hp[4]
    if average:
        for i in range(p.size):
            _asgd_elem(i, p, g, ax, eta, decay, mu, weight_decay, sign, True)
    else:
        for i in range(p.size):
            _asgd_elem(i, p, g, ax, eta, decay, mu, weight_decay, sign, False)


@parallel
def asgd_parallel(p, g, ax, hp, average):
    eta = hp[0]
    decay = hp[1]
    mu = hp[2]
    weight_decay = hp[3]
    sign = hp[4]
    if average:
        for i in prange(p.size):
            _asgd_elem(i, p, g, ax, eta, decay, mu, weight_decay, sign, True)
    else:
        for i in prange(p.size):
            _asgd_elem(i, p, g, ax, eta, decay, mu, weight_decay, sign, False)
