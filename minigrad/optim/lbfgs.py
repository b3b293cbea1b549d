"""L-BFGS: limited-memory quasi-Newton, the algorithm (and state) of ``torch.optim.LBFGS``."""
import numpy as np

from ..grad_mode import enable_grad, no_grad
from ._line_search import strong_wolfe
from . import _state_dict
from .optimizer import Optimizer, bumps_versions, check_range, lazy_module

_kernels = lazy_module("minigrad.optim.lbfgs_kernels")


LINE_SEARCH_FNS = (None, "strong_wolfe")


class LBFGS(Optimizer):
    r"""L-BFGS with PyTorch's closure-based interface (``torch.optim.LBFGS``, after minFunc).

    One ``step(closure)`` runs up to ``max_iter`` iterations. Each iteration, with gradient
    ``g``, previous gradient ``g'``, previous direction ``d`` and step ``t``:

    1. store the curvature pair ``y = g - g'``, ``s = t d`` if ``<y, s> > 1e-10`` (dropping the
       oldest beyond ``history_size``), with ``ro = 1 / <y, s>`` and the initial inverse
       Hessian scale ``H_diag = <y, s> / <y, y>``;
    2. the direction ``d = -H g`` by the two-loop recursion over the stored pairs
       (:mod:`minigrad.optim.lbfgs_kernels`); the first iteration ever uses ``d = -g``;
    3. the step ``t``: ``lr`` (on the very first iteration ``lr * min(1, 1 / sum|g|)``), then
       either ``x += t d`` and one new evaluation, or a strong-Wolfe line search
       (``line_search_fn='strong_wolfe'``, :func:`minigrad.optim._line_search.strong_wolfe`).

    It stops early when ``max|g| <= tolerance_grad``, ``<g, d> > -tolerance_change``,
    ``max|t d| <= tolerance_change``, ``|f - f_prev| < tolerance_change`` or after ``max_eval``
    function evaluations (default ``max_iter * 5 // 4``).

    ``closure()`` must re-evaluate the model, compute gradients and return the loss, as in
    PyTorch::

        def closure():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss
        optimizer.step(closure)          # returns the loss of the first evaluation

    State (one global dict, ``optimizer.state[params[0]]``, PyTorch's keys): ``func_evals``,
    ``n_iter`` (totals over all steps), ``d``, ``t``, ``old_dirs`` (the ``y``'s),
    ``old_stps`` (the ``s``'s), ``ro``, ``H_diag``, ``prev_flat_grad``, ``prev_loss``, ``al``.
    Vectors are flat numpy arrays over all parameters (in parameter order).

    Memory: the pairs live in two ``(history_size + 1) x n`` arrays allocated with
    ``np.zeros`` at the first iteration (pages are mapped by the OS as pairs fill them, so an
    unfilled history costs address space, not RAM), as PyTorch's ``param_bytes *
    (history_size + 1)`` per array.

    Differences from PyTorch: one dtype for all parameters (they share one flat buffer), bad
    hyperparameters (``max_iter``, ``history_size``, ``line_search_fn``, ...) are rejected at
    construction rather than at the first step.

    Args: ``lr=1``, ``max_iter=20``, ``max_eval=None``, ``tolerance_grad=1e-7``,
    ``tolerance_change=1e-9``, ``history_size=100``, ``line_search_fn=None`` or
    ``'strong_wolfe'``. Only one parameter group.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None and isinstance(max_iter, (int, np.integer)) \
                and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        # The base class's parallel kernels do not apply: LBFGS has its own serial kernels.
        super().__init__(params, defaults, parallel=False)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        flats = self._flats[0]
        if len(flats) != 1:
            raise TypeError("LBFGS: all parameters must have the same dtype, got "
                            f"{' and '.join(str(fb.dtype) for fb in flats)}")
        self._params = self.param_groups[0]["params"]
        self._fb = flats[0]
        self._history = None

    # ----- hyperparameters -----------------------------------------------------------------
    def _validate(self, group):
        check_range("learning rate", group["lr"])
        for name in ("max_iter", "max_eval", "history_size"):
            _check_count(name, group[name])
        check_range("tolerance_grad", group["tolerance_grad"])
        check_range("tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in LINE_SEARCH_FNS:
            raise ValueError(f"Invalid line_search_fn: {group['line_search_fn']!r} (must be "
                             "None or 'strong_wolfe')")

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # ----- flat vectors --------------------------------------------------------------------
    def _gather_flat_grad(self):
        """A new flat array of all gradients (zeros for parameters without one)."""
        fb = self._fb
        fb.sync()  # re-adopt rebound p._data / foreign p.grad into the flat buffers
        for p, gv in zip(fb.params, fb.grad_views):
            if p.grad is None:
                gv[...] = 0  # the view may hold a gradient from before zero_grad()
        return fb.grad.copy()

    def _add_grad(self, step_size, update):
        fb = self._fb
        fb.gather()
        fb.values += fb.dtype.type(step_size) * update
        fb.scatter()

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(_evaluate(closure))
        flat_grad = self._gather_flat_grad()
        self._fb.values[...] = x
        self._fb.scatter()
        return loss, flat_grad

    # ----- the step ------------------------------------------------------------------------
    @bumps_versions
    def step(self, closure=None):
        """Run up to ``max_iter`` L-BFGS iterations; return the loss of the first evaluation
        (the one at the parameters before the step), as PyTorch."""
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step(closure) needs a closure that re-evaluates the model, "
                            "calls backward() and returns the loss")
        group = self.param_groups[0]
        self._validate(group)  # param_groups may be edited between steps
        with no_grad():
            return self._step(closure, group)

    def _step(self, closure, group):
        kernels = _kernels()
        lr = float(group["lr"])
        max_iter = group["max_iter"]
        max_eval = group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        line_search_fn = group["line_search_fn"]
        history_size = group["history_size"]

        # LBFGS has only global state; it is kept under the first parameter, as PyTorch.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = _evaluate(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1

        flat_grad = self._gather_flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:
            return orig_loss

        d = state.get("d")
        t = state.get("t")
        old_dirs = state.get("old_dirs")
        old_stps = state.get("old_stps")
        ro = state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad = state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        history = None
        if state["n_iter"] > 0:
            history = self._pairs(old_dirs, old_stps, ro, history_size)
            old_dirs, old_stps, ro = history.old_dirs, history.old_stps, history.ro_list

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # ----- direction -----
            if state["n_iter"] == 1:
                d = -flat_grad
                history = self._pairs([], [], [], history_size)
                old_dirs, old_stps, ro = history.old_dirs, history.old_stps, history.ro_list
                H_diag = 1
            else:
                ys, yy = history.stage(kernels, flat_grad, prev_flat_grad, d, t)
                if ys > 1e-10:
                    history.commit(1.0 / ys)
                    H_diag = ys / yy
                al = state.get("al")
                if al is None or al.shape[0] < history_size or al.dtype != flat_grad.dtype:
                    al = state["al"] = np.zeros(history_size, flat_grad.dtype)
                d = np.empty_like(flat_grad)
                kernels.two_loop(flat_grad, history.dirs, history.stps, history.ro,
                                 np.asarray(history.rows, dtype=np.int64), len(history.rows),
                                 H_diag, al, d)

            if prev_flat_grad is None or prev_flat_grad.shape != flat_grad.shape:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # ----- step length -----
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr

            gtd = np.dot(flat_grad, d)  # directional derivative
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = self._fb.gather().copy()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # Not re-evaluated on the last iteration: in a stochastic setting the
                    # next step's first evaluation does it.
                    loss = float(_evaluate(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # ----- stopping conditions -----
            if n_iter == max_iter:
                break
            if current_evals >= max_eval:
                break
            if opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break  # lack of progress in x
            if abs(loss - prev_loss) < tolerance_change:
                break  # lack of progress in f

        state["d"] = d
        state["t"] = t
        state["old_dirs"] = old_dirs
        state["old_stps"] = old_stps
        state["ro"] = ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"] = prev_flat_grad
        state["prev_loss"] = prev_loss
        return orig_loss

    def _pairs(self, old_dirs, old_stps, ro, history_size):
        """The ring buffer holding the state's curvature pairs (rebuilt from the lists when
        they are not its own, e.g. after ``load_state_dict``)."""
        h = self._history
        if h is None or not h.owns(old_dirs, old_stps, ro, history_size):
            h = self._history = _PairHistory(self._fb.numel, history_size, self._fb.dtype)
            h.load(old_dirs or [], old_stps or [], ro or [])
        return h

    # ----- checkpoints ---------------------------------------------------------------------
    def state_dict(self):
        """As :meth:`Optimizer.state_dict`, with the pair lists copied too."""
        sd = super().state_dict()
        for st in sd["state"].values():
            for key in ("old_dirs", "old_stps"):
                if key in st:
                    st[key] = [np.array(a, copy=True) for a in st[key]]
            if "ro" in st:
                st["ro"] = [float(r) for r in st["ro"]]
        return sd

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and the global state saved by :meth:`state_dict`."""
        _state_dict.check_structure(self, state_dict)  # also refuses another class's
        groups = state_dict["param_groups"]
        if len(groups) != 1 or len(groups[0]["params"]) != len(self._params):
            raise ValueError("loaded state dict does not match this LBFGS's single parameter "
                             f"group of {len(self._params)} parameters")
        group = {k: v for k, v in groups[0].items() if k != "params"}
        self._validate({**self.param_groups[0], **group})
        saved = {int(k): v for k, v in state_dict["state"].items()}
        st = saved.get(int(groups[0]["params"][0]), {})
        n, dtype = self._fb.numel, self._fb.dtype
        fresh = {}
        for key, value in st.items():
            if key in ("old_dirs", "old_stps"):
                value = [_flat_copy(a, n, dtype, key) for a in value]
            elif key == "ro":
                value = [dtype.type(np.asarray(r).item()) for r in value]
            elif key in ("d", "prev_flat_grad"):
                value = None if value is None else _flat_copy(value, n, dtype, key)
            elif key == "al":
                value = np.array(value, dtype=dtype)
            elif key in ("func_evals", "n_iter"):
                value = int(np.asarray(value).item())
            elif isinstance(value, np.ndarray) and value.ndim == 0:
                value = value.item()
            fresh[key] = value
        self.param_groups[0].update(group)
        self.state.clear()
        self._history = None
        if fresh:
            self.state[self._params[0]] = fresh


class _PairHistory:
    """The L-BFGS curvature pairs in a ring of ``history_size + 1`` rows.

    ``old_dirs`` / ``old_stps`` (the ``y``'s and ``s``'s, oldest first) and ``ro_list`` are
    the lists kept in the optimizer state; their arrays are views of the rows listed in
    ``rows``. The extra row receives the next candidate pair before its ``<y, s>`` is known,
    so storing it (and dropping the oldest pair) copies nothing.
    """

    def __init__(self, n, capacity, dtype):
        self.capacity = capacity
        self.dirs = np.zeros((capacity + 1, n), dtype)
        self.stps = np.zeros((capacity + 1, n), dtype)
        self.ro = np.zeros(capacity + 1, dtype)
        self.dir_rows = list(self.dirs)  # fixed row views: identity marks our own arrays
        self.stp_rows = list(self.stps)
        self.rows = []
        self.free = list(range(capacity, -1, -1))
        self.staged = None
        self.old_dirs, self.old_stps, self.ro_list = [], [], []

    def owns(self, old_dirs, old_stps, ro, capacity):
        return (capacity == self.capacity and old_dirs is self.old_dirs
                and old_stps is self.old_stps and ro is self.ro_list
                and len(old_dirs) == len(self.rows)
                and all(a is self.dir_rows[r] for a, r in zip(old_dirs, self.rows)))

    def load(self, old_dirs, old_stps, ro):
        """Copy pairs from plain lists (the newest ``capacity`` of them)."""
        keep = len(old_dirs) - min(len(old_dirs), self.capacity)
        for y, s, r in zip(old_dirs[keep:], old_stps[keep:], ro[keep:]):
            row = self.free.pop()
            self.dirs[row] = y
            self.stps[row] = s
            self._append(row, r)

    def stage(self, kernels, g, prev_g, d, t):
        """Write ``y = g - prev_g``, ``s = t d`` into the spare row; return ``(<y,s>, <y,y>)``."""
        row = self.staged = self.free[-1]
        return kernels.curvature_pair(g, prev_g, d, t, self.dirs[row], self.stps[row])

    def commit(self, ro):
        """Keep the staged pair, dropping the oldest one when the history is full."""
        row = self.free.pop()
        assert row == self.staged
        if len(self.rows) >= self.capacity:
            self.free.append(self.rows.pop(0))
            self.old_dirs.pop(0)
            self.old_stps.pop(0)
            self.ro_list.pop(0)
        self._append(row, ro)

    def _append(self, row, ro):
        self.rows.append(row)
        self.old_dirs.append(self.dir_rows[row])
        self.old_stps.append(self.stp_rows[row])
        self.ro[row] = ro
        self.ro_list.append(self.ro.dtype.type(ro))


def _evaluate(closure):
    # The closure always records a graph (it calls backward), even though step() does not.
    with enable_grad():
        return closure()


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Invalid {name}: {value!r} (must be an int >= 1)")


def _flat_copy(value, n, dtype, key):
    arr = np.array(getattr(value, "data", value), dtype=dtype).reshape(-1)
    if arr.shape[0] != n:
        raise ValueError(f"LBFGS state {key!r} has {arr.shape[0]} elements, expected {n} "
                         "(the parameters' total size)")
    return arr
