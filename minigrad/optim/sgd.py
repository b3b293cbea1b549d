"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from .optimizer import Optimizer, check_range, empty_buffer


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's ``torch.optim.SGD``).

    Per step, with gradient ``g`` (``-g`` if ``maximize``)::

        g = g + weight_decay * p                       (if weight_decay != 0)
        b = g                                          (first step)
        b = momentum * b + (1 - dampening) * g         (later steps)   (if momentum != 0)
        g = g + momentum * b  if nesterov  else  b                     (if momentum != 0)
        p = p - lr * g

    **The seed's forms.** Momentum is often written ``v = mu*v + lr*g; p -= v``. With
    ``dampening = 0`` and a constant ``lr`` the two give the same trajectory: by induction
    ``v_t = lr * b_t`` (``v_1 = lr*g_1 = lr*b_1``; ``v_t = mu*lr*b_{t-1} + lr*g_t = lr*b_t``),
    so ``p -= v_t`` is ``p -= lr*b_t``. They differ when ``lr`` changes (a scheduler): here the new
    ``lr`` scales the whole buffer at once, there only new gradients.

    Nesterov's accelerated gradient is usually written with the gradient at the look-ahead point,
    ``v = mu*v + lr*grad(p - mu*v); p -= v``. Substituting the look-ahead variable
    ``q = p - mu*v`` (the point where gradients are taken) gives
    ``q_{t+1} = q_t - lr*g_t - mu*v_{t+1} = q_t - lr*(g_t + mu*b_t)`` with ``b_t`` as above: that
    is this update with ``nesterov=True``, run on ``q`` (the iterates coincide up to the shift
    ``mu*v``, which vanishes at convergence), again for a constant ``lr``.

    Args: ``lr=1e-3`` (PyTorch's default since 2.2; earlier versions required it),
    ``momentum=0``, ``dampening=0``, ``weight_decay=0``,
    ``nesterov=False`` (needs momentum > 0 and dampening = 0), ``maximize=False``; plus
    ``parallel`` and ``parallel_threshold`` (see :class:`Optimizer`).
    State per parameter: ``momentum_buffer`` (when momentum != 0).
    """

    _kernel = "sgd"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("momentum value", group["momentum"])
        check_range("dampening value", group["dampening"])
        check_range("weight_decay value", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']})")

    def _new_state(self, fb, k, group):
        return {"momentum_buffer": None}

    @staticmethod
    def _run_key(state):
        # Parameters whose buffer exists and those that start one need different kernel calls.
        return state["momentum_buffer"] is not None

    def _launch(self, kernel, group, fb, start, stop, state):
        use_momentum = group["momentum"] != 0
        first = state["momentum_buffer"] is None
        buf = fb.state_buffer("momentum_buffer")[start:stop] if use_momentum \
            else empty_buffer(fb.dtype)
        hp = self._scalars(fb.dtype, group["lr"], group["momentum"], 1 - group["dampening"],
                           group["weight_decay"], -1.0 if group["maximize"] else 1.0)
        kernel(fb.span_values(start, stop), fb.grad[start:stop], buf, hp, use_momentum, first,
               bool(group["nesterov"]))

    def _advance(self, states, fb, k0, group):
        if group["momentum"] != 0:
            for k, state in enumerate(states, k0):
                if state["momentum_buffer"] is None:
                    state["momentum_buffer"] = fb.state_view("momentum_buffer", k)
