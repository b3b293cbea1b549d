"""``minigrad.onnx.export``: a trained model as an ONNX file, for inference runtimes
(onnxruntime, TensorRT, OpenVINO, browsers, phones).

    pip install "minigrad[onnx]"

    minigrad.onnx.export(model, example_input, "model.onnx")

The exporter traces: it runs the model's ``forward`` once on the example input (in eval
mode, without recording gradients) and records the minigrad ops that computed the output
from the input, so any ``Module`` whose forward is built from the supported layers and ops
exports, not only ``Sequential`` (see ``docs/interop.md``):

* layers: Linear, Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d (running statistics),
  LayerNorm, Dropout (identity), Identity, Flatten, Embedding, ReLU, LeakyReLU, Tanh,
  Sigmoid, GELU, Softplus, Softmax, LogSoftmax, Sequential, ModuleList, ModuleDict, and
  their functional forms in ``minigrad.nn.functional``;
* tensor ops: + - * / ** (and their method forms), neg, abs, maximum, minimum, clamp,
  where (constant condition), exp, log, sqrt, sin, cos, tanh, sigmoid, relu, erf,
  leaky_relu, gelu, softplus, matmul / @, linear, sum, mean, amax, amin, max/min without
  dim, logsumexp, softmax, log_softmax, reshape / view, flatten, transpose, permute, .T,
  squeeze, unsqueeze, expand, broadcast_to, cat, stack, pad, gather, astype / float / ...,
  clone, detach.

Anything else computed from the input raises :class:`UnsupportedOperatorError` naming the
op or layer and the module that ran it, as does code that would silently freeze input
values into the graph: reading a tensor into Python (``item()``, ``numpy()``, an ``if`` on
a tensor), copying it into a new tensor, modifying it in place, or a custom autograd
``Function``. Python control flow and shapes are fixed at export, as with
``torch.jit.trace``: the graph is the path the example input took.
"""

import numpy as np

from ..tensor import Tensor
from ._graph import GraphBuilder, UnsupportedOperatorError
from ._trace import EXPORTED_LAYERS, tracing

__all__ = ["export", "UnsupportedOperatorError", "EXPORTED_LAYERS"]

DEFAULT_OPSET = 17  # LayerNormalization needs 17; onnxruntime releases of several years run it


def export(model, args, f, *, input_names=None, output_names=None, opset_version=DEFAULT_OPSET,
           dynamic_axes=None):
    """Export ``model`` to the ONNX file ``f`` by running it on ``args``; as
    ``torch.onnx.export``.

    ``args``: the example input, a Tensor or numpy array, or a tuple of them for a forward
    taking several. ``f``: a path (written atomically) or a binary file object.
    ``input_names`` / ``output_names``: the graph's value names (default ``input`` and
    ``output``, numbered when there are several). ``opset_version``: the ONNX opset, 17 or
    newer (GELU is one node from 20, decomposed before). ``dynamic_axes``: as PyTorch's,
    ``{name: [axis, ...]}`` or ``{name: {axis: "label"}}`` for dims left free, e.g.
    ``{"input": {0: "batch"}, "output": {0: "batch"}}``; all other dims are those of the
    example. The model runs in eval mode (its modes are restored afterwards).

    Returns the ``onnx.ModelProto`` (checked with ``onnx.checker``). Raises ImportError when
    the ``onnx`` package is missing, :class:`UnsupportedOperatorError` naming an op or layer
    with no export, and TypeError/ValueError for bad arguments; nothing is written then.
    """
    onnx = _import_onnx()
    from .. import grad_mode
    from ..nn import Module

    if not isinstance(model, Module):
        raise TypeError(f"export: model must be a minigrad.nn.Module, got {type(model).__name__}")
    max_opset = onnx.defs.onnx_opset_version()
    if isinstance(opset_version, bool) or not isinstance(opset_version, int) \
            or not DEFAULT_OPSET <= opset_version <= max_opset:
        raise ValueError(f"export: opset_version must be an int in [{DEFAULT_OPSET}, {max_opset}] (the "
                         f"installed onnx supports up to {max_opset}), got {opset_version!r}")
    inputs = _example_inputs(args)
    input_names = _names(input_names, "input", len(inputs), "input_names")
    dynamic = _dynamic_axes(dynamic_axes)

    state_names = {}
    for key, t in model._state_items():
        state_names.setdefault(id(t), key)  # a tied parameter keeps its first name
    builder = GraphBuilder(onnx, opset_version, state_names, dynamic=bool(dynamic))
    # The trace runs on fresh tensors sharing the inputs' memory. Floating ones require grad
    # while the parameters do not, so that autograd marks every tensor computed from the input,
    # also by code the tracer cannot see (which the builder then refuses).
    traced_inputs = []
    for t, name in zip(inputs, input_names):
        t = Tensor._wrap(t._data)
        t.requires_grad = t.dtype.kind == "f"
        builder._used.add(name)
        builder.bind(t, name)
        traced_inputs.append(t)

    modes = [(m, m.training) for m in model.modules()]
    trainable = [(p, p.requires_grad) for p in model.parameters()]
    model.eval()
    try:
        for p, _ in trainable:
            p.requires_grad = False
        with tracing(builder, model), grad_mode.enable_grad():
            result = model(*traced_inputs)
    finally:
        for m, training in modes:
            m.__dict__["training"] = training
        for p, requires_grad in trainable:
            p.requires_grad = requires_grad
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    if not outputs or not all(isinstance(o, Tensor) for o in outputs):
        raise TypeError(f"export: forward must return a Tensor or a tuple of Tensors, got "
                        f"{type(result).__name__}")
    output_names = _names(output_names, "output", len(outputs), "output_names")
    for name in output_names:
        if name in builder._used:
            raise ValueError(f"export: output name {name!r} is also an input name")
        builder._used.add(name)
    for o, name in zip(outputs, output_names):
        if not builder.is_traced(o):
            reason = "is computed from it by code the exporter does not see" if o.grad_fn else \
                "is a constant (or computed by code the exporter does not see)"
            raise UnsupportedOperatorError(f"ONNX export: output {name!r} does not depend on the input "
                                           f"through minigrad's ops: it {reason}")
        builder.nodes.append(onnx.helper.make_node("Identity", [builder.name_of(o)], [name],
                                                   name=builder.fresh("output_node")))

    unknown = set(dynamic) - set(input_names) - set(output_names)
    if unknown:
        raise ValueError(f"export: dynamic_axes names {sorted(unknown)} are neither input nor output "
                         f"names (inputs {input_names}, outputs {output_names})")
    graph = onnx.helper.make_graph(
        builder.nodes, type(model).__name__,
        [_value_info(onnx, n, t, dynamic.get(n, {})) for n, t in zip(input_names, inputs)],
        [_value_info(onnx, n, t, dynamic.get(n, {})) for n, t in zip(output_names, outputs)],
        initializer=builder.initializers)
    opsets = [onnx.helper.make_opsetid("", opset_version)]
    proto = onnx.helper.make_model(graph, opset_imports=opsets, producer_name="minigrad")
    # The oldest IR version the opset allows, so that older runtimes load the file too.
    proto.ir_version = onnx.helper.find_min_ir_version_for(opsets)
    onnx.checker.check_model(proto, full_check=True)
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
    else:
        from ..serialization._writing import atomic_write

        atomic_write(f, lambda fh: fh.write(data), "ONNX model")
    return proto


def _import_onnx():
    try:
        import onnx
        import onnx.checker
        import onnx.numpy_helper  # noqa: F401
    except ImportError:
        raise ImportError("minigrad.onnx.export needs the 'onnx' package: "
                          "pip install 'minigrad[onnx]' (or pip install onnx)") from None
    return onnx


def _example_inputs(args):
    items = list(args) if isinstance(args, (tuple, list)) else [args]
    if not items:
        raise TypeError("export: args must hold at least one example input")
    inputs = []
    for i, a in enumerate(items):
        if isinstance(a, np.ndarray):
            a = Tensor(a)
        if not isinstance(a, Tensor):
            raise TypeError(f"export: example input {i} must be a Tensor or numpy array, got "
                            f"{type(a).__name__}")
        inputs.append(a)
    return inputs


def _names(names, stem, n, what):
    if names is None:
        return [stem] if n == 1 else [f"{stem}_{i}" for i in range(n)]
    names = list(names)
    if len(names) != n or not all(isinstance(s, str) and s for s in names) or len(set(names)) != n:
        raise ValueError(f"export: {what} must be {n} distinct non-empty strings, got {names!r}")
    return names


def _dynamic_axes(dynamic_axes):
    """{name: {axis: label}} from PyTorch's two spellings."""
    result = {}
    for name, axes in (dynamic_axes or {}).items():
        if isinstance(axes, dict):
            result[name] = {int(a): str(label) for a, label in axes.items()}
        elif isinstance(axes, (list, tuple)):
            result[name] = {int(a): f"{name}_dim{int(a)}" for a in axes}
        else:
            raise TypeError(f"export: dynamic_axes[{name!r}] must be a list of axes or a dict of "
                            f"axis to label, got {type(axes).__name__}")
    return result


def _value_info(onnx, name, t, free):
    shape = list(t.shape)
    for axis, label in free.items():
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"export: dynamic axis {axis} of {name!r} is out of range for its shape "
                             f"{tuple(t.shape)}")
        shape[axis] = label
    return onnx.helper.make_tensor_value_info(name, onnx.helper.np_dtype_to_tensor_dtype(t.dtype), shape)
