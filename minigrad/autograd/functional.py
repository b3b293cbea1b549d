"""Higher-order autodiff of whole functions: ``vjp``, ``jvp``, ``hvp``, ``vhp``, ``jacobian``,
``hessian``, with the argument names and return conventions of ``torch.autograd.functional``.

Everything is built on :func:`minigrad.autograd.grad` (reverse mode only):

* ``vjp(f, x, v)``  = ``v^T J``: one backward pass seeded with ``v``.
* ``jvp(f, x, v)``  = ``J v`` by the *double-vjp trick*: ``g(u) = J^T u`` is linear in a dummy
  cotangent ``u``, so differentiating ``<g(u), v>`` with respect to ``u`` gives ``J v``. Two
  backward passes, the first with ``create_graph=True``.
* ``vhp(f, x, v)``  = ``v^T H``: backward of ``<grad f(x), v>`` (the gradient recorded with
  ``create_graph=True``). ``hvp`` returns ``H v``; for a twice continuously differentiable
  ``f`` the Hessian is symmetric, so it is computed the same way (PyTorch spends a third pass
  on the double-vjp trick to stay exact for non-symmetric "Hessians" of functions with kinks;
  minigrad does not).
* ``jacobian`` builds the matrix row by row, one backward pass per output element;
  ``hessian`` is the Jacobian of the gradient. Both are meant for small inputs: the cost is
  (number of outputs) backward passes.

Conventions shared by all functions (as PyTorch):

* ``inputs`` is a Tensor or a tuple of Tensors; ``func(*inputs)`` returns a Tensor or a tuple
  of Tensors. Results mirror those structures: a Tensor for a Tensor, a tuple for a tuple.
  ``jacobian`` returns ``J[i][j]`` (output ``i``, input ``j``) of shape
  ``outputs[i].shape + inputs[j].shape``, collapsing the tuple levels that were not tuples.
* The inputs are differentiated as fresh leaves; results are detached unless
  ``create_graph=True``, in which case they are differentiable (also with respect to the
  caller's tensors when the inputs require grad).
* An output that does not depend on an input gives zeros, or a RuntimeError if
  ``strict=True``.
"""
import numpy as np

from .. import grad_mode
from ..tensor import Tensor
from . import engine

__all__ = ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"]


# ----- argument handling ------------------------------------------------------------------------
def _as_tuple(x, arg_name, fn_name):
    """``(is_tuple, tuple_of_tensors)`` with a clear TypeError for anything else."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"{arg_name}[{i}]" if is_tuple else arg_name
            raise TypeError(f"{fn_name}: {where} must be a Tensor (or {arg_name} a tuple of "
                            f"Tensors), got {type(t).__name__}")
    return is_tuple, items


def _prepare_inputs(inputs, create_graph, fn_name):
    """Leaves to differentiate with respect to.

    Without ``create_graph`` a detached alias of each input (shares memory, no graph). With
    it, an input that requires grad is passed through ``clone()`` so results stay connected
    to the caller's graph (PyTorch uses ``view_as`` for the same purpose).
    """
    prepared = []
    for i, t in enumerate(inputs):
        if t.dtype.kind != "f":
            raise TypeError(f"{fn_name}: inputs[{i}] has dtype {t.dtype}; only floating-point "
                            "inputs can be differentiated")
        if create_graph and t.requires_grad:
            with grad_mode.enable_grad():
                prepared.append(t.clone())
        else:
            prepared.append(Tensor._wrap(t._data).requires_grad_(True))
    return tuple(prepared)


def _call(func, inputs, fn_name):
    """Run ``func`` with recording on; ``(is_tuple, outputs)``."""
    with grad_mode.enable_grad():
        out = func(*inputs)
    if isinstance(out, Tensor):
        return False, (out,)
    if isinstance(out, (tuple, list)) and out and all(isinstance(o, Tensor) for o in out):
        return True, tuple(out)
    raise TypeError(f"{fn_name}: the function must return a Tensor or a non-empty tuple of "
                    f"Tensors, got {type(out).__name__}")


def _check_v(v, refs, what, fn_name):
    """Validate ``v`` against ``refs`` (the outputs or the inputs): same count and shapes."""
    if len(v) != len(refs):
        raise RuntimeError(f"{fn_name}: v has {len(v)} Tensors but the {what} has "
                           f"{len(refs)}; they must match")
    for i, (vi, ri) in enumerate(zip(v, refs)):
        if vi.shape != ri.shape:
            raise RuntimeError(f"{fn_name}: v[{i}] has shape {tuple(vi.shape)} but {what}[{i}] "
                               f"has shape {tuple(ri.shape)}; they must match")


def _single_element_v(refs, what, fn_name):
    """The implicit ``v = 1`` allowed when ``refs`` is one single-element Tensor."""
    if len(refs) != 1 or refs[0]._data.size != 1:
        raise RuntimeError(f"{fn_name}: v can only be None when the {what} is a single Tensor "
                           "with a single element; pass v")
    return (Tensor._wrap(np.ones_like(refs[0]._data)),)


def _as_cotangent(vi, ref):
    """``vi`` in ``ref``'s dtype as a Tensor (a graph through ``vi`` is kept)."""
    if vi.dtype != ref.dtype:
        return vi.astype(ref.dtype)
    return vi


def _check_scalar_output(outputs, fn_name):
    if len(outputs) != 1 or outputs[0]._data.size != 1:
        raise RuntimeError(f"{fn_name}: the function must return a single Tensor with a single "
                           f"element, got shape(s) {[tuple(o.shape) for o in outputs]}")


# ----- the one primitive: grad with zeros for independent inputs ---------------------------------
def _grad(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    """``autograd.grad`` over the outputs that carry a graph; None where unreachable."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gos = zip(*pairs)
    return engine.grad(list(outs), list(inputs), grad_outputs=list(gos),
                       retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _fill_zeros(grads, refs, strict, stage, fn_name):
    """Replace None by zeros shaped like ``refs``; with ``strict`` raise instead."""
    out = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn_name}: {stage} {i} does not depend on the input(s); "
                                   "this is not allowed with strict=True")
            g = Tensor._wrap(np.zeros_like(r._data))
        out.append(g)
    return tuple(out)


def _finish(tensors, create_graph):
    """Detach results unless the caller wants to differentiate them further."""
    if create_graph:
        return tuple(tensors)
    return tuple(t.detach() for t in tensors)


def _structure(items, is_tuple):
    return tuple(items) if is_tuple else items[0]


# ----- public functions -------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Args:
        func: a function of Tensors returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: like the output of ``func`` (may be None when it is a single element).
        create_graph: make the results differentiable.
        strict: raise if an input does not influence the outputs instead of returning zeros.

    Returns:
        ``(func_output, vjp)``: ``vjp`` has the structure and shapes of ``inputs``.
    """
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    xs = _prepare_inputs(inputs, create_graph, "vjp")
    is_out_tuple, outputs = _call(func, xs, "vjp")
    if v is None:
        vs = _single_element_v(outputs, "output of func", "vjp")
    else:
        _, vs = _as_tuple(v, "v", "vjp")
        _check_v(vs, outputs, "output", "vjp")
    vs = tuple(_as_cotangent(vi, o) for vi, o in zip(vs, outputs))
    grads = _grad(outputs, xs, vs, create_graph)
    grads = _fill_zeros(grads, xs, strict, "input", "vjp")
    return (_structure(_finish(outputs, create_graph), is_out_tuple),
            _structure(_finish(grads, create_graph), is_in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Jacobian-vector product ``J v`` by the double-vjp trick.

    ``g(u) = J^T u`` is computed with ``create_graph=True`` for a dummy cotangent ``u`` (zeros,
    requiring grad); ``g`` is linear in ``u``, so the vjp of ``g`` with respect to ``u`` along
    ``v`` is ``J v``. Two reverse passes instead of one forward-mode pass.

    Returns:
        ``(func_output, jvp)``: ``jvp`` has the structure and shapes of the output.
    """
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    if v is None:
        vs = _single_element_v(inputs, "input", "jvp")
    else:
        _, vs = _as_tuple(v, "v", "jvp")
        _check_v(vs, inputs, "input", "jvp")
    xs = _prepare_inputs(inputs, create_graph, "jvp")
    is_out_tuple, outputs = _call(func, xs, "jvp")
    us = tuple(Tensor._wrap(np.zeros_like(o._data)).requires_grad_(True) for o in outputs)
    g_u = _grad(outputs, xs, us, create_graph=True)
    if strict and any(g is None for g in g_u):
        i = next(i for i, g in enumerate(g_u) if g is None)
        raise RuntimeError(f"jvp: the output does not depend on input {i}; this is not allowed "
                           "with strict=True")
    res = _differentiate_along(g_u, vs, xs, us, create_graph)
    res = _fill_zeros(res, outputs, strict, "output", "jvp")
    return (_structure(_finish(outputs, create_graph), is_out_tuple),
            _structure(_finish(res, create_graph), is_out_tuple))


def _differentiate_along(first, vs, xs, wrt, create_graph):
    """``d <first, v> / d wrt``: the second backward pass shared by jvp, vhp and hvp. Pieces
    of ``first`` without a graph contribute nothing (None results are filled by the caller)."""
    pairs = [(g, _as_cotangent(vi, x)) for g, vi, x in zip(first, vs, xs)
             if g is not None and g.requires_grad]
    if not pairs:
        return (None,) * len(wrt)
    gs, v_used = zip(*pairs)
    return engine.grad(list(gs), list(wrt), grad_outputs=list(v_used),
                       create_graph=create_graph, allow_unused=True)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Hessian product ``v^T H`` of a scalar function.

    The gradient ``grad f`` is recorded (``create_graph=True``) and differentiated once more
    along ``v``: ``d/dx <grad f(x), v> = v^T H``.

    Returns:
        ``(func_output, vhp)``: ``vhp`` has the structure and shapes of ``inputs``.
    """
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Hessian-vector product ``H v`` of a scalar function.

    Computed like :func:`vhp`: the Hessian of a twice continuously differentiable function is
    symmetric, so ``H v = (v^T H)^T``. (PyTorch's ``hvp`` adds a third backward pass to stay
    exact where second derivatives do not commute, at kinks.)

    Returns:
        ``(func_output, hvp)``: ``hvp`` has the structure and shapes of ``inputs``.
    """
    return _second_order(func, inputs, v, create_graph, strict, "hvp")


def _second_order(func, inputs, v, create_graph, strict, fn_name):
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    if v is None:
        vs = _single_element_v(inputs, "input", fn_name)
    else:
        _, vs = _as_tuple(v, "v", fn_name)
        _check_v(vs, inputs, "input", fn_name)
    xs = _prepare_inputs(inputs, create_graph, fn_name)
    _, outputs = _call(func, xs, fn_name)
    _check_scalar_output(outputs, fn_name)
    seed = (Tensor._wrap(np.ones_like(outputs[0]._data)),)
    jac = _grad(outputs, xs, seed, create_graph=True)
    if strict and any(g is None or not g.requires_grad for g in jac):
        i = next(i for i, g in enumerate(jac) if g is None or not g.requires_grad)
        raise RuntimeError(f"{fn_name}: the gradient with respect to input {i} does not depend "
                           "on the inputs; this is not allowed with strict=True")
    res = _differentiate_along(jac, vs, xs, xs, create_graph)
    res = _fill_zeros(res, xs, strict, "input", fn_name)
    return (_finish(outputs, create_graph)[0], _structure(_finish(res, create_graph), is_in_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``, one backward pass per output element.

    Returns ``J[i][j]`` of shape ``outputs[i].shape + inputs[j].shape``; the outer level is
    dropped when ``func`` returns a single Tensor, the inner one when ``inputs`` is a single
    Tensor (PyTorch's convention). ``vectorize`` and ``strategy`` exist for signature
    compatibility; only ``vectorize=False`` and ``strategy='reverse-mode'`` are supported.
    """
    if vectorize:
        raise NotImplementedError("jacobian: vectorize=True is not supported by minigrad")
    if strategy != "reverse-mode":
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' (minigrad has no forward "
                         f"mode), got {strategy!r}")
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _prepare_inputs(inputs, create_graph, "jacobian")
    is_out_tuple, outputs = _call(func, xs, "jacobian")
    blocks = _jacobian_blocks(outputs, xs, create_graph, strict, "jacobian")
    rows = [_structure(row, is_in_tuple) for row in blocks]
    return _structure(rows, is_out_tuple)


def _jacobian_blocks(outputs, xs, create_graph, strict, fn_name):
    """``blocks[i][j]`` = d outputs[i] / d xs[j], shaped ``out_i.shape + x_j.shape``."""
    blocks = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in xs]  # per input: the gradient of each element of out
        n = out._data.size
        for k in range(n):
            onehot = np.zeros(out._data.size, dtype=out.dtype)
            onehot[k] = 1
            seed = Tensor._wrap(onehot.reshape(out.shape))
            # The graph is needed again for the next element (and by the caller with
            # create_graph).
            grads = _grad((out,), xs, (seed,), create_graph, retain_graph=True)
            for j, g in enumerate(grads):
                if g is None and strict:
                    raise RuntimeError(f"{fn_name}: output {i} does not depend on input {j}; "
                                       "this is not allowed with strict=True")
                rows[j].append(g)
        blocks.append(tuple(_assemble(r, out, x, create_graph) for r, x in zip(rows, xs)))
    return blocks


def _assemble(grads, out, x, create_graph):
    """Stack per-element gradients into a Tensor of shape ``out.shape + x.shape``."""
    shape = tuple(out.shape) + tuple(x.shape)
    if create_graph and any(g is not None and g.requires_grad for g in grads):
        from ..ops.shape import stack
        parts = [g if g is not None else Tensor._wrap(np.zeros_like(x._data)) for g in grads]
        if not parts:
            return Tensor._wrap(np.zeros(shape, dtype=x.dtype))
        with grad_mode.enable_grad():
            return stack(parts, 0).reshape(shape)
    arr = np.zeros((len(grads),) + tuple(x.shape), dtype=x.dtype)
    for k, g in enumerate(grads):
        if g is not None:
            arr[k] = g._data
    return Tensor._wrap(arr.reshape(shape))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: the Jacobian of its gradient.

    The gradient is recorded with ``create_graph=True``, then :func:`jacobian`'s row-by-row
    backward passes run over it (one per input element). Returns a Tensor of shape
    ``inputs.shape + inputs.shape``, or for a tuple of inputs ``H[i][j]`` of shape
    ``inputs[i].shape + inputs[j].shape``.
    """
    if vectorize:
        raise NotImplementedError("hessian: vectorize=True is not supported by minigrad")
    if outer_jacobian_strategy != "reverse-mode":
        raise ValueError("hessian: outer_jacobian_strategy must be 'reverse-mode' (minigrad has "
                         f"no forward mode), got {outer_jacobian_strategy!r}")
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    xs = _prepare_inputs(inputs, create_graph, "hessian")
    _, outputs = _call(func, xs, "hessian")
    _check_scalar_output(outputs, "hessian")
    seed = (Tensor._wrap(np.ones_like(outputs[0]._data)),)
    jac = _grad(outputs, xs, seed, create_graph=True)
    if strict and any(g is None for g in jac):
        i = next(i for i, g in enumerate(jac) if g is None)
        raise RuntimeError(f"hessian: the output does not depend on input {i}; this is not "
                           "allowed with strict=True")
    jac = _fill_zeros(jac, xs, False, "input", "hessian")
    blocks = _jacobian_blocks(jac, xs, create_graph, strict, "hessian")
    rows = [_structure(row, is_in_tuple) for row in blocks]
    return _structure(rows, is_in_tuple)
