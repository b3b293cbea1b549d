"""The backward pass.

Every recorded node carries a sequence number larger than its parents' (see
``tensor.make``). The sweep keeps a heap of the nodes that have received a gradient and
always runs the one with the largest number next, so each node runs once, after all of its
consumers have added their contributions. No recursion and no separate sort: graphs of any
depth work, and only nodes that receive a gradient are visited.
"""
import contextlib
import contextvars
import heapq

import numpy as np

from .. import grad_mode
from .._storage import clock, resolve
from ..tensor import _RETAIN_GRAD, Tensor, written_since_recorded


def parents_of(node):
    """``node``'s parents as the identities they had when ``node`` was recorded (a parent
    written in place since then has a newer identity, see :mod:`minigrad._storage`)."""
    seq = node._seq
    return [p if p._history is None else resolve(p, p._history, seq) for p in node._ctx[1]]


def topological_order(roots):
    """Nodes that require grad reachable from ``roots``, every node after its parents."""
    order, seen = [], set()
    stack = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if node._ctx is not None:
            for p in parents_of(node):
                if p.requires_grad and id(p) not in seen:
                    stack.append((p, False))
    return order


_SECOND_BACKWARD = ("backward: trying to backward through the graph a second time; its saved "
                    "values were freed. Pass retain_graph=True to the first backward.")


def _needed(roots, targets):
    """ids of the nodes with a path to one of ``targets`` (for ``autograd.grad``), and whether
    a node freed by an earlier backward was met (it has no parents left, so a target behind
    it would look unused)."""
    needed = set(targets)
    freed = False
    for node in topological_order(roots):
        ctx = node._ctx
        if ctx is not None:
            freed = freed or ctx[0] is None
            if any(id(p) in needed for p in parents_of(node)):
                needed.add(id(node))
    return needed, freed


def _seed(root, gradient):
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for outputs with one element; "
                f"this output has shape {root.shape}, pass gradient= of that shape")
        return Tensor._wrap(np.ones_like(root._data))
    g = gradient if isinstance(gradient, Tensor) else Tensor._wrap(np.asarray(gradient, dtype=root.dtype))
    if g.shape != root.shape:
        raise ValueError(f"backward: gradient has shape {g.shape} but the output has shape {root.shape}")
    return g


def _run_hooks(tensor, g):
    """Apply ``tensor``'s ``register_hook`` hooks to its gradient ``g``; return the gradient
    and whether ``retain_grad()`` asked to keep it."""
    retain = False
    for hook in list(tensor._hooks):
        if hook is _RETAIN_GRAD:
            retain = True
            continue
        new = hook(g)
        if new is not None:
            if not isinstance(new, Tensor):
                new = Tensor._wrap(np.asarray(new, dtype=g.dtype))
            if new.shape != g.shape:
                raise RuntimeError(f"hook returned a gradient of shape {new.shape} for a "
                                   f"tensor of shape {g.shape}")
            g = new
    return g, retain


def _accumulate_leaf(leaf, g, create_graph):
    if create_graph:
        if g._data.dtype != leaf._data.dtype:
            g = g.astype(leaf._data.dtype)
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    grad = leaf.grad
    if grad is None:
        view = leaf._grad_view
        if view is not None:
            np.copyto(view, g._data)
            leaf.grad = Tensor._wrap(view)
        else:
            leaf.grad = Tensor._wrap(np.array(g._data, dtype=leaf._data.dtype, copy=True))
    else:
        grad._data += g._data


def run(roots, root_grads, inputs=None, create_graph=False, retain_graph=None,
        accumulate=True, allow_unused=False):
    """Backpropagate from ``roots``. With ``inputs``, return their gradients (a tuple); with
    ``accumulate`` also add into ``.grad`` (of the ``inputs`` only, when given)."""
    if retain_graph is None:
        retain_graph = create_graph
    for r in roots:
        if not r.requires_grad:
            raise RuntimeError("backward: the tensor does not require grad and has no graph "
                               "(did you compute it under no_grad, or from tensors without "
                               "requires_grad=True?)")
    targets = needed = None
    freed = False
    if inputs is not None:
        targets = {id(t) for t in inputs}
        needed, freed = _needed(roots, targets)
    grads = {}      # id -> accumulated gradient
    leaves = {}     # id -> leaf tensor that received a gradient
    heap = []       # (-seq, id, node) of non-leaf nodes waiting to run
    captured = {}
    wanted = targets or ()
    push = heapq.heappush
    pop = heapq.heappop

    # The loop below is the hot path of every training step: receiving a gradient is
    # written inline rather than as a helper call, and the grad mode is switched directly.
    previous_mode = grad_mode.enabled()
    grad_mode._set(create_graph)
    try:
        pending = list(zip(roots, root_grads))
        while True:
            for p, pg in pending:
                key = id(p)
                prev = grads.get(key)
                if prev is not None:
                    # A fresh sum: either gradient may be shared with another edge.
                    # (A multi-output Function's hidden node merges its own kind with +.)
                    grads[key] = Tensor._wrap(np.add(prev._data, pg._data)) \
                        if not create_graph and type(pg) is Tensor else prev + pg
                    continue
                grads[key] = pg
                if p._ctx is None:
                    leaves[key] = p
                elif needed is None or key in needed:
                    push(heap, (-p._seq, key, p))
            if not heap:
                break
            _, key, node = pop(heap)
            g = grads.pop(key)
            retain = False
            if node._hooks is not None:
                g, retain = _run_hooks(node, g)
            if retain or key in wanted:
                if key in wanted:
                    captured[key] = g
                if accumulate:
                    _accumulate_leaf(node, g if create_graph else g.detach(), create_graph)
            backward, parents, op, saves = node._ctx
            if backward is None:
                raise RuntimeError(_SECOND_BACKWARD)
            if saves and node._recorded_at != clock[0] and written_since_recorded(node):
                raise RuntimeError(
                    f"backward: a value that {op} needs for its gradient was modified in place "
                    "after the op was recorded (for example by optimizer.step() between two "
                    "backward passes, by +=, or through a view or detach() of it), so its "
                    "gradient would be wrong. Compute the loss again after the update, or "
                    "clone() before modifying.")
            pending = []
            seq = node._seq
            for p, pg in zip(parents, backward(g, node)):
                if pg is None:
                    continue
                h = p._history
                if h is not None:
                    p = resolve(p, h, seq)
                if p.requires_grad:
                    if pg._data.shape != p._data.shape:
                        raise RuntimeError(f"internal error: {op} backward returned shape "
                                           f"{pg.shape} for an input of shape {p.shape}")
                    pending.append((p, pg))
            if not retain_graph:
                # Release what the backward closure holds; a second backward gets a clear error.
                node._ctx = (None, (), op, 0)
        for key, leaf in leaves.items():
            if targets is not None and key not in targets:
                continue  # not asked for: its hooks do not run either, as in PyTorch
            g = grads[key]
            if leaf._hooks is not None:
                g = _run_hooks(leaf, g)[0]
            if targets is not None:
                captured[key] = g
            if accumulate:
                _accumulate_leaf(leaf, g, create_graph)
    finally:
        grad_mode._set(previous_mode)
    if inputs is None:
        return None
    result = []
    for t in inputs:
        g = captured.get(id(t))
        if g is None and not allow_unused:
            if freed:
                raise RuntimeError(_SECOND_BACKWARD.replace("backward:", "grad:", 1))
            raise RuntimeError("grad: one of the inputs was not used to compute the outputs; "
                               "pass allow_unused=True to get None for it")
        result.append(g)
    return tuple(result)


#: How ``backward()`` behaves inside an optimizer's closure (see :func:`closure_backward`).
_closure_policy = contextvars.ContextVar("minigrad_closure_backward", default=None)


@contextlib.contextmanager
def closure_backward(policy):
    """While an optimizer evaluates a PyTorch-style closure (``zero_grad(); loss.backward();
    return loss``), make ``backward()`` either keep the graph (``"retain"``: the optimizer
    differentiates the loss again, as Newton does) or do nothing (``"skip"``: a line-search
    trial needs only the value). Restored on exit, also when the closure raises.
    Per thread, like the grad mode: an optimizer in another thread does not change this
    thread's ``backward()``."""
    if policy not in ("retain", "skip"):
        raise ValueError(f"closure_backward: policy must be 'retain' or 'skip', got {policy!r}")
    previous = _closure_policy.get()
    _closure_policy.set(policy)
    try:
        yield
    finally:
        _closure_policy.set(previous)


def backward(tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """``tensor.backward(...)``: accumulate gradients into the leaves' ``.grad``."""
    policy = _closure_policy.get()
    if policy == "skip":
        return
    if policy == "retain":
        retain_graph = True
    seed = _seed(tensor, gradient)
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    run([tensor], [seed], inputs=inputs, create_graph=create_graph,
        retain_graph=retain_graph, accumulate=True, allow_unused=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple of Tensors
    (``.grad`` is left untouched), as ``torch.autograd.grad``. With ``create_graph=True`` the
    returned gradients are themselves differentiable."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    seeds = [_seed(o, g) for o, g in zip(outputs, grad_outputs)]
    return run(outputs, seeds, inputs=inputs, create_graph=create_graph,
               retain_graph=retain_graph, accumulate=False, allow_unused=allow_unused)
