"""More products with PyTorch's names: addmm and its family, kron, tensordot, cross, cdist, block_diag, cov, corrcoef."""

__all__ = []
