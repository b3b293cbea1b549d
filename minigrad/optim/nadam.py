"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
from operator import itemgetter

from .optimizer import Optimizer, check_adam_family, check_range


class NAdam(Optimizer):
    r"""NAdam (Dozat 2016; PyTorch's ``torch.optim.NAdam``).

    Per step ``t``, with gradient ``g`` (``-g`` if ``maximize``) and ``psi = momentum_decay``::

        g      = g + weight_decay * p          (or p = p * (1 - lr*wd) if decoupled_weight_decay)
        mu_t   = beta1 * (1 - 0.5 * 0.96^(t * psi))
        P_t    = mu_1 * ... * mu_t             (state "mu_product")
        m      = beta1 * m + (1 - beta1) * g
        v      = beta2 * v + (1 - beta2) * g * g
        d      = sqrt(v / (1 - beta2^t)) + eps
        p      = p - lr * (1 - mu_t) / (1 - P_t) * g / d
        p      = p - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d

    Args: ``lr=2e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``momentum_decay=4e-3``, ``decoupled_weight_decay=False``, ``maximize=False``;
    ``parallel``, ``parallel_threshold``.
    State per parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``.
    """

    _kernel = "nadam"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False,
                 parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_adam_family(group)
        check_range("momentum_decay value", group["momentum_decay"])

    def _new_state(self, fb, k, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": self._state_view(fb, k, "exp_avg"),
                "exp_avg_sq": self._state_view(fb, k, "exp_avg_sq")}

    _run_key = staticmethod(itemgetter("step", "mu_product"))

    def _mus(self, state, group):
        t = state["step"] + 1
        beta1 = group["betas"][0]
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        return t, mu, mu_next

    def _launch(self, kernel, group, fb, start, stop, state):
        t, mu, mu_next = self._mus(state, group)
        mu_product = state["mu_product"] * mu
        lr, wd = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = bool(group["decoupled_weight_decay"])
        c_grad = lr * (1 - mu) / (1 - mu_product)
        c_avg = lr * mu_next / (1 - mu_product * mu_next)
        decay = 1 - lr * wd if decoupled else 1.0
        hp = self._scalars(fb.dtype, beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta2 ** t,
                                group["eps"], c_grad, c_avg, wd, decay,
                                -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["exp_avg"][start:stop],
               fb.buffers["exp_avg_sq"][start:stop], hp, (wd != 0 and not decoupled))

    def _advance(self, states, fb, k0, group):
        _, mu, _ = self._mus(states[0], group)  # the same for the whole run
        for state in states:
            state["mu_product"] *= mu
            state["step"] += 1
