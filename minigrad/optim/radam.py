"""RAdam: Adam with the variance of its adaptive step rectified in the first steps."""
import math
from operator import itemgetter

from .optimizer import Optimizer, check_adam_family


class RAdam(Optimizer):
    r"""RAdam (Liu et al. 2020; PyTorch's ``torch.optim.RAdam``).

    Early in training Adam's ``v`` averages only a few squared gradients, so its adaptive step
    has a large variance; RAdam takes plain momentum steps until the approximated length of the
    moving average, ``rho_t``, exceeds 5, then Adam steps scaled by a rectification factor.

    Per step ``t``, with gradient ``g`` (``-g`` if ``maximize``)::

        g     = g + weight_decay * p                (or p = p * (1 - lr * weight_decay) if
                                                     decoupled_weight_decay)
        m     = lerp(m, g, 1 - beta1)               (= beta1 * m + (1 - beta1) * g)
        v     = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rect  = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        p     = p - m / (1 - beta1^t) * lr * sqrt(1 - beta2^t) / (sqrt(v) + eps) * rect
                                                    (if rho_t > 5)
        p     = p - m / (1 - beta1^t) * lr          (otherwise)

    Args: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``decoupled_weight_decay=False``, ``maximize=False``; ``parallel``, ``parallel_threshold``.
    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.
    """

    _kernel = "radam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, maximize=False, parallel=None,
                 parallel_threshold=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_adam_family(group)

    def _new_state(self, fb, k, group):
        return {"step": 0, "exp_avg": self._state_view(fb, k, "exp_avg"),
                "exp_avg_sq": self._state_view(fb, k, "exp_avg_sq")}

    _run_key = staticmethod(itemgetter("step"))

    def _launch(self, kernel, group, fb, start, stop, state):
        t = state["step"] + 1
        lr, wd = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = bool(group["decoupled_weight_decay"])
        bias_correction2 = 1 - beta2 ** t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
        rectified = rho_t > 5.0
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) if rectified else 1.0
        hp = self._scalars(fb.dtype, lr, 1 - beta1, beta2, 1 - beta2, 1 - beta1 ** t,
                           bias_correction2 ** 0.5, group["eps"], rect, wd,
                           1 - lr * wd if decoupled and wd != 0 else 1.0,
                           -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["exp_avg"][start:stop],
               fb.buffers["exp_avg_sq"][start:stop], hp, (wd != 0 and not decoupled),
               rectified)
