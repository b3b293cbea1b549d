"""In-place writes: ``t[idx] = v``, ``t += v``, ``add_``, ``zero_``, ``copy_``, ... with
PyTorch's autograd semantics (see :mod:`minigrad._storage` for the model).

Every write goes through :func:`write` (the new values computed from the whole tensor) or
:func:`write_region` (a value stored into part of it: item assignment, ``masked_fill_``,
``index_put_``). Each has two paths:

* nothing to record (grad mode off, or neither the tensor nor the value requires grad): the
  numpy write, then the version counter is bumped. This is the path of ``p.data -= lr * g``,
  of ``with no_grad(): p -= lr * p.grad`` and of every write into plain data.
* recorded: the tensor gets a new graph identity whose node routes the gradient (for item
  assignment: zero to the overwritten part of the old value, the rest to the value, as
  PyTorch's ``CopySlices``); its old identity is kept for the ops recorded before. A write
  through a view is recorded on the view's root, and the view becomes a view of the new root.

Refused, as in PyTorch: writing into a leaf that requires grad (or a view of one) while
gradients are recorded; writing into a read-only broadcast view (``expand``). Departures:
a recorded write into a tensor that does not require grad while views of it are alive (they
would not see their new history; PyTorch regenerates them), and backward through a view used
after a recorded write into its base (see ``History.resolve``), raise instead.
"""
import numpy as np

from . import _storage
from .grad_mode import enabled as grad_enabled

Tensor = _ar = _ew = _ix = None


def bind():
    """Import what needs ``Tensor`` (``tensor.py`` calls this once it has defined it)."""
    global Tensor, _ar, _ew, _ix, _RETAIN_GRAD, SAVES_NOTHING, make
    global as_tensor_like, _norm_dim, unbroadcast
    from .ops import arithmetic as _ar
    from .ops import elementwise as _ew
    from .ops import indexing as _ix
    from .ops.broadcast import unbroadcast
    from .tensor import (_RETAIN_GRAD, SAVES_NOTHING, Tensor, _norm_dim, as_tensor_like,
                         make)


# ----- the two write paths ------------------------------------------------------------------
def _check_leaf(t, name):
    if not grad_enabled():
        return
    if t.requires_grad and t._ctx is None:
        raise RuntimeError(f"{name}: a leaf tensor that requires grad is being used in an "
                           "in-place operation; wrap the update in minigrad.no_grad() (or "
                           "write through .data)")
    base = t._base
    if base is not None and base.requires_grad and base._ctx is None:
        raise RuntimeError(f"{name}: a view of a leaf tensor that requires grad is being used "
                           "in an in-place operation; wrap the update in minigrad.no_grad()")


def check_result(name, result, target):
    """Refuse to write the array ``result`` of an in-place op into the array ``target`` when
    it has another shape (broadcasting grew it) or a dtype that does not cast within its kind."""
    if result.shape != target.shape:
        raise RuntimeError(f"{name}: output with shape {target.shape} doesn't match the "
                           f"broadcast shape {result.shape}")
    if not np.can_cast(result.dtype, target.dtype, "same_kind"):
        raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the tensor's "
                           f"dtype {target.dtype}")


def read_only_error(name):
    """The error for a write into a read-only array."""
    return RuntimeError(
        f"{name}: this tensor is read-only: a broadcast view made by expand() (more than one "
        "element refers to the same memory) or a read-only numpy array; clone() it first")


def _raw_write(t, name, apply):
    """Run ``apply(array)`` on ``t``'s memory, with clear errors; bump the version."""
    a = t._writable_array()
    try:
        apply(a)
    except (ValueError, TypeError) as e:
        if not a.flags.writeable:
            raise read_only_error(name) from None
        # (a plain class: numpy's own subclasses take other constructor arguments)
        raise (ValueError if isinstance(e, ValueError) else TypeError)(f"{name}: {e}") from None
    _storage.bump(t)


def _identity(t, copy_data=False):
    """A new Tensor object carrying ``t``'s current graph identity, for the ops recorded
    before ``t`` is written. It aliases ``t``'s memory and counter, or holds a copy of the
    values (and a counter of its own) when the new node's backward needs the old values."""
    old = object.__new__(Tensor)
    if copy_data:
        old._data = np.array(t._data, copy=True)
        old._vc = [t._version, 0]
    else:
        old._data = t._writable_array()
        old._vc = _storage.shared_counter(t)
    old.grad = None
    old._grad_view = None
    old._history = None
    old.requires_grad = t.requires_grad
    old._ctx = ctx = t._ctx
    if ctx is not None:
        old._seq = t._seq
        old._recorded_at = t._recorded_at
    # The user's hooks stay with the value they were registered on, retain_grad follows the
    # tensor (PyTorch's rule): the list goes to ``old``, and _adopt splits it once the write
    # is done. Moving the list itself keeps the handles register_hook returned working.
    old._hooks = t._hooks
    return old


def _adopt(t, node, old, region=None):
    """``t`` takes the graph identity of the freshly recorded ``node``; ``old`` was its
    identity before. It counts as recorded now, after the write: the write itself must not
    make the new node's backward refuse."""
    t._ctx = node._ctx
    t._seq = node._seq
    t.requires_grad = True
    t._recorded_at = _storage.clock[0]
    hooks = t._hooks
    if hooks is not None:
        retain = _RETAIN_GRAD in hooks
        if retain:
            hooks.remove(_RETAIN_GRAD)  # the list is old's now (see _identity)
        t._hooks = [_RETAIN_GRAD] if retain else None
    _storage.record_rebase(t, node._seq, old, region)


def _check_views(t, name, root, exclude_self):
    """A recorded write into a tensor without a graph, while views or detach() aliases of it
    are alive, would leave those without their new history: refuse (departure from
    PyTorch, which regenerates views)."""
    if root.requires_grad:
        return
    if _storage.live_aliases(root) > (1 if exclude_self else 0):
        raise RuntimeError(
            f"{name}: this write gives the tensor a gradient history, but views of it taken "
            "before the write (or detach() aliases) are still alive and would not see it "
            "(minigrad does not regenerate views as PyTorch does). Take the views after the "
            "write, or write into a clone().")


def _rebase_region(root, steps, value, accumulate):
    """Record on ``root`` that its region ``steps`` now holds ``value`` (or had ``value``
    added, with ``accumulate``); the memory is already written."""
    old = _identity(root)
    if value is root:  # t.copy_(t): as a parent, t would be its own new node's input
        value = old
    shape, dtype = root.shape, root.dtype

    def backward(g, out):
        go = gv = None
        if old.requires_grad:
            if accumulate:
                go = g
            else:
                keep = np.ones(int(np.prod(shape, dtype=np.int64)), dtype)
                keep[_storage.region_ids(shape, steps)] = 0
                go = g * Tensor._wrap(keep.reshape(shape))
        if value.requires_grad:
            gv = unbroadcast(_storage.apply_steps(g, steps), value.shape)
            if gv.dtype != value.dtype:
                gv = gv.astype(value.dtype)
        return go, gv

    node = make(root._data, (old, value), backward,
                "IndexPutAccumulate" if accumulate else "CopySlices", SAVES_NOTHING)
    _adopt(root, node, old, steps)


def _regenerate_view(t, old):
    """After a recorded write through view ``t``, make it a view of its root's new identity."""
    root, steps = _storage.view_info(t)
    fresh = _storage.apply_steps(root, steps)
    _adopt(t, fresh, old)


def _recorded_target(t, name, value_requires_grad):
    """None when the write into ``t`` is not recorded; else ``(view, root)`` (``view`` is
    ``t``'s ``(root, steps)`` or None), once the write has passed the checks."""
    _check_leaf(t, name)
    if not (grad_enabled() and (t.requires_grad or value_requires_grad)):
        return None
    view = _storage.view_info(t)
    root = t if view is None else view[0]
    _check_no_grad_view(t, name, root)
    _check_views(t, name, root, exclude_self=view is not None)
    return view, root


def write(t, name, apply, compute, operand=None, needs_old=False):
    """Write new values into ``t`` in place. ``apply(array)`` does it on raw memory;
    ``compute(src)`` (``compute(src, operand)`` when there is a Tensor ``operand``) returns
    the new values as a Tensor built with recorded ops from ``src`` (``t``'s identity before
    the write). ``needs_old``: that backward reads ``src``'s values, so they are kept in a
    copy."""
    target = _recorded_target(t, name, operand is not None and operand.requires_grad)
    if target is None:
        _raw_write(t, name, apply)
        return t
    view, root = target
    if operand is not None and (operand is t or np.may_share_memory(operand._data, t._data)):
        # The operand is t itself or an alias of its memory (a view, a detach()): the write
        # changes its values, and as a parent it would route its gradient to t's new
        # identity. The graph gets its values from before the write instead.
        operand = operand.clone()
    old = _identity(t, copy_data=needs_old)
    r = compute(old) if operand is None else compute(old, operand)
    rd = r._data
    check_result(name, rd, t._data)
    _raw_write(t, name, lambda a: np.copyto(a, rd, casting="same_kind"))
    if view is None:
        _adopt(t, r, old)
    else:
        if r._ctx is not None:
            r._recorded_at = _storage.clock[0]  # as _adopt does: the write itself is fine
        _rebase_region(root, view[1], r, False)
        _regenerate_view(t, old)
    return t


def _check_no_grad_view(t, name, root):
    if root.requires_grad and not t.requires_grad and root is not t:
        raise RuntimeError(f"{name}: a view of a tensor that requires grad, made in no_grad "
                           "mode (or from .data), is being modified in place with grad mode "
                           "enabled; make the view with grad mode enabled, or clone() it")


def write_region(t, name, steps, value, apply, accumulate=False):
    """Store ``value`` (a Tensor) into the region ``steps`` of ``t`` (add it, with
    ``accumulate``). ``apply(array)`` does it on raw memory."""
    target = _recorded_target(t, name, value.requires_grad)
    if target is None:
        _raw_write(t, name, apply)
        return t
    view, root = target
    old = _identity(t) if view is not None else None
    _raw_write(t, name, apply)
    if view is None:
        _rebase_region(t, steps, value, accumulate)
    else:
        _rebase_region(root, view[1] + steps, value, accumulate)
        _regenerate_view(t, old)
    return t


# ----- operands -----------------------------------------------------------------------------
def _operand(t, other, name):
    """``other`` as a Tensor for a write into ``t``: numbers take ``t``'s dtype."""
    if isinstance(other, Tensor):
        return other
    try:
        return as_tensor_like(other, t)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: cannot use {type(other).__name__} {other!r} as a value: "
                        f"{e}") from None


def _ufunc_write(t, ufunc, other, name, compute, needs_old=False):
    o = _operand(t, other, name)
    od = o._data

    def apply(a):
        try:
            ufunc(a, od, out=a, casting="same_kind")
        except TypeError:
            try:  # int / int is a float: name the result's dtype, not the operand's
                result = ufunc.resolve_dtypes((a.dtype, od.dtype, None))[-1]
            except TypeError:
                result = od.dtype
            raise TypeError(f"cannot update a {a.dtype} tensor in place with {result} "
                            "values") from None
        except ValueError:
            if a.flags.writeable:
                raise ValueError(f"operand of shape {od.shape} does not broadcast to the "
                                 f"tensor's shape {a.shape}") from None
            raise

    return write(t, name, apply, compute, o, needs_old and o.requires_grad)


def _unary_write(t, name, op, needs_old=False):
    def apply(a):
        np.copyto(a, op(Tensor._wrap(a))._data, casting="same_kind")

    return write(t, name, apply, op, None, needs_old)


class TensorInplace:
    """Mixin of :class:`minigrad.Tensor`: in-place writes and item assignment."""

    __slots__ = ()

    # ----- item assignment ---------------------------------------------------------------
    def __setitem__(self, index, value):
        """``t[index] = value`` for every index ``t[index]`` accepts; ``value`` broadcasts to
        the indexed shape and is cast to ``t``'s dtype. With repeated indices one of the
        writes wins (use ``index_put_(..., accumulate=True)`` to add)."""
        idx, _ = _ix._normalise_index(index)
        v = _operand(self, value, "__setitem__")
        vd = v._data

        def apply(a):
            a[idx] = vd

        return write_region(self, "__setitem__", (("index", idx),), v, apply)

    def index_put_(self, indices, values, accumulate=False):
        """``t[indices] = values`` (``indices`` a tuple of index tensors); with
        ``accumulate=True`` values at repeated indices are all added, as PyTorch's."""
        if not isinstance(indices, (tuple, list)):
            raise TypeError("index_put_: indices must be a tuple of tensors")
        idx, _ = _ix._normalise_index(tuple(indices))
        v = _operand(self, values, "index_put_")
        vd = v._data

        def apply(a):
            if accumulate:
                np.add.at(a, idx, vd)
            else:
                a[idx] = vd

        return write_region(self, "index_put_", (("index", idx),), v, apply, accumulate)

    def index_add_(self, dim, index, source, alpha=1):
        """Add ``alpha * source`` into the slices ``index`` along ``dim`` (repeated indices
        accumulate), as PyTorch's ``index_add_``."""
        d = _norm_dim(dim, self.ndim, "index_add_")
        ix = np.asarray(index._data if isinstance(index, Tensor) else index)
        if ix.ndim != 1 or ix.dtype.kind not in "iu":
            raise IndexError(f"index_add_: index must be a 1-d integer tensor, got shape "
                             f"{ix.shape} and dtype {ix.dtype}")
        src = _operand(self, source, "index_add_")
        expected = self.shape[:d] + (ix.size,) + self.shape[d + 1:]
        if src.shape != expected:
            raise ValueError(f"index_add_: source of shape {src.shape} does not match the "
                             f"expected shape {expected} (dim {d} of size len(index))")
        if alpha != 1:
            src = src * alpha
        return self.index_put_((slice(None),) * d + (ix,), src, accumulate=True)

    def masked_fill_(self, mask, value):
        """Set the elements where the bool ``mask`` (broadcast to ``t``'s shape) is true to
        ``value`` (a number or a 0-d tensor)."""
        m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise TypeError(f"masked_fill_: mask must be a bool tensor, got dtype {m.dtype}")
        try:
            m = np.broadcast_to(m, self.shape)
        except ValueError:
            raise ValueError(f"masked_fill_: mask of shape {m.shape} does not broadcast to "
                             f"the tensor's shape {self.shape}") from None
        v = _operand(self, value, "masked_fill_")
        if v.ndim != 0:
            raise ValueError(f"masked_fill_: value must be a number or a 0-d tensor, got shape "
                             f"{v.shape}")
        vd = v._data

        def apply(a):
            a[m] = vd

        return write_region(self, "masked_fill_", (("index", m),), v, apply)

    # ----- whole-tensor writes -------------------------------------------------------------
    def zero_(self):
        """Set every element to 0."""
        return self._fill(0, "zero_")

    def fill_(self, value):
        """Set every element to ``value`` (a number or a 0-d tensor, differentiable)."""
        return self._fill(value, "fill_")

    def _fill(self, value, name):
        v = _operand(self, value, name)
        if v.ndim != 0:
            raise ValueError(f"{name}: value must be a number or a 0-d tensor, got shape {v.shape}")
        vd = v._data

        def apply(a):
            a[...] = vd

        return write_region(self, name, (), v, apply)

    def copy_(self, src, non_blocking=False):
        """Copy ``src``'s values (broadcast to this shape, cast to this dtype) into this
        tensor; differentiable with respect to ``src``."""
        s = src if isinstance(src, Tensor) else Tensor._wrap(np.asarray(src))
        sd = s._data
        try:
            shape = np.broadcast_shapes(np.shape(sd), self.shape)
        except ValueError:
            shape = None
        if shape != self.shape:
            raise ValueError(f"copy_: source of shape {np.shape(sd)} does not broadcast to "
                             f"{self.shape}")

        def apply(a):
            np.copyto(a, sd, casting="unsafe")

        return write_region(self, "copy_", (), s, apply)

    def add_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return _ufunc_write(self, np.add, other, "add_", _ar.add)

    def sub_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return _ufunc_write(self, np.subtract, other, "sub_", _ar.sub)

    def mul_(self, other):
        return _ufunc_write(self, np.multiply, other, "mul_", _ar.mul, needs_old=True)

    def div_(self, other):
        return _ufunc_write(self, np.true_divide, other, "div_", _ar.div)

    def pow_(self, exponent):
        ed = exponent._data if isinstance(exponent, Tensor) else exponent

        def apply(a):
            np.copyto(a, np.power(a, ed), casting="same_kind")

        if isinstance(exponent, Tensor):
            return write(self, "pow_", apply, _ar.pow, exponent, True)
        return write(self, "pow_", apply, lambda src: _ar.pow(src, exponent), None, True)

    def clamp_(self, min=None, max=None):
        return _unary_write(self, "clamp_", lambda x: _ar.clamp(x, min, max), needs_old=True)

    clip_ = clamp_

    def neg_(self):
        return _unary_write(self, "neg_", _ar.neg)

    def abs_(self):
        return _unary_write(self, "abs_", _ar.abs, needs_old=True)

    def exp_(self):
        return _unary_write(self, "exp_", _ew.exp)

    def log_(self):
        return _unary_write(self, "log_", _ew.log, needs_old=True)

    def sqrt_(self):
        return _unary_write(self, "sqrt_", _ew.sqrt)

    def sigmoid_(self):
        return _unary_write(self, "sigmoid_", _ew.sigmoid)

    def tanh_(self):
        return _unary_write(self, "tanh_", _ew.tanh)

    def relu_(self):
        # relu's backward reads (input > 0), which the output answers alike
        return _unary_write(self, "relu_", _ew.relu)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def __ipow__(self, exponent):
        return self.pow_(exponent)
