"""``Tensor.grad_fn`` as PyTorch shows it: a node with ``name()`` and ``next_functions``.

minigrad records a graph node as the tuple ``t._ctx = (backward, parents, op_name, saves)``
(cheap to make on every op). The objects here are views of those tuples built on demand,
only when ``grad_fn`` is read, so recording costs nothing extra. Two views of the same record
compare equal (``==``); unlike PyTorch, reading ``grad_fn`` twice gives two view objects.
"""
from .engine import parents_of

# minigrad op name -> PyTorch's node name, where they differ from f"{op}Backward0"
_TORCH_NAMES = {
    "Cast": "ToCopyBackward0", "Reshape": "ViewBackward0", "Pad": "ConstantPadNdBackward0",
    "Conv2d": "ConvolutionBackward0", "MaxPool2d": "MaxPool2DWithIndicesBackward0",
    "AvgPool2d": "AvgPool2DBackward0", "CrossEntropy": "NllLossBackward0",
    "Clamp": "ClampBackward1", "Normal": "NormalBackward3",
}


def _matmul_name(parents):
    a, b = parents[0].ndim, parents[1].ndim
    if a == 1 and b == 1:
        return "DotBackward0"
    if a == 2 and b == 1:
        return "MvBackward0"
    if a == 2 and b == 2:
        return "MmBackward0"
    return "BmmBackward0" if a == 3 and b == 3 else "UnsafeViewBackward0"


def torch_name(ctx, out=None):
    """PyTorch's class name for the node that ``ctx`` records (``out``: the tensor it made)."""
    backward, parents, op = ctx[:3]
    if op in ("Sum", "Mean") and out is not None and parents:
        # PyTorch: SumBackward0 reduces everything, SumBackward1 is the dim= overload
        return f"{op}Backward{0 if out.ndim == 0 and parents[0].ndim else 1}" if parents[0].ndim \
            else f"{op}Backward0"
    if getattr(backward, "__module__", None) == "minigrad.autograd.function":
        return f"{op}Backward"  # a custom autograd.Function, named after its class
    if op == "MatMul" and len(parents) == 2:
        return _matmul_name(parents)
    if op == "Linear":
        return "AddmmBackward0" if len(parents) == 3 and parents[0].ndim == 2 else "MmBackward0"
    return _TORCH_NAMES.get(op, f"{op}Backward0")


class Node:
    """The backward node that produced a tensor (PyTorch's ``torch.autograd.graph.Node``)."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor):
        self._tensor = tensor

    def name(self):
        """PyTorch's name for this node, e.g. ``"MulBackward0"``."""
        return torch_name(self._tensor._ctx, self._tensor)

    @property
    def next_functions(self):
        """One ``(node, 0)`` per input of the op: the input's own node, an
        :class:`AccumulateGrad` for a leaf that requires grad, or ``None`` for a constant.
        Empty once backward has freed the graph (PyTorch keeps the structure). An input
        written in place since shows the node it had when this op was recorded."""
        return tuple((node_of(p), 0) for p in parents_of(self._tensor))

    @property
    def metadata(self):
        return {}

    def register_hook(self, fn):
        raise NotImplementedError("Node.register_hook: hooks on graph nodes are not supported "
                                  "in minigrad yet; use Tensor.register_hook")

    def register_prehook(self, fn):
        raise NotImplementedError("Node.register_prehook: hooks on graph nodes are not "
                                  "supported in minigrad yet; use Tensor.register_hook")

    def __eq__(self, other):
        return isinstance(other, Node) and other._tensor._ctx is self._tensor._ctx

    def __hash__(self):
        return id(self._tensor._ctx)

    def __repr__(self):
        return f"<{self.name()} object at {id(self._tensor._ctx):#x}>"


class AccumulateGrad:
    """The node that accumulates into a leaf's ``.grad`` (``variable`` is the leaf)."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self.variable):#x}>"


def node_of(t):
    """The node that gradients of ``t`` flow into: its grad_fn, an AccumulateGrad for a
    leaf that requires grad, or None."""
    if t._ctx is not None:
        return Node(t)
    return AccumulateGrad(t) if t.requires_grad else None
