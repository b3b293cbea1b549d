"""``minigrad.linalg``: PyTorch's ``torch.linalg`` namespace: the vector and Frobenius
norms, and the matrix functions and decompositions of :mod:`minigrad.ops.decompositions`
(inv, det, slogdet, solve, solve_triangular, cholesky, qr, svd, svdvals, eigh, eigvalsh,
pinv, lstsq, matrix_rank, matrix_power, multi_dot), and ``cross``."""
from .ops.decompositions import (LinAlgError, cholesky, det, inv, matrix_power,  # noqa: F401
                                 multi_dot, slogdet, solve, solve_triangular)
from .ops.decompositions_spectral import (eigh, eigvalsh, lstsq, matrix_rank, pinv,  # noqa: F401
                                          svdvals)
from .ops.decompositions_spectral import linalg_qr as qr  # noqa: F401
from .ops.decompositions_spectral import linalg_svd as svd  # noqa: F401
from .ops.norms import linalg_norm as norm  # noqa: F401
from .ops.norms import vector_norm  # noqa: F401
from .ops.products_more import linalg_cross as cross  # noqa: F401  (dim defaults to -1 here)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm of ``A`` over the two dims ``dim``, as ``torch.linalg.matrix_norm``:
    ``'fro'`` sqrt(sum |a_ij|^2), ``'nuc'`` the sum of the singular values, ``2`` / ``-2`` the
    largest / smallest singular value, ``1`` / ``-1`` the largest / smallest column sum of
    ``|a_ij|``, ``inf`` / ``-inf`` the largest / smallest row sum."""
    import math
    if isinstance(dim, int) or len(dim) != 2:
        raise ValueError(f"linalg.matrix_norm: dim must be a pair of dims, got {dim!r}")
    if A.ndim < 2:
        raise ValueError(f"linalg.matrix_norm: A must have at least 2 dims, got shape {A.shape}")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A.ndim for d in dim)
    if d0 == d1:
        raise ValueError(f"linalg.matrix_norm: dims must differ, got {dim!r}")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        # the singular values of the (d0, d1) planes, moved to the last two dims
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
    elif ord in (1, -1, math.inf, -math.inf):
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(other, keepdim=True) if ord > 0 else sums.amin(other, keepdim=True)
        out = out.squeeze((d0, d1))
    else:
        raise ValueError(f"linalg.matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or "
                         f"-inf, got {ord!r}")
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out
