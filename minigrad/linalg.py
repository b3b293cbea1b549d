"""``minigrad.linalg``: PyTorch's ``torch.linalg`` namespace: the vector and Frobenius
norms, and the matrix functions and decompositions of :mod:`minigrad.ops.decompositions`
(inv, det, slogdet, solve, solve_triangular, cholesky, qr, svd, svdvals, eigh, eigvalsh,
pinv, lstsq, matrix_rank, matrix_power, multi_dot)."""
from .ops.decompositions import (LinAlgError, cholesky, det, inv, matrix_power,  # noqa: F401
                                 multi_dot, slogdet, solve, solve_triangular)
from .ops.decompositions_spectral import (eigh, eigvalsh, lstsq, matrix_rank, pinv,  # noqa: F401
                                          svdvals)
from .ops.decompositions_spectral import linalg_qr as qr  # noqa: F401
from .ops.decompositions_spectral import linalg_svd as svd  # noqa: F401
from .ops.norms import linalg_norm as norm  # noqa: F401
from .ops.norms import vector_norm  # noqa: F401


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius norm over the two ``dim`` of ``A`` (other matrix norms are not provided)."""
    if ord != "fro":
        raise ValueError(f"linalg.matrix_norm: ord={ord!r} is not implemented in minigrad (only 'fro')")
    return vector_norm(A, 2, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim``, as ``torch.linalg.cross`` (whose ``dim``
    defaults to -1, unlike ``torch.cross``'s): :func:`minigrad.cross` with that default."""
    import minigrad
    if not hasattr(minigrad, "cross"):
        raise NotImplementedError("linalg.cross: minigrad.cross is not available")
    return minigrad.cross(input, other, dim=dim, out=out)
