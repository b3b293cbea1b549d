"""Method forms of :mod:`minigrad.ops.decompositions`: a mixin of :class:`minigrad.Tensor`."""

_ops = None


def bind_ops():
    """Import the op module once ``Tensor`` exists (it imports it)."""
    global _ops
    from .ops import decompositions as _ops


class TensorDecompositionMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.decompositions`."""

    __slots__ = ()
