"""Method forms of :mod:`minigrad.ops.scatter`: a mixin of :class:`minigrad.Tensor`."""

_ops = None


def bind_ops():
    """Import the op module once ``Tensor`` exists (it imports it)."""
    global _ops
    from .ops import scatter as _ops


class TensorScatterMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.scatter`."""

    __slots__ = ()
