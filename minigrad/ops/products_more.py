"""More products with PyTorch's names: the fused ``beta * input + alpha * product`` family
(addmm, addmv, addr, addbmm, baddbmm), addcmul and addcdiv, kron, tensordot, cross, vdot,
inner and chain_matmul; and, from :mod:`minigrad.ops.products_extra`, cdist, dist, renorm,
cov, corrcoef, trapezoid, cumulative_trapezoid, block_diag, cartesian_prod, combinations.

Every op here is built from recorded minigrad ops (matmul, mul, add, sums, views), so its
gradient is theirs and differentiates again. The in-place forms (``addmm_``, ...) go through
:func:`minigrad._inplace.write`, so they bump version counters, refuse leaves that require
grad and are recorded when the tensor or an operand requires grad.
"""
import warnings

import numpy as np

from .. import grad_mode
from .._out import write_out
from ..tensor import SAVES_NOTHING, Tensor, _norm_dim, make
from .linalg import matmul
from .products import dot, mm, mv
from .shape import stack

__all__ = ["addmm", "addmv", "addmv_", "addr", "addbmm", "baddbmm", "addcmul", "addcdiv",
           "kron", "tensordot", "cross", "vdot", "inner", "chain_matmul"]


# ----- argument checks ------------------------------------------------------------------------
def _tensor(x, name, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: argument '{arg}' must be a Tensor, not {type(x).__name__}")
    return x


def _same_dtype(name, **tensors):
    items = list(tensors.items())
    (n0, t0), rest = items[0], items[1:]
    for n, t in rest:
        if t.dtype != t0.dtype:
            raise TypeError(f"{name}: expected {n0} and {n} to have the same dtype, got "
                            f"{t0.dtype} and {t.dtype}")


def _scalar(x, name, arg, dtype):
    """A Python number for ``beta``/``alpha``/``value``. Departure: PyTorch silently truncates
    a float scale for integer tensors (``beta=0.5`` acts as 0); this raises instead."""
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise ValueError(f"{name}: {arg} must be a number, got a tensor of shape {x.shape}")
        x = x.item()
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: {arg} must be a number, got {type(x).__name__}")
    if dtype.kind in "iub" and isinstance(x, (float, np.floating)) and x != int(x):
        raise TypeError(f"{name}: for integer tensors, {arg} must be an integer, got {x!r}")
    return x


def _broadcast_input(input, shape, name):
    try:
        ok = np.broadcast_shapes(input.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name}: input of shape {tuple(input.shape)} does not broadcast to the "
                         f"product's shape {tuple(shape)}")


def _ignored(input, shape):
    """Zeros of ``shape`` that route a zero gradient to ``input``: with ``beta=0`` PyTorch
    ignores the input's values (NaN and inf do not propagate) but still gives it a gradient."""
    zeros = np.zeros(shape, dtype=input.dtype)

    def backward(g, out):
        return (Tensor._wrap(np.zeros(input.shape, dtype=input.dtype)),)

    return make(zeros, (input,), backward, "ZeroInput", SAVES_NOTHING)


def _combine(input, product, beta, alpha):
    """``beta * input + alpha * product`` (the scales skipped when they are 1)."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product + _ignored(input, product.shape)
    return (input if beta == 1 else input * beta) + product


def _fused(name, input, a, b, beta, alpha, product, check, names):
    """Shared body of addmm and its family: ``check`` validates the operands' dims and
    returns the product's shape; ``product(a, b)`` computes it; ``names`` are the operands'
    argument names."""
    _tensor(input, name, "input")
    _tensor(a, name, names[0])
    _tensor(b, name, names[1])
    shape = check(a, b)
    _same_dtype(name, input=input, **{names[0]: a, names[1]: b})
    beta = _scalar(beta, name, "beta", input.dtype)
    alpha = _scalar(alpha, name, "alpha", input.dtype)
    _broadcast_input(input, shape, name)
    return _combine(input, product(a, b), beta, alpha)


def _check_mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"addmm: mat1 and mat2 must be 2-D, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"addmm: mat1 and mat2 shapes cannot be multiplied "
                         f"({a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]})")
    return (a.shape[0], b.shape[1])


def _check_mv(a, b):
    if a.ndim != 2 or b.ndim != 1:
        raise ValueError(f"addmv: expected a 2-D mat and a 1-D vec, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"addmv: mat of shape {tuple(a.shape)} and vec of shape "
                         f"{tuple(b.shape)} cannot be multiplied")
    return (a.shape[0],)


def _check_r(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"addr: vec1 and vec2 must be 1-D, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    return (a.shape[0], b.shape[0])


def _check_bmm(name):
    def check(a, b):
        if a.ndim != 3 or b.ndim != 3:
            raise ValueError(f"{name}: batch1 and batch2 must be 3-D, got shapes "
                             f"{tuple(a.shape)} and {tuple(b.shape)}")
        if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
            raise ValueError(f"{name}: batch1 of shape {tuple(a.shape)} and batch2 of shape "
                             f"{tuple(b.shape)} do not match: expected (b, n, m) and (b, m, p)")
        if name == "addbmm":
            return (a.shape[1], b.shape[2])
        return (a.shape[0], a.shape[1], b.shape[2])
    return check


def _outer(a, b):
    return a.reshape(-1, 1) * b.reshape(1, -1)


def _batch_sum_mm(a, b):
    # sum_i a[i] @ b[i] is one GEMM of a laid out as (n, batch*m) with b as (batch*m, p)
    n, m, p = a.shape[1], a.shape[2], b.shape[2]
    k = a.shape[0] * m
    return matmul(a.permute(1, 0, 2).reshape(n, k), b.reshape(k, p))


# ----- the addmm family -----------------------------------------------------------------------
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``: ``mat1`` is ``(n, m)``, ``mat2`` ``(m, p)``,
    ``input`` broadcasts to ``(n, p)``. With ``beta=0`` the input's values are ignored (NaN
    and inf in it do not propagate), as PyTorch. All operands must share a dtype."""
    r = _fused("addmm", input, mat1, mat2, beta, alpha, mm, _check_mm, ("mat1", "mat2"))
    return write_out(r, out, "addmm")


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``: ``mat`` is ``(n, m)``, ``vec`` ``(m,)``,
    ``input`` broadcasts to ``(n,)``."""
    r = _fused("addmv", input, mat, vec, beta, alpha, mv, _check_mv, ("mat", "vec"))
    return write_out(r, out, "addmv")


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``: ``input`` broadcasts to
    ``(len(vec1), len(vec2))``."""
    r = _fused("addr", input, vec1, vec2, beta, alpha, _outer, _check_r, ("vec1", "vec2"))
    return write_out(r, out, "addr")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``: ``batch1`` is ``(b, n, m)``,
    ``batch2`` ``(b, m, p)``, ``input`` broadcasts to ``(n, p)``."""
    r = _fused("addbmm", input, batch1, batch2, beta, alpha, _batch_sum_mm, _check_bmm("addbmm"),
               ("batch1", "batch2"))
    return write_out(r, out, "addbmm")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1 @ batch2)`` batch by batch: ``batch1`` is
    ``(b, n, m)``, ``batch2`` ``(b, m, p)``, ``input`` broadcasts to ``(b, n, p)``."""
    r = _fused("baddbmm", input, batch1, batch2, beta, alpha, matmul, _check_bmm("baddbmm"),
               ("batch1", "batch2"))
    return write_out(r, out, "baddbmm")


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``, all three broadcast together."""
    _tensor(input, "addcmul", "input")
    _tensor(tensor1, "addcmul", "tensor1")
    _tensor(tensor2, "addcmul", "tensor2")
    value = _scalar(value, "addcmul", "value", _result_dtype(input, tensor1, tensor2))
    p = tensor1 * tensor2
    return write_out(input + (p if value == 1 else p * value), out, "addcmul")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``, all three broadcast together. As PyTorch,
    integer ``tensor1`` and ``tensor2`` are refused (the division would be ambiguous)."""
    _tensor(input, "addcdiv", "input")
    for arg, t in (("tensor1", tensor1), ("tensor2", tensor2)):
        _tensor(t, "addcdiv", arg)
    if tensor1.dtype.kind in "iub" and tensor2.dtype.kind in "iub":
        raise TypeError("addcdiv: integer division of tensor1 by tensor2 is not supported (as "
                        "in PyTorch); use addcmul(input, tensor1, 1 / tensor2) or true division")
    value = _scalar(value, "addcdiv", "value", _result_dtype(input, tensor1, tensor2))
    q = tensor1 / tensor2
    return write_out(input + (q if value == 1 else q * value), out, "addcdiv")


def _result_dtype(*ts):
    return np.result_type(*[t.dtype if isinstance(t, Tensor) else np.asarray(t).dtype
                            for t in ts])


# ----- in-place forms ------------------------------------------------------------------------
def inplace(t, name, fn, others, needs_old=False):
    """Write ``fn(t, *others)`` into ``t`` (``t.addmm_(...)`` and the like) through the
    in-place machinery. ``needs_old``: the result's backward reads ``t``'s values."""
    from .._inplace import check_result, write
    _tensor(t, name, "self")
    others = [o for o in others]
    recorded = grad_mode.enabled() and (t.requires_grad or any(o.requires_grad for o in others))
    if recorded:
        # An operand sharing t's memory would change under the write: use a copy, as write()
        # does for its one operand.
        others = [o.clone() if np.may_share_memory(o._data, t._data) else o for o in others]
    grad_ops = [i for i, o in enumerate(others) if o.requires_grad]
    k = grad_ops[0] if grad_ops else None

    def apply(a):
        r = fn(Tensor._wrap(a), *others)._data
        check_result(name, r, a)
        np.copyto(a, r, casting="same_kind")

    if k is None:
        return write(t, name, apply, lambda src: fn(src, *others), None, needs_old)

    def compute(src, operand):
        return fn(src, *others[:k], operand, *others[k + 1:])

    return write(t, name, apply, compute, others[k], needs_old)


def _fused_inplace(op, name):
    def method(self, a, b, *, beta=1, alpha=1):
        _tensor(a, name, "first operand")
        _tensor(b, name, "second operand")
        return inplace(self, name, lambda s, x, y: op(s, x, y, beta=beta, alpha=alpha), (a, b))
    method.__name__ = name
    method.__doc__ = f"In-place :func:`{op.__name__}`: the result is written into this tensor."
    return method


addmm_ = _fused_inplace(addmm, "addmm_")
addmv_ = _fused_inplace(addmv, "addmv_")
addr_ = _fused_inplace(addr, "addr_")
addbmm_ = _fused_inplace(addbmm, "addbmm_")
baddbmm_ = _fused_inplace(baddbmm, "baddbmm_")


def addcmul_(self, tensor1, tensor2, *, value=1):
    """In-place :func:`addcmul`."""
    _tensor(tensor1, "addcmul_", "tensor1")
    _tensor(tensor2, "addcmul_", "tensor2")
    return inplace(self, "addcmul_", lambda s, a, b: addcmul(s, a, b, value=value),
                   (tensor1, tensor2))


def addcdiv_(self, tensor1, tensor2, *, value=1):
    """In-place :func:`addcdiv`."""
    _tensor(tensor1, "addcdiv_", "tensor1")
    _tensor(tensor2, "addcdiv_", "tensor2")
    return inplace(self, "addcdiv_", lambda s, a, b: addcdiv(s, a, b, value=value),
                   (tensor1, tensor2))


# ----- kron, tensordot, cross, vdot, inner, chain_matmul --------------------------------------
def kron(input, other, *, out=None):
    """Kronecker product: with both operands padded with leading 1s to the same number of
    dims, ``out[i0*b0 + j0, i1*b1 + j1, ...] = input[i0, i1, ...] * other[j0, j1, ...]``
    (``b`` is ``other``'s shape); the dtypes promote."""
    a = _tensor(input, "kron", "input")
    b = _tensor(other, "kron", "other")
    n = max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + tuple(a.shape)
    sb = (1,) * (n - b.ndim) + tuple(b.shape)
    # interleave the dims: a as (a0, 1, a1, 1, ...), b as (1, b0, 1, b1, ...)
    ia = [s for d in sa for s in (d, 1)]
    ib = [s for d in sb for s in (1, d)]
    r = a.reshape(ia) * b.reshape(ib)
    return write_out(r.reshape([x * y for x, y in zip(sa, sb)]), out, "kron")


def _dim_list(d, name):
    if isinstance(d, Tensor):
        d = d.tolist() if d.ndim else [d.item()]
    if isinstance(d, (list, tuple)) and all(isinstance(x, (int, np.integer)) and
                                            not isinstance(x, bool) for x in d):
        return [int(x) for x in d]
    raise TypeError(f"tensordot: dims must be an int, a pair of lists of ints or a (2, k) "
                    f"tensor; got {name} = {d!r}")


def tensordot(a, b, dims=2, out=None):
    """Contraction over several dims: ``dims=k`` sums the last ``k`` dims of ``a`` against
    the first ``k`` of ``b``; ``dims=(dims_a, dims_b)`` (two lists, or a ``(2, k)`` tensor)
    names them. The result has ``a``'s free dims followed by ``b``'s."""
    a = _tensor(a, "tensordot", "a")
    b = _tensor(b, "tensordot", "b")
    _same_dtype("tensordot", a=a, b=b)
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims.ndim else int(dims.item())
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        k = int(dims)
        if k < 0:
            raise ValueError(f"tensordot: dims must be >= 0, got {k}")
        if k > a.ndim or k > b.ndim:
            raise ValueError(f"tensordot: dims={k} is more than the dims of a ({a.ndim}) or "
                             f"b ({b.ndim})")
        da, db = list(range(a.ndim - k, a.ndim)), list(range(k))
    elif isinstance(dims, (list, tuple)) and len(dims) == 2:
        da, db = _dim_list(dims[0], "dims[0]"), _dim_list(dims[1], "dims[1]")
        if len(da) != len(db):
            raise ValueError(f"tensordot: both dim lists must have the same length, got {da} "
                             f"and {db}")
    else:
        raise TypeError(f"tensordot: dims must be an int, a pair of lists of ints or a (2, k) "
                        f"tensor, got {dims!r}")
    da = [_norm_dim(d, a.ndim, "tensordot") for d in da]
    db = [_norm_dim(d, b.ndim, "tensordot") for d in db]
    if len(set(da)) != len(da) or len(set(db)) != len(db):
        raise ValueError(f"tensordot: a dim is repeated in dims ({da}, {db})")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise ValueError(f"tensordot: contracted dims must match, but a has size "
                             f"{a.shape[x]} in dim {x} and b has size {b.shape[y]} in dim {y}")
    fa = [d for d in range(a.ndim) if d not in da]
    fb = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    a2 = a.permute(*(fa + da)).reshape(-1, k)
    b2 = b.permute(*(db + fb)).reshape(k, -1)
    shape = [a.shape[d] for d in fa] + [b.shape[d] for d in fb]
    return write_out(matmul(a2, b2).reshape(shape), out, "tensordot")


_CROSS_WARNED = [False]


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim``:
    ``(a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)``; the other dims broadcast. As PyTorch
    2.13, ``dim=None`` takes the first dim of ``input`` of size 3, with its deprecation
    warning (``torch.linalg.cross`` defaults to ``dim=-1``)."""
    a = _tensor(input, "cross", "input")
    b = _tensor(other, "cross", "other")
    _same_dtype("cross", input=a, other=b)
    if a.ndim != b.ndim:
        raise ValueError(f"cross: input and other must have the same number of dims, got "
                         f"shapes {tuple(a.shape)} and {tuple(b.shape)}")
    if dim is None:
        sizes3 = [i for i, s in enumerate(a.shape) if s == 3]
        if not sizes3:
            raise ValueError(f"cross: no dim of size 3 in input of shape {tuple(a.shape)}")
        dim = sizes3[0]
        if not _CROSS_WARNED[0]:
            _CROSS_WARNED[0] = True  # PyTorch warns once per process too
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                          "Please either pass the dim explicitly or simply use "
                          "torch.linalg.cross.\nThe default value of dim will change to agree "
                          "with that of linalg.cross in a future release.", UserWarning,
                          stacklevel=2)
    d = _norm_dim(dim, a.ndim, "cross")
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise ValueError(f"cross: dim {dim} must have length 3 in both inputs, got "
                         f"{a.shape[d]} and {b.shape[d]}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cross: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                         "broadcast together") from None
    a0, a1, a2 = (a.select(d, i) for i in range(3))
    b0, b1, b2 = (b.select(d, i) for i in range(3))
    r = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim=d)
    return write_out(r, out, "cross")


def linalg_cross(input, other, *, dim=-1, out=None):
    """``torch.linalg.cross``: :func:`cross` with ``dim=-1`` by default (no size-3 search,
    no warning). Not exported at the top level; for the ``minigrad.linalg`` namespace."""
    return cross(input, other, dim, out=out)


def vdot(input, other, *, out=None):
    """``sum_i conj(input[i]) * other[i]`` for two 1-D tensors; minigrad has no complex
    dtypes, so this is :func:`dot`."""
    _tensor(input, "vdot", "input")
    _tensor(other, "vdot", "other")
    return write_out(dot(input, other), out, "vdot")


def inner(input, other, *, out=None):
    """Sum of products over the last dim: ``out[i..., j...] = sum_k input[i..., k] *
    other[j..., k]``; a 0-d operand multiplies elementwise."""
    a = _tensor(input, "inner", "input")
    b = _tensor(other, "inner", "other")
    _same_dtype("inner", input=a, other=b)
    if a.ndim == 0 or b.ndim == 0:
        return write_out(a * b, out, "inner")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: the last dim must match on both inputs, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    return write_out(tensordot(a, b, ([-1], [-1])), out, "inner")


def _chain_order(dims):
    """Optimal parenthesisation of a matrix chain (``dims[i] x dims[i+1]`` for matrix
    ``i``), by the textbook dynamic programme; ``split[i][j]`` is where ``i..j`` splits."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def chain_matmul(*matrices, out=None):
    """Product of 2-D matrices ``m0 @ m1 @ ... @ mk``, multiplied in the order that needs the
    fewest scalar multiplications, as PyTorch. Deprecated in PyTorch (use
    ``linalg.multi_dot``), which warns; so does this."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead.", UserWarning, stacklevel=2)
    if not matrices:
        raise ValueError("chain_matmul: expected one or more matrices")
    for i, m in enumerate(matrices):
        _tensor(m, "chain_matmul", f"matrices[{i}]")
        if m.ndim != 2:
            raise ValueError(f"chain_matmul: matrices[{i}] must be 2-D, got shape "
                             f"{tuple(m.shape)}")
    if len(matrices) == 1:
        return write_out(matrices[0].clone(), out, "chain_matmul")
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise ValueError(f"chain_matmul: matrices[{i}] of shape "
                             f"{tuple(matrices[i].shape)} and matrices[{i + 1}] of shape "
                             f"{tuple(matrices[i + 1].shape)} cannot be multiplied")
    split = _chain_order([m.shape[0] for m in matrices] + [matrices[-1].shape[1]])

    def product(i, j):
        if i == j:
            return matrices[i]
        k = split[i][j]
        return mm(product(i, k), product(k + 1, j))

    return write_out(product(0, len(matrices) - 1), out, "chain_matmul")


from .products_extra import *  # noqa: E402,F401,F403
from .products_extra import __all__ as _extra  # noqa: E402
from .products_extra import renorm_  # noqa: E402,F401  (a method only, as in PyTorch)

__all__ = __all__ + _extra
