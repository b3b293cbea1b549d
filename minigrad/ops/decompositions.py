"""Matrix functions and decompositions with PyTorch's names and gradients: inv, det, slogdet,
solve, solve_triangular, cholesky, matrix_power, multi_dot here; qr, svd, eigh, pinv, lstsq,
matrix_rank in :mod:`minigrad.ops.decompositions_spectral`.

Every op works on the last two dims and batches over the leading ones. Backward rules are
written with recorded ops (matmul, the triangular solve below, ...), so they differentiate
again. Ops whose result is several tensors (qr, svd, eigh) use a hidden node with one routing
node per output (as :class:`minigrad.autograd.Function` does); their backward recomputes the
decomposition from the input when a graph of the backward is wanted (``create_graph``), so
no node refers to its own outputs.
"""
from collections import namedtuple

import numpy as np

from .. import grad_mode
from .._out import write_out
from ..tensor import (SAVES_FIRST, SAVES_INPUTS, SAVES_NOTHING, SAVES_OUTPUT, SAVES_SECOND,
                      Tensor, make)
from .broadcast import unbroadcast
from .linalg import matmul

__all__ = ["inverse", "det", "logdet", "slogdet", "cholesky", "matrix_power",
           "cholesky_solve", "cholesky_inverse"]


class LinAlgError(RuntimeError):
    """A linear-algebra failure (a singular or non positive-definite matrix), as
    ``torch.linalg.LinAlgError`` (also a RuntimeError)."""


SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])


# ----- shared checks and helpers ----------------------------------------------------------
def _check(A, name, what="A", square=True):
    """``A`` as a float32/float64 Tensor with at least 2 dims (square if asked), else a clear
    error naming the op and the argument."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(A).__name__}")
    if A.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name}: expected a float32 or float64 tensor as {what}, got dtype "
                        f"{A.dtype} (convert it with .float() or .double())")
    if A.ndim < 2:
        raise ValueError(f"{name}: {what} must have at least 2 dimensions (..., m, n), got "
                         f"shape {A.shape}")
    if square and A.shape[-1] != A.shape[-2]:
        raise ValueError(f"{name}: {what} must be batches of square matrices, but they are "
                         f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return A


def _same_dtype(A, B, name):
    if B.dtype != A.dtype:
        raise TypeError(f"{name}: expected both arguments to have the same dtype, got "
                        f"{A.dtype} and {B.dtype}")


def _eye(n, dtype):
    return Tensor._wrap(np.eye(n, dtype=dtype))


def diag_embed(v):
    """``(..., n) -> (..., n, n)`` with ``v`` on the diagonal (recorded, so differentiable)."""
    return v.unsqueeze(-1) * _eye(v.shape[-1], v.dtype)


def _diag(A):
    return A.diagonal(0, -2, -1)


def _zero_grad(part, like):
    """An output's gradient, zeros when that output received none."""
    return part if part is not None else Tensor._wrap(np.zeros(like.shape, like.dtype))


def multi_output(arrays, parent, backward_fn, recompute, name, read):
    """Tensors for the output ``arrays`` of one decomposition of ``parent``: a hidden node
    running ``backward_fn(A, outs, grads)`` once with every output's gradient (None where
    an output got none). ``outs`` are constants in a first-order backward and, in a recorded
    one, ``recompute(parent)`` (the decomposition redone as recorded ops) so that gradients
    of gradients reach ``parent``. ``read[i]``: the backward reads output ``i``'s values, so
    writing it in place before backward is refused."""
    from ..autograd.function import _NO_DATA, output_route

    def hub_backward(g, hub):
        if grad_mode.enabled():
            outs = recompute(parent)
        else:
            outs = tuple(Tensor._wrap(a) for a in arrays)
        return (backward_fn(parent, outs, g.parts),)

    hub = make(_NO_DATA, (parent,), hub_backward, name, SAVES_INPUTS)
    n = len(arrays)

    return tuple(make(a, (hub,), output_route(i, n), name,
                      SAVES_OUTPUT if read[i] else SAVES_NOTHING)
                 for i, a in enumerate(arrays))


def _linalg_call(fn, name, problem, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{name}: {problem}") from None


# ----- inverse, determinants ----------------------------------------------------------------
def inv(A, *, out=None):
    """The inverse ``A^-1`` of each square matrix, as ``torch.linalg.inv``; gradient
    ``-A^-T g A^-T``. A singular matrix raises :class:`LinAlgError`."""
    _check(A, "linalg.inv")
    data = _linalg_call(np.linalg.inv, "linalg.inv", "the input matrix is singular, the "
                        "inversion could not be completed", A._data)

    def backward(g, y):
        yt = y.mT
        return (-matmul(matmul(yt, g), yt),)

    return _out(make(data, (A,), backward, "LinalgInv", SAVES_OUTPUT), out)


def inverse(input, *, out=None):
    """``torch.inverse``: the same as :func:`inv`."""
    return inv(input, out=out)


def _cofactor_array(a):
    """The matrix of cofactors ``det(A) A^-T``, also defined for singular matrices: from
    ``A = U S V^T``, ``det(U) det(V) U diag(prod_{j != i} s_j) V^T``."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * (u * others[..., None, :]) @ vh


def det(A, *, out=None):
    """The determinant of each square matrix, as ``torch.linalg.det``/``torch.det``.

    Gradient ``g det(A) A^-T`` (the cofactor matrix times ``g``). Departure: at a matrix
    whose determinant is exactly 0 the first-order gradient is still the cofactor matrix
    (computed from an SVD), where PyTorch 2.13 returns zeros; a gradient of that gradient
    (create_graph) at such a matrix raises :class:`LinAlgError`."""
    _check(A, "linalg.det")
    data = np.asarray(np.linalg.det(A._data))

    def backward(g, d):
        gg = g.unsqueeze(-1).unsqueeze(-1)
        if np.all(d._data != 0):
            try:
                return (gg * d.unsqueeze(-1).unsqueeze(-1) * inv(A).mT,)
            except LinAlgError:
                pass
        if grad_mode.enabled():
            raise LinAlgError("det: the second derivative of det at a singular matrix is not "
                              "implemented in minigrad")
        return (gg * Tensor._wrap(_cofactor_array(A._data).astype(A.dtype, copy=False)),)

    return _out(make(data, (A,), backward, "LinalgDet", SAVES_INPUTS | SAVES_OUTPUT), out)


def slogdet(A, *, out=None):
    """``(sign, logabsdet)`` with ``det(A) = sign * exp(logabsdet)``, as
    ``torch.linalg.slogdet`` (a namedtuple). ``sign`` is a constant; the gradient of
    ``logabsdet`` is ``g A^-T``, which raises :class:`LinAlgError` at a singular matrix."""
    _check(A, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(A._data)

    def backward(g, out_):
        try:
            ainv = inv(A)
        except LinAlgError:
            raise LinAlgError("slogdet: logabsdet has no gradient at a singular matrix "
                              "(it is -inf there)") from None
        return (g.unsqueeze(-1).unsqueeze(-1) * ainv.mT,)

    result = SlogdetResult(Tensor._wrap(np.asarray(sign)),
                           make(np.asarray(logabs), (A,), backward, "LinalgSlogdet",
                                SAVES_INPUTS))
    if out is not None:
        for o, r in zip(out, result):
            _out(r, o)
        return SlogdetResult(*out)
    return result


def logdet(input):
    """``log(det(A))``, as ``torch.logdet``: ``nan`` where the determinant is negative,
    ``-inf`` where it is 0; the gradient is ``g A^-T``."""
    s, la = slogdet(_check(input, "logdet"))
    fix = np.where(s._data < 0, np.nan, 0.0).astype(input.dtype)
    return la + Tensor._wrap(fix)


def _out(result, out, name="linalg"):
    return write_out(result, out, name)


# ----- linear solves ----------------------------------------------------------------------
_MASK = {"lower": (np.tril, 0), "upper": (np.triu, 0), "lower_unit": (np.tril, -1),
         "upper_unit": (np.triu, 1)}
_FLIP = {"full": "full", "lower": "upper", "upper": "lower", "lower_unit": "upper_unit",
         "upper_unit": "lower_unit"}


def _triangle_array(a, kind):
    if kind == "full":
        return a
    fn, k = _MASK[kind]
    t = fn(a, k)
    if kind.endswith("_unit"):
        t = t + np.eye(a.shape[-1], dtype=a.dtype)
    return t


def _mask(x, kind):
    if kind == "full":
        return x
    fn, k = _MASK[kind]
    return x.tril(k) if fn is np.tril else x.triu(k)


def _lsolve_array(a, b, name):
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if a.size == 0 or b.size == 0:
        return np.zeros(batch + b.shape[-2:], a.dtype)
    return _linalg_call(np.linalg.solve, name, "the solver failed because the input matrix is "
                        "singular", a, b)


def _lsolve(A, B, kind, name):
    """``X`` with ``T X = B`` (``T`` = ``A``, or its ``kind`` of triangle), batch dims
    broadcast. Gradients ``gB = T^-T g`` and ``gA = -gB X^T`` (masked to the triangle)."""
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    except ValueError:
        raise ValueError(f"{name}: the batch dims of shapes {A.shape} and {B.shape} cannot "
                         "be broadcast together") from None
    if A.shape[-1] != B.shape[-2]:
        raise ValueError(f"{name}: incompatible shapes: A is {A.shape[-2]} by {A.shape[-1]} "
                         f"but B has {B.shape[-2]} rows (shapes {A.shape} and {B.shape})")
    data = _lsolve_array(_triangle_array(A._data, kind), B._data, name)

    def backward(g, x):
        gb = _lsolve(A.mT, g, _FLIP[kind], name)
        ga = _mask(-matmul(gb, x.mT), kind) if A.requires_grad else None
        return (unbroadcast(ga, A.shape) if ga is not None else None,
                unbroadcast(gb, B.shape) if B.requires_grad else None)

    saves = SAVES_FIRST | (SAVES_OUTPUT if A.requires_grad else 0)
    return make(data, (A, B), backward, "LinalgSolve", saves)


def _solve_kind(A, B, kind, left, name):
    if left:
        return _lsolve(A, B, kind, name)
    return _lsolve(A.mT, B.mT, _FLIP[kind], name).mT


def solve(A, B, *, left=True, out=None):
    """``X`` with ``A X = B`` (``left=True``) or ``X A = B``, as ``torch.linalg.solve``.

    ``B`` is a batch of vectors when it is 1-D or has ``A``'s shape minus the last dim
    (PyTorch's rule), else of matrices; batch dims broadcast. Gradients
    ``gB = A^-T g``, ``gA = -gB X^T``. A singular ``A`` raises :class:`LinAlgError`."""
    _check(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve: B must be a Tensor, got {type(B).__name__}")
    _same_dtype(A, B, "linalg.solve")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if vector:
        Bm = B.unsqueeze(-1) if left else B.unsqueeze(-2)
    else:
        if B.ndim < 2:
            raise ValueError(f"linalg.solve: B must be a vector or a batch of matrices, got "
                             f"shape {B.shape}")
        Bm = B
    X = _solve_kind(A, Bm, "full", left, "linalg.solve")
    if vector:
        X = X.squeeze(-1) if left else X.squeeze(-2)
    return _out(X, out)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """``X`` with ``T X = B`` (or ``X T = B`` for ``left=False``), ``T`` the upper or lower
    triangle of ``A`` (the other entries are not read; the diagonal is taken as ones with
    ``unitriangular``), as ``torch.linalg.solve_triangular``. ``B`` is ``(..., n, k)``;
    batch dims broadcast. The gradient of ``A`` is confined to the triangle read."""
    name = "linalg.solve_triangular"
    _check(A, name)
    _check(B, name, "B", square=False)
    _same_dtype(A, B, name)
    kind = ("upper" if upper else "lower") + ("_unit" if unitriangular else "")
    if not left and A.shape[-1] != B.shape[-1]:
        raise ValueError(f"{name}: incompatible shapes for left=False: B has {B.shape[-1]} "
                         f"columns but A is {A.shape[-2]} by {A.shape[-1]}")
    return _out(_solve_kind(A, B, kind, left, name), out)


# ----- Cholesky ---------------------------------------------------------------------------
def _phi(x):
    """The lower triangle of ``x`` with its diagonal halved."""
    return x.tril() - 0.5 * diag_embed(_diag(x))


def _cholesky_lower(A, name):
    data = _linalg_call(np.linalg.cholesky, name, "the factorization could not be completed "
                        "because the input is not positive-definite", A._data)

    def backward(g, L):
        # A = L L^T: gA = sym(L^-T phi(L^T g) L^-1) (Murray 2016, as PyTorch)
        p = _phi(matmul(L.mT, g))
        s = _solve_kind(L, _lsolve(L.mT, p, "upper", name), "lower", False, name)
        return (0.5 * (s + s.mT),)

    return make(data, (A,), backward, "LinalgCholesky", SAVES_OUTPUT)


def cholesky(A, upper=False, *, out=None):
    """The Cholesky factor ``L`` (lower, ``A = L L^T``) or with ``upper=True`` ``U = L^T``,
    as ``torch.linalg.cholesky``/``torch.cholesky``; only the lower triangle of ``A`` is
    read. The gradient is symmetric. A matrix that is not positive-definite raises
    :class:`LinAlgError`."""
    _check(A, "linalg.cholesky")
    L = _cholesky_lower(A, "linalg.cholesky")
    return _out(L.mT if upper else L, out)


def cholesky_solve(input, input2, upper=False, *, out=None):
    """``X`` with ``A X = B`` where ``B = input`` and ``input2`` is ``A``'s Cholesky factor
    (lower, or upper with ``upper=True``; only that triangle is read), as
    ``torch.cholesky_solve``. The gradient of the factor is PyTorch's, that of a full
    ``L`` in ``A = L L^T``: ``-(gB X^T + X gB^T) L``."""
    name = "cholesky_solve"
    _check(input, name, "input", square=False)
    _check(input2, name, "input2")
    _same_dtype(input, input2, name)
    kind = "upper" if upper else "lower"
    t = _triangle_array(input2._data, kind)
    lower = np.swapaxes(t, -1, -2) if upper else t
    y = _lsolve_array(lower, input._data, name)
    data = _lsolve_array(np.swapaxes(lower, -1, -2), y, name)

    def backward(g, x):
        gb = cholesky_solve(g, input2, upper)
        ga = None
        if input2.requires_grad:
            c = matmul(gb, x.mT)
            c = c + c.mT
            ga = -(matmul(input2, c) if upper else matmul(c, input2))
            ga = unbroadcast(ga, input2.shape)
        return (unbroadcast(gb, input.shape) if input.requires_grad else None, ga)

    saves = SAVES_SECOND | (SAVES_OUTPUT if input2.requires_grad else 0)
    return _out(make(data, (input, input2), backward, "CholeskySolve", saves), out, name)


def cholesky_inverse(input, upper=False, *, out=None):
    """``A^-1`` from ``A``'s Cholesky factor ``input`` (``A = L L^T``, or ``U^T U`` with
    ``upper=True``; only that triangle is read), as ``torch.cholesky_inverse``. The gradient
    is PyTorch's, that of a full ``L``: ``-P (g + g^T) P L`` (``P`` the result)."""
    name = "cholesky_inverse"
    _check(input, name, "input")
    t = _triangle_array(input._data, "upper" if upper else "lower")
    lower = np.swapaxes(t, -1, -2) if upper else t
    linv = _lsolve_array(lower, np.eye(t.shape[-1], dtype=t.dtype), name)
    data = np.swapaxes(linv, -1, -2) @ linv

    def backward(g, p):
        c = matmul(matmul(p, g + g.mT), p)
        return (-(matmul(input, c) if upper else matmul(c, input)),)

    return _out(make(data, (input,), backward, "CholeskyInverse", SAVES_INPUTS | SAVES_OUTPUT),
                out, name)


# ----- powers and chains ------------------------------------------------------------------
def matrix_power(A, n, *, out=None):
    """``A`` multiplied by itself ``n`` times (by repeated squaring), as
    ``torch.linalg.matrix_power``; ``n = 0`` gives identities, a negative ``n`` the power of
    :func:`inv`."""
    name = "linalg.matrix_power"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name}: n must be an int, got {n!r}")
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}: A must be a Tensor, got {type(A).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"{name}: A must be batches of square matrices, got shape {A.shape}")
    n = int(n)
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy()
        return _out(Tensor._wrap(eye), out)
    if n < 0:
        A = inv(_check(A, name))
        n = -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    if result is A:
        result = A * 1  # a new tensor, as torch (never the input itself)
    return _out(result, out)


def multi_dot(tensors, *, out=None):
    """The product of the matrices in ``tensors``, multiplied in the cheapest order, as
    ``torch.linalg.multi_dot``: the first may be 1-D (a row vector) and the last 1-D (a
    column vector); the others must be 2-D."""
    name = "linalg.multi_dot"
    ts = list(tensors)
    if len(ts) < 2:
        raise ValueError(f"{name}: expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: tensor {i} must be a Tensor, got {type(t).__name__}")
        ok = t.ndim == 2 or (t.ndim == 1 and i in (0, len(ts) - 1))
        if not ok:
            raise ValueError(f"{name}: tensor {i} must be 2-D (the first and last may be 1-D), "
                             f"got shape {t.shape}")
        if t.dtype != ts[0].dtype:
            raise TypeError(f"{name}: all tensors must have the same dtype, got {ts[0].dtype} "
                            f"and {t.dtype}")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    mats = [ts[0].unsqueeze(0) if first_vec else ts[0]] + ts[1:-1] + \
        [ts[-1].unsqueeze(-1) if last_vec else ts[-1]]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ValueError(f"{name}: tensors {i} and {i + 1} cannot be multiplied: shapes "
                             f"{ts[i].shape} and {ts[i + 1].shape}")
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    k = len(mats)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):  # the classic matrix-chain dynamic programme
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def chain(i, j):
        if i == j:
            return mats[i]
        return matmul(chain(i, split[i][j]), chain(split[i][j] + 1, j))

    result = chain(0, k - 1)
    if first_vec:
        result = result.squeeze(0)
    if last_vec:
        result = result.squeeze(-1)
    return _out(result, out)


from .decompositions_spectral import *  # noqa: E402,F401,F403
from .decompositions_spectral import __all__ as _spectral_all  # noqa: E402

__all__ = __all__ + _spectral_all
