"""When to use the parallel (``prange``) kernel instead of the serial one.

A ``prange`` launch wakes the OpenMP worker threads and, on a busy machine, can stall behind a
neighbour for milliseconds; a serial fused loop does neither. minigrad starts OpenMP with a
passive wait policy (see :mod:`._threading`), so in a training loop every launch pays a wake-up
of ~15-25 us (measured here), and below a size that costs more than the second core saves.
Defaults below were measured on the 2-core development machine with
``benchmarks/bench_optim.py --crossover`` (fused kernels over one flat float32 array, passive
OpenMP; see ``benchmarks/results/optim.txt``): parallel Adam catches up with serial Adam at
about 1e5 elements, the lighter SGD/Adagrad updates at about 2e5. Above ~1e6 elements both are
bounded by memory bandwidth, which two cores share, so the parallel gain stays modest (~1.2-1.8x).

Override, from most to least specific:

* constructor arguments ``parallel=False`` / ``parallel_threshold=N`` of any optimizer;
* environment variable ``MINIGRAD_PARALLEL=0`` (serial kernels only) and
  ``MINIGRAD_PARALLEL_THRESHOLD=N`` (read when the optimizer is created).
"""
import os

#: Smallest run length (elements) that uses the parallel kernel, per algorithm.
DEFAULT_THRESHOLDS = {
    "sgd": 262144,
    "adagrad": 262144,
    "rmsprop": 262144,
    "adadelta": 131072,
    "adam": 131072,
    "adamax": 131072,
    "nadam": 131072,
    # Measured for the algorithms above; the newer ones use the threshold of the closest
    # access pattern (bytes moved per element) until measured with --crossover.
    "rprop": 131072,
    "asgd": 262144,
    "radam": 131072,
    "lion": 262144,
    "schedule_free": 131072,
    "adafactor": 131072,
    "muon": 131072,
    "prodigy": 131072,
    "average": 262144,  # swa_utils.AveragedModel: read two, write one, as SGD
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
