"""ONNX nodes for each minigrad op the exporter supports.

A converter is called right after the op ran on the example input, with the graph builder,
the op's output tensor and the op's arguments as the op received them (defaults filled in,
in the op's parameter order). It adds the nodes that compute the output and binds the
output tensor to the last one's name. Keys are the ops' qualified names; an op of
``minigrad.ops`` or ``minigrad.nn.functional`` without an entry here has no export.
"""
import math

import numpy as np

from ..nn.functional import _pair
from ..tensor import Tensor
from ._graph import UnsupportedOperatorError

CONVERTERS = {}


def converts(*qualnames):
    def register(fn):
        for q in qualnames:
            CONVERTERS[q] = fn
        return fn
    return register


def _ops(module, *names):
    return [f"minigrad.ops.{module}.{n}" for n in names]


def _f(*names):
    return [f"minigrad.nn.functional.{n}" for n in names]


def _axis(dim, ndim):
    return dim % ndim if ndim else 0


def _axes(dim, ndim):
    if dim is None:
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return sorted({_axis(int(d), ndim) for d in dims})


# ----- elementwise ---------------------------------------------------------------------------
def _unary(op_type):
    def convert(b, out, a, *_):
        b.bind(out, b.node(op_type, [b.name_of(a, out.dtype)]))
    return convert


for _name, _op in [("exp", "Exp"), ("log", "Log"), ("sqrt", "Sqrt"), ("sin", "Sin"), ("cos", "Cos"),
                   ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), ("relu", "Relu"), ("erf", "Erf")]:
    converts(*_ops("elementwise", _name), *(_f(_name) if _name in ("tanh", "sigmoid", "relu") else []))(
        _unary(_op))
converts(*_ops("arithmetic", "neg"))(_unary("Neg"))
converts(*_ops("arithmetic", "abs"))(_unary("Abs"))
converts(*_ops("elementwise", "clone"))(_unary("Identity"))


def _binary(op_type):
    def convert(b, out, x, y):
        b.bind(out, b.node(op_type, [b.name_of(x, out.dtype), b.name_of(y, out.dtype)]))
    return convert


for _name, _op in [("add", "Add"), ("sub", "Sub"), ("mul", "Mul"), ("div", "Div"), ("pow", "Pow"),
                   ("maximum", "Max"), ("minimum", "Min")]:
    converts(*_ops("arithmetic", _name))(_binary(_op))


@converts(*_ops("arithmetic", "clamp"))
def clamp(b, out, a, min=None, max=None):
    y = b.name_of(a, out.dtype)
    if min is not None:
        y = b.node("Max", [y, b.name_of(min, out.dtype)])
    if max is not None:
        y = b.node("Min", [y, b.name_of(max, out.dtype)])
    b.bind(out, b.node("Identity", [y]))


@converts(*_ops("arithmetic", "where"))
def where(b, out, condition, x, y):
    cond = b.name_of(condition, np.bool_)
    b.bind(out, b.node("Where", [cond, b.name_of(x, out.dtype), b.name_of(y, out.dtype)]))


@converts(*_ops("elementwise", "leaky_relu"), *_f("leaky_relu"))
def leaky_relu(b, out, a, negative_slope=0.01, *_):
    b.bind(out, b.node("LeakyRelu", [b.name_of(a, out.dtype)], alpha=float(negative_slope)))


@converts(*_ops("elementwise", "gelu"), *_f("gelu"))
def gelu(b, out, a, approximate="none"):
    x = b.name_of(a, out.dtype)
    if b.opset >= 20:
        b.bind(out, b.node("Gelu", [x], approximate=approximate))
        return
    c = lambda v: b.const(np.asarray(v, out.dtype), "c")  # noqa: E731
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = b.node("Mul", [b.node("Mul", [x, x]), x])
        inner = b.node("Mul", [b.node("Add", [x, b.node("Mul", [cube, c(0.044715)])]),
                               c(math.sqrt(2 / math.pi))])
        phi = b.node("Tanh", [inner])
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        phi = b.node("Erf", [b.node("Div", [x, c(math.sqrt(2.0))])])
    half_x = b.node("Mul", [x, c(0.5)])
    b.bind(out, b.node("Mul", [half_x, b.node("Add", [phi, c(1.0)])]))


@converts(*_ops("elementwise", "softplus"), *_f("softplus"))
def softplus(b, out, a, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch's rule)."""
    x = b.name_of(a, out.dtype)
    bx = b.node("Mul", [x, b.const(np.asarray(beta, out.dtype), "beta")]) if beta != 1 else x
    soft = b.node("Softplus", [bx])
    if beta != 1:
        soft = b.node("Div", [soft, b.const(np.asarray(beta, out.dtype), "beta")])
    linear = b.node("Greater", [bx, b.const(np.asarray(threshold, out.dtype), "threshold")])
    b.bind(out, b.node("Where", [linear, x, soft]))


@converts(*_ops("elementwise", "cast"))
def cast(b, out, a, dtype):
    b.bind(out, b.node("Cast", [b.name_of(a)], to=b.elem_type(out.dtype)))


# ----- linear algebra ------------------------------------------------------------------------
@converts(*_ops("linalg", "matmul"))
def matmul(b, out, x, y):
    b.bind(out, b.node("MatMul", [b.name_of(x, out.dtype), b.name_of(y, out.dtype)]))


@converts(*_ops("linalg", "linear"), *_f("linear"))
def linear(b, out, x, weight, bias=None):
    dt = out.dtype
    if x.ndim == 2:  # Gemm: y = x W^T + b in one node
        inputs = [b.name_of(x, dt), b.name_of(weight, dt)] + ([b.name_of(bias, dt)] if bias is not None else [])
        b.bind(out, b.node("Gemm", inputs, transB=1))
        return
    y = b.node("MatMul", [b.name_of(x, dt), b.node("Transpose", [b.name_of(weight, dt)], perm=[1, 0])])
    if bias is not None:
        y = b.node("Add", [y, b.name_of(bias, dt)])
    b.bind(out, y if bias is not None else b.node("Identity", [y]))


# ----- reductions ----------------------------------------------------------------------------
def _reduction(op_type):
    def convert(b, out, a, dim=None, keepdim=False):
        if isinstance(out, tuple):
            raise UnsupportedOperatorError("max/min with dim returns (values, indices), which has "
                                           "no export; use amax/amin")
        b.bind(out, b.reduce(op_type, b.name_of(a, out.dtype), _axes(dim, a.ndim), keepdim))
    return convert


for _name, _op in [("sum", "ReduceSum"), ("mean", "ReduceMean"), ("amax", "ReduceMax"), ("max", "ReduceMax"),
                   ("amin", "ReduceMin"), ("min", "ReduceMin"), ("logsumexp", "ReduceLogSumExp")]:
    converts(*_ops("reduction", _name))(_reduction(_op))


def _softmax(op_type):
    def convert(b, out, a, dim=-1):
        b.bind(out, b.node(op_type, [b.name_of(a, out.dtype)], axis=_axis(dim, a.ndim)))
    return convert


converts(*_ops("reduction", "softmax"), *_f("softmax"))(_softmax("Softmax"))
converts(*_ops("reduction", "log_softmax"), *_f("log_softmax"))(_softmax("LogSoftmax"))


# ----- shapes --------------------------------------------------------------------------------
def _reshape_to(b, out, a, target):
    """Reshape ``a`` to ``target``; with symbolic input dims the leading dim is copied from
    the input (ONNX's 0) when it is unchanged, so a batch dimension stays free."""
    target = list(target)
    if b.dynamic and a.ndim and target and out.shape[0] == a.shape[0] and target[0] != -1:
        target[0] = 0
    b.bind(out, b.node("Reshape", [b.name_of(a), b.int64s(target)]))


@converts(*_ops("shape", "reshape"))
def reshape(b, out, a, *shape):
    _reshape_to(b, out, a, out.shape)


@converts(*_ops("shape", "flatten"), *_f("flatten"))
def flatten(b, out, a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return _reshape_to(b, out, a, [1])
    s, e = _axis(start_dim, a.ndim), _axis(end_dim, a.ndim)
    if s == 1 and e == a.ndim - 1:  # ONNX Flatten: (d0, d1 * ... * dn), any d0
        return b.bind(out, b.node("Flatten", [b.name_of(a)], axis=1))
    # dims before start_dim copied (0), the merged block inferred (-1), the rest as they are
    target = [0] * s + [-1] + list(out.shape[s + 1:])
    b.bind(out, b.node("Reshape", [b.name_of(a), b.int64s(target)]))


@converts(*_ops("shape", "transpose"))
def transpose(b, out, a, dim0, dim1):
    perm = list(range(a.ndim))
    d0, d1 = _axis(dim0, a.ndim), _axis(dim1, a.ndim)
    perm[d0], perm[d1] = perm[d1], perm[d0]
    b.bind(out, b.node("Transpose", [b.name_of(a)], perm=perm))


@converts(*_ops("shape", "permute"))
def permute(b, out, a, *dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    b.bind(out, b.node("Transpose", [b.name_of(a)], perm=[_axis(int(d), a.ndim) for d in dims]))


@converts(*_ops("shape", "squeeze"))
def squeeze(b, out, a, dim=None):
    axes = [i for i, s in enumerate(a.shape) if s == 1] if dim is None else \
        [d for d in _axes(dim, a.ndim) if a.shape[d] == 1]  # non-1 dims stay, as in PyTorch
    b.bind(out, b.node("Squeeze", [b.name_of(a), b.int64s(axes, "axes")]) if axes
           else b.node("Identity", [b.name_of(a)]))


@converts(*_ops("shape", "unsqueeze"))
def unsqueeze(b, out, a, dim):
    b.bind(out, b.node("Unsqueeze", [b.name_of(a), b.int64s([_axis(dim, a.ndim + 1)], "axes")]))


@converts(*_ops("shape", "expand"), *_ops("shape", "broadcast_to"))
def expand(b, out, a, *_):
    b.bind(out, b.node("Expand", [b.name_of(a, out.dtype), b.int64s(out.shape)]))


@converts(*_ops("shape", "cat"))
def cat(b, out, tensors, dim=0):
    inputs = [b.name_of(t, out.dtype) for t in tensors]
    b.bind(out, b.node("Concat", inputs, axis=_axis(dim, out.ndim)))


@converts(*_ops("shape", "stack"))
def stack(b, out, tensors, dim=0):
    axes = b.int64s([_axis(dim, out.ndim)], "axes")
    inputs = [b.node("Unsqueeze", [b.name_of(t, out.dtype), axes]) for t in tensors]
    b.bind(out, b.node("Concat", inputs, axis=_axis(dim, out.ndim)))


@converts(*_ops("shape", "pad"), *_f("pad"))
def pad(b, out, a, pad, mode="constant", value=0.0):
    pad = [int(p) for p in pad]
    begins, ends = [0] * a.ndim, [0] * a.ndim
    for i in range(len(pad) // 2):  # (before, after) pairs from the last dim backwards
        begins[a.ndim - 1 - i], ends[a.ndim - 1 - i] = pad[2 * i], pad[2 * i + 1]
    b.bind(out, b.node("Pad", [b.name_of(a), b.int64s(begins + ends, "pads"),
                              b.const(np.asarray(value, out.dtype), "value")], mode="constant"))


@converts(*_ops("indexing", "gather"))
def gather(b, out, a, dim, index):
    b.bind(out, b.node("GatherElements", [b.name_of(a), b.name_of(index, np.int64)], axis=_axis(dim, a.ndim)))


# ----- layers --------------------------------------------------------------------------------
def _batched(b, out, x, make_node):
    """Run ``make_node(name)`` on 4-d input; unbatched 3-d input gets a batch dim around it."""
    name = b.name_of(x, out.dtype)
    if x.ndim == 3:
        axes = b.int64s([0], "axes")
        b.bind(out, b.node("Squeeze", [make_node(b.node("Unsqueeze", [name, axes])), axes]))
    else:
        b.bind(out, make_node(name))


def _pads(padding):
    return [padding[0], padding[1], padding[0], padding[1]]


@converts(*_f("conv2d"))
def conv2d(b, out, input, weight, bias=None, stride=1, padding=0):
    kernel = tuple(weight.shape[2:])
    if padding == "valid":
        padding = 0
    elif padding == "same":
        padding = (kernel[0] // 2, kernel[1] // 2)
    padding = _pair(padding, "conv2d", "padding", 0)
    dt = out.dtype
    inputs = [b.name_of(weight, dt)] + ([b.name_of(bias, dt)] if bias is not None else [])
    _batched(b, out, input, lambda x: b.node(
        "Conv", [x] + inputs, kernel_shape=list(kernel), strides=list(_pair(stride, "conv2d", "stride", 1)),
        pads=_pads(padding), dilations=[1, 1], group=1))


def _pool_attrs(kernel_size, stride, padding, fn):
    kernel = _pair(kernel_size, fn, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, fn, "stride", 1)
    return dict(kernel_shape=list(kernel), strides=list(stride),
                pads=_pads(_pair(padding, fn, "padding", 0)))


@converts(*_f("max_pool2d"))
def max_pool2d(b, out, input, kernel_size, stride=None, padding=0):
    attrs = _pool_attrs(kernel_size, stride, padding, "max_pool2d")
    _batched(b, out, input, lambda x: b.node("MaxPool", [x], **attrs))


@converts(*_f("avg_pool2d"))
def avg_pool2d(b, out, input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    attrs = _pool_attrs(kernel_size, stride, padding, "avg_pool2d")
    _batched(b, out, input, lambda x: b.node("AveragePool", [x], count_include_pad=int(count_include_pad),
                                              **attrs))


@converts(*_f("dropout"))
def dropout(b, out, input, p=0.5, training=True):
    if training and p > 0:
        raise UnsupportedOperatorError("dropout with training=True is random and has no inference "
                                       "export (pass training=self.training; export runs in eval mode)")
    b.bind(out, b.node("Identity", [b.name_of(input)]))


@converts(*_f("batch_norm"))
def batch_norm(b, out, input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    if training:
        raise UnsupportedOperatorError("batch_norm with batch statistics (training=True, or a BatchNorm "
                                       "with track_running_stats=False) has no inference export")
    dt, c = out.dtype, input.shape[1]
    scale = b.name_of(weight, dt) if weight is not None else b.const(np.ones(c, dt), "bn_scale")
    shift = b.name_of(bias, dt) if bias is not None else b.const(np.zeros(c, dt), "bn_bias")
    b.bind(out, b.node("BatchNormalization", [b.name_of(input, dt), scale, shift, b.name_of(running_mean, dt),
                                              b.name_of(running_var, dt)], epsilon=float(eps)))


@converts(*_f("layer_norm"))
def layer_norm(b, out, input, normalized_shape, weight=None, bias=None, eps=1e-5):
    k = 1 if isinstance(normalized_shape, (int, np.integer)) else len(normalized_shape)
    dt, shape = out.dtype, input.shape[input.ndim - k:]
    scale = b.name_of(weight, dt) if weight is not None else b.const(np.ones(shape, dt), "ln_scale")
    inputs = [b.name_of(input, dt), scale] + ([b.name_of(bias, dt)] if bias is not None else [])
    b.bind(out, b.node("LayerNormalization", inputs, axis=-k, epsilon=float(eps)))


@converts(*_f("embedding"))
def embedding(b, out, input, weight, padding_idx=None):
    indices = input if isinstance(input, Tensor) else np.asarray(input)
    b.bind(out, b.node("Gather", [b.name_of(weight, out.dtype), b.name_of(indices, np.int64)], axis=0))
