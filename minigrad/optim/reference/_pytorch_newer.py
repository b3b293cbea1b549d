"""Plain-numpy references of PyTorch's newer optimizers: RAdam, Rprop, ASGD, Adafactor, Muon."""
import math

import numpy as np

from ._classic import _Reference, lerp


class RAdam(_Reference):
    """m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g^2; rho_t from t and b2; if rho_t > 5:
    p -= m/bc1 * lr * (sqrt(bc2) / (sqrt(v) + eps)) * rect, else p -= m/bc1 * lr."""

    def _update(self, p, g, st, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                decoupled_weight_decay=False, maximize=False):
        beta1, beta2 = betas
        if not st:
            st.update(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
        st["step"] += 1
        t = st["step"]
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled_weight_decay:
                p[...] = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        st["exp_avg"] = m = lerp(st["exp_avg"], g, 1 - beta1)
        st["exp_avg_sq"] = v = beta2 * st["exp_avg_sq"] + (1 - beta2) * g * g
        bias_correction2 = 1 - beta2 ** t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
        step = m / (1 - beta1 ** t) * lr
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            step = step * (bias_correction2 ** 0.5 / (np.sqrt(v) + eps)) * rect
        p[...] = p - step


class Rprop(_Reference):
    """iRprop-: step sizes grow by etaplus while the gradient keeps its sign and shrink by
    etaminus when it flips (then that coordinate does not move); p -= sign(g) * step_size."""

    def _update(self, p, g, st, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50),
                maximize=False):
        dt = p.dtype.type
        etaminus, etaplus = dt(etas[0]), dt(etas[1])
        if not st:
            st.update(step=0, prev=np.zeros_like(p), step_size=np.full_like(p, lr))
        st["step"] += 1
        if maximize:
            g = -g
        s = g * st["prev"]
        factor = np.where(s > 0, etaplus, np.where(s < 0, etaminus, dt(1)))  # NaN: 1, as torch
        size = st["step_size"] * factor
        size = np.where(size > dt(step_sizes[0]), size, dt(step_sizes[0]))
        size = np.where(size < dt(step_sizes[1]), size, dt(step_sizes[1]))
        st["step_size"] = size
        g = np.where(factor == etaminus, dt(0), g)
        p[...] = p - np.nan_to_num(np.sign(g), nan=0.0) * size  # torch.sign(nan) == 0
        st["prev"] = g


class ASGD(_Reference):
    """p = p (1 - lambd eta) - eta g; ax = ax + (p - ax) mu (ax = p while mu = 1);
    eta = lr / (1 + lambd lr t)^alpha; mu = 1 / max(1, t - t0)."""

    def _update(self, p, g, st, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0,
                maximize=False):
        if not st:
            st.update(step=0, eta=lr, mu=1.0, ax=np.zeros_like(p))
        st["step"] += 1
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        eta = st["eta"]
        p[...] = p * (1 - lambd * eta) - eta * g
        st["ax"] = st["ax"] + (p - st["ax"]) * st["mu"] if st["mu"] != 1 else p.copy()
        st["eta"] = lr / ((1 + lambd * lr * st["step"]) ** alpha)
        st["mu"] = 1 / max(1, st["step"] - t0)


class Adafactor(_Reference):
    """Factored second moment (row and column means of g^2) for 2+ dims, a plain EMA for
    vectors; u = g / sqrt(max(var, eps1^2)); p *= 1 - lr wd;
    p -= max(eps2, RMS(p_before)) min(lr, t^-1/2) / max(1, RMS(u)/d) * u."""

    def _update(self, p, g, st, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                weight_decay=0.0, maximize=False):
        eps1, eps2 = eps
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        if not st:
            st["step"] = 0.0
            if p.ndim >= 2:
                st["row_var"] = np.zeros(p.shape[:-1] + (1,), p.dtype)
                st["col_var"] = np.zeros(p.shape[:-2] + (1, p.shape[-1]), p.dtype)
            else:
                st["variance"] = np.zeros_like(p)
        st["step"] += 1.0
        t = st["step"]
        if maximize:
            g = -g
        weight = t ** beta2_decay
        rho = min(lr, 1 / t ** 0.5)
        p64 = p.astype(np.float64)
        alpha = max(eps2, math.sqrt(float((p64 * p64).sum())) / math.sqrt(p.size)) * rho
        if weight_decay != 0:
            p[...] = p * (1 - lr * weight_decay)
        g2 = g.astype(np.float64) ** 2
        if p.ndim >= 2:
            row_mean = (g2.sum(axis=-1, keepdims=True) / p.shape[-1]).astype(p.dtype)
            col_mean = (g2.sum(axis=-2, keepdims=True) / p.shape[-2]).astype(p.dtype)
            st["row_var"] = lerp(st["row_var"], row_mean, weight)
            st["col_var"] = lerp(st["col_var"], col_mean, weight)
            rmean = np.maximum(st["row_var"].mean(axis=-2, keepdims=True), p.dtype.type(eps1))
            var = st["row_var"] * st["col_var"] / rmean
        else:
            st["variance"] = var = lerp(st["variance"], g * g, weight)
        u = g / np.sqrt(np.maximum(var, p.dtype.type(eps1 * eps1)))
        u64 = u.astype(np.float64)
        denom = max(1.0, math.sqrt(float((u64 * u64).sum())) / (math.sqrt(u.size) * d))
        p[...] = p - (alpha / denom) * u


class Muon(_Reference):
    """buf = lerp(buf, g, 1-mu); u = lerp(g, buf, mu) (nesterov) or buf; Newton-Schulz on
    u / max(||u||, eps) in ns_dtype (float32; transposed when taller than wide);
    p = p (1 - lr wd) - lr * adjust(shape) * X."""

    def _update(self, p, g, st, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5,
                adjust_lr_fn=None, ns_dtype=np.float32):
        if not st:
            st["momentum_buffer"] = np.zeros_like(p)
        st["momentum_buffer"] = buf = lerp(st["momentum_buffer"], g, 1 - momentum)
        u = (lerp(g, buf, momentum) if nesterov else buf).astype(ns_dtype)
        x = u.T if p.shape[0] > p.shape[1] else u
        x = x / x.dtype.type(max(math.sqrt(float((x.astype(np.float64) ** 2).sum())), eps))
        a, b, c = ns_coefficients
        for _ in range(ns_steps):
            gram = x @ x.T
            x = a * x + (b * gram + c * (gram @ gram)) @ x
        if p.shape[0] > p.shape[1]:
            x = x.T
        rows, cols = p.shape
        if adjust_lr_fn in (None, "original"):
            adjusted = lr * math.sqrt(max(1, rows / cols))
        else:
            adjusted = lr * 0.2 * math.sqrt(max(rows, cols))
        p[...] = p * (1 - lr * weight_decay) - adjusted * x.astype(p.dtype)
