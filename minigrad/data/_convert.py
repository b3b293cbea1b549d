"""Small conversions between minigrad Tensors and numpy arrays used by minigrad.data.

``minigrad`` is imported inside the functions, not at module level, because the
package's ``__init__`` imports ``minigrad.data`` while it is still being initialised.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def is_tensor(x: Any) -> bool:
    try:
        from minigrad import Tensor
    except ImportError:
        return False
    return isinstance(x, Tensor)


def to_array(x: Any) -> np.ndarray:
    """The numpy array behind a Tensor, an array itself, or ``np.asarray(x)``."""
    if is_tensor(x):
        return x._data
    return np.asarray(x)


def to_tensor(arr: np.ndarray) -> Any:
    """Wrap a new array in a leaf Tensor (requires_grad=False), keeping its dtype."""
    from minigrad import Tensor

    # Tensor(arr) wraps without copying (minigrad.tensor would copy); every caller
    # passes a freshly made array (fancy indexing and np.stack copy already).
    return Tensor(arr)
