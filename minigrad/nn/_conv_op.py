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
``(N*OH*OW, C*kh*kw)`` matrix, then one BLAS matmul with the weight. The output is an NCHW
view of an NHWC ("channels last") array: making it contiguous would cost a copy, and the
backward wants the gradient in that same layout, where ``g`` reshapes to
``(N*OH*OW, O)`` for free. The first-order backward reuses the forward's im2col matrix for
the weight gradient, and the input gradient is a col2im scatter-add looping over the
``kh * kw`` kernel offsets only, never over pixels.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import grad_mode
from ..tensor import Tensor, make


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


def _im2col(x, kernel, stride, padding):
    """``(N*OH*OW, C*kh*kw)`` matrix of the windows, and ``(OH, OW)``."""
    win = windows(pad_array(x, padding), kernel, stride)
    n, c, oh, ow, kh, kw = win.shape
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw), (oh, ow)


def _conv_array(x, w, stride, padding):
    cols, (oh, ow) = _im2col(x, w.shape[2:], stride, padding)
    y = cols @ w.reshape(w.shape[0], -1).T
    return y.reshape(x.shape[0], oh, ow, w.shape[0]).transpose(0, 3, 1, 2), cols


def _rows(g):
    """``g`` (N, O, OH, OW) as ``(N*OH*OW, O)`` (free when g is channels-last in memory)."""
    return g.transpose(0, 2, 3, 1).reshape(-1, g.shape[1])


def _col2im(g2, w, x_shape, out_hw, stride, padding):
    """Input gradient from ``g2 = rows(g)``: ``dcols = g2 @ w`` scattered back window by
    window, one strided add per kernel offset."""
    n, c, h, wd = x_shape
    (sh, sw), (ph, pw) = stride, padding
    o, _, kh, kw = w.shape
    oh, ow = out_hw
    dcols = (g2 @ w.reshape(o, -1)).reshape(n, oh, ow, c, kh, kw)
    dxpad = np.zeros((n, h + 2 * ph, wd + 2 * pw, c), dtype=dcols.dtype)  # channels last
    for p in range(kh):
        for q in range(kw):
            dxpad[:, p:p + sh * oh:sh, q:q + sw * ow:sw, :] += dcols[:, :, :, :, p, q]
    return dxpad[:, ph:ph + h, pw:pw + wd, :].transpose(0, 3, 1, 2)


def _input_grad_array(g, w, x_shape, stride, padding):
    return _col2im(_rows(g), w, x_shape, g.shape[2:], stride, padding)


def _weight_grad_array(x, g, w_shape, stride, padding):
    cols, _ = _im2col(x, w_shape[2:], stride, padding)
    return (_rows(g).T @ cols).reshape(w_shape)


def conv(x, w, stride, padding, bias=None):
    """Differentiable ``conv2d(x, w) + bias`` (arguments already validated)."""
    y, cols = _conv_array(x.data, w.data, stride, padding)
    if not w.requires_grad:
        cols = None  # only the weight gradient reuses it
    if bias is not None:
        y += bias.data.reshape(1, -1, 1, 1)
    parents = (x, w) if bias is None else (x, w, bias)

    def backward(g, out):
        need_b = bias is not None and bias.requires_grad
        if not grad_mode._enabled:
            g2 = _rows(g.data)
            gx = gw = gb = None
            if x.requires_grad:
                gx = Tensor._wrap(_col2im(g2, w.data, x.shape, g.shape[2:], stride, padding))
            if w.requires_grad:
                gw = Tensor._wrap((g2.T @ cols).reshape(w.shape))
            if need_b:
                gb = Tensor._wrap(g2.sum(axis=0))
        else:
            gx = conv_input_grad(g, w, x.shape, stride, padding) if x.requires_grad else None
            gw = conv_weight_grad(x, g, w.shape, stride, padding) if w.requires_grad else None
            gb = g.sum(dim=(0, 2, 3)) if need_b else None
        return (gx, gw) if bias is None else (gx, gw, gb)

    return make(y, parents, backward, "Conv2d")


def conv_input_grad(g, w, x_shape, stride, padding):
    """Gradient of ``<g, conv(x, w)>`` with respect to ``x`` (linear in ``g`` and ``w``)."""
    def backward(G, out):
        return (conv(G, w, stride, padding) if g.requires_grad else None,
                conv_weight_grad(G, g, w.shape, stride, padding) if w.requires_grad else None)

    data = _input_grad_array(g.data, w.data, x_shape, stride, padding)
    return make(data, (g, w), backward, "Conv2dInputGrad")


def conv_weight_grad(x, g, w_shape, stride, padding):
    """Gradient of ``<g, conv(x, w)>`` with respect to ``w`` (linear in ``x`` and ``g``)."""
    def backward(H, out):
        return (conv_input_grad(g, H, x.shape, stride, padding) if x.requires_grad else None,
                conv(x, H, stride, padding) if g.requires_grad else None)

    data = _weight_grad_array(x.data, g.data, w_shape, stride, padding)
    return make(data, (x, g), backward, "Conv2dWeightGrad")
