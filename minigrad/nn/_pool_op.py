"""2-D max and average pooling on NCHW input, vectorised with numpy window views.

Max pooling finds each window's argmax with numpy and then picks those elements with the
core's differentiable indexing, whose backward is a scatter-add (overlapping windows that
share a maximum accumulate) and whose double backward is a gather. On ties the first
maximum in row-major window order wins and gets the whole gradient.

Average pooling is linear, so it is a pair of ops, each the other's backward: the window
mean, and its adjoint that spreads ``g / divisor`` over each window (a loop over the
``kh * kw`` kernel offsets, never over pixels).
"""
import numpy as np

from ..tensor import Tensor, make
from ._conv_op import windows


def max_pool(x, kernel, stride, padding):
    """Differentiable max pooling of a 4-d tensor (arguments already validated)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    data = x.data
    if ph or pw:
        data = np.pad(data, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    win = windows(data, kernel, stride)
    oh, ow = win.shape[2:4]
    k = win.reshape(n, c, oh, ow, kh * kw).argmax(axis=-1)
    # Window (i, j) offset k -> row i*sh + k//kw - ph, column j*sw + k%kw - pw of x;
    # with padding <= kernel/2 every window holds a real element, so the argmax is real.
    rows = np.arange(oh).reshape(-1, 1) * sh + k // kw - ph
    cols = np.arange(ow) * sw + k % kw - pw
    planes = np.arange(n * c).reshape(n, c, 1, 1)
    flat = (planes * h + rows) * w + cols
    return x.reshape(-1)[Tensor._wrap(flat)]


def _divisor(in_hw, kernel, stride, padding, count_include_pad):
    if count_include_pad:
        return float(kernel[0] * kernel[1])
    # Number of real (non-padding) elements in each window: pool a padded mask of ones.
    ones = np.zeros((1, 1, in_hw[0] + 2 * padding[0], in_hw[1] + 2 * padding[1]))
    ones[..., padding[0]:padding[0] + in_hw[0], padding[1]:padding[1] + in_hw[1]] = 1
    return windows(ones, kernel, stride).sum(axis=(-2, -1))[0, 0]


def avg_pool(x, kernel, stride, padding, count_include_pad=True):
    """Differentiable average pooling of a 4-d tensor (arguments already validated)."""
    div = _divisor(x.shape[2:], kernel, stride, padding, count_include_pad)
    return _avg_pool(x, kernel, stride, padding, div)


def _avg_pool(x, kernel, stride, padding, div):
    data = x.data
    (ph, pw) = padding
    if ph or pw:
        data = np.pad(data, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = windows(data, kernel, stride).sum(axis=(-2, -1)) / div
    out = out.astype(x.dtype, copy=False)
    in_hw = x.shape[2:]

    def backward(g, o):
        return (_avg_pool_adjoint(g, in_hw, kernel, stride, padding, div),)

    return make(out, (x,), backward, "AvgPool2d")


def _avg_pool_adjoint(g, in_hw, kernel, stride, padding, div):
    (h, w), (kh, kw), (sh, sw), (ph, pw) = in_hw, kernel, stride, padding
    n, c, oh, ow = g.shape
    spread = g.data / div
    dxpad = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
    for p in range(kh):
        for q in range(kw):
            dxpad[:, :, p:p + sh * oh:sh, q:q + sw * ow:sw] += spread
    data = np.ascontiguousarray(dxpad[:, :, ph:ph + h, pw:pw + w])

    def backward(G, o):
        return (_avg_pool(G, kernel, stride, padding, div),)

    return make(data, (g,), backward, "AvgPool2dBackward")

