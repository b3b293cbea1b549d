"""Newton's method: exact-Hessian ``Newton`` and Hessian-free ``NewtonCG``.

Both take one Newton iteration per ``step(closure)`` and differentiate the loss twice with
minigrad's own autograd (``grad(..., create_graph=True)``). The closure is PyTorch's (as for
``LBFGS``), or may simply return the loss::

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()              # optional for Newton / NewtonCG
        return loss
    optimizer.step(closure)          # returns the loss before the step

A ``loss.backward()`` inside the closure would free the graph the optimizer differentiates
again, so while the optimizer runs the closure, ``backward()`` keeps the graph
(``retain_graph=True``), and during line-search trials (which only need the value) it does
nothing. The switch is scoped to the closure call and undone even if the closure raises.

Per step, with gradient ``g`` and Hessian ``H`` at the current parameters ``x``:

1. stop (no move) if ``max|g| <= tolerance_grad``;
2. a direction ``p`` solving ``(H + lambda I) p = -g`` (Levenberg-style damping ``lambda``):
   ``Newton`` builds ``H`` (one backward pass per parameter) and factorises it; ``NewtonCG``
   runs truncated conjugate gradients using only Hessian-vector products;
3. a backtracking Armijo line search from ``t = lr``: halve ``t`` until
   ``f(x + t p) <= f(x) + c1 t <g, p>``, then ``x += t p``.

**Why no numba here.** Each step's cost is dominated by backward passes through the recorded
gradient graph (``n`` for the Hessian, one per CG iteration): hundreds of microseconds of
Python each. The vector work around them (a few axpys and dots per CG iteration, one
``n x n`` solve per Newton step, ``x += t p``) is a handful of numpy calls, where a kernel
cannot pay; the parameters still live in the base class's flat buffer, so ``x += t p`` is one
call over all of them.
"""
import math

import numpy as np

from ..autograd import engine
from ..grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from ._line_search import backtracking_armijo
from . import _state_dict
from .optimizer import Optimizer, check_range, bumps_versions


class _NewtonBase(Optimizer):
    """Shared machinery: one parameter group of one dtype, closure evaluation, flat vectors,
    the damping schedule and the line search. Subclasses implement ``_direction``."""

    def __init__(self, params, defaults):
        super().__init__(params, defaults, parallel=False)
        name = type(self).__name__
        if len(self.param_groups) != 1:
            raise ValueError(f"{name} doesn't support per-parameter options (parameter groups)")
        flats = self._flats[0]
        if len(flats) != 1:
            raise TypeError(f"{name}: all parameters must have the same dtype, got "
                            f"{' and '.join(str(fb.dtype) for fb in flats)}")
        self._params = self.param_groups[0]["params"]
        self._fb = flats[0]

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options "
                             "(parameter groups)")
        super().add_param_group(param_group)

    def _validate(self, group):
        check_range("learning rate", group["lr"], 0.0, lo_open=True)
        check_range("damping", group["damping"])
        check_range("damping_factor", group["damping_factor"], 1.0, lo_open=True)
        check_range("c1", group["c1"], 0.0, 1.0, lo_open=True)
        check_range("backtrack", group["backtrack"], 0.0, 1.0, lo_open=True)
        check_range("tolerance_grad", group["tolerance_grad"])
        _check_count("max_ls", group["max_ls"])

    # ----- evaluations -----------------------------------------------------------------------
    def _loss_and_grad(self, closure):
        """The loss (a Tensor with its graph) and its gradient pieces, recorded for a second
        differentiation; ``None`` pieces for parameters the loss does not use."""
        name = type(self).__name__
        with enable_grad(), engine.closure_backward("retain"):
            loss = closure()
        if not isinstance(loss, Tensor) or loss._data.size != 1:
            raise TypeError(f"{name}.step: the closure must return the loss as a one-element "
                            f"Tensor, got {type(loss).__name__}"
                            + (f" of shape {loss.shape}" if isinstance(loss, Tensor) else ""))
        if loss._ctx is not None and loss._ctx[0] is None:
            raise RuntimeError(f"{name}.step: the loss's graph was freed inside the closure "
                               "(by a backward other than loss.backward()); return the loss "
                               "without freeing its graph: the optimizer differentiates it "
                               "twice itself")
        if not loss.requires_grad:
            return loss, [None] * len(self._params)
        self._fb.sync()  # re-adopt parameters whose ._data was rebound
        with enable_grad():
            grads = engine.grad(loss, self._params, create_graph=True, allow_unused=True)
        return loss, list(grads)

    def _flat(self, pieces):
        """Concatenate per-parameter Tensors (None = zeros) into one flat numpy vector."""
        out = np.zeros(self._fb.numel, self._fb.dtype)
        for g, off, n in zip(pieces, self._fb.offsets, self._fb.sizes):
            if g is not None:
                out[off:off + n] = g._data.reshape(-1)
        return out

    def _unflat(self, vec):
        """Split a flat vector into constant Tensors shaped like the parameters."""
        return [Tensor._wrap(vec[off:off + n].reshape(p.shape))
                for p, off, n in zip(self._params, self._fb.offsets, self._fb.sizes)]

    def _hvp(self, grads, vec):
        """``H vec`` as a flat vector: one backward pass through the recorded gradient."""
        pairs = [(g, v) for g, v in zip(grads, self._unflat(vec))
                 if g is not None and g.requires_grad]
        if not pairs:
            return np.zeros_like(vec)
        gs, vs = zip(*pairs)
        hv = engine.grad(list(gs), self._params, grad_outputs=list(vs), retain_graph=True,
                         allow_unused=True)
        return self._flat(hv)

    def _value_at(self, closure, x0, t, p):
        """``f(x0 + t p)`` without recording a graph; the parameters are left at that point."""
        fb = self._fb
        np.copyto(fb.values, x0)
        fb.values += fb.dtype.type(t) * p
        fb.scatter()
        with no_grad(), engine.closure_backward("skip"):
            return float(closure())

    # ----- the step --------------------------------------------------------------------------
    @bumps_versions
    def step(self, closure=None):
        """One damped Newton iteration with a backtracking line search; returns the loss at
        the parameters before the step (the closure's first value)."""
        if closure is None or not callable(closure):
            raise TypeError(f"{type(self).__name__}.step(closure) needs a closure that "
                            "re-evaluates the model and returns the loss")
        group = self.param_groups[0]
        self._validate(group)
        state = self.state[self._params[0]]
        for key in ("step", "func_evals", "grad_evals", "hvp_evals"):
            state.setdefault(key, 0)
        state.setdefault("damping", float(group["damping"]))

        loss, grads = self._loss_and_grad(closure)
        state["func_evals"] += 1
        state["grad_evals"] += 1
        f0 = float(loss)
        g = self._flat(grads)
        state["grad_norm"] = float(np.abs(g).max()) if g.size else 0.0
        if state["grad_norm"] <= group["tolerance_grad"]:
            state["converged"] = True
            return loss.detach()
        state["converged"] = False

        p = self._direction(grads, g, group, state)
        gtd = float(np.dot(g, p))
        if not gtd < 0:  # not a descent direction (NaN, or damping gave up): steepest descent
            p = -g
            gtd = float(np.dot(g, p))
        x0 = self._fb.gather().copy()
        del grads  # free the second-order graph before the line search evaluations
        t, f_new, evals, accepted = backtracking_armijo(
            lambda t: self._value_at(closure, x0, t, p), f0, gtd, t0=float(group["lr"]),
            c1=group["c1"], shrink=group["backtrack"], max_ls=group["max_ls"])
        state["func_evals"] += evals
        if not accepted:
            np.copyto(self._fb.values, x0)  # no sufficient decrease anywhere: stay put
            self._fb.scatter()
            t, f_new = 0.0, f0
        self._adapt_damping(state, group, full_step=accepted and t == float(group["lr"]))
        state["step"] += 1
        state["t"] = t
        state["prev_loss"] = f_new
        return loss.detach()

    def _adapt_damping(self, state, group, full_step):
        """Levenberg's schedule: trust the quadratic model more (smaller lambda) after a full
        step, less (larger lambda) after the line search had to cut the step. Never below the
        ``damping`` hyperparameter."""
        lam, floor, factor = state["damping"], float(group["damping"]), group["damping_factor"]
        if full_step:
            lam = lam / factor
            if lam < max(floor, 1e-12):
                lam = floor
        else:
            lam = max(lam * factor, floor, _MIN_DAMPING)
        state["damping"] = lam

    def _direction(self, grads, g, group, state):
        raise NotImplementedError

    # ----- checkpoints -----------------------------------------------------------------------
    def load_state_dict(self, state_dict):
        """Restore hyperparameters and the global state (counters, damping)."""
        _state_dict.check_structure(self, state_dict)  # also refuses another class's
        groups = state_dict["param_groups"]
        if len(groups) != 1 or len(groups[0]["params"]) != len(self._params):
            raise ValueError(f"loaded state dict does not match this {type(self).__name__}'s "
                             f"single parameter group of {len(self._params)} parameters")
        group = {k: v for k, v in groups[0].items() if k != "params"}
        self._validate({**self.param_groups[0], **group})
        saved = {int(k): v for k, v in state_dict["state"].items()}
        st = saved.get(int(groups[0]["params"][0]), {})
        self.param_groups[0].update(group)
        self.state.clear()
        if st:
            self.state[self._params[0]] = {
                k: (np.asarray(v).item() if isinstance(v, (np.ndarray, np.generic)) else v)
                for k, v in st.items()}


#: Smallest non-zero damping tried when the Hessian is not positive definite.
_MIN_DAMPING = 1e-8


class Newton(_NewtonBase):
    r"""Damped Newton's method with the exact Hessian (for models with few parameters).

    The Hessian ``H`` is built from minigrad's autograd, one backward pass through the
    recorded gradient per parameter (``n`` passes, ``n^2`` memory), then symmetrised. The
    direction solves ``(H + lambda I) p = -g`` by a Cholesky factorisation; when it fails
    (``H + lambda I`` not positive definite), ``lambda`` grows by ``damping_factor`` (from at
    least ``1e-8 * max(1, max|H_ii|)``) until it succeeds, so ``p`` is always a descent
    direction. A backtracking Armijo search along ``p`` follows; ``lambda`` shrinks by
    ``damping_factor`` after a full step and grows after a cut one (Levenberg's schedule).
    With the default ``damping=0`` a positive-definite quadratic is solved in one step.

    Args:
        params: parameters (one group, one dtype).
        lr: initial step of the line search (default 1, the Newton step).
        damping: smallest ``lambda`` (default 0).
        damping_factor: growth/shrink factor of ``lambda`` (default 10).
        c1: Armijo constant (default 1e-4). backtrack: step shrink factor (default 0.5).
        max_ls: line search evaluations per step (default 30).
        tolerance_grad: no move when ``max|g|`` is at most this (default 1e-10).
        max_params: refuse models larger than this (default 2000).

    State (``optimizer.state[params[0]]``): ``step``, ``func_evals``, ``grad_evals``,
    ``hvp_evals`` (Hessian rows built), ``damping`` (current ``lambda``), ``t`` (last step
    length, 0 if rejected), ``prev_loss``, ``grad_norm`` (``max|g|``), ``converged``.
    """

    def __init__(self, params, lr=1.0, damping=0.0, damping_factor=10.0, c1=1e-4,
                 backtrack=0.5, max_ls=30, tolerance_grad=1e-10, max_params=2000):
        defaults = dict(lr=lr, damping=damping, damping_factor=damping_factor, c1=c1,
                        backtrack=backtrack, max_ls=max_ls, tolerance_grad=tolerance_grad,
                        max_params=max_params)
        super().__init__(params, defaults)
        n = self._fb.numel
        if n > max_params:
            raise ValueError(f"Newton: the parameters have {n} elements but max_params is "
                             f"{max_params}; the exact Hessian costs {n} backward passes and "
                             f"{n}x{n} memory. Use NewtonCG or LBFGS, or raise max_params.")

    def _validate(self, group):
        super()._validate(group)
        _check_count("max_params", group["max_params"])

    def hessian(self, grads):
        """The ``n x n`` Hessian from the recorded gradient pieces (rows by backward passes)."""
        n = self._fb.numel
        H = np.zeros((n, n), self._fb.dtype)
        e = np.zeros(n, self._fb.dtype)
        for i in range(n):
            e[i] = 1
            H[i] = self._hvp(grads, e)
            e[i] = 0
        # Rows are computed independently; symmetrise away their rounding differences.
        return (H + H.T) / 2

    def _direction(self, grads, g, group, state):
        H = self.hessian(grads)
        state["hvp_evals"] += H.shape[0]
        lam = state["damping"]
        floor = _MIN_DAMPING * max(1.0, float(np.abs(np.diag(H)).max()) if H.size else 1.0)
        eye = np.eye(H.shape[0], dtype=H.dtype)
        for _ in range(200):
            A = H + lam * eye if lam else H
            try:
                L = np.linalg.cholesky(A)
            except np.linalg.LinAlgError:
                lam = max(lam * group["damping_factor"], floor)
                continue
            if not np.all(np.isfinite(L)):
                lam = max(lam * group["damping_factor"], floor)
                continue
            state["damping"] = lam
            # Solve L L^T p = -g by two triangular solves.
            z = np.linalg.solve(L, -g)
            return np.linalg.solve(L.T, z)
        return -g  # the Hessian is not finite: fall back to steepest descent


class NewtonCG(_NewtonBase):
    r"""Hessian-free (truncated) Newton: conjugate gradients with Hessian-vector products.

    ``(H + lambda I) p = -g`` is solved approximately by CG (Nocedal & Wright, Algorithm 7.1),
    each iteration costing one Hessian-vector product (one backward pass through the recorded
    gradient; ``H`` is never formed)::

        p = 0, r = -g, d = r
        repeat up to max_cg_iter times:
            q = (H + lambda I) d
            if <d, q> <= 0:  stop (negative curvature); use p, or -g if p is still 0
            a = <r, r> / <d, q>;  p += a d;  r -= a q
            if |r| <= eta |g|:  stop                  eta = min(0.5, sqrt(|g|))
            d = r + (<r, r>_new / <r, r>_old) d

    The forcing term ``eta`` makes the convergence superlinear near the minimum. A
    backtracking Armijo search along ``p`` follows, and ``lambda`` follows Levenberg's
    schedule as in :class:`Newton` (with the default ``damping=0`` it stays 0 while full steps
    are accepted).

    Args: as :class:`Newton` (without ``max_params``), plus ``max_cg_iter`` (default: the
    number of parameters, at most 100) and ``cg_tol`` (if given, a fixed relative residual
    instead of ``eta``).

    State: as :class:`Newton`; ``hvp_evals`` counts Hessian-vector products, ``cg_iters`` the
    CG iterations of the last step, ``negative_curvature`` whether CG stopped on it.
    """

    def __init__(self, params, lr=1.0, damping=0.0, damping_factor=10.0, c1=1e-4,
                 backtrack=0.5, max_ls=30, tolerance_grad=1e-10, max_cg_iter=None,
                 cg_tol=None):
        defaults = dict(lr=lr, damping=damping, damping_factor=damping_factor, c1=c1,
                        backtrack=backtrack, max_ls=max_ls, tolerance_grad=tolerance_grad,
                        max_cg_iter=max_cg_iter, cg_tol=cg_tol)
        super().__init__(params, defaults)

    def _validate(self, group):
        super()._validate(group)
        if group["max_cg_iter"] is not None:
            _check_count("max_cg_iter", group["max_cg_iter"])
        if group["cg_tol"] is not None:
            check_range("cg_tol", group["cg_tol"], 0.0, 1.0, lo_open=True)

    def _direction(self, grads, g, group, state):
        max_cg = group["max_cg_iter"] or min(self._fb.numel, 100)
        g_norm = float(np.sqrt(np.dot(g, g)))
        eta = group["cg_tol"] if group["cg_tol"] is not None else min(0.5, math.sqrt(g_norm))
        state["negative_curvature"] = False
        state["cg_iters"] = 0
        lam = state["damping"]
        for _ in range(_MAX_RESTARTS):
            p, curvature = self._cg(grads, g, lam, eta * g_norm, max_cg, state)
            if curvature is None:
                break
            # Negative curvature along a CG direction: H + lam I is not positive definite.
            # Raise lam past it (Levenberg) and solve again, rather than settle for the few
            # CG steps taken so far (often just a steepest-descent step).
            state["negative_curvature"] = True
            lam = max(lam * group["damping_factor"], lam - 2 * curvature,
                      _MIN_DAMPING * max(1.0, g_norm))
        else:
            p = -g  # still indefinite after the restarts: steepest descent
        state["damping"] = lam
        return p

    def _cg(self, grads, g, lam, tol, max_cg, state):
        """Truncated CG on ``(H + lam I) p = -g``: ``(p, None)``, or ``(p, curvature)`` when a
        direction ``d`` has ``<d, (H + lam I) d> / <d, d> = curvature <= 0``."""
        p = np.zeros_like(g)
        r = -g
        d = r.copy()
        rr = float(np.dot(r, r))
        for _ in range(max_cg):
            q = self._hvp(grads, d)
            if lam:
                q += lam * d
            state["hvp_evals"] += 1
            state["cg_iters"] += 1
            dq = float(np.dot(d, q))
            if not dq > 0:
                return p, dq / float(np.dot(d, d)) if np.isfinite(dq) else -math.inf
            a = rr / dq
            p += a * d
            r -= a * q
            rr_new = float(np.dot(r, r))
            if math.sqrt(rr_new) <= tol:
                break
            d *= rr_new / rr
            d += r
            rr = rr_new
        return p, None


#: CG restarts with a larger damping after hitting negative curvature, per step.
_MAX_RESTARTS = 8


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Invalid {name}: {value!r} (must be an int >= 1)")
