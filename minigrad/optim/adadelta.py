"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from .optimizer import Optimizer, check_range


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012; PyTorch's ``torch.optim.Adadelta``).

    Per step, with gradient ``g`` (``-g`` if ``maximize``)::

        g     = g + weight_decay * p                      (if weight_decay != 0)
        v     = rho * v + (1 - rho) * g * g               (running average of g^2)
        delta = sqrt(u + eps) / sqrt(v + eps) * g         (RMS[update] / RMS[g] * g)
        u     = rho * u + (1 - rho) * delta * delta       (running average of delta^2)
        p     = p - lr * delta

    The second accumulator ``u`` (squared *updates*, unscaled by ``lr``) is the part summaries
    often omit: it gives the update the units of ``p``. Zeiler's method has no learning rate,
    i.e. ``lr = 1`` (the default).

    Args: ``lr=1.0``, ``rho=0.9``, ``eps=1e-6``, ``weight_decay=0``, ``maximize=False``;
    ``parallel``, ``parallel_threshold``. State per parameter: ``step``, ``square_avg``,
    ``acc_delta``.
    """

    _kernel = "adadelta"

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False,
                 parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("rho value", group["rho"], 0.0, 1.0, hi_open=False)
        check_range("epsilon value", group["eps"])
        check_range("weight_decay value", group["weight_decay"])

    def _new_state(self, fb, k, group):
        return {"step": 0, "square_avg": self._state_view(fb, k, "square_avg"),
                "acc_delta": self._state_view(fb, k, "acc_delta")}

    _run_key = staticmethod(lambda state: 0)  # no per-parameter scalar in the update

    def _launch(self, kernel, group, fb, start, stop, state):
        rho = group["rho"]
        hp = self._scalars(fb.dtype, group["lr"], rho, 1 - rho, group["eps"],
                           group["weight_decay"], -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["square_avg"][start:stop],
               fb.buffers["acc_delta"][start:stop], hp)
