"""``minigrad.linalg``: the vector and Frobenius norms of ``torch.linalg`` (matrix
decompositions are not provided)."""
from .ops.norms import linalg_norm as norm  # noqa: F401
from .ops.norms import vector_norm  # noqa: F401


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius norm over the two ``dim`` of ``A`` (other matrix norms are not provided)."""
    if ord != "fro":
        raise ValueError(f"linalg.matrix_norm: ord={ord!r} is not implemented in minigrad (only 'fro')")
    return vector_norm(A, 2, dim, keepdim, dtype=dtype)
