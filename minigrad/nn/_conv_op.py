"""2-D convolution (cross-correlation, as PyTorch) on NCHW input, vectorised with numpy.

Three bilinear ops close under differentiation, so gradients of any order are exact:

* ``conv(x, w)``:          ``y[n,o,i,j] = sum_{c,p,q} xpad[n, c, i*s+p, j*s+q] w[o,c,p,q]``
* ``conv_input_grad(g, w)``  (the adjoint in ``x``): scatters ``g`` back through ``w``
* ``conv_weight_grad(x, g)`` (the adjoint in ``w``): correlates ``x`` with ``g``

Their backwards are expressed with each other:
``d conv = (input_grad(g, w), weight_grad(x, g))``,
``d input_grad(g, w) / (g, w) = (conv(G, w), weight_grad(G, g))``,
``d weight_grad(x, g) / (x, g) = (input_grad(g, H), conv(x, H))``.

Forward: im2col as a strided view (``sliding_window_view``, no copy) contracted with the
weight in one ``tensordot`` (one BLAS matmul). The input gradient is a col2im scatter-add
that loops over the ``kh * kw`` kernel offsets only, never over pixels.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..tensor import make


def _pad(x, padding):
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def out_size(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def windows(xpad, kernel, stride):
    """Strided view ``(N, C, OH, OW, kh, kw)`` of every kernel window (no copy)."""
    v = sliding_window_view(xpad, kernel, axis=(2, 3))
    return v[:, :, ::stride[0], ::stride[1]]


def _conv_array(x, w, stride, padding):
    cols = windows(_pad(x, padding), w.shape[2:], stride)
    # (N, C, OH, OW, kh, kw) . (O, C, kh, kw) -> (N, OH, OW, O); tensordot copies the
    # windows into one im2col matrix and makes a single matmul.
    y = np.tensordot(cols, w, axes=((1, 4, 5), (1, 2, 3)))
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2))


def _input_grad_array(g, w, x_shape, stride, padding):
    n, c, h, wd = x_shape
    (sh, sw), (ph, pw) = stride, padding
    kh, kw = w.shape[2:]
    oh, ow = g.shape[2:]
    # cols[n, c, i, j, p, q] = sum_o g[n,o,i,j] w[o,c,p,q]
    cols = np.tensordot(g, w, axes=((1,), (0,))).transpose(0, 3, 1, 2, 4, 5)
    dxpad = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=np.result_type(g, w))
    for p in range(kh):
        for q in range(kw):
            dxpad[:, :, p:p + sh * oh:sh, q:q + sw * ow:sw] += cols[..., p, q]
    return dxpad[:, :, ph:ph + h, pw:pw + wd]


def _weight_grad_array(x, g, w_shape, stride, padding):
    cols = windows(_pad(x, padding), w_shape[2:], stride)
    # (N, O, OH, OW) . (N, C, OH, OW, kh, kw) -> (O, C, kh, kw)
    return np.tensordot(g, cols, axes=((0, 2, 3), (0, 2, 3)))


def conv(x, w, stride, padding):
    """Differentiable ``conv2d(x, w)`` without bias (arguments already validated)."""
    def backward(g, out):
        return (conv_input_grad(g, w, x.shape, stride, padding) if x.requires_grad else None,
                conv_weight_grad(x, g, w.shape, stride, padding) if w.requires_grad else None)

    return make(_conv_array(x.data, w.data, stride, padding), (x, w), backward, "Conv2d")


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


def conv2d_with_bias(x, w, b, stride, padding):
    """``conv(x, w) + b[None, :, None, None]`` as one node (bias gradient: sum over N, H, W)."""
    y = _conv_array(x.data, w.data, stride, padding)
    y += b.data.reshape(1, -1, 1, 1)

    def backward(g, out):
        return (conv_input_grad(g, w, x.shape, stride, padding) if x.requires_grad else None,
                conv_weight_grad(x, g, w.shape, stride, padding) if w.requires_grad else None,
                g.sum(dim=(0, 2, 3)) if b.requires_grad else None)

    return make(y, (x, w, b), backward, "Conv2d")

