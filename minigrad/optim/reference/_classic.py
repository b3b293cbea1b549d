"""Plain-numpy references of PyTorch's first optimizers: SGD, Adagrad, Adadelta, RMSprop, Adam,
AdamW, Adamax, NAdam (see the package docstring)."""
import numpy as np


def lerp(a, b, weight):
    """``torch.lerp``'s formula, with the weight rounded to the arrays' dtype first (as torch and
    the kernels do): ``a + w*(b - a)`` for ``|w| < 0.5``, else ``b - (b - a)*(1 - w)``."""
    w = np.asarray(a).dtype.type(weight)
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


class _Reference:
    def __init__(self, params, **hyper):
        self.params = list(params)
        self.hyper = hyper
        self.state = [dict() for _ in self.params]

    def step(self, grads):
        for p, g, st in zip(self.params, grads, self.state):
            if g is not None:
                self._update(p, np.asarray(g, dtype=p.dtype), st, **self.hyper)

    def _update(self, p, g, st, **hyper):
        raise NotImplementedError


class SGD(_Reference):
    """g += wd*p; b = g (first step) or mu*b + (1-dampening)*g; g = g + mu*b (nesterov) or b;
    p -= lr*g."""

    def _update(self, p, g, st, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
                nesterov=False, maximize=False):
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        if momentum != 0:
            if "momentum_buffer" not in st:
                b = g.copy()
            else:
                b = momentum * st["momentum_buffer"] + (1 - dampening) * g
            st["momentum_buffer"] = b
            g = g + momentum * b if nesterov else b
        p[...] = p - lr * g


class Adagrad(_Reference):
    """s += g*g; p -= clr * g / (sqrt(s) + eps) with clr = lr / (1 + (t-1)*lr_decay)."""

    def _update(self, p, g, st, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10, maximize=False):
        if not st:
            st["step"] = 0
            st["sum"] = np.full_like(p, initial_accumulator_value)
        st["step"] += 1
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        clr = lr / (1 + (st["step"] - 1) * lr_decay)
        st["sum"] = st["sum"] + g * g
        p[...] = p - clr * g / (np.sqrt(st["sum"]) + eps)


class Adadelta(_Reference):
    """v = rho*v + (1-rho)*g^2; dx = sqrt(u + eps) / sqrt(v + eps) * g;
    u = rho*u + (1-rho)*dx^2; p -= lr*dx."""

    def _update(self, p, g, st, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
        if not st:
            st["step"] = 0
            st["square_avg"] = np.zeros_like(p)
            st["acc_delta"] = np.zeros_like(p)
        st["step"] += 1
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        v = rho * st["square_avg"] + (1 - rho) * g * g
        delta = np.sqrt(st["acc_delta"] + eps) / np.sqrt(v + eps) * g
        st["square_avg"] = v
        st["acc_delta"] = rho * st["acc_delta"] + (1 - rho) * delta * delta
        p[...] = p - lr * delta


class RMSprop(_Reference):
    """v = alpha*v + (1-alpha)*g^2; centered: ga = alpha*ga + (1-alpha)*g, v~ = v - ga^2;
    momentum: b = mu*b + g/(sqrt(v~)+eps), p -= lr*b; otherwise p -= lr*g/(sqrt(v~)+eps)."""

    def _update(self, p, g, st, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False, maximize=False):
        if not st:
            st["step"] = 0
            st["square_avg"] = np.zeros_like(p)
            if momentum > 0:
                st["momentum_buffer"] = np.zeros_like(p)
            if centered:
                st["grad_avg"] = np.zeros_like(p)
        st["step"] += 1
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        v = alpha * st["square_avg"] + (1 - alpha) * g * g
        st["square_avg"] = v
        if centered:
            ga = alpha * st["grad_avg"] + (1 - alpha) * g
            st["grad_avg"] = ga
            v = v - ga * ga
        avg = np.sqrt(v) + eps
        if momentum > 0:
            b = momentum * st["momentum_buffer"] + g / avg
            st["momentum_buffer"] = b
            p[...] = p - lr * b
        else:
            p[...] = p - lr * g / avg


class Adam(_Reference):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; (amsgrad: v = max of all v so far);
    p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
    Adam adds weight decay to the gradient (L2); AdamW (or Adam with decoupled_weight_decay=True)
    does p *= 1 - lr*wd."""

    decoupled = False

    def _update(self, p, g, st, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                amsgrad=False, maximize=False, decoupled_weight_decay=None):
        beta1, beta2 = betas
        decoupled = self.decoupled if decoupled_weight_decay is None else decoupled_weight_decay
        if not st:
            st["step"] = 0
            st["exp_avg"] = np.zeros_like(p)
            st["exp_avg_sq"] = np.zeros_like(p)
            if amsgrad:
                st["max_exp_avg_sq"] = np.zeros_like(p)
        st["step"] += 1
        t = st["step"]
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled:
                p[...] = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        m = beta1 * st["exp_avg"] + (1 - beta1) * g
        v = beta2 * st["exp_avg_sq"] + (1 - beta2) * g * g
        st["exp_avg"], st["exp_avg_sq"] = m, v
        if amsgrad:
            v = np.maximum(st["max_exp_avg_sq"], v)
            st["max_exp_avg_sq"] = v
        step_size = lr / (1 - beta1 ** t)
        bias_correction2_sqrt = (1 - beta2 ** t) ** 0.5
        p[...] = p - step_size * m / (np.sqrt(v) / bias_correction2_sqrt + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr*wd before the Adam update (default wd 1e-2)."""

    decoupled = True

    def __init__(self, params, **hyper):
        hyper.setdefault("weight_decay", 1e-2)
        super().__init__(params, **hyper)


class Adamax(_Reference):
    """m = b1*m + (1-b1)*g; u = max(b2*u, |g| + eps); p -= lr/(1-b1^t) * m / u."""

    def _update(self, p, g, st, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                maximize=False):
        beta1, beta2 = betas
        if not st:
            st["step"] = 0
            st["exp_avg"] = np.zeros_like(p)
            st["exp_inf"] = np.zeros_like(p)
        st["step"] += 1
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        m = beta1 * st["exp_avg"] + (1 - beta1) * g
        u = np.maximum(beta2 * st["exp_inf"], np.abs(g) + eps)
        st["exp_avg"], st["exp_inf"] = m, u
        clr = lr / (1 - beta1 ** st["step"])
        p[...] = p - clr * m / u


class NAdam(_Reference):
    """mu_t = b1 (1 - 0.5 * 0.96^(t psi)); m, v as Adam; d = sqrt(v / (1-b2^t)) + eps;
    p -= lr (1-mu_t) / (1 - prod_{i<=t} mu_i) * g / d;
    p -= lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i) * m / d."""

    def _update(self, p, g, st, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):
        beta1, beta2 = betas
        if not st:
            st["step"] = 0
            st["mu_product"] = 1.0
            st["exp_avg"] = np.zeros_like(p)
            st["exp_avg_sq"] = np.zeros_like(p)
        st["step"] += 1
        t = st["step"]
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled_weight_decay:
                p[...] = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))
        st["mu_product"] *= mu
        m = beta1 * st["exp_avg"] + (1 - beta1) * g
        v = beta2 * st["exp_avg_sq"] + (1 - beta2) * g * g
        st["exp_avg"], st["exp_avg_sq"] = m, v
        denom = np.sqrt(v / (1 - beta2 ** t)) + eps
        p[...] = p - lr * (1 - mu) / (1 - st["mu_product"]) * g / denom
        p[...] = p - lr * mu_next / (1 - st["mu_product"] * mu_next) * m / denom
