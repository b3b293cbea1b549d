"""Keep freed array memory in the process heap instead of returning it to the OS.

glibc serves allocations above ``M_MMAP_THRESHOLD`` (128 KiB at first) with fresh ``mmap``
pages and trims the heap on ``free``; every new gradient buffer then page-faults on first
touch. On this project's benchmark machine a 256x256 float32 multiply's forward+backward
took 620 us with 224 page faults per step and 77 us with none once both thresholds were
raised (see README, "Memory allocation"). Autodiff allocates and frees same-sized arrays
every step, so keeping them is the right trade: resident memory stays at the peak of a step.

Applied once at ``import minigrad`` on Linux with glibc, unless the user set
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` themselves (their choice wins) or set
``MINIGRAD_MALLOC_TUNING=0``.
"""
import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024   # glibc's maximum on 64-bit
TRIM_THRESHOLD = 256 * 1024 * 1024

applied = False


def tune_malloc():
    """Raise glibc's mmap and trim thresholds; returns True if it did."""
    global applied
    if applied or not sys.platform.startswith("linux"):
        return applied
    if os.environ.get("MINIGRAD_MALLOC_TUNING", "1") == "0":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False
    applied = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return applied
