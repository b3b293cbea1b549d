"""Products with PyTorch's strict shape rules: mm, bmm, mv, dot, outer, and einsum.

mm/bmm/mv/dot check their operands' dims (PyTorch does not broadcast them) and then use
:func:`matmul`, so they share its gradient. einsum's gradient with respect to an operand is
another einsum, so it differentiates again.
"""
import string

import numpy as np

from ..tensor import Tensor, as_tensor_like, make
from .linalg import matmul


def _tensors(a, b, name):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}: expected tensors, got {type(a).__name__} and {type(b).__name__}")
    a = a if isinstance(a, Tensor) else as_tensor_like(a, b)
    b = b if isinstance(b, Tensor) else as_tensor_like(b, a)
    if a.dtype != b.dtype:
        raise TypeError(f"{name}: expected both operands to have the same dtype, got "
                        f"{a.dtype} and {b.dtype}")
    return a, b


def mm(input, mat2):
    """Matrix product of two 2-D tensors ``(n, m) @ (m, p)``, as ``torch.mm`` (no broadcasting)."""
    a, b = _tensors(input, mat2, "mm")
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"mm: both operands must be 2-D matrices, got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"mm: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"({a.shape[1]} != {b.shape[0]})")
    return matmul(a, b)


def bmm(input, mat2):
    """Batched matrix product ``(b, n, m) @ (b, m, p)``, as ``torch.bmm`` (no broadcasting)."""
    a, b = _tensors(input, mat2, "bmm")
    if a.ndim != 3 or b.ndim != 3:
        raise ValueError(f"bmm: both operands must be 3-D, got shapes {a.shape} and {b.shape}")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: shapes {a.shape} and {b.shape} do not match: expected "
                         f"(b, n, m) and (b, m, p)")
    return matmul(a, b)


def mv(input, vec):
    """Matrix-vector product ``(n, m) @ (m,)``, as ``torch.mv``."""
    a, b = _tensors(input, vec, "mv")
    if a.ndim != 2 or b.ndim != 1:
        raise ValueError(f"mv: expected a 2-D matrix and a 1-D vector, got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"mv: shapes {a.shape} and {b.shape} cannot be multiplied")
    return matmul(a, b)


def dot(input, other):
    """Inner product of two 1-D tensors of the same length, as ``torch.dot``."""
    a, b = _tensors(input, other, "dot")
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"dot: expected two 1-D tensors, got shapes {a.shape} and {b.shape}")
    if a.shape != b.shape:
        raise ValueError(f"dot: inconsistent tensor sizes {a.shape[0]} and {b.shape[0]}")
    return matmul(a, b)


def outer(input, vec2):
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    a, b = _tensors(input, vec2, "outer")
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expected two 1-D tensors, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


ger = outer


# ----- einsum -----------------------------------------------------------------------------
def _parse(equation, operands):
    """Explicit subscripts (ellipses expanded to letters) and the output subscript."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: {len(terms)} operand subscripts in {equation!r} for "
                         f"{len(operands)} operands")
    used = set(eq) - set(".,->")
    for c in used:
        if c not in string.ascii_letters:
            raise ValueError(f"einsum: invalid subscript {c!r} in {equation!r} (letters only)")
    spare = [c for c in string.ascii_letters if c not in used]
    ell_dims = 0
    for t, op in zip(terms, operands):
        if "..." in t:
            ell_dims = max(ell_dims, op.ndim - len(t.replace("...", "")))
    ell = "".join(spare[:ell_dims])
    expanded = []
    for t, op in zip(terms, operands):
        if "..." in t:
            n = op.ndim - len(t.replace("...", ""))
            t = t.replace("...", ell[ell_dims - n:] if n else "")
        if len(t) != op.ndim:
            raise ValueError(f"einsum: subscript {t!r} has {len(t)} letters for an operand with "
                             f"{op.ndim} dims (shape {op.shape})")
        expanded.append(t)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for t in expanded:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    for c in out:
        if not any(c in t for t in expanded):
            raise ValueError(f"einsum: output subscript {c!r} does not appear in the inputs")
    return expanded, out, ell


def einsum(equation, *operands):
    """Einstein summation, as ``torch.einsum``: ``einsum("ij,jk->ik", a, b)``; ellipses and
    the implicit output form (letters that appear once, sorted) are supported, and the
    operands may also be given as one list. Differentiable (twice): the gradient of an
    operand is an einsum of the output gradient with the other operands. An operand with a
    repeated subscript (a diagonal, ``"ii->i"``) is not differentiable here."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: expected at least one operand")
    ops = [o if isinstance(o, Tensor) else Tensor(o) for o in operands]
    subs, out_sub, ell = _parse(equation, ops)
    sizes = {}
    for s, o in zip(subs, ops):
        for c, n in zip(s, o.shape):
            if c in ell and n == 1:
                sizes.setdefault(c, 1)  # a dim of size 1 under "..." broadcasts, as in torch
            elif c in ell and sizes.get(c) == 1:
                sizes[c] = n
            elif sizes.setdefault(c, n) != n:
                raise ValueError(f"einsum: subscript {c!r} has size {sizes[c]} and {n} in "
                                 f"{equation!r}")
    # expand (a recorded view) the operands whose broadcast dims are 1: the einsums below,
    # forward and backward, then see equal sizes, and expand's backward sums the gradient
    ops = [o.expand(*[sizes[c] for c in s]) if any(n != sizes[c] for c, n in zip(s, o.shape))
           else o for s, o in zip(subs, ops)]
    expr = ",".join(subs) + "->" + out_sub
    data = np.asarray(np.einsum(expr, *[o._data for o in ops], optimize=len(ops) > 2))
    if data.dtype.kind == "f" and ops[0].dtype.kind == "f":
        data = data.astype(np.result_type(*[o.dtype for o in ops]), copy=False)

    def backward(g, out):
        grads = []
        for i, (s, o) in enumerate(zip(subs, ops)):
            if not o.requires_grad:
                grads.append(None)
                continue
            if len(set(s)) != len(s):
                raise NotImplementedError(f"einsum: no gradient for operand {i} with the repeated "
                                          f"subscript {s!r}")
            others = [(subs[j], ops[j]) for j in range(len(ops)) if j != i]
            avail = set(out_sub).union(*[set(t) for t, _ in others]) if others else set(out_sub)
            kept = "".join(c for c in s if c in avail)
            terms = [out_sub] + [t for t, _ in others]
            gi = einsum(",".join(terms) + "->" + kept, g, *[t for _, t in others])
            if kept != s:  # letters summed away inside operand i alone: broadcast back
                shape = [sizes[c] if c in kept else 1 for c in s]
                gi = gi.reshape(shape).expand(*[sizes[c] for c in s])
            grads.append(gi)
        return tuple(grads)

    return make(data, tuple(ops), backward, "Einsum")
