"""Process-wide settings with PyTorch's names that scripts set or probe: print options,
deterministic algorithms, thread counts, and ``compile``. Exported through
:mod:`minigrad.ops.introspection`.

What each one does in minigrad (stated in the docstrings too):

* ``set_printoptions`` stores the options in :data:`PRINT_OPTS`; ``Tensor.__repr__`` honours
  them through :func:`repr_kwargs`.
* ``use_deterministic_algorithms`` stores a flag: minigrad's CPU ops are deterministic
  already, so it changes nothing.
* ``set_num_threads`` limits the BLAS library's threads (numpy's matmuls, the bulk of
  minigrad's forward and backward work, via threadpoolctl when installed) and, once numba's
  threading layer is running, numba's threads for the calling thread (the optimizer kernels).
* ``compile`` returns the model or function unchanged.
"""
import math
import os
import sys

__all__ = [
    "set_printoptions", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
    "get_deterministic_debug_mode", "get_num_threads", "set_num_threads",
    "get_num_interop_threads", "set_num_interop_threads", "compile",
]

# ----- print options ------------------------------------------------------------------------
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

#: The current print options, PyTorch's names and defaults (``torch._tensor_str.PRINT_OPTS``).
PRINT_OPTS = dict(_PROFILES["default"], sci_mode=None)


def _check_count(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or value < minimum:
        raise ValueError(f"set_printoptions(): {name} must be a number >= {minimum}, got "
                         f"{value!r}")
    if name != "threshold" and value != int(value):
        raise ValueError(f"set_printoptions(): {name} must be an integer, got {value!r}")


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print, as PyTorch's: ``precision`` (digits after the point, default 4),
    ``threshold`` (more elements than this are summarised, default 1000), ``edgeitems`` (items
    kept at each end of a summarised dim, default 3), ``linewidth`` (default 80), ``profile``
    (``"default"``, ``"short"`` or ``"full"``, applied first) and ``sci_mode`` (True: always
    scientific notation, False: never, None: numpy's choice). As in PyTorch, ``sci_mode`` is
    reset by every call that does not give it. Nothing changes if an argument is invalid.

    Departure: the layout of the numbers is numpy's (``array2string``), close to but not
    always the same as PyTorch's."""
    new = dict(PRINT_OPTS)
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions(): profile must be one of "
                             f"{', '.join(map(repr, _PROFILES))}, got {profile!r}")
        new.update(_PROFILES[profile])
    for name, value, minimum in (("precision", precision, 0), ("threshold", threshold, 0),
                                 ("edgeitems", edgeitems, 0), ("linewidth", linewidth, 1)):
        if value is not None:
            _check_count(value, name, minimum)
            new[name] = value if name == "threshold" else int(value)
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise TypeError(f"set_printoptions(): sci_mode must be True, False or None, got "
                        f"{sci_mode!r}")
    new["sci_mode"] = sci_mode
    PRINT_OPTS.update(new)


def repr_kwargs():
    """Keyword arguments for ``numpy.array2string`` that apply :data:`PRINT_OPTS`. With the
    default options only ``precision=4``, so the repr stays what it was before print options
    existed (numpy's own threshold, edgeitems and line width)."""
    o = PRINT_OPTS
    kw = {"precision": o["precision"]}
    if o["threshold"] != 1000:
        kw["threshold"] = sys.maxsize if o["threshold"] == math.inf else int(o["threshold"])
    if o["edgeitems"] != 3:
        kw["edgeitems"] = o["edgeitems"]
    if o["linewidth"] != 80:
        kw["max_line_width"] = o["linewidth"]
    if o["sci_mode"] is False:
        kw["suppress_small"] = True
    elif o["sci_mode"] is True:
        p = o["precision"]
        kw["formatter"] = {"float_kind": lambda v: f"{v:.{p}e}"}
    return kw


# ----- determinism ----------------------------------------------------------------------------
_DETERMINISM = {"enabled": False, "warn_only": False}
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms, as PyTorch's. minigrad's CPU ops are deterministic
    (the same inputs and seed give the same bits on every run: no atomics, fixed reduction
    orders, per-element optimizer kernels), so the flag is only stored and reported by
    :func:`are_deterministic_algorithms_enabled`."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not "
                        f"{type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'warn_only' must be bool, "
                        f"not {type(warn_only).__name__}")
    _DETERMINISM.update(enabled=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled():
    """Whether :func:`use_deterministic_algorithms` was last called with True."""
    return _DETERMINISM["enabled"]


def is_deterministic_algorithms_warn_only_enabled():
    """Whether :func:`use_deterministic_algorithms` was last called with ``warn_only=True``."""
    return _DETERMINISM["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    """``"default"``/0 (off), ``"warn"``/1 or ``"error"``/2, as PyTorch's: sets the flags of
    :func:`use_deterministic_algorithms` (which change nothing in minigrad)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"set_deterministic_debug_mode(): invalid mode {debug_mode!r}; "
                               "expected 'default', 'warn' or 'error'")
        debug_mode = _DEBUG_MODES[debug_mode]
    if isinstance(debug_mode, bool) or not isinstance(debug_mode, int):
        raise TypeError(f"set_deterministic_debug_mode(): debug_mode must be str or int, got "
                        f"{type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"set_deterministic_debug_mode(): invalid mode {debug_mode}; "
                           "expected 0, 1 or 2")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    """0 (off), 1 (warn) or 2 (error), from the flags of
    :func:`use_deterministic_algorithms`."""
    if not _DETERMINISM["enabled"]:
        return 0
    return 1 if _DETERMINISM["warn_only"] else 2


# ----- threads -------------------------------------------------------------------------------
_THREADS = {"intra": None, "interop": None}


def _positive_int(n, name):
    if isinstance(n, bool) or not hasattr(type(n), "__index__") or n.__index__() < 1:
        raise ValueError(f"{name}(): expects a positive integer, got {n!r}")
    return n.__index__()


def _numba_running():
    """numba's parallel module, if its threading layer has been started, else None. Starting
    it here would bypass the OpenMP configuration of :mod:`minigrad.optim._threading`."""
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    if parallel is not None and getattr(parallel, "_is_initialized", False):
        return parallel
    return None


def _default_threads():
    # numba's own default (NUMBA_NUM_THREADS, else the CPUs this process may run on).
    env = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def get_num_threads():
    """The number of threads minigrad's parallel work uses: the value given to
    :func:`set_num_threads`, else numba's thread count (``NUMBA_NUM_THREADS``, or the CPUs
    this process may run on), as PyTorch's intra-op thread count."""
    if _THREADS["intra"] is not None:
        return _THREADS["intra"]
    if _numba_running() is not None:
        import numba
        return numba.get_num_threads()
    return _default_threads()


def set_num_threads(int):  # noqa: A002  (PyTorch's argument name)
    """Use ``int`` threads for parallel work, as PyTorch's ``set_num_threads``. In minigrad
    that is (1) the BLAS library behind numpy's matmuls (all threads, process-wide, through
    ``threadpoolctl`` when it is installed; without it BLAS keeps its own count, set by
    ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` before start-up), and (2) numba's threads
    for the optimizer kernels, capped at ``NUMBA_NUM_THREADS``: applied to the calling thread
    (numba's counts are per thread) if numba's threading layer is running; set before the
    first optimizer step, it is only remembered (reported by :func:`get_num_threads`), since
    starting numba here would skip minigrad's OpenMP set-up."""
    n = _positive_int(int, "set_num_threads")
    try:
        import threadpoolctl
    except ImportError:
        threadpoolctl = None
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(limits=n, user_api="blas")
    if _numba_running() is not None:
        import numba
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    _THREADS["intra"] = n


def get_num_interop_threads():
    """The number of threads for running independent ops concurrently: 1 unless set, since
    minigrad runs the ops of a graph one after the other in the calling thread."""
    return _THREADS["interop"] if _THREADS["interop"] is not None else 1


def set_num_interop_threads(int):  # noqa: A002  (PyTorch's argument name)
    """Store the inter-op thread count (reported by :func:`get_num_interop_threads`); it
    changes nothing, minigrad has no inter-op thread pool."""
    _THREADS["interop"] = _positive_int(int, "set_num_interop_threads")


# ----- compile ----------------------------------------------------------------------------------
def compile(model=None, *, fullgraph=False, dynamic=None,  # noqa: A001  (PyTorch's name)
            backend="inductor", mode=None, options=None, name=None, disable=False,
            recompile_limit=None, isolate_recompiles=False, shapes_spec=None):
    """Return ``model`` (a module or function) unchanged: minigrad has no compiler, and the
    uncompiled model computes the same numbers. Without ``model`` it returns a decorator, as
    PyTorch's (``@compile`` and ``@compile(mode=...)`` both work). The other arguments are
    accepted and ignored, after PyTorch's checks (``mode`` and ``options`` exclude each
    other). Departure: PyTorch wraps the model (an ``OptimizedModule`` for modules); here
    ``compile(m) is m``."""
    if mode is not None and options is not None:
        raise RuntimeError("compile(): either mode or options can be specified, but both can't "
                           "be specified at the same time")
    if model is None:
        def decorate(m):
            return compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return decorate
    if not callable(model):
        raise TypeError(f"compile(): model must be callable (a Module or a function), got "
                        f"{type(model).__name__}")
    return model
