"""Order statistics and counting with PyTorch's names: unique, median, mode, kthvalue, quantile, cummax, bincount, searchsorted, and friends."""

__all__ = []
