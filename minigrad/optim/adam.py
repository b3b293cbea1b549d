"""Adam and AdamW: bias-corrected first and second moment estimates."""
from operator import itemgetter

from .optimizer import Optimizer, check_adam_family, empty_buffer


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015; PyTorch's ``torch.optim.Adam``).

    Per step ``t`` (1-based, per parameter), with gradient ``g`` (``-g`` if ``maximize``)::

        g = g + weight_decay * p                  (Adam: L2 penalty added to the gradient)
        p = p * (1 - lr * weight_decay)           (instead, with decoupled_weight_decay=True,
                                                   which is AdamW: decoupled weight decay)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v = vmax = max(vmax, v)                   (if amsgrad; vmax starts at 0)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    ``eps`` is added outside ``sqrt(v_hat)``, as in the paper and PyTorch (TensorFlow's
    "epsilon hat" differs). The default ``betas=(0.9, 0.999)`` are the paper's and PyTorch's;
    the seed's ``beta2 = 0.9999`` is not used.

    Args: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``amsgrad=False``, ``maximize=False``, ``decoupled_weight_decay=False`` (PyTorch 2.13's;
    True makes this AdamW); ``parallel``, ``parallel_threshold``.
    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq`` (amsgrad).
    """

    _kernel = "adam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False, parallel=None,
                 parallel_threshold=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_adam_family(group)

    def _new_state(self, fb, k, group):
        state = {"step": 0, "exp_avg": self._state_view(fb, k, "exp_avg"),
                 "exp_avg_sq": self._state_view(fb, k, "exp_avg_sq")}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = self._state_view(fb, k, "max_exp_avg_sq")
        return state

    _run_key = staticmethod(itemgetter("step"))  # bias corrections depend on the step

    def _launch(self, kernel, group, fb, start, stop, state):
        amsgrad = bool(group["amsgrad"])
        if amsgrad and "max_exp_avg_sq" not in state:
            for k, p in enumerate(fb.params):
                if start <= fb.offsets[k] < stop and "max_exp_avg_sq" not in self.state[p]:
                    self.state[p]["max_exp_avg_sq"] = self._state_view(fb, k, "max_exp_avg_sq")
        vmax = fb.buffers["max_exp_avg_sq"][start:stop] if amsgrad else empty_buffer(fb.dtype)
        t = state["step"] + 1
        lr, wd = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = bool(group["decoupled_weight_decay"])
        step_size = lr / (1 - beta1 ** t)
        bias_correction2_sqrt = (1 - beta2 ** t) ** 0.5
        decay = 1 - lr * wd if decoupled else 1.0
        hp = self._scalars(fb.dtype, step_size, beta1, 1 - beta1, beta2, 1 - beta2,
                                bias_correction2_sqrt, group["eps"], wd, decay,
                                -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["exp_avg"][start:stop],
               fb.buffers["exp_avg_sq"][start:stop], vmax, hp, (wd != 0 and not decoupled),
               amsgrad)


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter 2019; PyTorch's ``torch.optim.AdamW``): Adam with decoupled
    weight decay. Per step the weights first shrink, ``p = p * (1 - lr * weight_decay)``, then
    the Adam update runs on the *unmodified* gradient (see :class:`Adam` for the rest).

    Args: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=1e-2``,
    ``amsgrad=False``, ``maximize=False``; ``parallel``, ``parallel_threshold``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, parallel=None, parallel_threshold=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, parallel=parallel,
                         parallel_threshold=parallel_threshold)
