"""Adamax: Adam with the infinity norm in place of the second moment."""
from operator import itemgetter

from .optimizer import Optimizer, check_adam_family


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba 2015, section 7; PyTorch's ``torch.optim.Adamax``).

    Per step ``t``, with gradient ``g`` (``-g`` if ``maximize``)::

        g = g + weight_decay * p                   (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)              (NaN propagates, as torch.maximum)
        p = p - lr / (1 - beta1^t) * m / u

    Args: ``lr=2e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``maximize=False``; ``parallel``, ``parallel_threshold``.
    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.
    """

    _kernel = "adamax"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *,
                 maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_adam_family(group)

    def _new_state(self, fb, k, group):
        return {"step": 0, "exp_avg": self._state_view(fb, k, "exp_avg"),
                "exp_inf": self._state_view(fb, k, "exp_inf")}

    _run_key = staticmethod(itemgetter("step"))  # bias corrections depend on the step

    def _launch(self, kernel, group, fb, start, stop, state):
        t = state["step"] + 1
        beta1, beta2 = group["betas"]
        clr = group["lr"] / (1 - beta1 ** t)
        hp = self._scalars(fb.dtype, clr, beta1, 1 - beta1, beta2, group["eps"],
                                group["weight_decay"], -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["exp_avg"][start:stop],
               fb.buffers["exp_inf"][start:stop], hp)
