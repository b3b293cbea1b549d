"""Flat parameter buffers: how one optimizer step becomes a constant number of kernel calls.

For each parameter group and dtype, a :class:`FlatBuffer` owns one contiguous array of the
parameters' values, one of their gradients and one per state tensor (``exp_avg``, ...). A
parameter's values move into the value buffer (``p._data`` becomes a view into it) when nobody
can observe the move; its ``_grad_view`` is set to a view into the gradient buffer, so the
autograd engine writes gradients straight into it (``np.copyto(leaf._grad_view, g)``, see
:mod:`minigrad.autograd.engine`). A step then calls one fused kernel over the whole buffer
instead of one small launch per tensor.

Memory sharing stays as PyTorch keeps it. A parameter whose array is referenced by anything
else (a numpy array from ``p.numpy()``, a view or alias of it, another parameter sharing it,
a tensor ``p.data = t`` was given) or that is itself a view of other memory is *pinned*: it
stays in its own memory and gets a kernel call of its own, on its own array, with its slices
of the gradient and state buffers. "Referenced by anything else" is read off the array's
reference count, so the move is only made when it cannot be seen.

Users may rebind ``p.data`` or ``p.grad`` behind our back (``p.grad = tensor(...)``, loading a
checkpoint, ...). :meth:`FlatBuffer.sync` checks each parameter by identity (a few hundred ns per
tensor) and adopts rebound arrays: moved in when unobservable, else pinned.

Parameters without a gradient must be skipped without touching their state, and parameters
whose step counts differ (they missed steps) need different bias corrections. ``sync`` therefore
returns *runs* of consecutive parameters that have a gradient (a pinned parameter is a run of
its own), and the optimizer splits them further where the per-parameter key (e.g. the step
count) changes. In the usual case (every parameter has a gradient, none pinned) that is a
single run covering the whole buffer: one kernel call per group and dtype.
"""
import sys

import numpy as np

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def movable(p):
    """Whether ``p``'s values can move into a flat buffer without anyone seeing it: its array
    owns its memory and nothing but ``p`` references it."""
    a = p._data
    if type(a) is not np.ndarray or a.base is not None:
        return False
    del a
    # references left: the slot p._data and getrefcount's argument
    return sys.getrefcount(p._data) <= 2


class FlatBuffer:
    """Parameters of one dtype in one param group, laid out back to back in flat arrays.

    Attributes: ``params`` (the Tensors), ``offsets``/``sizes`` (their slices), ``values`` and
    ``grad`` (flat arrays), ``data_views`` (each parameter's array: its view into ``values``,
    or its own array when pinned), ``grad_views`` (per-parameter views), ``pinned`` (offset
    -> index of the parameters that keep their own memory), ``buffers`` (state name -> flat
    array, created on demand by :meth:`state_buffer`).
    """

    def __init__(self, params, dtype):
        self.dtype = np.dtype(dtype)
        self.params = list(params)
        self.sizes = [int(p._data.size) for p in self.params]
        self.offsets = list(np.cumsum([0] + self.sizes[:-1]).tolist()) if self.params else []
        self.numel = int(sum(self.sizes))
        self.values = np.empty(self.numel, self.dtype)
        self.grad = np.zeros(self.numel, self.dtype)
        self.data_views = [None] * len(self.params)
        self.grad_views = []
        self.pinned = {}
        self._strided = None
        for k, (p, off, n) in enumerate(zip(self.params, self.offsets, self.sizes)):
            self.grad_views.append(self.grad[off:off + n].reshape(p._data.shape))
            p._grad_view = self.grad_views[k]
            self._place(k)
        self.buffers = {}

    def _slot(self, k):
        off, n = self.offsets[k], self.sizes[k]
        return self.values[off:off + n].reshape(self.grad_views[k].shape)

    def _place(self, k):
        """Move parameter ``k`` into the value buffer if unobservable, else pin it."""
        p = self.params[k]
        off = self.offsets[k]
        if self.sizes[k] == 0:
            # Nothing to move, and its offset is also the next parameter's: it must neither
            # pin that offset nor unpin the neighbour's.
            self.data_views[k] = p._data
            return
        if movable(p):
            dv = self._slot(k)
            np.copyto(dv, p._data, casting="same_kind")
            p._data = dv
            self.pinned.pop(off, None)
        else:
            self.pinned[off] = k
        self.data_views[k] = p._data

    def state_buffer(self, name, fill=0.0):
        """The flat state array ``name`` (allocated on first use, filled with ``fill``)."""
        buf = self.buffers.get(name)
        if buf is None:
            buf = np.full(self.numel, fill, self.dtype)
            self.buffers[name] = buf
        return buf

    def state_view(self, name, k):
        """Parameter ``k``'s view (its shape) into the flat state array ``name``."""
        off, n = self.offsets[k], self.sizes[k]
        return self.buffers[name][off:off + n].reshape(self.grad_views[k].shape)

    def sync(self):
        """Adopt rebound arrays; return the runs ``(k0, k1)`` of consecutive parameters
        (indices ``k0 <= k < k1``) that have a gradient, a pinned parameter being a run of its
        own."""
        runs = []
        k0 = -1
        grad_views, data_views, pinned, offsets = (self.grad_views, self.data_views,
                                                   self.pinned, self.offsets)
        for k, p in enumerate(self.params):
            if p._data is not data_views[k]:
                self._adopt_data(k)
            g = p.grad
            if g is None:
                if k0 >= 0:
                    runs.append((k0, k))
                    k0 = -1
                continue
            if g._data is not grad_views[k]:
                self._adopt_grad(k, g)
            if pinned and offsets[k] in pinned:
                if k0 >= 0:
                    runs.append((k0, k))
                    k0 = -1
                runs.append((k, k + 1))
            elif k0 < 0:
                k0 = k
        if k0 >= 0:
            runs.append((k0, len(self.params)))
        return runs

    def span(self, k0, k1):
        """Element range ``(start, stop)`` of parameters ``k0 .. k1-1`` in the flat buffers."""
        return self.offsets[k0], self.offsets[k1 - 1] + self.sizes[k1 - 1]

    def span_values(self, start, stop):
        """The parameter values of elements ``start:stop`` as one 1-d array for a kernel: a
        slice of ``values``, or a pinned parameter's own array (a C-contiguous copy when its
        memory is strided, which :meth:`end_span` writes back)."""
        # stop > start: a run of zero-size parameters shares its offset with the next one
        k = self.pinned.get(start) if self.pinned and stop > start else None
        if k is None:
            return self.values[start:stop]
        a = self.params[k]._data
        if a.flags.c_contiguous:
            return a.reshape(-1)
        flat = np.ascontiguousarray(a).reshape(-1)
        self._strided = (a, flat)
        return flat

    def end_span(self):
        """After the kernel call: write a strided pinned parameter's updated copy back."""
        if self._strided is not None:
            a, flat = self._strided
            self._strided = None
            np.copyto(a, flat.reshape(a.shape))

    def gather(self):
        """``values`` made current for pinned parameters (for optimizers that read the whole
        flat vector, as L-BFGS and Newton do)."""
        for off, k in self.pinned.items():
            np.copyto(self._slot(k), self.params[k]._data, casting="same_kind")
        return self.values

    def scatter(self):
        """Write ``values`` back into the pinned parameters after the whole vector changed."""
        for off, k in self.pinned.items():
            np.copyto(self.params[k]._data, self._slot(k), casting="same_kind")

    def _adopt_data(self, k):
        # The user rebound p.data (e.g. p.data = other_tensor): PyTorch shares other's memory.
        p = self.params[k]
        shape, dtype = np.shape(p._data), getattr(p._data, "dtype", None)
        if shape != self.grad_views[k].shape:
            raise RuntimeError(
                f"optimizer: parameter {k} changed shape from {self.grad_views[k].shape} to "
                f"{shape}; create a new optimizer after resizing parameters")
        if dtype != self.dtype:
            raise RuntimeError(f"optimizer: parameter {k} changed dtype from {self.dtype} to "
                               f"{dtype}; create a new optimizer after converting parameters")
        p._writable_array()
        self._place(k)

    def _adopt_grad(self, k, g):
        # A gradient that is not our view (assigned by hand, or accumulated before the
        # optimizer existed): copy it in. We do not touch the user's grad Tensor itself.
        gv = self.grad_views[k]
        gd = np.asarray(g._data)
        if gd.shape != gv.shape:
            raise RuntimeError(
                f"optimizer: gradient of shape {gd.shape} for a parameter of shape {gv.shape}")
        if gd.dtype is not gv.dtype and not np.can_cast(gd.dtype, gv.dtype, "same_kind"):
            # Refused before anything is copied: numpy's own casting error names no parameter.
            raise TypeError(f"optimizer: gradient of parameter {k} has dtype {gd.dtype}, which "
                            f"cannot be stored in its {gv.dtype} buffer")
        np.copyto(gv, gd, casting="same_kind")
        p = self.params[k]
        if p._grad_view is not gv:
            p._grad_view = gv


def check_dtype(p):
    """Raise TypeError unless parameter ``p`` is float32 or float64 (the kernels' dtypes)."""
    dt = p._data.dtype
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"optimizer: can only optimize float32 or float64 parameters, got {dt}")
    return dt
