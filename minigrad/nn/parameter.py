"""``Parameter``: a Tensor that a Module registers as trainable."""
import numpy as np

from .._default_dtype import get_default_dtype
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and that :class:`Module` collects in
    ``parameters()`` when assigned as an attribute.

    ``Parameter(tensor)`` shares ``tensor``'s data (no copy), as in PyTorch; a numpy array
    is used as is when it already has a float dtype; other data (lists, numbers) is
    converted with minigrad's default dtypes (float32).
    """

    # Tensor declares __slots__; an empty tuple here keeps Parameter free of a __dict__.
    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=get_default_dtype())
        elif isinstance(data, Tensor):
            data = data._data
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce__(self):
        return (Parameter, (self._data, self.requires_grad))
