"""Scatter and index writes, and rearrangements with PyTorch's names: scatter, scatter_add, index_fill, index_copy, take, movedim, meshgrid, and friends."""

__all__ = []
