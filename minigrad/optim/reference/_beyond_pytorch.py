"""Plain-numpy references of the optimizers from their authors' packages: Lion (lion-pytorch),
SGDScheduleFree and AdamWScheduleFree (schedulefree), Prodigy (prodigyopt)."""
import math

import numpy as np

from ._classic import _Reference, lerp


class Lion(_Reference):
    """p *= 1 - lr wd; p -= lr sign(b1 m + (1-b1) g); m = b2 m + (1-b2) g
    (wd = weight_decay / lr0 with decoupled_weight_decay, lr0 the constructor's lr)."""

    def __init__(self, params, **hyper):
        super().__init__(params, **hyper)
        self.init_lr = hyper.get("lr", 1e-4)

    def _update(self, p, g, st, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0,
                decoupled_weight_decay=False):
        beta1, beta2 = betas
        if decoupled_weight_decay:
            weight_decay = weight_decay / self.init_lr
        if not st:
            st["exp_avg"] = np.zeros_like(p)
        m = st["exp_avg"]
        p[...] = p * (1 - lr * weight_decay) - lr * np.sign(m * beta1 + (1 - beta1) * g)
        st["exp_avg"] = m * beta2 + (1 - beta2) * g


class _ScheduleFree(_Reference):
    """y (the parameter), z (state); per step k of the optimizer (not of the parameter):
    c = w_k / sum w; y = lerp(y, z, c) + lr_k (beta (1-c) - 1) d; z -= lr_k d."""

    adaptive = False

    def __init__(self, params, **hyper):
        super().__init__(params, **hyper)
        self.k, self.weight_sum, self.lr_max = 0, 0.0, -1.0

    def step(self, grads):
        h = self.hyper
        k = self.k
        warmup = h.get("warmup_steps", 0)
        lr = h.get("lr", self.default_lr) * ((k + 1) / warmup if k < warmup else 1.0)
        self.lr_max = max(lr, self.lr_max)
        weight = ((k + 1) ** h.get("r", 0.0)) * (self.lr_max ** h.get("weight_lr_power", 2.0))
        self.weight_sum += weight
        ckp1 = weight / self.weight_sum if self.weight_sum != 0 else 0.0
        beta = h.get("momentum", 0.9) if not self.adaptive else h.get("betas", (0.9, 0.999))[0]
        beta2 = h.get("betas", (0.9, 0.999))[1]
        for p, g, st in zip(self.params, grads, self.state):
            if g is None:
                continue
            g = np.asarray(g, dtype=p.dtype)
            if not st:
                st["z"] = p.copy()
                if self.adaptive:
                    st["exp_avg_sq"] = np.zeros_like(p)
            d = g
            if self.adaptive:
                st["exp_avg_sq"] = v = st["exp_avg_sq"] * beta2 + (1 - beta2) * g * g
                d = g / (np.sqrt(v / (1 - beta2 ** (k + 1))) + h.get("eps", 1e-8))
            if h.get("weight_decay", 0) != 0:
                d = d + h["weight_decay"] * p
            z = st["z"]
            p[...] = lerp(p, z, ckp1) + lr * (beta * (1 - ckp1) - 1) * d
            st["z"] = z - lr * d
        self.k = k + 1

    def to_x(self):
        """The evaluation weights x (what ``eval()`` puts into the parameters)."""
        beta = self.hyper.get("momentum", 0.9) if not self.adaptive else \
            self.hyper.get("betas", (0.9, 0.999))[0]
        return [lerp(p, st["z"], 1 - 1 / beta) if st else p.copy()
                for p, st in zip(self.params, self.state)]


class SGDScheduleFree(_ScheduleFree):
    """Schedule-free SGD: d = g + wd y (defaults lr 1.0, momentum 0.9)."""

    default_lr = 1.0


class AdamWScheduleFree(_ScheduleFree):
    """Schedule-free AdamW: v = b2 v + (1-b2) g^2; d = g / (sqrt(v / (1 - b2^(k+1))) + eps)
    + wd y (defaults lr 0.0025, betas (0.9, 0.999), eps 1e-8)."""

    adaptive = True
    default_lr = 0.0025


class Prodigy(_Reference):
    """Adam with step size d: reductions over all parameters give d_hat = d_coef r / sum|s|;
    see :class:`minigrad.optim.Prodigy` for the rule (one group, slice_p = 1)."""

    def __init__(self, params, lr=1.0, betas=(0.9, 0.999), beta3=None, eps=1e-8,
                 weight_decay=0.0, decouple=True, use_bias_correction=False,
                 safeguard_warmup=False, d0=1e-6, d_coef=1.0, growth_rate=float("inf")):
        super().__init__(params)
        self.h = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                      decouple=decouple, safeguard_warmup=safeguard_warmup, d0=d0,
                      d_coef=d_coef, growth_rate=growth_rate,
                      use_bias_correction=use_bias_correction)
        self.beta3 = beta3 if beta3 is not None else math.sqrt(betas[1])
        self.d = self.d_max = d0
        self.d_numerator = 0.0
        self.k = 0

    def step(self, grads):
        h = self.h
        beta1, beta2 = h["betas"]
        d, d0, lr, k = self.d, h["d0"], h["lr"], self.k
        bc = ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1)) \
            if h["use_bias_correction"] else 1
        dlr = d * lr * bc
        numerator = self.d_numerator * self.beta3
        delta, denom_sum = 0.0, 0.0
        active = []
        for p, g, st in zip(self.params, grads, self.state):
            if g is None:
                continue
            g = np.asarray(g, dtype=p.dtype)
            if h["weight_decay"] != 0 and not h["decouple"]:
                g = g + h["weight_decay"] * p
            if not st:
                st.update(step=0, s=np.zeros(p.size, p.dtype), p0=p.reshape(-1).copy(),
                          exp_avg_sq=np.zeros_like(p))
                if beta1 > 0:
                    st["exp_avg"] = np.zeros_like(p)
            active.append((p, g, st))
            if lr > 0:
                delta += (d / d0) * dlr * float(np.dot(
                    g.reshape(-1).astype(np.float64),
                    (st["p0"] - p.reshape(-1)).astype(np.float64)))
                if beta1 > 0:
                    st["exp_avg"] = st["exp_avg"] * beta1 + d * (1 - beta1) * g
                st["exp_avg_sq"] = st["exp_avg_sq"] * beta2 + d * d * (1 - beta2) * g * g
                coef = (d / d0) * (d if h["safeguard_warmup"] else dlr)
                st["s"] = st["s"] * self.beta3 + coef * g.reshape(-1)
                denom_sum += float(np.abs(st["s"]).astype(np.float64).sum())
        if denom_sum == 0:
            return
        numerator += delta
        if lr > 0:
            d_hat = h["d_coef"] * numerator / denom_sum
            if d == d0:
                d = max(d, d_hat)
            self.d_max = max(self.d_max, d_hat)
            d = min(self.d_max, d * h["growth_rate"])
        self.d, self.d_numerator = d, numerator
        for p, g, st in active:
            st["step"] += 1
            denom = np.sqrt(st["exp_avg_sq"]) + d * h["eps"]
            if h["weight_decay"] != 0 and h["decouple"]:
                p[...] = p + (-h["weight_decay"] * dlr) * p
            if beta1 > 0:
                p[...] = p + (-dlr) * (st["exp_avg"] / denom)
            else:
                p[...] = p + (-dlr * d) * (g / denom)
        self.k = k + 1
