"""How minigrad configures numba's OpenMP threads, and why.

The problem (measured on the 2-core development machine, see ``benchmarks/bench_full_step.py``
and ``docs/optim.md``): after a ``prange`` kernel, GNU OpenMP's worker threads keep spinning
(busy-waiting for the next parallel region, up to ``GOMP_SPINCOUNT`` iterations, ~0.1-1 s under
``OMP_WAIT_POLICY=active``). The forward and backward passes that follow run numpy matmuls on
OpenBLAS's own threads, which then fight the spinning OpenMP workers for the same cores: a
784-256-128-10 MLP step became several times slower with the parallel Adam kernel than with the
serial one. The reverse happens too: OpenBLAS threads still spinning after a matmul delay the
OpenMP workers of the next kernel.

The choice: when numba's threading layer is first started (at the first ``step()``), if the
user has not configured OpenMP or numba's layer themselves, minigrad starts it with
``OMP_WAIT_POLICY=passive``: idle OpenMP workers sleep at once instead of spinning. A parallel
launch then costs a futex wake-up (~10-30 us, measured), which the per-algorithm size threshold
(:mod:`._config`) accounts for; in exchange the rest of the training step keeps its cores. The
variable is set only while numba loads its OpenMP pool (GNU OpenMP reads its environment once,
when the library is loaded) and then removed again, so child processes and OpenMP runtimes loaded
later (torch ships its own) see the user's environment unchanged.

Rejected alternatives (numbers in docs/optim.md): numba's ``workqueue`` layer also never spins,
but each launch costs ~50-70 us, it is slower than OpenMP on large kernels here, and it aborts
the process when two threads launch kernels at once (numba #8563, #10565); a process-wide
passive policy for *all* OpenMP runtimes would slow other OpenMP users.

Left alone (the user's choice wins): any of ``OMP_WAIT_POLICY``, ``GOMP_SPINCOUNT``,
``NUMBA_THREADING_LAYER`` set in the environment, a threading layer that numba has already
started (someone launched a parallel kernel before us), or ``MINIGRAD_OMP_CONFIG=none``.
``MINIGRAD_OMP_CONFIG`` also accepts ``passive`` (the default) and ``spin:N`` (a spin count).

Thread safety: the default OpenMP layer accepts concurrent launches from several Python threads
(each gets its own team); under the ``workqueue`` layer concurrent launches are not supported.
``NUMBA_NUM_THREADS`` is honoured (numba reads it itself).
"""
import os
import warnings

_USER_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "NUMBA_THREADING_LAYER")

#: What :func:`configure_openmp` did, for ``threading_info()`` and the benchmarks.
status = {"configured": False, "reason": "not started"}


def _requested():
    mode = os.environ.get("MINIGRAD_OMP_CONFIG", "passive").strip().lower()
    if mode in ("", "passive"):
        return {"OMP_WAIT_POLICY": "passive"}
    if mode in ("none", "0", "off"):
        return None
    if mode.startswith("spin:"):
        return {"GOMP_SPINCOUNT": str(int(mode.split(":", 1)[1]))}
    raise ValueError(f"MINIGRAD_OMP_CONFIG must be 'passive', 'spin:N' or 'none', got {mode!r}")


def configure_openmp():
    """Start numba's threading layer with a non-spinning OpenMP, unless the user decided.

    Idempotent; returns the :data:`status` dict. Called when :mod:`.kernels` is imported, i.e.
    at the first optimizer step, never at ``import minigrad``.
    """
    if status["configured"] or status["reason"] != "not started":
        return status
    from numba.np.ufunc import parallel

    user = [k for k in _USER_VARIABLES if os.environ.get(k)]
    wanted = _requested()
    if getattr(parallel, "_is_initialized", False):
        status["reason"] = "numba's threading layer was already started; left as it is"
        return status
    if user:
        status["reason"] = f"user settings kept: {', '.join(user)}"
        return status
    if wanted is None:
        status["reason"] = "MINIGRAD_OMP_CONFIG=none"
        return status
    if _libgomp_loaded():
        # Typically torch, whose wheel ships a libgomp.so.1 that numba then shares. Its workers
        # spin after every parallel region; measured here, numba's prange kernels then stalled
        # for ~8 ms per launch. We cannot change a loaded runtime's policy, so say so once.
        status["reason"] = ("GNU OpenMP was already loaded by another library (e.g. torch), so "
                            "it has read its environment; left as it is")
        status["warning"] = (
            "minigrad.optim: GNU OpenMP was loaded (e.g. by torch) before minigrad could start "
            "it with OMP_WAIT_POLICY=passive; parallel optimizer kernels may stall behind "
            "spinning OpenMP threads. Set OMP_WAIT_POLICY=passive before starting Python, or "
            "MINIGRAD_PARALLEL=0, or step a minigrad optimizer before importing torch.")
        return status
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        parallel._launch_threads()  # loads the OpenMP pool, which reads the variables now
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    status.update(configured=True, reason="set while starting numba's OpenMP pool",
                  settings=wanted)
    _apply_requested_threads()
    return status


def _apply_requested_threads():
    """A ``minigrad.set_num_threads(n)`` made before numba started is only remembered (starting
    numba there would skip the set-up above): apply it now that the pool runs."""
    from ..ops.introspection_runtime import _THREADS
    if _THREADS["intra"] is not None:
        import numba
        numba.set_num_threads(min(_THREADS["intra"], numba.config.NUMBA_NUM_THREADS))


def warn_once_before_parallel_launch():
    """Called by ``Optimizer.step`` before it launches a parallel kernel: emits the pending
    warning, if OpenMP could not be configured, once per process."""
    message = status.pop("warning", None)
    if message:
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _libgomp_loaded():
    # The shared GNU OpenMP (soname libgomp.so.1) that numba's OpenMP pool links against. Wheels
    # that bundle a private copy (torch: libgomp-<hash>.so.1) do not count: that copy is a
    # separate runtime which reads its own environment.
    try:
        with open("/proc/self/maps") as f:
            return any(os.path.basename(line.split()[-1]).startswith("libgomp.so")
                       for line in f if "libgomp" in line)
    except OSError:  # not Linux: cannot tell, assume not
        return False


def threading_info():
    """A dict describing numba's threading layer and what minigrad configured."""
    info = dict(status)
    try:
        import numba
        info["layer"] = numba.threading_layer()
        info["num_threads"] = numba.get_num_threads()
    except (ImportError, ValueError):  # layer not started yet
        info["layer"] = None
    return info
