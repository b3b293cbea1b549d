"""Method forms of :mod:`minigrad.ops.math_more`: a mixin of :class:`minigrad.Tensor`."""

_ops = None


def bind_ops():
    """Import the op module once ``Tensor`` exists (it imports it)."""
    global _ops
    from .ops import math_more as _ops


class TensorMathMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.math_more`."""

    __slots__ = ()
