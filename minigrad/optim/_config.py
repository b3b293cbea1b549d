"""When to use the parallel (``prange``) kernel instead of the serial one.

A ``prange`` launch wakes the OpenMP worker threads (a few microseconds) and, on a busy machine,
can stall behind a neighbour for milliseconds; a serial fused loop does not. Below a size the
launch costs more than the parallelism saves. Defaults below were measured on the 2-core
development machine with ``benchmarks/bench_optim.py`` (fused kernels over one flat float32 array;
see ``benchmarks/results/optim.txt``): the crossover is around 1e4 elements for the
compute-heavier rules (Adam & co.) and around 3e4 for the light ones (SGD, Adagrad).

Override, from most to least specific:

* constructor arguments ``parallel=False`` / ``parallel_threshold=N`` of any optimizer;
* environment variable ``MINIGRAD_PARALLEL=0`` (serial kernels only) and
  ``MINIGRAD_PARALLEL_THRESHOLD=N`` (read when the optimizer is created).
"""
import os

#: Smallest run length (elements) that uses the parallel kernel, per algorithm.
DEFAULT_THRESHOLDS = {
    "sgd": 32768,
    "adagrad": 32768,
    "adadelta": 16384,
    "rmsprop": 16384,
    "adam": 16384,
    "adamax": 16384,
    "nadam": 16384,
}

NEVER = float("inf")


def _env_flag(name):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip().lower() not in ("0", "false", "no", "off")


def resolve_threshold(kernel_name, parallel=None, parallel_threshold=None):
    """The run length from which ``kernel_name``'s parallel kernel is used (inf = never).

    ``parallel``: True/False, or None to read ``MINIGRAD_PARALLEL`` (default on).
    ``parallel_threshold``: an int >= 0, or None to read ``MINIGRAD_PARALLEL_THRESHOLD``
    (default: :data:`DEFAULT_THRESHOLDS`).
    """
    if parallel is None:
        parallel = _env_flag("MINIGRAD_PARALLEL")
        parallel = True if parallel is None else parallel
    if not parallel:
        return NEVER
    if parallel_threshold is None:
        env = os.environ.get("MINIGRAD_PARALLEL_THRESHOLD", "").strip()
        if env:
            try:
                parallel_threshold = int(float(env))
            except ValueError:
                raise ValueError(
                    f"MINIGRAD_PARALLEL_THRESHOLD must be a non-negative integer, got {env!r}"
                ) from None
        else:
            return DEFAULT_THRESHOLDS[kernel_name]
    if parallel_threshold < 0:
        raise ValueError(
            f"Invalid parallel_threshold: {parallel_threshold} (must be >= 0 elements)")
    return parallel_threshold
