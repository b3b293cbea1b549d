"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""
from operator import itemgetter

from .optimizer import Optimizer, check_range


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011; PyTorch's ``torch.optim.Adagrad``).

    Per step ``t`` (1-based, per parameter), with gradient ``g`` (``-g`` if ``maximize``)::

        g   = g + weight_decay * p            (if weight_decay != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s   = s + g * g                       (s starts at initial_accumulator_value)
        p   = p - clr * g / (sqrt(s) + eps)   (eps after the square root)

    Args: ``lr=1e-2``, ``lr_decay=0``, ``weight_decay=0``, ``initial_accumulator_value=0``,
    ``eps=1e-10``, ``maximize=False``; ``parallel``, ``parallel_threshold``.
    State per parameter: ``step``, ``sum``.
    """

    _kernel = "adagrad"

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("lr_decay value", group["lr_decay"])
        check_range("weight_decay value", group["weight_decay"])
        check_range("initial_accumulator_value", group["initial_accumulator_value"])
        check_range("epsilon value", group["eps"])

    def _new_state(self, fb, k, group):
        return {"step": 0,
                "sum": self._state_view(fb, k, "sum", group["initial_accumulator_value"])}

    _run_key = staticmethod(itemgetter("step"))  # bias corrections depend on the step

    def _launch(self, kernel, group, fb, start, stop, state):
        t = state["step"] + 1
        hp = self._scalars(fb.dtype, group["lr"] / (1 + (t - 1) * group["lr_decay"]),
                           group["weight_decay"], group["eps"],
                           -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["sum"][start:stop], hp)
