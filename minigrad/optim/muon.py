"""Muon: momentum orthogonalized by a Newton-Schulz iteration, for 2-D weight matrices."""
import math

import numpy as np

from .optimizer import Optimizer, _is_tensor, _kernels, check_range, check_real


class Muon(Optimizer):
    r"""Muon, "MomentUm Orthogonalized by Newton-Schulz" (Jordan et al. 2024; PyTorch's
    ``torch.optim.Muon``).

    For a weight matrix, the gradient's few large singular directions dominate Adam's and SGD's
    steps. Muon replaces the momentum matrix ``B = U S V^T`` by (approximately) ``U V^T``: every
    singular direction gets a step of the same size. Use it for the 2-D weights of hidden layers;
    biases, gains, embeddings and the output layer go to AdamW (a second optimizer).

    Per step, with gradient ``g`` (a matrix of shape ``(A, B)``)::

        buf = lerp(buf, g, 1 - momentum)                 (an EMA: buf = mu*buf + (1-mu)*g)
        u   = lerp(g, buf, momentum)  if nesterov  else  buf
        X   = u / max(||u||_F, eps)                      (transposed if A > B)
        X   = a X + (b (X X^T) + c (X X^T)^2) X          (ns_steps times)
        p   = p * (1 - lr * weight_decay)
        p   = p - lr * adjust(A, B) * X
        adjust = sqrt(max(1, A/B))  ("original", the default)  or  0.2 sqrt(max(A, B))
                 ("match_rms_adamw", Moonshot's: reuse AdamW's lr and weight decay)

    PyTorch's docs write the momentum as a plain sum ``B = mu B + g``; its code (and this
    class) keep an EMA (``lerp``). **Precision:** PyTorch runs the Newton-Schulz iteration in
    bfloat16; minigrad runs it in float32 by default (numpy has no bfloat16; pass
    ``ns_dtype=np.float64`` for float64), so the two agree to bfloat16's precision (~1e-2),
    not more.

    **What is fused.** Per matrix: one kernel pass updates ``buf``, forms ``u`` in the iteration's
    dtype and its squared norm; the ``2 ns_steps + ns_steps`` matrix products run in numpy
    (BLAS); one kernel pass applies decay and step (reading ``X`` transposed when needed).

    Only 2-D parameters: others raise ValueError at construction (PyTorch's message).

    Args: ``lr=1e-3``, ``weight_decay=0.1``, ``momentum=0.95``, ``nesterov=True``,
    ``ns_coefficients=(3.4445, -4.775, 2.0315)``, ``eps=1e-7``, ``ns_steps=5``,
    ``adjust_lr_fn=None``; minigrad's ``ns_dtype=np.float32``, ``parallel``,
    ``parallel_threshold``. State per parameter: ``momentum_buffer``.
    """

    _kernel = "muon"

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5,
                 adjust_lr_fn=None, *, ns_dtype=np.float32, parallel=None,
                 parallel_threshold=None):
        if np.dtype(ns_dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"Invalid ns_dtype: {ns_dtype} (must be float32 or float64)")
        self.ns_dtype = np.dtype(ns_dtype)
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=tuple(ns_coefficients)
                        if isinstance(ns_coefficients, list) else ns_coefficients,
                        eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def add_param_group(self, param_group):
        """As :meth:`Optimizer.add_param_group`, refusing a parameter that is not 2-D before
        anything is added (the update reads each parameter as a matrix; PyTorch checks only
        the constructor's parameters and fails later, inside a step)."""
        if isinstance(param_group, dict) and "params" in param_group:
            params = param_group["params"]
            params = [params] if _is_tensor(params) else list(params)  # may be a generator
            for p in params:
                p = p[1] if isinstance(p, tuple) and len(p) == 2 else p
                if _is_tensor(p) and p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {tuple(p.shape)} (optimize "
                                     f"biases and other non-matrix parameters with AdamW)")
            param_group = {**param_group, "params": params}
        super().add_param_group(param_group)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_range("momentum value", group["momentum"])
        check_range("weight_decay value", group["weight_decay"])
        check_range("epsilon value", group["eps"])
        steps = group["ns_steps"]
        check_real("ns_steps", steps)
        if isinstance(steps, bool) or not float(steps).is_integer() or not 0 <= steps < 100:
            raise ValueError(f"Invalid ns_steps: {steps} (must be an integer in [0, 100))")
        try:
            _, _, _ = group["ns_coefficients"]
        except (TypeError, ValueError):
            raise ValueError(f"Invalid ns_coefficients: {group['ns_coefficients']!r} (must "
                             f"be three numbers (a, b, c))") from None
        if group["adjust_lr_fn"] not in (None, "original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {group['adjust_lr_fn']} is not "
                             f"supported (use None, 'original' or 'match_rms_adamw')")

    def _new_state(self, fb, k, group):
        return {"momentum_buffer": self._state_view(fb, k, "momentum_buffer")}

    _run_key = staticmethod(id)  # one matrix per launch

    def _launch(self, kernel, group, fb, start, stop, state):
        kernels = _kernels().KERNELS
        which = 1 if kernel is kernels["muon"][1] else 0
        rows, cols = state["momentum_buffer"].shape
        mu = group["momentum"]
        u = np.empty(rows * cols, self.ns_dtype)
        sumsq = kernel(fb.grad[start:stop], fb.buffers["momentum_buffer"][start:stop], u,
                       self._scalars(fb.dtype, 1 - mu, mu), bool(group["nesterov"]))
        x = u.reshape(rows, cols)
        transposed = rows > cols
        if transposed:
            x = x.T
        x /= x.dtype.type(max(math.sqrt(sumsq), group["eps"]))
        a, b, c = group["ns_coefficients"]
        for _ in range(int(group["ns_steps"])):
            gram = x @ x.T
            x = a * x + (b * gram + c * (gram @ gram)) @ x
        lr = group["lr"]
        hp = self._scalars(fb.dtype, 1 - lr * group["weight_decay"],
                           _adjust_lr(lr, group["adjust_lr_fn"], rows, cols))
        kernels["muon_apply"][which](fb.span_values(start, stop), x, hp, transposed)

    def _advance(self, states, fb, k0, group):
        pass  # no step count


def _adjust_lr(lr, adjust_lr_fn, rows, cols):
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    return lr * 0.2 * math.sqrt(max(rows, cols))
