"""graph(): DOT text of the graph behind a tensor; capture() keeps it for after backward."""
import re
import shutil
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import viz
from minigrad.viz import compgraph

NODE = re.compile(r'^  (n\d+) \[(.*), label="(.*)"\];$')
EDGE = re.compile(r"^  (n\d+) -> (n\d+);$")


def parse_dot(text):
    """A strict little parser for what graph() writes: returns {node: label}, [(src, dst)]."""
    assert text.count("{") == text.count("}") == 1
    lines = text.strip().splitlines()
    assert lines[0] == "digraph minigrad {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if m := NODE.match(line):
            assert m.group(1) not in nodes
            nodes[m.group(1)] = m.group(3).replace("\\n", "\n")
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        else:
            assert re.match(r"^  (rankdir|node|edge|labelloc)", line), line
    for a, b in edges:
        assert a in nodes and b in nodes
    return nodes, edges


def small_graph():
    # z = x * y + exp(x): x is used twice (a diamond), y once.
    x = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    y = mg.tensor(-3.0, dtype=mg.float64, requires_grad=True)
    z = x * y + x.exp()
    return x, y, z


def by_head(nodes):
    return {label.split("\n")[0]: name for name, label in nodes.items()}


def test_dot_names_the_ops_and_the_edges_of_a_known_graph():
    x, y, z = small_graph()
    nodes, edges = parse_dot(viz.graph(z, names={"x": x, "y": y}))
    heads = by_head(nodes)
    assert set(heads) == {"x", "y", "Mul", "Exp", "Add"}
    expected = {("x", "Mul"), ("y", "Mul"), ("x", "Exp"), ("Mul", "Add"), ("Exp", "Add")}
    assert {(nodes[a].split("\n")[0], nodes[b].split("\n")[0]) for a, b in edges} == expected
    assert "data 1.389" in nodes[heads["Add"]]  # -6 + e^2
    assert z.grad_fn.name() == "AddBackward0" and z._ctx[2] == "Add"


def test_shapes_and_large_tensors():
    a = mg.tensor(np.ones((3, 4)), requires_grad=True)
    w = mg.tensor(np.ones((4, 2)), requires_grad=True)
    loss = (a @ w).relu().sum()
    nodes, edges = parse_dot(viz.graph(loss))
    labels = "\n".join(nodes.values())
    assert "shape (3, 4)" in labels and "shape (3, 2)" in labels
    assert "[12 values]" in labels  # large tensors show their size, not their numbers
    assert "parameter" in labels
    assert len(nodes) == 5 and len(edges) == 4


def test_capture_keeps_the_structure_and_shows_gradients_after_backward():
    x, y, z = small_graph()
    g = viz.capture(z, names={"x": x, "y": y, "z": z})
    z.backward()  # frees z's graph
    nodes, edges = parse_dot(g.dot())
    heads = by_head(nodes)
    assert len(edges) == 5
    assert "grad 4.389" in nodes[heads["x"]]  # dz/dx = y + e^x = -3 + 7.389
    assert "grad 2" in nodes[heads["y"]]  # dz/dy = x
    assert "grad 1" in nodes[heads["Mul"]]  # intermediates keep theirs (retain_grads)
    assert "grad 1" in nodes[heads["z = Add"]]


def test_graph_after_retain_graph_backward_shows_leaf_gradients():
    x, y, z = small_graph()
    z.backward(retain_graph=True)
    nodes, _ = parse_dot(viz.graph(z, names={"x": x}))
    assert "grad 4.389" in nodes[by_head(nodes)["x"]]
    assert "grad" not in nodes[by_head(nodes)["Mul"]]  # not retained: nothing to show


def test_graph_after_plain_backward_is_marked_freed_and_warns():
    x, y, z = small_graph()
    z.backward()
    with pytest.warns(RuntimeWarning, match="freed by backward"):
        text = viz.graph(z)
    nodes, edges = parse_dot(text)
    assert len(nodes) == 1 and not edges
    assert "graph freed by backward" in next(iter(nodes.values()))


def test_function_with_two_outputs_shows_its_hidden_node_without_a_value():
    class SinCos(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    x = mg.tensor([0.5, 1.0], dtype=mg.float64, requires_grad=True)
    s, c = SinCos.apply(x)
    nodes, edges = parse_dot(viz.graph(s * c, names={"x": x}))
    hub = [n for n, label in nodes.items() if "runs backward for all outputs" in label]
    assert len(hub) == 1
    assert "shape (0,)" not in nodes[hub[0]] and "data" not in nodes[hub[0]]
    heads = {n: label.split("\n")[0] for n, label in nodes.items()}
    # x -> hidden node -> the two outputs -> Mul
    assert sorted(heads[b] for a, b in edges if a == hub[0]) == ["SinCos", "SinCos"]
    assert [heads[a] for a, b in edges if b == hub[0]] == ["x"]


def test_deep_graph_does_not_recurse():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    nodes, edges = parse_dot(viz.graph(y))
    assert len(nodes) >= 3001 and len(edges) >= 3000


def test_quotes_in_names_are_escaped():
    x, y, z = small_graph()
    nodes, _ = parse_dot(viz.graph(z, names={'say "hi"': x}))
    assert any(label.startswith('say \\"hi\\"') for label in nodes.values())


def test_save_without_dot_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(compgraph.shutil, "which", lambda name: None)
    x, y, z = small_graph()
    with pytest.raises(RuntimeError, match="Graphviz.*dot"):
        viz.save_graph(z, tmp_path / "g.svg")


def test_save_needs_a_format(tmp_path):
    x, y, z = small_graph()
    with pytest.raises(ValueError, match="extension"):
        viz.save_graph(z, tmp_path / "graph")


def test_render_svg_and_png_with_dot(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    x, y, z = small_graph()
    g = viz.capture(z, names={"x": x, "y": y})
    z.backward()
    svg = g.save(tmp_path / "g.svg")
    text = open(svg).read()
    assert "<svg" in text and "Mul" in text and "Exp" in text
    png = viz.save_graph(g.dot(), tmp_path / "g.png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_graph_needs_a_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        viz.graph(np.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        viz.graph(mg.tensor(1.0))  # a lone constant is a fine, one-node graph
