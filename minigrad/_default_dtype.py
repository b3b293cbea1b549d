"""The default float dtype (``get_default_dtype``/``set_default_dtype``), as PyTorch's: the
dtype of float tensors made from Python numbers, of ``zeros``/``rand``/... without ``dtype=``
and of new layers' parameters."""
import numpy as np

from . import tensor as _tensor

_ALLOWED = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def get_default_dtype():
    """The current default float dtype (float32 unless changed)."""
    return _tensor._DEFAULT_FLOAT


def set_default_dtype(d):
    """Make ``d`` (float16, float32 or float64) the default float dtype."""
    dt = _tensor._resolve_dtype(d)
    if dt not in _ALLOWED:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the "
                        f"default type (float16, float32, float64), got {dt}")
    _tensor._DEFAULT_FLOAT = dt
