"""Method forms of :mod:`minigrad.ops.statistics`: a mixin of :class:`minigrad.Tensor`."""

_ops = None


def bind_ops():
    """Import the op module once ``Tensor`` exists (it imports it)."""
    global _ops
    from .ops import statistics as _ops


class TensorStatsMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.statistics`."""

    __slots__ = ()
