"""Storage bookkeeping: version counters shared by aliases, views and their roots, and the
history that lets a tensor written in place keep its old graph identity for the ops recorded
before the write.

PyTorch's model, which minigrad follows:

* Tensors that alias one memory (a tensor, its views, ``detach()``) share one *version
  counter*, bumped by every in-place write through any of them. Backward raises if a value a
  node's backward reads was written after the node was recorded (compared on the write
  clock below). ``.data`` shares the memory but not the counter (PyTorch's documented
  escape).
* A *view* (basic indexing, ``view``/``reshape`` when no copy is needed, ``transpose``,
  ``permute``, ``expand``, ``squeeze``/``unsqueeze``, ``narrow``, ``split``/``chunk``, ...)
  remembers its *root* (the tensor that is not itself a view) and the *steps* that redo the
  view from the root, so an in-place write through the view can be recorded on the root.
* An in-place write recorded in the graph gives the written tensor a new graph identity (its
  ``_ctx``). Ops recorded before the write hold the same Python object as a parent, but they
  must send their gradient to the identity it had then: the tensor's :class:`History` lists
  ``(seq, old_identity)`` pairs and the engine picks the identity by the consumer's sequence
  number. Nothing of this runs for tensors that are never written in place or viewed: their
  ``_history`` stays None, and the engine's per-edge cost is one slot read.

Steps are ``("index", idx)`` (basic indexing), ``("reshape", shape)``, ``("permute", dims)``,
``("transpose", (dim0, dim1))`` and ``("expand", shape)``.
"""
import sys

import numpy as np


class History:
    """The graph history of a tensor written in place while recorded.

    ``rebases``: ``(seq, old, region)`` per recorded in-place write, in order: ``old`` is the
    identity it had before the write (recorded at sequence number ``seq``), ``region`` the
    steps of the part overwritten (None: all of it). ``view``: ``(root, steps)`` if this
    tensor is a view. (A view that was never written in place keeps just that tuple as its
    ``_history``: creating a view must stay cheap.)
    """

    __slots__ = ("rebases", "view")

    def __init__(self, view=None):
        self.rebases = []
        self.view = view


def view_info(t):
    """``(root, steps)`` if ``t`` is a view, else None."""
    h = t._history
    if h is None:
        return None
    return h if type(h) is tuple else h.view


def resolve(tensor, h, seq):
    """The identity ``tensor`` (whose ``_history`` is ``h``) had for a consumer recorded at
    sequence number ``seq``."""
    ident = tensor
    if type(h) is tuple:
        view = h
    else:
        view = h.view
        for s, old, _ in h.rebases:
            if s > seq:
                if old is _FREED:
                    raise RuntimeError("backward: trying to backward through the graph a "
                                       "second time; its saved values were freed. Pass "
                                       "retain_graph=True to the first backward.")
                ident = old
                break
    if view is not None and ident._ctx is not None:
        rh = view[0]._history
        if rh is not None and rh.rebases:
            # A view recorded before its root was overwritten (through the root or another
            # view) and used after: its graph identity still reads the old root. PyTorch
            # regenerates it; minigrad refuses, unless the write missed this view's elements.
            created = ident._seq
            for s, _, region in rh.rebases:
                if created < s < seq and _overlaps(view, region):
                    raise RuntimeError(
                        "backward: a view was used after its base was modified in place by an "
                        "operation recorded in the graph; its gradient would go to the base's "
                        "old value. Take the view again after the in-place write (minigrad "
                        "does not regenerate stale views as PyTorch does).")
    return ident


#: The write clock: how many in-place writes have happened, anywhere. A version counter is
#: ``[version, clock at its last write]``; a graph node keeps the clock at its recording, so
#: "was a saved value written since?" costs nothing until some write happens.
clock = [0]


def shared_counter(t):
    """``t``'s version counter, created (at 0) if it has none yet, to share with an alias."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, 0]
    return vc


def bump(t):
    """Count one in-place write of ``t``'s memory (seen by every alias sharing the counter)."""
    clock[0] += 1
    vc = t._vc
    if vc is None:
        t._vc = [1, clock[0]]
    else:
        vc[0] += 1
        vc[1] = clock[0]


def live_aliases(t):
    """How many other tensors alive now share ``t``'s version counter (its views and
    ``detach()`` aliases; not the old identities its own history keeps)."""
    if t._vc is None:
        return 0
    h = t._history
    own = 0
    if type(h) is History:
        own = sum(1 for _, old, _ in h.rebases if old is not _FREED and old._vc is t._vc)
    # references: t's slot, getrefcount's argument
    return sys.getrefcount(t._vc) - 2 - own


def record_rebase(t, seq, old, region=None):
    """``t`` got a new graph identity at ``seq``; ``old`` is the one it had before."""
    h = t._history
    if type(h) is not History:
        h = t._history = History(view=h)
    rebases = h.rebases
    if len(rebases) >= 32:
        _compact(rebases)
    rebases.append((seq, old, region))


class _Freed:
    """Stands in :attr:`History.rebases` for old identities a backward has freed."""

    _ctx = None
    requires_grad = False


_FREED = _Freed()


def _compact(rebases):
    """A tensor written in place at every training step (a reused buffer) would keep every
    old identity. A run of consecutive ones that a backward has run through and freed
    becomes one entry: a consumer recorded in the run's span gets the "graph was freed"
    error, as it would from a freed identity itself. Constant identities (the buffer
    between steps, after ``detach_()``) inside such a run go with it."""
    out, run = [], []

    def flush():
        if any(old is _FREED or old._ctx is not None for _, old, _ in run):
            out.append((run[-1][0], _FREED, None))
        else:
            out.extend(run)  # constants only: nothing was freed, keep them
        run.clear()

    for entry in rebases:
        old = entry[1]
        if old is _FREED or (old._ctx is None and not old.requires_grad) or old._ctx[0] is None:
            run.append(entry)
        else:
            flush()
            out.append(entry)
    flush()
    rebases[:] = out


# ----- steps: redo a view from its root -----------------------------------------------------
def apply_steps_array(a, steps):
    """The view ``steps`` of numpy array ``a`` (values in C order; may be a copy)."""
    for kind, arg in steps:
        if kind == "index":
            a = a[arg]
        elif kind == "reshape":
            a = a.reshape(arg)
        elif kind == "permute":
            a = np.transpose(a, arg)
        elif kind == "transpose":
            a = np.swapaxes(a, *arg)
        elif kind == "diagonal":
            a = np.diagonal(a, *arg)
        else:  # "expand"
            a = np.broadcast_to(a, arg)
    return a


def apply_steps(t, steps):
    """The view ``steps`` of Tensor ``t``, with recorded (differentiable) ops."""
    for kind, arg in steps:
        if kind == "index":
            t = t[arg]
        elif kind == "reshape":
            t = t.reshape(arg)
        elif kind == "permute":
            t = t.permute(*arg)
        elif kind == "transpose":
            t = t.transpose(*arg)
        elif kind == "diagonal":
            t = t.diagonal(*arg)
        else:
            t = t.expand(*arg)
    return t


def region_ids(shape, steps):
    """Flat C-order indices of the elements of an array of ``shape`` that ``steps`` select."""
    ids = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    return np.asarray(apply_steps_array(ids, steps)).ravel()


def _overlaps(view, region):
    """Whether the write ``region`` of the root touches the elements of ``view``."""
    if region is None:
        return True
    root, steps = view
    shape = root.shape
    return np.intersect1d(region_ids(shape, steps), region_ids(shape, region)).size > 0
