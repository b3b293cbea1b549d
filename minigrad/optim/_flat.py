"""Flat parameter buffers: how one optimizer step becomes a constant number of kernel calls.

For each parameter group and dtype, a :class:`FlatBuffer` owns one contiguous array of the
parameters' values, one of their gradients and one per state tensor (``exp_avg``, ...). Each
parameter's ``._data`` is rebound to a view into the value buffer, and its ``_grad_view`` is set to
a view into the gradient buffer, so the autograd engine writes gradients straight into it
(``np.copyto(leaf._grad_view, g)``, see :mod:`minigrad.autograd.engine`). A step then calls one
fused kernel over the whole buffer instead of one small launch per tensor.

Users may rebind ``p._data`` or ``p.grad`` behind our back (``p.grad = tensor(...)``, loading a
checkpoint, ...). :meth:`FlatBuffer.sync` checks each parameter by identity (a few hundred ns per
tensor), copies foreign arrays into the buffer and re-adopts them, so results stay right.

Parameters without a gradient must be skipped without touching their state, and parameters
whose step counts differ (they missed steps) need different bias corrections. ``sync`` therefore
returns *runs* of consecutive parameters that have a gradient, and the optimizer splits them
further where the per-parameter key (e.g. the step count) changes. In the usual case (every
parameter has a gradient) that is a single run covering the whole buffer: one kernel call per
group and dtype.
"""
import numpy as np

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class FlatBuffer:
    """Parameters of one dtype in one param group, laid out back to back in flat arrays.

    Attributes: ``params`` (the Tensors), ``offsets``/``sizes`` (their slices), ``data`` and
    ``grad`` (flat arrays), ``data_views``/``grad_views`` (per-parameter views), ``buffers``
    (state name -> flat array, created on demand by :meth:`state_buffer`).
    """

    def __init__(self, params, dtype):
        self.dtype = np.dtype(dtype)
        self.params = list(params)
        self.sizes = [int(p._data.size) for p in self.params]
        self.offsets = list(np.cumsum([0] + self.sizes[:-1]).tolist()) if self.params else []
        self.numel = int(sum(self.sizes))
        self.values = np.empty(self.numel, self.dtype)
        self.grad = np.zeros(self.numel, self.dtype)
        self.data_views = []
        self.grad_views = []
        for p, off, n in zip(self.params, self.offsets, self.sizes):
            dv = self.values[off:off + n].reshape(p._data.shape)
            gv = self.grad[off:off + n].reshape(p._data.shape)
            np.copyto(dv, p._data)
            p._data = dv
            p._grad_view = gv
            self.data_views.append(dv)
            self.grad_views.append(gv)
        self.buffers = {}
        self._pairs = list(zip(self.params, self.data_views))

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
        return self.buffers[name][off:off + n].reshape(self.data_views[k].shape)

    def sync(self, _unused_key_of=None):
        """Re-adopt rebound arrays; return the runs ``(k0, k1)`` of consecutive parameters
        (indices ``k0 <= k < k1``) that have a gradient. (The argument is accepted and ignored
        for callers written against the first version, which split runs by a key here.)"""
        runs = []
        k0 = -1
        grad_views = self.grad_views
        for k, (p, dv) in enumerate(self._pairs):
            if p._data is not dv:
                self._adopt_data(k)
            g = p.grad
            if g is None:
                if k0 >= 0:
                    runs.append((k0, k))
                    k0 = -1
                continue
            if g._data is not grad_views[k]:
                self._adopt_grad(k, g)
            if k0 < 0:
                k0 = k
        if k0 >= 0:
            runs.append((k0, len(self.params)))
        return runs

    def span(self, k0, k1):
        """Element range ``(start, stop)`` of parameters ``k0 .. k1-1`` in the flat buffers."""
        return self.offsets[k0], self.offsets[k1 - 1] + self.sizes[k1 - 1]

    def _adopt_data(self, k):
        # The user rebound p._data (e.g. p._data = new_array): take its values, point it back.
        p, dv = self.params[k], self.data_views[k]
        new = np.asarray(p._data)
        if new.shape != dv.shape:
            raise RuntimeError(
                f"optimizer: parameter {k} changed shape from {dv.shape} to {new.shape}; "
                f"create a new optimizer after resizing parameters")
        if new.dtype is not dv.dtype:
            _check_castable("parameter", k, new.dtype, dv.dtype)
        np.copyto(dv, new, casting="same_kind")
        p._data = dv

    def _adopt_grad(self, k, g):
        # A gradient that is not our view (assigned by hand, or accumulated before the
        # optimizer existed): copy it in. We do not touch the user's grad Tensor itself.
        gv = self.grad_views[k]
        gd = np.asarray(g._data)
        if gd.shape != gv.shape:
            raise RuntimeError(
                f"optimizer: gradient of shape {gd.shape} for a parameter of shape {gv.shape}")
        if gd.dtype is not gv.dtype:
            _check_castable("gradient of parameter", k, gd.dtype, gv.dtype)
        np.copyto(gv, gd, casting="same_kind")
        p = self.params[k]
        if p._grad_view is not gv:
            p._grad_view = gv


def _check_castable(what, k, dtype, buffer_dtype):
    # Refused before anything is copied: numpy's own casting error names no parameter.
    if not np.can_cast(dtype, buffer_dtype, "same_kind"):
        raise TypeError(f"optimizer: {what} {k} has dtype {dtype}, which cannot be stored in "
                        f"its {buffer_dtype} buffer (a complex or non-numeric array?)")


def check_dtype(p):
    """Raise TypeError unless parameter ``p`` is float32 or float64 (the kernels' dtypes)."""
    dt = p._data.dtype
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"optimizer: can only optimize float32 or float64 parameters, got {dt}")
    return dt
