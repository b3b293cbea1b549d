"""Numerical gradient checks: analytic gradients against central finite differences."""
import numpy as np

from ..tensor import Tensor
from . import engine


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with the numerical one."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _checked_inputs(inputs, name):
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            raise TypeError(
                f"{name}: input {i} has dtype {t.dtype}; finite differences need float64 "
                "(float32 differences are noise). Use .double().")
    return inputs


def _projected(func, inputs, weights):
    """Scalar ``sum_k <w_k, out_k>``: random weights so errors cannot cancel as in a sum."""
    outs = _as_tuple(func(*inputs))
    total = None
    for out, w in zip(outs, weights):
        if out is None or out.dtype.kind != "f":
            continue
        term = (out * w).sum()
        total = term if total is None else total + term
    return total


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check the gradients of ``func(*inputs)`` w.r.t. every input that requires grad.

    The outputs are projected on fixed random weights ``w`` and
    ``d<w, func(x)>/dx[i]`` from backward is compared with
    ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every element ``i``. Inputs must be
    float64. Returns True, or raises :class:`GradcheckError` naming the input, the element
    index and both values.
    """
    inputs = _checked_inputs(inputs, "gradcheck")
    rng = np.random.default_rng(seed)
    outs = _as_tuple(func(*inputs))
    weights = [Tensor._wrap(rng.standard_normal(o.shape).astype(o.dtype)) if o is not None else None
               for o in outs]
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")
    total = _projected(func, inputs, weights)
    if total is None or not total.requires_grad:
        analytic = [np.zeros(t.shape) for t in wrt]
    else:
        grads = engine.grad(total, wrt, allow_unused=True)
        analytic = [np.zeros(t.shape) if g is None else g._data for t, g in zip(wrt, grads)]
    for k, (t, a_grad) in enumerate(zip(wrt, analytic)):
        index = next(i for i, x in enumerate(inputs) if x is t)
        flat = t._data.reshape(-1)  # a view: perturbations write through to t._data
        if not np.shares_memory(flat, t._data):
            raise ValueError(f"gradcheck: input {index} is not contiguous; pass a contiguous copy")
        for j in range(flat.size):
            orig = flat[j]
            # Graph recording stays on: func may itself differentiate (gradgradcheck).
            flat[j] = orig + eps
            plus = _projected(func, inputs, weights)
            flat[j] = orig - eps
            minus = _projected(func, inputs, weights)
            flat[j] = orig
            numeric = (plus.item() - minus.item()) / (2 * eps) if plus is not None else 0.0
            analytic_j = a_grad.reshape(-1)[j]
            if not abs(analytic_j - numeric) <= atol + rtol * abs(numeric):
                where = np.unravel_index(j, t.shape) if t.ndim else ()
                raise GradcheckError(
                    f"gradcheck failed for input {index} at element {tuple(int(w) for w in where)}: "
                    f"analytic {analytic_j!r} vs numeric {numeric!r} "
                    f"(atol={atol}, rtol={rtol})")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check second derivatives: :func:`gradcheck` applied to the map
    ``(inputs, v) -> grad(<v, func(inputs)>, inputs, create_graph=True)``, where ``v`` are
    random output weights (``grad_outputs``), themselves checked as inputs."""
    inputs = _checked_inputs(inputs, "gradgradcheck")
    rng = np.random.default_rng(seed + 1)
    outs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        grad_outputs = tuple(Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    wrt_positions = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        out = _as_tuple(func(*xs))
        wrt = [xs[i] for i in wrt_positions]
        grads = engine.grad(out, wrt, grad_outputs=vs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, seed=seed)
