"""ASGD: SGD with a decaying step size and a running (Polyak-Ruppert) average of the weights."""
from operator import itemgetter

from .optimizer import Optimizer, check_range


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky 1992; PyTorch's ``torch.optim.ASGD``).

    Plain SGD's iterates bounce around a minimum with noisy gradients; their running average
    converges much more smoothly. ASGD steps like SGD (with a step size ``eta`` that decays as
    ``t^-alpha``) and, from step ``t0`` on, keeps the average of the iterates in the state.

    Per step ``t``, with gradient ``g`` (``-g`` if ``maximize``), ``eta`` and ``mu`` from the
    previous step (``eta = lr``, ``mu = 1`` at first)::

        g   = g + weight_decay * p
        p   = p * (1 - lambd * eta) - eta * g
        ax  = ax + (p - ax) * mu           (ax = p while mu == 1)
        eta = lr / (1 + lambd * lr * t)^alpha
        mu  = 1 / max(1, t - t0)

    As in PyTorch, the averaged weights ``ax`` stay in ``state[p]['ax']``: they are never
    written to the parameters. To evaluate the averaged model, copy them in yourself
    (``p.data.copy_(...)``) or use :mod:`minigrad.optim.swa_utils`.

    Args: ``lr=1e-2``, ``lambd=1e-4``, ``alpha=0.75``, ``t0=1e6``, ``weight_decay=0``,
    ``maximize=False``; ``parallel``, ``parallel_threshold``. State per parameter: ``step``,
    ``eta``, ``mu`` (Python floats; PyTorch keeps 0-d tensors), ``ax``.
    """

    _kernel = "asgd"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, *,
                 maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("lambd value", group["lambd"])
        check_range("alpha value", group["alpha"])
        check_range("t0 value", group["t0"])
        check_range("weight_decay value", group["weight_decay"])

    def _new_state(self, fb, k, group):
        return {"step": 0, "eta": float(group["lr"]), "mu": 1.0,
                "ax": self._state_view(fb, k, "ax")}

    _run_key = staticmethod(itemgetter("step", "eta", "mu"))

    def _launch(self, kernel, group, fb, start, stop, state):
        eta, mu = state["eta"], state["mu"]
        hp = self._scalars(fb.dtype, eta, 1 - group["lambd"] * eta, mu, group["weight_decay"],
                           -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["ax"][start:stop], hp,
               mu != 1)

    def _advance(self, states, fb, k0, group):
        lr, lambd = group["lr"], group["lambd"]
        for state in states:
            t = state["step"] = state["step"] + 1
            state["eta"] = lr / ((1 + lambd * lr * t) ** group["alpha"])
            state["mu"] = 1 / max(1, t - group["t0"])
