"""grad_fn as PyTorch shows it: node objects with name() and next_functions, leaves as
AccumulateGrad, constants as None; built from the recorded graph on demand."""
import pytest

import minigrad as mg
from minigrad.autograd.graph import AccumulateGrad, Node

OPS = {
    "add": lambda t, x, w, v: x + 1, "sub": lambda t, x, w, v: x - 1,
    "mul": lambda t, x, w, v: x * 2, "div": lambda t, x, w, v: x / 2,
    "neg": lambda t, x, w, v: -x, "pow": lambda t, x, w, v: x ** 2,
    "exp": lambda t, x, w, v: x.exp(), "log": lambda t, x, w, v: x.log(),
    "tanh": lambda t, x, w, v: x.tanh(), "sigmoid": lambda t, x, w, v: x.sigmoid(),
    "relu": lambda t, x, w, v: x.relu(), "sum": lambda t, x, w, v: x.sum(),
    "sum_dim": lambda t, x, w, v: x.sum(1), "mean": lambda t, x, w, v: x.mean(),
    "mean_dim": lambda t, x, w, v: x.mean(0), "mm": lambda t, x, w, v: x @ w,
    "mv": lambda t, x, w, v: x @ v, "dot": lambda t, x, w, v: v @ v,
    "view": lambda t, x, w, v: x.view(6), "permute": lambda t, x, w, v: x.permute(1, 0),
    "cat": lambda t, x, w, v: t.cat([x, x]), "softmax": lambda t, x, w, v: x.softmax(1),
    "log_softmax": lambda t, x, w, v: x.log_softmax(1), "abs": lambda t, x, w, v: x.abs(),
    "sqrt": lambda t, x, w, v: x.sqrt(), "clamp": lambda t, x, w, v: x.clamp(0, 1),
    "linear": lambda t, x, w, v: t.nn.functional.linear(x, w.t(), w[0]),
    "cross_entropy": lambda t, x, w, v: t.nn.functional.cross_entropy(x, t.tensor([0, 1])),
    "tril": lambda t, x, w, v: x.tril(), "cumsum": lambda t, x, w, v: x.cumsum(1),
    "expand": lambda t, x, w, v: v.expand(2, 3), "double": lambda t, x, w, v: x.double(),
    "clone": lambda t, x, w, v: x.clone(), "where": lambda t, x, w, v: t.where(x > 0, x, 0.0),
}


def _inputs(t):
    return (t.ones(2, 3, requires_grad=True), t.ones(3, 3, requires_grad=True),
            t.ones(3, requires_grad=True))


@pytest.mark.parametrize("op", sorted(OPS))
def test_node_names_are_pytorchs(op):
    torch = pytest.importorskip("torch")
    m = OPS[op](mg, *_inputs(mg))
    t = OPS[op](torch, *_inputs(torch))
    assert m.grad_fn.name() == t.grad_fn.name()


def test_next_functions_walk_back_to_leaves():
    torch = pytest.importorskip("torch")

    def shape_of(node, depth=4):
        """The graph below ``node`` as nested (name, children) with leaves marked."""
        if node is None:
            return None
        if depth == 0:
            return "..."
        kids = tuple((shape_of(n, depth - 1), i) for n, i in node.next_functions)
        name = "leaf" if node.name() == "torch::autograd::AccumulateGrad" else node.name()
        return (name, kids)

    def build(t):
        a = t.linspace(0.0, 1.0, 5, requires_grad=True)
        b = t.ones(5)
        return ((a.sin() * 2 + b) * a).sum()

    assert shape_of(build(mg).grad_fn) == shape_of(build(torch).grad_fn)


def test_accumulate_grad_holds_the_leaf_and_constants_are_none():
    x = mg.ones(2, requires_grad=True)
    y = x * mg.ones(2)
    (leaf, i0), (const, i1) = y.grad_fn.next_functions
    assert isinstance(leaf, AccumulateGrad) and leaf.variable is x and i0 == 0
    assert const is None and i1 == 0
    assert leaf.next_functions == () and "AccumulateGrad" in repr(leaf)


def test_leaves_have_no_node_and_nodes_compare_by_record():
    x = mg.ones(2, requires_grad=True)
    assert x.grad_fn is None and x.is_leaf
    y = x * 2
    assert isinstance(y.grad_fn, Node) and y.grad_fn == y.grad_fn and hash(y.grad_fn) == hash(y.grad_fn)
    assert y.grad_fn != (x * 2).grad_fn
    assert repr(y.grad_fn).startswith("<MulBackward0 object at 0x")
    assert mg.ones(2).grad_fn is None and not (mg.ones(2) * 2).requires_grad


def test_custom_function_node_is_named_after_the_class():
    torch = pytest.importorskip("torch")

    class Cube(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class TCube(torch.autograd.Function):
        forward, backward = staticmethod(lambda ctx, x: x ** 3), staticmethod(lambda ctx, g: g)

    assert Cube.apply(mg.ones(2, requires_grad=True)).grad_fn.name() == "CubeBackward"
    assert TCube.apply(torch.ones(2, requires_grad=True)).grad_fn.name() == "TCubeBackward"


def test_node_hooks_are_a_clear_error_for_now():
    y = mg.ones(2, requires_grad=True) * 2
    with pytest.raises(NotImplementedError, match="Tensor.register_hook"):
        y.grad_fn.register_hook(lambda *a: None)


def test_viz_capture_still_reads_the_record():
    """The graph pictures read ``_ctx`` directly; the node view must not change what they see."""
    from minigrad.viz import compgraph
    x = mg.ones(2, requires_grad=True)
    cap = compgraph.capture((x * 2).sum())
    assert "Sum" in cap.ops and "Mul" in cap.ops
