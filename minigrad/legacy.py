"""PyTorch's legacy API, still common in course material: the typed constructors
(``FloatTensor(2, 3)``, ``LongTensor([1, 2])``) and ``autograd.Variable``."""
import numpy as np

from ._tensor_compat import LEGACY_TYPE_NAMES


class _LegacyTensorType(type):
    """Metaclass of the typed constructors: calling one makes a :class:`minigrad.Tensor`, and
    ``isinstance(t, FloatTensor)`` is true for a float32 tensor, as in PyTorch."""

    def __call__(cls, *args, device=None):
        from ._tensor_compat import constructor_array
        from .tensor import Tensor
        if len(args) == 1 and isinstance(args[0], Tensor) and args[0].dtype != cls._legacy_dtype:
            raise TypeError(f"{cls.__name__}(tensor): expected a tensor of dtype "
                            f"{cls._legacy_dtype}, got {args[0].dtype} (convert it with "
                            f".to() or .type())")
        array, counter = constructor_array(args, cls._legacy_dtype, device)
        t = Tensor._wrap(array)
        t._vc = counter
        return t

    def __instancecheck__(cls, obj):
        from .tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype == cls._legacy_dtype

    def __repr__(cls):
        return f"<class 'minigrad.{cls.__name__}'>"


def _legacy_class(dtype, name):
    doc = (f"``{name}(*sizes)`` (zeros) or ``{name}(data)``: a {np.dtype(dtype)} tensor, as "
           f"PyTorch's legacy ``torch.{name}``.")
    return _LegacyTensorType(name, (), {"_legacy_dtype": np.dtype(dtype), "__doc__": doc,
                                        "dtype": np.dtype(dtype)})


_CLASSES = {name: _legacy_class(dt, name) for dt, name in LEGACY_TYPE_NAMES.items()}
FloatTensor = _CLASSES["FloatTensor"]
DoubleTensor = _CLASSES["DoubleTensor"]
HalfTensor = _CLASSES["HalfTensor"]
LongTensor = _CLASSES["LongTensor"]
IntTensor = _CLASSES["IntTensor"]
ShortTensor = _CLASSES["ShortTensor"]
CharTensor = _CLASSES["CharTensor"]
ByteTensor = _CLASSES["ByteTensor"]
BoolTensor = _CLASSES["BoolTensor"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from .tensor import Tensor
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)``, as PyTorch's deprecated wrapper: returns a
    new leaf Tensor sharing ``tensor``'s memory, cut from any graph, with the given
    ``requires_grad``. Every tensor is an instance of ``Variable``."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        from .tensor import Tensor
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
