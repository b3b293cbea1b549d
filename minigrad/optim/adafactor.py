"""Adafactor: Adam-like steps with a factored (row x column) second moment."""
import math

import numpy as np

from .optimizer import Optimizer, _kernels, check_range, check_real


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern 2018; PyTorch's ``torch.optim.Adafactor``).

    Adam keeps two extra tensors per parameter. For a matrix of shape ``(R, C)`` Adafactor keeps
    only the row means and the column means of the squared gradients (``R + C`` numbers instead
    of ``R * C``) and estimates the second moment as their outer product over their mean: the
    optimizer state is then almost free. There is no first moment; the step is clipped to RMS
    ``d`` and scaled by the parameter's RMS (relative step size).

    Per step ``t``, with gradient ``g`` (``-g`` if ``maximize``), ``eps1 = eps[0]`` (the
    dtype's machine epsilon when None) and ``eps2 = eps[1]``::

        beta2_t = 1 - t^beta2_decay               (the weight of the new statistics)
        rho     = min(lr, 1 / sqrt(t))
        alpha   = max(eps2, RMS(p)) * rho          (RMS(p) before the weight decay)
        p       = p * (1 - lr * weight_decay)
        tensors of 2 or more dims, factored over the last two (rows R, columns C):
            row_var = lerp(row_var, mean_c(g^2), 1 - beta2_t)      (shape (..., R, 1))
            col_var = lerp(col_var, mean_r(g^2), 1 - beta2_t)      (shape (..., 1, C))
            var     = row_var * col_var / max(mean_r(row_var), eps1)
        vectors and scalars:
            var     = variance = lerp(variance, g^2, 1 - beta2_t)
        u = g / sqrt(max(var, eps1^2))
        p = p - alpha / max(1, RMS(u) / d) * u

    (``1 - beta2_t`` is ``t^beta2_decay`` in the code: PyTorch's name ``one_minus_beta2_t``.)

    **State is factored for real:** ``row_var``, ``col_var`` (and vectors' ``variance``) are
    separate arrays, not views into a flat buffer of the whole group's size; ``Adafactor.state_nbytes()`` reports it
    (``benchmarks/bench_optim.py`` prints it against Adam's).

    **What is fused.** Per tensor (each has its own statistics): one kernel pass computes the
    row and column sums of ``g^2`` and the parameter's squared norm; numpy then updates the
    ``R + C`` factored moments; a second pass computes the update's squared norm and a third
    applies decay and step (recomputing ``u``, cheaper than storing it). Vectors take two passes.
    Reductions accumulate in float64.

    PyTorch's documentation text gives ``weight_decay`` 1e-2; its signature (and this class)
    0.0.

    Args: ``lr=1e-2``, ``beta2_decay=-0.8``, ``eps=(None, 1e-3)``, ``d=1.0``,
    ``weight_decay=0.0``, ``maximize=False``; ``parallel``, ``parallel_threshold``. State per
    parameter: ``step`` (a float, as PyTorch), and ``row_var``, ``col_var`` (2 or more dims)
    or ``variance``.
    """

    _kernel = "adafactor"

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, maximize=False, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, beta2_decay=beta2_decay,
                        eps=tuple(eps) if isinstance(eps, list) else eps, d=d,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("learning rate", group["lr"])
        check_real("beta2_decay", group["beta2_decay"])
        if not group["beta2_decay"] <= 0:
            raise ValueError(f"beta2_decay should be <= 0 but is: {group['beta2_decay']}")
        try:
            eps1, eps2 = group["eps"]
        except (TypeError, ValueError):
            raise ValueError(f"Invalid eps: {group['eps']!r} (must be a pair (eps1 or None, "
                             f"eps2))") from None
        if eps1 is not None:
            check_range("epsilon value eps[0]", eps1)
        check_range("epsilon value eps[1]", eps2)
        check_range("clipping threshold d", group["d"], 1.0)
        check_range("weight_decay value", group["weight_decay"])

    def _new_state(self, fb, k, group):
        shape = fb.data_views[k].shape
        if len(shape) >= 2:
            return {"step": 0.0,
                    "row_var": np.zeros(shape[:-1] + (1,), fb.dtype),
                    "col_var": np.zeros(shape[:-2] + (1, shape[-1]), fb.dtype)}
        # Not a view into a flat buffer either: that buffer would span the matrices too.
        return {"step": 0.0, "variance": np.zeros(shape, fb.dtype)}

    _run_key = staticmethod(id)  # each tensor has its own statistics

    def _state_shape(self, name, shape, group):
        if name == "row_var":
            return tuple(shape[:-1]) + (1,)
        if name == "col_var":
            return tuple(shape[:-2]) + (1, shape[-1])
        return shape

    def state_nbytes(self):
        """Bytes held by the optimizer state's arrays (the point of factoring)."""
        total = 0
        for state in self.state.values():
            total += sum(v.nbytes for v in state.values() if isinstance(v, np.ndarray))
        return total

    def _launch(self, kernel, group, fb, start, stop, state):
        kernels = _kernels().KERNELS
        which = 1 if kernel is kernels["adafactor"][1] else 0
        t = state["step"] + 1.0
        dtype = fb.dtype
        lr, wd = group["lr"], group["weight_decay"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(dtype).eps)
        weight = t ** group["beta2_decay"]
        rho = min(lr, 1 / (t ** 0.5))
        sign = -1.0 if group["maximize"] else 1.0
        n = stop - start
        if n == 0:
            return
        p, g = fb.span_values(start, stop), fb.grad[start:stop]  # written back by end_span
        if "variance" in state:
            hp = self._scalars(dtype, eps1 * eps1, 0.0, 0.0, sign, weight)
            variance = state["variance"].reshape(-1)
            psq, usq = kernels["adafactor_vector"][which](p, g, variance, hp)
        else:
            row_var, col_var = state["row_var"], state["col_var"]
            R, C = row_var.shape[-2], col_var.shape[-1]
            B = n // (R * C) if R * C else 0
            row_sum = np.empty(B * R)
            col_sum = np.empty(B * C)
            from numba import get_num_threads  # loaded with the kernels
            psq = kernel(p, g, row_sum, col_sum, B, R, C, 4 * get_num_threads())
            w = dtype.type(weight)
            # O(R + C) work on the factored moments, in numpy (torch's lerp formula).
            for var, mean in ((row_var, (row_sum / C).astype(dtype).reshape(row_var.shape)),
                              (col_var, (col_sum / R).astype(dtype).reshape(col_var.shape))):
                var[...] = var + w * (mean - var) if abs(weight) < 0.5 else \
                    mean - (mean - var) * (1 - w)
            rmean = np.maximum(row_var.reshape(B, R).mean(axis=1), dtype.type(eps1))
            rows, cols = row_var.reshape(-1), col_var.reshape(-1)
            hp = self._scalars(dtype, eps1 * eps1, 0.0, 0.0, sign, weight)
            usq = kernels["adafactor_factored_sumsq"][which](g, rows, cols, rmean, hp, B, R, C)
        alpha = max(eps2, math.sqrt(psq) / math.sqrt(n)) * rho
        denom = max(1.0, math.sqrt(usq) / (math.sqrt(n) * group["d"]))
        hp = self._scalars(dtype, eps1 * eps1, 1 - lr * wd if wd != 0 else 1.0, alpha / denom,
                           sign, weight)
        if "variance" in state:
            kernels["adafactor_vector_apply"][which](p, g, variance, hp)
        else:
            kernels["adafactor_factored_apply"][which](p, g, rows, cols, rmean, hp, B, R, C)

    def _advance(self, states, fb, k0, group):
        for state in states:
            state["step"] += 1.0
