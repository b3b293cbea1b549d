"""RMSprop: gradient scaled by a running RMS, optionally centered and with momentum."""
from .optimizer import Optimizer, check_range, empty_buffer


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e; PyTorch's ``torch.optim.RMSprop``).

    Per step, with gradient ``g`` (``-g`` if ``maximize``)::

        g   = g + weight_decay * p                     (if weight_decay != 0)
        v   = alpha * v + (1 - alpha) * g * g
        ga  = alpha * ga + (1 - alpha) * g             (if centered)
        v~  = v - ga * ga  if centered  else  v
        avg = sqrt(v~) + eps                           (eps outside the square root, as PyTorch;
                                                        TensorFlow and optax put it inside)
        b   = momentum * b + g / avg;  p = p - lr * b  (if momentum > 0; b starts at 0)
        p   = p - lr * g / avg                         (otherwise)

    Args: ``lr=1e-2``, ``alpha=0.99``, ``eps=1e-8``, ``weight_decay=0``, ``momentum=0``,
    ``centered=False``, ``maximize=False``; ``parallel``, ``parallel_threshold``.
    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0),
    ``grad_avg`` (centered).
    """

    _kernel = "rmsprop"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("alpha value", group["alpha"])
        check_range("epsilon value", group["eps"])
        check_range("weight_decay value", group["weight_decay"])
        check_range("momentum value", group["momentum"])

    def _new_state(self, fb, k, group):
        state = {"step": 0, "square_avg": self._state_view(fb, k, "square_avg")}
        if group["momentum"] > 0:
            state["momentum_buffer"] = self._state_view(fb, k, "momentum_buffer")
        if group["centered"]:
            state["grad_avg"] = self._state_view(fb, k, "grad_avg")
        return state

    _run_key = staticmethod(lambda state: 0)  # no per-parameter scalar in the update

    def _launch(self, kernel, group, fb, start, stop, state):
        centered = bool(group["centered"])
        use_momentum = group["momentum"] > 0
        # Options switched on mid-training get their buffers (zeros) on first use.
        for name, on in (("grad_avg", centered), ("momentum_buffer", use_momentum)):
            if on and name not in state:
                self._add_state(fb, start, stop, name)
        empty = empty_buffer(fb.dtype)
        gavg = fb.buffers["grad_avg"][start:stop] if centered else empty
        buf = fb.buffers["momentum_buffer"][start:stop] if use_momentum else empty
        alpha = group["alpha"]
        hp = self._scalars(fb.dtype, group["lr"], alpha, 1 - alpha, group["eps"],
                           group["weight_decay"], group["momentum"],
                           -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], fb.buffers["square_avg"][start:stop],
               gavg, buf, hp, centered, use_momentum)

    def _add_state(self, fb, start, stop, name):
        for k, p in enumerate(fb.params):
            if start <= fb.offsets[k] < stop and name not in self.state[p]:
                self.state[p][name] = self._state_view(fb, k, name)
