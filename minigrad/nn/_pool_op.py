"""2-D max and average pooling on NCHW input, vectorised with numpy.

Nothing loops over pixels: average pooling loops over the ``kh * kw`` kernel offsets,
each step one strided slice of the whole batch.

Max pooling takes the argmax of each window (a compiled loop, :mod:`._pool_kernels`, or
numpy's argmax over one copy of the strided window view without numba's JIT; on ties the
first maximum in row-major window order wins and gets the whole gradient; a NaN wins and
propagates, as in PyTorch). The gradient is a
scatter of ``g`` to those positions and its own gradient a gather from them: two ops,
each the other's backward. When windows do not overlap (stride >= kernel) the scatter is
a plain assignment; otherwise overlapping windows that share a maximum accumulate.

Average pooling is linear, so it is also a pair of ops: the window mean, and its adjoint
that spreads ``g / divisor`` over each window.
"""
import numpy as np

from ..tensor import make
from . import _pool_kernels
from ._conv_op import pad_array, windows


def _offset_slices(kernel, stride, out_hw):
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    for p in range(kh):
        for q in range(kw):
            yield p * kw + q, (slice(None), slice(None), slice(p, p + sh * oh, sh),
                               slice(q, q + sw * ow, sw))


def _out_hw(in_hw, kernel, stride, padding):
    return tuple((s + 2 * p - k) // st + 1 for s, k, st, p in zip(in_hw, kernel, stride, padding))


def _memory_order(a):
    """Axis permutation ``order`` with ``a.transpose(order)`` C-contiguous (e.g. (0, 2, 3, 1)
    for a channels-last array), or the identity when ``a`` is not a permuted contiguous
    array (then the callers work on a C-contiguous copy)."""
    order = tuple(int(i) for i in np.argsort(a.strides, kind="stable")[::-1])
    if a.transpose(order).flags.c_contiguous:
        return order
    return tuple(range(a.ndim))


def max_pool(x, kernel, stride, padding):
    """Differentiable max pooling of a 4-d tensor (arguments already validated)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = pad_array(x._data, padding, -np.inf)
    oh, ow = _out_hw((h, w), kernel, stride, padding)
    # the first maximum wins ties, and a NaN wins (numpy's argmax returns the first NaN), as
    # in PyTorch: a compiled loop over the windows, or numpy's argmax over a copy of them
    if _pool_kernels.available(xp):
        k = _pool_kernels.window_argmax(xp, kernel, stride, (oh, ow))
    else:
        k = windows(xp, kernel, stride).reshape(n, c, oh, ow, kh * kw).argmax(axis=-1)
    # Flat positions in x's own memory order, so that the gradient comes back in x's
    # layout: elementwise ops between arrays of different layouts are several times slower.
    order = _memory_order(x._data)
    base_strides = np.cumprod((1,) + tuple(x.shape[i] for i in order[::-1]))[-2::-1]
    st = [0] * 4
    for i, axis in enumerate(order):
        st[axis] = int(base_strides[i])
    # Offset k of window (i, j) is row i*sh + k//kw - ph, column j*sw + k%kw - pw of x
    # (with padding <= kernel/2 every window holds a real element, so all are in range):
    # flat = plane(n, c) + window corner(i, j) + offset table[k].
    plane = np.arange(n).reshape(n, 1, 1, 1) * st[0] + np.arange(c).reshape(1, c, 1, 1) * st[1]
    corner = np.arange(oh).reshape(-1, 1) * (sh * st[2]) + np.arange(ow) * (sw * st[3])
    offsets = np.arange(kh * kw)
    table = (offsets // kw - ph) * st[2] + (offsets % kw - pw) * st[3]
    flat = table[k]
    flat += corner
    flat += plane
    overlap = sh < kh or sw < kw
    return _gather(x, flat, order, overlap, "MaxPool2d")


def _flat_view(a, order):
    """``a``'s elements in the memory order ``order`` as a 1-d array (a view when ``a`` is
    laid out that way, else a copy)."""
    return np.ascontiguousarray(a.transpose(order)).reshape(-1)


def _gather(src, flat, order, overlap, name):
    """Elements of ``src`` at positions ``flat`` of its ``order``-permuted flattening; the
    backward scatters back."""
    shape = src.shape

    def backward(g, out):
        return (_scatter(g, flat, shape, order, overlap),)

    return make(_flat_view(src._data, order)[flat], (src,), backward, name)


def _scatter(g, flat, shape, order, overlap):
    """Zeros of ``shape`` with ``g`` added at ``flat`` (the adjoint of :func:`_gather`),
    laid out in memory order ``order``."""
    size = int(np.prod(shape))
    if overlap:  # an input element can be the maximum of several windows
        data = np.bincount(flat.reshape(-1), weights=g._data.reshape(-1), minlength=size)
        data = data.astype(g.dtype, copy=False)
    else:
        data = np.zeros(size, dtype=g.dtype)
        data[flat.reshape(-1)] = g._data.reshape(-1)
    data = data.reshape([shape[i] for i in order]).transpose(np.argsort(order))

    def backward(G, out):
        return (_gather(G, flat, order, overlap, "MaxPool2dBackwardBackward"),)

    return make(data, (g,), backward, "MaxPool2dBackward")


def _divisor(in_hw, kernel, stride, padding, count_include_pad):
    if count_include_pad:
        return float(kernel[0] * kernel[1])
    # Number of real (non-padding) elements in each window: pool a padded mask of ones.
    ones = pad_array(np.ones((1, 1) + tuple(in_hw)), padding)
    out_hw = _out_hw(in_hw, kernel, stride, padding)
    return sum(ones[sl] for _, sl in _offset_slices(kernel, stride, out_hw))[0, 0]


def avg_pool(x, kernel, stride, padding, count_include_pad=True):
    """Differentiable average pooling of a 4-d tensor (arguments already validated)."""
    div = _divisor(x.shape[2:], kernel, stride, padding, count_include_pad)
    return _avg_pool(x, kernel, stride, padding, div)


def _avg_pool(x, kernel, stride, padding, div):
    in_hw = x.shape[2:]
    out_hw = _out_hw(in_hw, kernel, stride, padding)
    xp = pad_array(x._data, padding)
    total = None
    for _, sl in _offset_slices(kernel, stride, out_hw):
        total = xp[sl].copy() if total is None else np.add(total, xp[sl], out=total)
    out = (total / div).astype(x.dtype, copy=False)

    def backward(g, o):
        return (_avg_pool_adjoint(g, in_hw, kernel, stride, padding, div),)

    return make(out, (x,), backward, "AvgPool2d")


def _avg_pool_adjoint(g, in_hw, kernel, stride, padding, div):
    (h, w), (ph, pw) = in_hw, padding
    n, c, oh, ow = g.shape
    spread = g._data / div
    dxpad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
    for _, sl in _offset_slices(kernel, stride, (oh, ow)):
        dxpad[sl] += spread
    data = dxpad[:, :, ph:ph + h, pw:pw + w]

    def backward(G, o):
        return (_avg_pool(G, kernel, stride, padding, div),)

    return make(data, (g,), backward, "AvgPool2dBackward")
