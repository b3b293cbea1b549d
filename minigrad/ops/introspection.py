"""Type and layout introspection with PyTorch's names: finfo, iinfo, is_tensor, numel, stride, element sizes, dtype casts."""

__all__ = []
