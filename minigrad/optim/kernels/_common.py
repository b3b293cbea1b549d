"""What every kernel module shares: numba options, the serial/parallel decorators, inlined
helpers (NaN-propagating max, torch's lerp). Importing it imports numba and configures OpenMP
(see :mod:`minigrad.optim._threading`); it compiles nothing.

Keep the helpers in this folder: numba's own cache check looks only at the file that defines a
kernel, not at helpers inlined from other files (seen here: a fixed helper, and the kernels kept
running the old one from the cache), and :func:`minigrad.optim._jit.kernel_jit` keys the cache
on every ``.py`` file in the kernel's folder, which covers this one.
"""
import numpy as np

from numba import njit

from .._jit import kernel_jit
from .._threading import configure_openmp

# Must run before numba's OpenMP pool is first loaded (the first parallel launch): GNU OpenMP
# reads its environment only once, when it is loaded. See _threading for the why.
configure_openmp()

_OPTS = dict(error_model="numpy", nogil=True)


def serial(fn):
    """``@njit`` with the kernels' options (numpy error model, nogil), cached on disk in the
    per-user folder of :func:`minigrad.optim._jit.kernel_jit`."""
    return kernel_jit(**_OPTS)(fn)


def parallel(fn):
    """``@njit(parallel=True)`` with the kernels' options, cached as :func:`serial`."""
    return kernel_jit(parallel=True, **_OPTS)(fn)


inline = njit(inline="always", error_model="numpy")


@inline
def nan_max(a, b):
    """max(a, b) that propagates NaN from either side, like np.maximum / torch.maximum."""
    return b if (b > a or b != b) else a


@inline
def lerp(start, end, weight):
    """``torch.lerp``'s formula, term for term: ``start + w*(end - start)`` for ``|w| < 0.5``,
    else ``end - (end - start)*(1 - w)`` (exact at ``w = 1``). The 1 is ``|sign(w)|``: a literal
    would be an int64, and float32 op int64 is float64 in numba (the result would change)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (abs(np.sign(weight)) - weight)


# Writing style that keeps the loops vectorizable: a flag that only *chooses a value* is a select
# (``x if flag else y``, both sides computed); a flag that guards a *load or store* of an optional
# buffer is hoisted into its own loop. ``maximize`` is a multiplication by ``sign`` = -1 or +1 and
# AdamW's decay a multiplication by ``decay_factor`` (1 when off): both exact, so bit-identical
# to the reference's ``-g`` and untouched ``p``. A branch with a store inside the loop stopped LLVM
# from vectorizing serial Adam (7x slower, measured). Never mix a float32 value with an integer
# literal (``x - x + 1``): numba types the result float64.
