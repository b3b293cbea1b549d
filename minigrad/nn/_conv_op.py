"""2-D convolution (cross-correlation, as PyTorch) on NCHW input, vectorised with numpy.

Three bilinear ops close under differentiation, so gradients of any order are exact:

* ``conv(x, w)``:          ``y[n,o,i,j] = sum_{c,p,q} xpad[n, c, i*s+p, j*s+q] w[o,c,p,q]``
* ``conv_input_grad(g, w)``  (the adjoint in ``x``): scatters ``g`` back through ``w``
* ``conv_weight_grad(x, g)`` (the adjoint in ``w``): correlates ``x`` with ``g``

Their backwards are expressed with each other:
``d conv = (input_grad(g, w), weight_grad(x, g))``,
``d input_grad(g, w) / (g, w) = (conv(G, w), weight_grad(G, g))``,
``d weight_grad(x, g) / (x, g) = (input_grad(g, H), conv(x, H))``.

Forward: im2col from a strided window view (``sliding_window_view``) copied once into a
``(N*OH*OW, kh*kw*C)`` matrix (channels fastest), then one BLAS matmul with the weight. The output is an NCHW
view of an NHWC ("channels last") array: making it contiguous would cost a copy, and the
backward wants the gradient in that same layout, where ``g`` reshapes to
``(N*OH*OW, O)`` for free. The first-order backward reuses the forward's im2col matrix for
the weight gradient, and the input gradient is a col2im scatter-add looping over the
``kh * kw`` kernel offsets only, never over pixels.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import grad_mode
from ..tensor import Tensor, make, saves_factors


def out_size(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def pad_array(x, padding, value=0.0):
    """``x`` (N, C, H, W) padded on H and W (a fresh array; cheaper than ``np.pad``)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def windows(xpad, kernel, stride):
    """Strided view ``(N, C, OH, OW, kh, kw)`` of every kernel window (no copy)."""
    v = sliding_window_view(xpad, kernel, axis=(2, 3))
    return v[:, :, ::stride[0], ::stride[1]]


def _channels_last_padded(x, padding):
    """``x`` (N, C, H, W) as an (N, H + 2 ph, W + 2 pw, C) array (a view when unpadded)."""
    ph, pw = padding
    xh = x.transpose(0, 2, 3, 1)
    if ph == 0 and pw == 0:
        return xh
    n, h, w, c = xh.shape
    out = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
    out[:, ph:ph + h, pw:pw + w, :] = xh
    return out


def _im2col(x, kernel, stride, padding):
    """``(N*OH*OW, kh*kw*C)`` matrix of the windows (channels fastest, so the copy reads
    and the col2im adds write contiguous runs), and ``(OH, OW)``."""
    v = sliding_window_view(_channels_last_padded(x, padding), kernel, axis=(1, 2))
    win = v[:, ::stride[0], ::stride[1]]  # (N, OH, OW, C, kh, kw)
    n, oh, ow, c, kh, kw = win.shape
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kh * kw * c), (oh, ow)


def _wmat(w):
    """The weight as ``(O, kh*kw*C)``, matching the column order of :func:`_im2col`."""
    return w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)


def _conv_array(x, w, stride, padding):
    cols, (oh, ow) = _im2col(x, w.shape[2:], stride, padding)
    y = cols @ _wmat(w).T
    return y.reshape(x.shape[0], oh, ow, w.shape[0]).transpose(0, 3, 1, 2), cols


def _rows(g):
    """``g`` (N, O, OH, OW) as ``(N*OH*OW, O)`` (free when g is channels-last in memory)."""
    return g.transpose(0, 2, 3, 1).reshape(-1, g.shape[1])


def _weight_from_rows(g2, cols, w_shape):
    o, c, kh, kw = w_shape
    # contiguous like the weight itself (a small copy), so .grad has the weight's layout
    return np.ascontiguousarray((g2.T @ cols).reshape(o, kh, kw, c).transpose(0, 3, 1, 2))


def _col2im(g2, w, x_shape, out_hw, stride, padding):
    """Input gradient from ``g2 = rows(g)``: ``dcols = g2 @ w`` scattered back window by
    window, one strided add per kernel offset."""
    n, c, h, wd = x_shape
    (sh, sw), (ph, pw) = stride, padding
    kh, kw = w.shape[2:]
    oh, ow = out_hw
    dcols = (g2 @ _wmat(w)).reshape(n, oh, ow, kh, kw, c)
    dxpad = np.zeros((n, h + 2 * ph, wd + 2 * pw, c), dtype=dcols.dtype)  # channels last
    for p in range(kh):
        for q in range(kw):
            dxpad[:, p:p + sh * oh:sh, q:q + sw * ow:sw, :] += dcols[:, :, :, p, q, :]
    return dxpad[:, ph:ph + h, pw:pw + wd, :].transpose(0, 3, 1, 2)


def _input_grad_array(g, w, x_shape, stride, padding):
    return _col2im(_rows(g), w, x_shape, g.shape[2:], stride, padding)


def _weight_grad_array(x, g, w_shape, stride, padding):
    cols, _ = _im2col(x, w_shape[2:], stride, padding)
    return _weight_from_rows(_rows(g), cols, w_shape)


def conv(x, w, stride, padding, bias=None):
    """Differentiable ``conv2d(x, w) + bias`` (arguments already validated)."""
    y, cols = _conv_array(x._data, w._data, stride, padding)
    if not w.requires_grad:
        cols = None  # only the weight gradient reuses it
    if bias is not None:
        y += bias._data.reshape(1, -1, 1, 1)
    parents = (x, w) if bias is None else (x, w, bias)

    def backward(g, out):
        need_b = bias is not None and bias.requires_grad
        if not grad_mode.enabled():
            g2 = _rows(g._data)
            gx = gw = gb = None
            if x.requires_grad:
                gx = Tensor._wrap(_col2im(g2, w._data, x.shape, g.shape[2:], stride, padding))
            if w.requires_grad:
                gw = Tensor._wrap(_weight_from_rows(g2, cols, w.shape))
            if need_b:
                gb = Tensor._wrap(g2.sum(axis=0))
        else:
            gx = conv_input_grad(g, w, x.shape, stride, padding) if x.requires_grad else None
            gw = conv_weight_grad(x, g, w.shape, stride, padding) if w.requires_grad else None
            gb = g.sum(dim=(0, 2, 3)) if need_b else None
        return (gx, gw) if bias is None else (gx, gw, gb)

    return make(y, parents, backward, "Conv2d", saves_factors(x, w))


def conv_input_grad(g, w, x_shape, stride, padding):
    """Gradient of ``<g, conv(x, w)>`` with respect to ``x`` (linear in ``g`` and ``w``)."""
    def backward(G, out):
        return (conv(G, w, stride, padding) if g.requires_grad else None,
                conv_weight_grad(G, g, w.shape, stride, padding) if w.requires_grad else None)

    data = _input_grad_array(g._data, w._data, x_shape, stride, padding)
    return make(data, (g, w), backward, "Conv2dInputGrad")


def conv_weight_grad(x, g, w_shape, stride, padding):
    """Gradient of ``<g, conv(x, w)>`` with respect to ``w`` (linear in ``x`` and ``g``)."""
    def backward(H, out):
        return (conv_input_grad(g, H, x.shape, stride, padding) if x.requires_grad else None,
                conv(x, H, stride, padding) if g.requires_grad else None)

    data = _weight_grad_array(x._data, g._data, w_shape, stride, padding)
    return make(data, (x, g), backward, "Conv2dWeightGrad")
