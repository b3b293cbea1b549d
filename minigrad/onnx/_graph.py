"""The ONNX graph being built while the model runs: value names, nodes and initializers.

Every tensor the exporter meets gets an ONNX value name: the graph inputs and the outputs of
recorded ops by identity (the tracer keeps them alive, so an ``id`` is never reused during an
export), the model's parameters and buffers as initializers named by their ``state_dict``
keys, and any other tensor, array or Python number as a constant initializer.
"""
import numpy as np

from ..tensor import Tensor


class UnsupportedOperatorError(RuntimeError):
    """The model ran an op or layer that :func:`minigrad.onnx.export` cannot express in
    ONNX; the message names it and the module that called it."""


class GraphBuilder:
    def __init__(self, onnx, opset, state_names, dynamic):
        self.onnx = onnx
        self.helper = onnx.helper
        self.opset = opset
        self.dynamic = dynamic  # some input dims are symbolic: shapes must not be baked in
        self.nodes = []
        self.initializers = []
        self._values = {}  # id(tensor) -> ONNX value name of a traced tensor
        self._keep = []  # the tensors behind those ids
        self._state_names = state_names  # id(parameter or buffer) -> state_dict key
        self._const_names = {}  # id(tensor) -> initializer name, so each is stored once
        self._used = set()

    # ----- names ---------------------------------------------------------------------------
    def fresh(self, hint):
        name, i = hint, 0
        while name in self._used:
            i += 1
            name = f"{hint}_{i}"
        self._used.add(name)
        return name

    def is_traced(self, x):
        return isinstance(x, Tensor) and id(x) in self._values

    def bind(self, tensor, name):
        self._values[id(tensor)] = name
        self._keep.append(tensor)

    def name_of(self, x, dtype=None):
        """Value name for an op argument. A traced tensor is used as it is (cast to ``dtype``
        if given and different); anything else becomes an initializer of ``dtype``."""
        if self.is_traced(x):
            name = self._values[id(x)]
            return self.cast(name, x.dtype, dtype) if dtype is not None else name
        if isinstance(x, Tensor):
            key = id(x)
            name = self._const_names.get(key)
            if name is None and x.grad_fn is not None:
                # During the export only the input requires grad, so a recorded autograd node
                # means "computed from the input", by code the tracer did not see.
                raise UnsupportedOperatorError(
                    f"a tensor computed from the input by an op the exporter did not see (grad_fn "
                    f"{x.grad_fn}) is used here; only minigrad's own ops are traced (numpy code on "
                    "._data and functions saved before the export, e.g. as default arguments, are not)")
            if name is None:
                state_name = self._state_names.get(key)
                name = self.fresh(state_name or "const")
                self._const_names[key] = name
                self._keep.append(x)
                self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(x._data), name))
            return self.cast(name, x.dtype, dtype) if dtype is not None else name
        return self.const(np.asarray(x, dtype=dtype), "const")

    def const(self, array, hint):
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def int64s(self, values, hint="shape"):
        return self.const(np.asarray(values, dtype=np.int64).reshape(-1), hint)

    # ----- nodes ---------------------------------------------------------------------------
    def node(self, op_type, inputs, n_out=1, **attrs):
        """Add a node; returns its output name (or names when ``n_out > 1``)."""
        outs = [self.fresh(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outs,
                                                name=self.fresh(f"{op_type}_node"), **attrs))
        return outs[0] if n_out == 1 else outs

    def cast(self, name, from_dtype, to_dtype):
        if to_dtype is None or np.dtype(from_dtype) == np.dtype(to_dtype):
            return name
        return self.node("Cast", [name], to=self.elem_type(to_dtype))

    def elem_type(self, dtype):
        return self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))

    def reduce(self, op_type, name, axes, keepdims):
        """A Reduce* node over ``axes`` (None: all). ReduceSum takes its axes as an input from
        opset 13, the other reductions from opset 18."""
        if axes is None:
            return self.node(op_type, [name], keepdims=int(keepdims))
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.node(op_type, [name, self.int64s(axes, "axes")], keepdims=int(keepdims))
        return self.node(op_type, [name], axes=list(axes), keepdims=int(keepdims))
