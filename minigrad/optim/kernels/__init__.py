"""Fused Numba kernels: one pass over flat, contiguous 1-D buffers per optimizer update.

The kernels live in one module per family: :mod:`.sgd_family` (SGD, Adagrad, Adadelta, RMSprop,
Rprop, ASGD), :mod:`.adam_family` (Adam/AdamW, Adamax, NAdam, RAdam, Lion),
:mod:`.schedule_free` (SGD/AdamW schedule-free and their train/eval switch), :mod:`.prodigy`
(a reduction pass, then the update pass), :mod:`.matrix` (Muon and Adafactor: per-tensor
kernels around numpy's matrix work), :mod:`.averaging` (swa_utils, bandwidth yardsticks);
:mod:`._common` holds the decorators and inlined helpers.

Every elementwise algorithm has exactly one *element rule* (``_<name>_elem``, inlined at Numba-IR level)
and two loops over it that differ only in ``range`` vs ``prange``:

* ``<name>_serial``   -- ``@njit``, for small buffers where waking threads costs more than it saves;
* ``<name>_parallel`` -- ``@njit(parallel=True)`` with ``prange`` over the elements.

The element rule is written once, so the two variants cannot drift apart. The two loops are two
Python functions, not one function given to ``njit`` twice: numba's cache keys an entry by the
function and its signature, not by ``parallel``, and with ``cache=True`` a ``parallel=True``
dispatcher of the same function loaded the serial one's cached code and ran serially (checked
with numba 0.68: one cache file, a cache hit on the first parallel call). The formulas, operation
for operation, are those of :mod:`minigrad.optim.reference` (which follow PyTorch's single-tensor
implementations): IEEE ``+ - * / sqrt`` are exactly rounded and no fastmath flag is set, so a kernel
reproduces the numpy reference bit for bit.

Hygiene (each item cost a measured slowdown or a wrong answer in the prototypes):

* ``error_model="numpy"``: Python's error model checks every division for zero and made serial
  Adam 6-7x slower; numpy's gives IEEE inf/nan instead, which is what the reference does too.
* No ``fastmath``: it lets LLVM fold ``isnan`` and reassociate, breaking NaN propagation and the
  bit-exact agreement with the reference.
* Scalars are passed in the arrays' dtype (a Python float would make a float32 loop compute in
  float64: 1.5-3x slower and different results), packed in one small array ``hp`` whose order is
  given by each kernel's first lines. One array argument instead of ten scalars cuts Numba's
  dispatch cost from ~4.5 us to ~1.5 us per call (measured), which dominates small models.
* Boolean options are runtime arguments, not compile-time specialisations, so each kernel compiles
  once per dtype (float32, float64) and never again. Options that guard an optional buffer's
  load/store select one of a few loop copies *outside* the element loop (see below).
* ``np.sqrt`` rather than ``math.sqrt``: identical machine code under Numba, and with
  ``NUMBA_DISABLE_JIT=1`` it keeps float32 scalars float32 (``math.sqrt`` returns a Python float,
  which would round twice and break the bit-exact comparison with the reference).
* Cached on disk (:func:`.._jit.kernel_jit`, in a per-user folder, never beside these files):
  the first compile of a parallel kernel costs ~0.7 s; later processes load it.

* ``nogil=True``: other Python threads (a data loader) keep running during a step.

Importing this module imports numba and starts its threading layer with minigrad's OpenMP
configuration (:mod:`._threading`), but compiles nothing; :mod:`minigrad.optim` therefore imports
it lazily, at the first ``step()``.
"""
from . import adam_family, averaging, matrix, prodigy, schedule_free, sgd_family
from .averaging import axpy_parallel, axpy_serial, triad_parallel

_FAMILIES = (sgd_family, adam_family, schedule_free, averaging, matrix, prodigy)


def _pair(name):
    for module in _FAMILIES:
        serial = getattr(module, name + "_serial", None)
        if serial is not None:
            return serial, getattr(module, name + "_parallel")
    raise KeyError(name)


#: name -> (serial kernel, parallel kernel); the optimizer classes look kernels up here. Kernels
#: that are not a whole update (Muon's two passes, ...) are listed under their own names.
KERNELS = {name: _pair(name) for name in (
    "sgd", "adagrad", "adadelta", "rmsprop", "rprop", "asgd",
    "adam", "adamax", "nadam", "radam", "lion",
    "schedule_free", "lerp_to", "average",
    "muon_momentum", "muon_apply", "adafactor_sums", "adafactor_factored_sumsq",
    "adafactor_factored_apply", "adafactor_vector", "adafactor_vector_apply",
    "prodigy_accumulate", "prodigy_apply",
)}
# The optimizers' entries (``Optimizer._kernel``, also the keys of the parallel thresholds)
# for the algorithms made of several kernels: the first pass, which decides serial/parallel.
KERNELS.update(muon=KERNELS["muon_momentum"], adafactor=KERNELS["adafactor_sums"],
               prodigy=KERNELS["prodigy_accumulate"])

__all__ = ["KERNELS", "axpy_parallel", "axpy_serial", "triad_parallel"]
