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

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors


class Function:
    """Subclass with two static methods::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):            # x: Tensor; return an ndarray or Tensor
                ctx.save_for_backward(x)
                return x.data ** 3

            @staticmethod
            def backward(ctx, grad):        # grad: Tensor; one gradient per forward input
                (x,) = ctx.saved_tensors
                return grad * 3 * x * x

        y = Cube.apply(x)

    ``forward`` runs without graph recording. ``backward`` returns one gradient (Tensor,
    ndarray or None) per positional input; written with Tensor ops it supports higher order,
    written with numpy it is first order only.
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
        data = out.data if isinstance(out, Tensor) else np.asarray(out)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        name = cls.__name__

        def backward(g, out_tensor):
            grads = cls.backward(ctx, g)
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
                result.append(gi)
            return tuple(result)

        return make(data, tensors, backward, name)
