"""The computation graph behind a tensor, as Graphviz DOT text (and SVG/PNG when ``dot`` exists).

minigrad records ``t._ctx = (backward, parents, op_name)`` on each op's output; walking the
parents from a tensor gives its graph. ``backward()`` frees that record as it goes (``_ctx``
becomes ``(None, (), op_name)``, as in PyTorch) so that graphs die early. A picture *with*
gradients therefore needs the structure from before backward, and that is what
:func:`capture` keeps::

    x = minigrad.tensor(2.0, requires_grad=True)
    y = minigrad.tensor(-3.0, requires_grad=True)
    z = x * y + x.exp()
    g = viz.capture(z, names={"x": x, "y": y, "z": z})   # structure now
    z.backward()                                         # frees z's graph
    print(g.dot())                                       # values *and* gradients
    g.save("graph.svg")                                  # needs Graphviz's dot program

:func:`graph` is the one-shot form, ``capture(t).dot()``: call it before backward, or after a
``backward(retain_graph=True)`` (leaf gradients show; intermediate ones only where
``retain_grad()`` was called). On an already-freed graph it draws the root alone, marked as
freed, and warns.

No Python graphviz package is needed: DOT is plain text, and rendering runs the ``dot`` program
in a subprocess.
"""
import os
import shutil
import subprocess
import warnings

import numpy as np

from ..autograd.function import _NO_DATA as _FUNCTION_HUB

#: Show numbers for tensors with at most this many elements; larger ones show their shape only.
MAX_VALUES = 4


class GraphCapture:
    """The graph behind a tensor, recorded when created (so it survives ``backward()``).

    Holds strong references to every tensor of the graph (to read their ``.grad`` later);
    drop the capture to free them.

    Attributes:
        nodes: the tensors, parents before children (the root last).
        parents: for each node, the indices of its parents in ``nodes``.
        freed: indices of nodes whose graph record had already been freed by backward.
    """

    def __init__(self, tensor, names=None, retain_grads=True):
        from ..tensor import Tensor
        if not isinstance(tensor, Tensor):
            raise TypeError(f"graph needs a minigrad Tensor, got {type(tensor).__name__}")
        self.names = _names_by_id(names)
        self.nodes, self.parents, self.freed = _walk(tensor)
        self.ops = [None if t._ctx is None else t._ctx[2] for t in self.nodes]
        if retain_grads:
            # Ask intermediate tensors to keep their gradient, so the picture after backward
            # shows it on every node (micrograd style), not on leaves only.
            for t in self.nodes:
                if t._ctx is not None and t.requires_grad:
                    t.retain_grad()
        if self.freed:
            warnings.warn("part of this graph was already freed by backward(): capture it "
                          "before backward, or call backward(retain_graph=True)",
                          RuntimeWarning, stacklevel=3)

    def __len__(self):
        return len(self.nodes)

    def dot(self, rankdir="LR", title=None):
        """The graph as Graphviz DOT text: one node per tensor (op, name, shape, values and
        gradient when small), one edge from each input to the op's output."""
        lines = ["digraph minigrad {",
                 f"  rankdir={rankdir};",
                 '  node [fontname="Helvetica", fontsize=10];',
                 '  edge [color="#555555", arrowsize=0.7];']
        if title:
            lines.append(f'  labelloc="t"; label="{_escape(title)}";')
        last = len(self.nodes) - 1
        for i, t in enumerate(self.nodes):
            lines.append(f"  n{i} [{self._style(i, t, i == last)}, "
                         f'label="{_escape(self._label(i, t))}"];')
        for i, ps in enumerate(self.parents):
            for j in ps:
                lines.append(f"  n{j} -> n{i};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    __str__ = dot

    def save(self, path, format=None):
        """Render with Graphviz's ``dot`` to ``path`` (format from the extension: svg, png,
        pdf); see :func:`save_graph`."""
        return save_graph(self, path, format)

    def _label(self, i, t):
        op = self.ops[i]
        name = self.names.get(id(t))
        if op is None:
            head = name or ("parameter" if t.requires_grad else "constant")
        else:
            head = op if name is None else f"{name} = {op}"
        rows = [head]
        if t._data is _FUNCTION_HUB:
            # the hidden node behind a Function with several outputs: it has no value of its own
            rows.append("(runs backward for all outputs)")
            return "\n".join(rows)
        if t.ndim:
            rows.append(f"shape {tuple(t.shape)}")
        rows.append("data " + _values(t._data))
        if t.grad is not None:
            rows.append("grad " + _values(t.grad._data))
        if i in self.freed:
            rows.append("(graph freed by backward)")
        return "\n".join(rows)

    def _style(self, i, t, is_root):
        if is_root:
            return 'shape=box, style="rounded,filled", fillcolor="#c7e9c0"'
        if self.ops[i] is not None:
            return 'shape=box, style="rounded,filled", fillcolor="#deebf7"'
        if t.requires_grad:
            return 'shape=ellipse, style=filled, fillcolor="#fdd0a2"'
        return 'shape=ellipse, style=filled, fillcolor="#eeeeee"'


def capture(tensor, names=None, retain_grads=True):
    """Record the graph behind ``tensor`` now; render it later (after backward) with
    ``.dot()`` or ``.save(path)``.

    Args:
        tensor: the output (usually the loss).
        names: labels for some tensors, ``{"x": x, "loss": loss}``.
        retain_grads: make intermediate tensors keep ``.grad`` during the next backward, so
            every node shows its gradient.
    """
    return GraphCapture(tensor, names, retain_grads)


def graph(tensor, names=None, rankdir="LR"):
    """Graphviz DOT text of the graph behind ``tensor`` as it is now (see the module docstring
    for the backward caveat); a :class:`GraphCapture` is rendered as captured."""
    if isinstance(tensor, GraphCapture):
        return tensor.dot(rankdir)
    return GraphCapture(tensor, names, retain_grads=False).dot(rankdir)


def save_graph(graph_or_tensor, path, format=None):
    """Render DOT text, a :class:`GraphCapture` or a tensor's graph to ``path`` with ``dot``.

    Args:
        format: ``svg``, ``png``, ``pdf``... (default: from the extension of ``path``).

    Raises:
        RuntimeError: when the Graphviz ``dot`` program is not installed or fails.
    """
    text = graph_or_tensor if isinstance(graph_or_tensor, str) else graph(graph_or_tensor)
    fmt = (format or os.path.splitext(str(path))[1].lstrip(".")).lower()
    if not fmt:
        raise ValueError(f"cannot tell the image format of {path!r}: give it an extension "
                         f"(.svg, .png, .pdf) or pass format=")
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("rendering needs Graphviz's 'dot' program, which is not installed "
                           "(apt-get install graphviz, brew install graphviz, or conda install "
                           "graphviz); graph() still gives the DOT text")
    proc = subprocess.run([exe, f"-T{fmt}", "-o", str(path)], input=text.encode(),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed ({proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return str(path)


# ----- helpers ------------------------------------------------------------------------------

def _walk(root):
    """Iterative depth-first walk (no recursion limit): nodes in topological order (parents
    first), each node's parent indices, and the nodes whose record was freed."""
    order, index = [], {}
    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if id(t) in index:
            continue
        parents = _parents(t)
        if expanded or not parents:
            index[id(t)] = len(order)
            order.append(t)
            continue
        stack.append((t, True))
        for p in reversed(parents):
            if id(p) not in index:
                stack.append((p, False))
    parent_idx = [[index[id(p)] for p in _parents(t)] for t in order]
    freed = {i for i, t in enumerate(order)
             if t._ctx is not None and t._ctx[0] is None and not t._ctx[1]}
    return order, parent_idx, freed


def _parents(t):
    ctx = t._ctx
    return [] if ctx is None else [p for p in ctx[1] if p is not None]


def _names_by_id(names):
    if not names:
        return {}
    if not isinstance(names, dict):
        raise TypeError("names must be a dict {label: tensor}")
    return {id(t): str(label) for label, t in names.items()}


def _values(a):
    a = np.asarray(a)
    if a.size > MAX_VALUES:
        return f"{a.dtype} [{a.size} values]"
    if a.ndim == 0:
        return f"{a.item():.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in a.ravel().tolist()) + "]"


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
