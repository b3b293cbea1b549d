"""``Function``: define a new differentiable op by a forward/backward pair, as
``torch.autograd.Function``."""
import numpy as np

from .. import grad_mode
from ..tensor import Tensor, make


class Context:
    """Per-call storage handed to ``forward`` and ``backward``."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved_tensors = ()
        self.materialize_grads = True
        self.non_differentiable = set()  # ids of outputs marked by mark_non_differentiable

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *outputs):
        """Declare outputs of ``forward`` (the very objects it returns) as constants: they do
        not require grad, and ``backward`` receives zeros (or None, see
        :meth:`set_materialize_grads`) in their place, as in PyTorch."""
        self.non_differentiable.update(id(o) for o in outputs)

    def set_materialize_grads(self, value):
        """With ``False``, ``backward`` receives None instead of zeros for the outputs of a
        tuple-returning ``forward`` that got no gradient (as in PyTorch)."""
        self.materialize_grads = bool(value)


class Function:
    """Subclass with two static methods::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):            # x: Tensor; return an ndarray or Tensor
                ctx.save_for_backward(x)
                return x._data ** 3

            @staticmethod
            def backward(ctx, grad):        # grad: Tensor; one gradient per forward input
                (x,) = ctx.saved_tensors
                return grad * 3 * x * x

        y = Cube.apply(x)

    ``forward`` runs without graph recording. ``backward`` returns one gradient (Tensor,
    ndarray or None) per positional input; written with Tensor ops it supports higher order,
    written with numpy it is first order only.

    ``forward`` may return a tuple (of ndarrays, Tensors or None); ``apply`` then returns a
    tuple of Tensors and ``backward`` receives one gradient per output, as in PyTorch: zeros
    for an output that received none (None after ``ctx.set_materialize_grads(False)``), None
    for a None output. Outputs that are not floating point are constants, never part of the
    graph (PyTorch treats integer outputs the same way), as are outputs passed to
    ``ctx.mark_non_differentiable``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        ctx = Context(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        name = cls.__name__

        def input_grads(grad_outputs):
            grads = cls.backward(ctx, *grad_outputs)
            if not isinstance(grads, tuple):
                grads = (grads,)
            if len(grads) != len(args):
                raise RuntimeError(f"{name}.backward returned {len(grads)} gradients for "
                                   f"{len(args)} inputs")
            result = []
            for i in positions:
                gi = grads[i]
                if gi is not None and not isinstance(gi, Tensor):
                    gi = Tensor._wrap(np.asarray(gi, dtype=args[i].dtype))
                if gi is not None and gi.shape != args[i].shape:
                    raise RuntimeError(f"{name}.backward returned a gradient of shape {gi.shape} "
                                       f"for input {i} of shape {args[i].shape}")
                result.append(gi)
            return tuple(result)

        if isinstance(out, tuple):
            return _multi_output(out, tensors, ctx, input_grads, name)
        data = out._data if isinstance(out, Tensor) else np.asarray(out)
        if id(out) in ctx.non_differentiable:
            return Tensor._wrap(data)
        return make(data, tensors, lambda g, out_tensor: input_grads((g,)), name)


_NO_DATA = np.empty(0)


class _OutputGrads:
    """The gradient of the hidden node behind a multi-output ``Function``: one slot per
    output, None where that output received nothing. The engine sums the gradients a node
    receives with ``+``; here that merges slots, so each output's node contributes its own
    slot and the hidden node runs the user's ``backward`` once, with all of them. Not a
    Tensor: the engine only compares its ``_data``'s shape with the hidden node's and adds."""

    __slots__ = ("parts",)
    _data = _NO_DATA

    def __init__(self, parts):
        self.parts = parts

    def __add__(self, other):
        return _OutputGrads(tuple(a if b is None else b if a is None else a + b
                                  for a, b in zip(self.parts, other.parts)))


def output_route(i, n):
    """The backward of output ``i`` of ``n`` that share one hidden node: it hands ``g`` to the
    hidden node in slot ``i`` of an :class:`_OutputGrads`."""
    def backward(g, out):
        parts = [None] * n
        parts[i] = g
        return (_OutputGrads(tuple(parts)),)
    return backward


def _multi_output(outs, tensors, ctx, input_grads, name):
    """Tensors for the tuple ``outs`` of ``forward``. The engine's nodes have one output
    each, so the inputs feed one hidden node that runs ``backward``, and each float output
    is a node whose only parent is that hidden node."""
    arrays = [None if o is None else o._data if isinstance(o, Tensor) else np.asarray(o)
              for o in outs]
    # Keep shapes and dtypes only: zeros for unused outputs need no reference to the data.
    specs = [None if a is None else (a.shape, a.dtype) for a in arrays]
    n = len(arrays)

    def backward(g, hub):
        grads = list(g.parts)
        if ctx.materialize_grads:
            for i, (gi, spec) in enumerate(zip(grads, specs)):
                if gi is None and spec is not None:
                    grads[i] = Tensor._wrap(np.zeros(*spec))
        return input_grads(grads)

    hub = make(_NO_DATA, tensors, backward, name)
    constant = [a is None or a.dtype.kind != "f" or id(o) in ctx.non_differentiable
                for a, o in zip(arrays, outs)]
    return tuple(None if a is None else Tensor._wrap(a) if constant[i] else
                 make(a, (hub,), output_route(i, n), name) for i, a in enumerate(arrays))
