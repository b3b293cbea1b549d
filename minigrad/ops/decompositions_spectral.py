"""Orthogonal decompositions and what is built on them: qr, svd, svdvals, eigh, eigvalsh,
pinv, lstsq, matrix_rank, with the legacy ``torch.qr``/``torch.svd``/``torch.pinverse``.

Gradients follow PyTorch's formulas. They assume what PyTorch's assume: distinct
eigenvalues (eigh) and distinct non-zero singular values (svd); for repeated ones the
gradient is inf or nan, as in PyTorch. Eigenvectors and singular vectors are defined up to
sign; the gradients are those of functions that do not depend on the sign.
"""
from collections import namedtuple

import numpy as np

from ..tensor import Tensor, make
from .decompositions import (SAVES_INPUTS, SAVES_OUTPUT, _check, _diag, _eye, _linalg_call,
                             _out, _same_dtype, _solve_kind, _zero_grad, diag_embed,
                             multi_output)
from .linalg import matmul
from .shape import cat

__all__ = ["qr", "svd", "pinverse"]

QRResult = namedtuple("linalg_qr", ["Q", "R"])
LegacyQRResult = namedtuple("qr", ["Q", "R"])
SVDResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
LegacySVDResult = namedtuple("svd", ["U", "S", "V"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


# ----- QR ---------------------------------------------------------------------------------
def _qr_square_grad(Q, R, gQ, gR):
    """``gA`` for ``A = QR`` with ``R`` square: ``(gQ + Q copyltu(M)) R^-T`` with
    ``M = R gR^T - gQ^T Q`` (``copyltu`` mirrors the lower triangle upwards)."""
    M = matmul(R, gR.mT) - matmul(gQ.mT, Q)
    b = gQ + matmul(Q, M.tril() + M.tril(-1).mT)
    return _solve_kind(R.mT, b, "lower", False, "linalg.qr")


def _qr_grad(A, outs, parts, mode):
    if mode == "r":
        raise RuntimeError("linalg.qr: the derivative of linalg.qr depends on Q, which is not "
                           "computed when mode='r'. Use mode='reduced' to differentiate.")
    Q, R = outs
    m, n = A.shape[-2:]
    if mode == "complete" and m > n:
        raise RuntimeError("linalg.qr: the QR decomposition is not differentiable when "
                           "mode='complete' and nrows > ncols")
    gQ, gR = _zero_grad(parts[0], Q), _zero_grad(parts[1], R)
    if m >= n:
        return _qr_square_grad(Q, R, gQ, gR)
    # Wide A = [X | Y], R = [U | V] with X = Q U: Y = Q V adds Q gV to gY and Y gV^T to gQ.
    Y, U = A[..., :, m:], R[..., :, :m]
    gU, gV = gR[..., :, :m], gR[..., :, m:]
    gX = _qr_square_grad(Q, U, gQ + matmul(Y, gV.mT), gU)
    return cat([gX, matmul(Q, gV)], -1)


def linalg_qr(A, mode="reduced", *, out=None):
    """``A = Q R`` with orthonormal columns in ``Q`` and upper-triangular ``R``, as
    ``torch.linalg.qr``: a namedtuple ``(Q, R)``; ``mode`` is ``'reduced'`` (``Q`` is
    ``m x k``, ``k = min(m, n)``), ``'complete'`` (``Q`` is ``m x m``) or ``'r'`` (``Q`` empty,
    not differentiable). Differentiable for ``'reduced'``, and for ``'complete'`` when
    ``m <= n``."""
    name = "linalg.qr"
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"{name}: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    _check(A, name, square=False)
    np_mode = "reduced" if mode == "r" else mode
    q, r = np.linalg.qr(A._data, mode=np_mode)
    q, r = q.astype(A.dtype, copy=False), r.astype(A.dtype, copy=False)

    def recompute(a):
        return linalg_qr(a, np_mode)

    Q, R = multi_output((q, r), A, lambda a, outs, parts: _qr_grad(a, outs, parts, mode),
                        recompute, "LinalgQr", (True, True))
    if mode == "r":
        Q = Tensor._wrap(np.zeros((0,), A.dtype))
    return _tuple_out(QRResult(Q, R), out, name)


def _tuple_out(result, out, name):
    if out is None:
        return result
    if len(out) != len(result):
        raise ValueError(f"{name}: out must be a tuple of {len(result)} tensors")
    return type(result)(*(_out(r, o, name) for r, o in zip(result, out)))


# ----- SVD --------------------------------------------------------------------------------
def _svd_grad(A, outs, parts):
    """PyTorch's ``svd_backward`` (real case): with ``E_jk = s_k^2 - s_j^2`` and
    ``skew(X) = X - X^T``, ``gA = U [(skew(U^T gU) S + S skew(V^T gV)) / E + diag(gS)] V^T``
    plus the parts of ``gU``/``gV`` outside the span of ``U``/``V``."""
    U, S, Vh = outs
    m, n = A.shape[-2:]
    k = S.shape[-1]
    gU, gS, gVh = parts
    if U.shape[-1] != k:  # full_matrices: the extra columns are arbitrary, not differentiated
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :, :k]
        gVh = None if gVh is None else gVh[..., :k, :]
    if gU is None and gVh is None:
        return matmul(U * (gS if gS is not None else S * 0).unsqueeze(-2), Vh)
    V = Vh.mT
    gU, gV = _zero_grad(gU, U), _zero_grad(gVh, Vh).mT
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye(k, S.dtype)
    uhgu, vhgv = matmul(U.mT, gU), matmul(V.mT, gV)
    inner = ((uhgu - uhgu.mT) * S.unsqueeze(-2) + S.unsqueeze(-1) * (vhgv - vhgv.mT)) / E
    if gS is not None:
        inner = inner + diag_embed(gS)
    if m > k:
        gUSinv = gU / S.unsqueeze(-2)
        ga = matmul(U, inner) + gUSinv - matmul(U, matmul(U.mT, gUSinv))
        return matmul(ga, Vh)
    if n > k:
        gVSinv = gV / S.unsqueeze(-2)
        ga = matmul(inner, Vh) + (gVSinv - matmul(V, matmul(V.mT, gVSinv))).mT
        return matmul(U, ga)
    return matmul(matmul(U, inner), Vh)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """``A = U diag(S) Vh``, as ``torch.linalg.svd``: a namedtuple ``(U, S, Vh)``, singular
    values in descending order. Note PyTorch's default ``full_matrices=True``; the gradient
    ignores the extra columns it adds (they are arbitrary), as PyTorch's does. ``driver``
    is accepted for compatibility (CUDA-only in PyTorch) and must be None."""
    name = "linalg.svd"
    _check(A, name, square=False)
    if driver is not None:
        raise ValueError(f"{name}: driver= is only supported on CUDA inputs, got {driver!r}")
    u, s, vh = (x.astype(A.dtype, copy=False)
                for x in np.linalg.svd(A._data, full_matrices=bool(full_matrices)))

    def recompute(a):
        return linalg_svd(a, full_matrices)

    result = SVDResult(*multi_output((u, s, vh), A, _svd_grad, recompute, "LinalgSvd",
                                     (True, True, True)))
    return _tuple_out(result, out, name)


def svdvals(A, *, driver=None, out=None):
    """The singular values of ``A`` in descending order, as ``torch.linalg.svdvals``;
    gradient ``U diag(gS) V^T``."""
    _check(A, "linalg.svdvals", square=False)
    return _out(linalg_svd(A, False, driver=driver).S, out, "linalg.svdvals")


def svd(input, some=True, compute_uv=True, *, out=None):
    """``torch.svd``: ``(U, S, V)`` with ``A = U diag(S) V^T`` (``V``, not ``Vh``), reduced
    unless ``some=False``. With ``compute_uv=False``, ``U`` and ``V`` are zero matrices of
    shape ``m x m`` and ``n x n`` and only ``S`` is differentiable, as in PyTorch."""
    _check(input, "svd", "input", square=False)
    if not compute_uv:
        m, n = input.shape[-2:]
        batch = input.shape[:-2]
        zu = Tensor._wrap(np.zeros(batch + (m, m), input.dtype))
        zv = Tensor._wrap(np.zeros(batch + (n, n), input.dtype))
        return _tuple_out(LegacySVDResult(zu, svdvals(input), zv), out, "svd")
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _tuple_out(LegacySVDResult(U, S, Vh.mT), out, "svd")


def qr(input, some=True, *, out=None):
    """``torch.qr``: ``linalg.qr(input, 'reduced' if some else 'complete')``."""
    Q, R = linalg_qr(input, "reduced" if some else "complete")
    return _tuple_out(LegacyQRResult(Q, R), out, "qr")


# ----- symmetric eigendecomposition -------------------------------------------------------
def _eigh_grad(A, outs, parts):
    """``gA = sym(V (diag(gL) + (V^T gV) / E) V^T)`` with ``E_ij = l_j - l_i`` off the
    diagonal: the gradient along symmetric perturbations, as PyTorch's."""
    L, V = outs
    gL, gV = parts
    n = L.shape[-1]
    inner = diag_embed(gL) if gL is not None else None
    if gV is not None:
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye(n, L.dtype)
        off = Tensor._wrap(1 - np.eye(n, dtype=L.dtype))
        t = matmul(V.mT, gV) / E * off
        inner = t if inner is None else inner + t
    ga = matmul(matmul(V, inner), V.mT)
    return 0.5 * (ga + ga.mT)


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric matrices,
    as ``torch.linalg.eigh``: a namedtuple ``(eigenvalues, eigenvectors)``. Only the
    ``UPLO`` ('L' or 'U') triangle of ``A`` is read. The gradient assumes distinct
    eigenvalues."""
    name = "linalg.eigh"
    if UPLO not in ("L", "U"):
        raise ValueError(f"{name}: UPLO must be 'L' or 'U', got {UPLO!r}")
    _check(A, name)
    w, v = (x.astype(A.dtype, copy=False) for x in np.linalg.eigh(A._data, UPLO))

    def recompute(a):
        return eigh(a, UPLO)

    result = EighResult(*multi_output((w, v), A, _eigh_grad, recompute, "LinalgEigh",
                                      (True, True)))
    return _tuple_out(result, out, name)


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of symmetric matrices in ascending order, as
    ``torch.linalg.eigvalsh``; gradient ``V diag(gL) V^T``."""
    return _out(eigh(A, UPLO).eigenvalues, out, "linalg.eigvalsh")


# ----- pseudo-inverse, rank, least squares ------------------------------------------------
def _tolerance(s_max, shape, atol, rtol, dtype):
    """PyTorch's cut-off ``max(atol, rtol * s_max)``; ``rtol`` defaults to
    ``eps * max(m, n)`` when neither is given, to 0 when only ``atol`` is."""
    if rtol is None:
        rtol = np.finfo(dtype).eps * max(shape[-2:]) if atol is None else 0.0
    atol = 0.0 if atol is None else atol
    atol = atol._data if isinstance(atol, Tensor) else np.asarray(atol)
    rtol = rtol._data if isinstance(rtol, Tensor) else np.asarray(rtol)
    return np.maximum(atol, rtol * s_max)


def _pinv_array(a, atol, rtol, hermitian):
    if hermitian:
        w, v = np.linalg.eigh(a)
        s = np.abs(w)
        tol = _tolerance(s.max(-1, initial=0), a.shape, atol, rtol, a.dtype)
        inv_w = np.where(s > tol[..., None], 1 / np.where(s == 0, 1, w), 0)
        return (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    tol = _tolerance(s.max(-1, initial=0), a.shape, atol, rtol, a.dtype)
    inv_s = np.where(s > tol[..., None], 1 / np.where(s == 0, 1, s), 0)
    return np.swapaxes(vh, -1, -2) @ (inv_s[..., :, None] * np.swapaxes(u, -1, -2))


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse ``A^+``, as ``torch.linalg.pinv``: singular values
    at or below ``max(atol, rtol * s_max)`` count as 0. The gradient is PyTorch's
    ``pinv_backward`` (valid where the rank does not change under small perturbations)."""
    name = "linalg.pinv"
    _check(A, name, square=bool(hermitian))
    data = _pinv_array(A._data, atol, rtol, hermitian).astype(A.dtype, copy=False)

    def backward(g, P):
        m, n = A.shape[-2:]
        Ph, gh = P.mT, g.mT
        if m <= n:
            K = matmul(gh, P)
            KPh = matmul(K, Ph)
            return (-matmul(P, K).mT + KPh - matmul(matmul(A, P), KPh)
                    + matmul(matmul(Ph, P), gh - matmul(K, A)),)
        K = matmul(P, gh)
        PhK = matmul(Ph, K)
        return (-matmul(K, P).mT + matmul(matmul(gh - matmul(A, K), P), Ph) + PhK
                - matmul(matmul(PhK, P), A),)

    return _out(make(data, (A,), backward, "LinalgPinv", SAVES_INPUTS | SAVES_OUTPUT), out,
                name)


def pinverse(input, rcond=1e-15):
    """``torch.pinverse``: :func:`pinv` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The number of singular values above ``max(atol, rtol * s_max)`` (int64), as
    ``torch.linalg.matrix_rank``; not differentiable."""
    name = "linalg.matrix_rank"
    _check(A, name, square=bool(hermitian))
    a = A._data
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(a))
    else:
        s = np.linalg.svd(a, compute_uv=False)
    tol = _tolerance(s.max(-1, initial=0), a.shape, atol, rtol, a.dtype)
    rank = (s > tol[..., None]).sum(-1).astype(np.int64)
    return _out(Tensor._wrap(np.asarray(rank)), out, name)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution ``X`` minimising ``||A X - B||`` (the minimum-norm one for
    wide ``A``), as ``torch.linalg.lstsq``: a namedtuple ``(solution, residuals, rank,
    singular_values)`` filled as PyTorch's CPU ``driver`` does ('gelsy' by default: empty
    residuals and singular values; 'gelsd'/'gelss': residuals for tall full-rank ``A`` and
    the singular values; 'gels': residuals, no rank). Computed from the pseudo-inverse, so
    differentiable in ``A`` and ``B`` where ``A`` has full rank; ``rcond`` as ``rtol``."""
    name = "linalg.lstsq"
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise ValueError(f"{name}: driver must be one of None, 'gels', 'gelsy', 'gelsd', "
                         f"'gelss', got {driver!r}")
    driver = driver or "gelsy"
    _check(A, name, square=False)
    if not isinstance(B, Tensor):
        raise TypeError(f"{name}: B must be a Tensor, got {type(B).__name__}")
    _same_dtype(A, B, name)
    m, n = A.shape[-2:]
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.ndim < 2 or Bm.shape[-2] != m:
        raise ValueError(f"{name}: B must have {m} rows (A's), got shapes {A.shape} and "
                         f"{B.shape}")
    X = matmul(pinv(A, rtol=rcond), Bm)
    s = np.linalg.svd(A._data, compute_uv=False)
    tol = _tolerance(s.max(-1, initial=0), A.shape, None, rcond, A.dtype)
    rank = (s > tol[..., None]).sum(-1).astype(np.int64)
    empty = Tensor._wrap(np.zeros((0,), A.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and np.all(rank == n):
        r = matmul(A, X) - Bm
        residuals = (r * r).sum(-2)
    if vector:
        X = X.squeeze(-1)
        residuals = residuals.squeeze(-1) if residuals is not empty else residuals
    rank_t = Tensor._wrap(np.asarray(rank)) if driver != "gels" else \
        Tensor._wrap(np.zeros((0,), np.int64))
    sv = Tensor._wrap(s) if driver in ("gelsd", "gelss") else empty
    return LstsqResult(X, residuals, rank_t, sv)
