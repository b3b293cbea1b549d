"""Matrix functions and decompositions with PyTorch's names and gradients: inv, det, slogdet, solve, cholesky, qr, svd, eigh, pinv, lstsq, matrix_power."""

__all__ = []
