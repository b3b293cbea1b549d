"""Rprop: per-coordinate step sizes adapted from the sign of successive gradients."""
from .optimizer import Optimizer, check_range


class Rprop(Optimizer):
    r"""Rprop, the iRprop- variant (Riedmiller & Braun 1993, Igel & Huesken 2000; PyTorch's
    ``torch.optim.Rprop``).

    Only the *sign* of the gradient is used: each coordinate has its own step size, which grows
    while the gradient keeps its sign and shrinks when it flips (a minimum was jumped over).
    Meant for full-batch training: with mini-batches the signs flip from noise.

    Per step, with gradient ``g`` (``-g`` if ``maximize``) and the previous one ``g_prev``
    (0 at first)::

        s    = g * g_prev
        size = clamp(size * (etaplus if s > 0, etaminus if s < 0, 1 if s == 0),
                     step_size_min, step_size_max)          (size starts at lr)
        g    = 0 where s < 0          (iRprop-: no step after a sign change, no backtracking)
        p    = p - sign(g) * size
        g_prev = g

    Args: ``lr=1e-2`` (the initial step size), ``etas=(0.5, 1.2)`` (etaminus, etaplus),
    ``step_sizes=(1e-6, 50)`` (min, max), ``maximize=False``; ``parallel``,
    ``parallel_threshold``. State per parameter: ``step``, ``prev``, ``step_size``.
    """

    _kernel = "rprop"

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, etas=tuple(etas) if isinstance(etas, list) else etas,
                        step_sizes=tuple(step_sizes) if isinstance(step_sizes, list)
                        else step_sizes, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        try:
            etaminus, etaplus = group["etas"]
            lo, hi = group["step_sizes"]
        except (TypeError, ValueError):
            raise ValueError(f"Invalid etas {group['etas']!r} or step_sizes "
                             f"{group['step_sizes']!r} (each must be a pair)") from None
        check_range("etaminus", etaminus, 0.0, 1.0, lo_open=True)
        check_range("etaplus", etaplus, 1.0, lo_open=True)
        check_range("step_sizes[0] (minimum)", lo)
        check_range("step_sizes[1] (maximum)", hi, float(lo))

    def _new_state(self, fb, k, group):
        return {"step": 0, "prev": self._state_view(fb, k, "prev"),
                "step_size": self._state_view(fb, k, "step_size", group["lr"])}

    _run_key = staticmethod(lambda state: 0)  # no per-parameter scalar in the update

    def _launch(self, kernel, group, fb, start, stop, state):
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        hp = self._scalars(fb.dtype, etaminus, etaplus, lo, hi,
                           -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["prev"][start:stop],
               fb.buffers["step_size"][start:stop], hp)
