"""Lion: the sign of an interpolated momentum (found by program search)."""
from .optimizer import Optimizer, check_range


class Lion(Optimizer):
    r"""Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
    Algorithms"), with the arguments, defaults and numbers of the ``lion-pytorch`` package.

    Every coordinate moves by exactly ``lr`` per step, in the direction of the sign of a blend of
    the momentum and the new gradient: the update has the same size for all parameters (like
    Adam's early steps, at a third of Adam's memory: one state tensor). Because the sign
    discards magnitude, ``lr`` is typically 3-10x smaller than AdamW's and ``weight_decay``
    3-10x larger, to keep ``lr * weight_decay`` similar.

    Per step, with gradient ``g``::

        p = p * (1 - lr * wd)                     (decoupled weight decay)
        p = p - lr * sign(beta1 * m + (1 - beta1) * g)
        m = beta2 * m + (1 - beta2) * g

    with ``wd = weight_decay``, or ``weight_decay / lr0`` when ``decoupled_weight_decay=True``
    (``lr0``: the ``lr`` given to the constructor; as in lion-pytorch the decay then no longer
    scales with the learning rate schedule). ``sign(0) = 0``.

    Args: ``lr=1e-4``, ``betas=(0.9, 0.99)``, ``weight_decay=0.0``,
    ``decoupled_weight_decay=False``; ``parallel``, ``parallel_threshold`` (lion-pytorch's
    ``use_triton`` is a GPU option and is not taken). State per parameter: ``exp_avg``.
    """

    _kernel = "lion"

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0,
                 decoupled_weight_decay=False, *, parallel=None, parallel_threshold=None):
        check_range("learning rate", lr, lo_open=True)  # lion-pytorch asserts lr > 0
        self._init_lr = lr
        self.decoupled_weight_decay = bool(decoupled_weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        weight_decay=weight_decay)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        try:
            beta1, beta2 = group["betas"]
        except (TypeError, ValueError):
            raise ValueError(f"Invalid betas: {group['betas']!r} (must be a pair "
                             f"(beta1, beta2))") from None
        check_range("beta parameter at index 0", beta1, 0.0, 1.0, hi_open=False)
        check_range("beta parameter at index 1", beta2, 0.0, 1.0, hi_open=False)
        check_range("weight_decay value", group["weight_decay"])

    def _new_state(self, fb, k, group):
        return {"exp_avg": self._state_view(fb, k, "exp_avg")}

    _run_key = staticmethod(lambda state: 0)  # no per-parameter scalar in the update

    def _launch(self, kernel, group, fb, start, stop, state):
        lr, wd = group["lr"], group["weight_decay"]
        if self.decoupled_weight_decay:
            wd = wd / self._init_lr
        beta1, beta2 = group["betas"]
        hp = self._scalars(fb.dtype, lr, beta1, 1 - beta1, beta2, 1 - beta2, 1 - lr * wd)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["exp_avg"][start:stop],
               hp)

    def _advance(self, states, fb, k0, group):
        pass  # no step count
