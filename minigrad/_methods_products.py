"""Method forms of :mod:`minigrad.ops.products_more`: a mixin of :class:`minigrad.Tensor`."""

_ops = None


def bind_ops():
    """Import the op module once ``Tensor`` exists (it imports it)."""
    global _ops
    from .ops import products_more as _ops


class TensorProductMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.products_more`."""

    __slots__ = ()
