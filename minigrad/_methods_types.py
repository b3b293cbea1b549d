"""Method forms of :mod:`minigrad.ops.introspection`: a mixin of :class:`minigrad.Tensor`."""

_ops = None


def bind_ops():
    """Import the op module once ``Tensor`` exists (it imports it)."""
    global _ops
    from .ops import introspection as _ops


class TensorTypeMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.introspection`."""

    __slots__ = ()
