"""Decoding: the manifest's nodes and the verified member arrays back into the saved object,
checking every node (the file may be hostile; format: :mod:`._manifest`)."""
from __future__ import annotations

import re

import numpy as np

from ._manifest import (DICT_CLASSES, MAX_DEPTH, CheckpointError, dtype_from_json, is_count,
                        parse_shape, tensor_type)


class Decoder:
    """Builds the saved object from a parsed manifest and its member arrays, one node at a
    time (nodes refer only to earlier ones), checking every node: the file may be hostile."""

    def __init__(self, manifest: dict, arrays: list):
        self.nodes = manifest["nodes"]
        self.root = manifest["root"]
        self.arrays = arrays
        self.objs: list = []
        self.heights: list[int] = []

    def decode(self):
        for i, node in enumerate(self.nodes):
            try:
                obj, height = self._node(node)
            except CheckpointError as exc:
                raise CheckpointError(f"{self.where(i)}: {exc}") from None
            if height > MAX_DEPTH:
                raise CheckpointError(f"{self.where(i)}: containers nested more than "
                                      f"{MAX_DEPTH} levels deep")
            self.objs.append(obj)
            self.heights.append(height)
        return self._value(self.root)

    def where(self, index):
        """The key path of node ``index`` (``obj['model']['0.weight']``), or a node number."""
        return key_path(self.nodes, self.root, {index}) or f"node {index}"

    def _value(self, value):
        if isinstance(value, list):
            if len(value) != 1 or type(value[0]) is not int or not 0 <= value[0] < len(self.objs):
                raise CheckpointError(f"bad reference {value!r}")
            return self.objs[value[0]]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise CheckpointError(f"unexpected JSON value of type {type(value).__name__}")

    def _height(self, value):
        return self.heights[value[0]] if isinstance(value, list) else 0

    def _node(self, node):
        if not isinstance(node, dict):
            raise CheckpointError(f"malformed node {node!r:.40}")
        tag = node.get("t")
        if tag in ("list", "tuple", "dict"):
            items = node.get("items")
            if not isinstance(items, list):
                raise CheckpointError(f"malformed {tag} node")
            if tag != "dict":
                values = [self._value(v) for v in items]
                height = 1 + max(map(self._height, items), default=0)
                return (values if tag == "list" else tuple(values)), height
            name = node.get("class", "dict")
            cls = dict if name == "dict" else DICT_CLASSES.get(name) if isinstance(name, str) \
                else None
            if cls is None:
                raise CheckpointError(f"unknown dict class {node['class']!r:.40}")
            result, height = cls(), 1
            for item in items:
                if not isinstance(item, list) or len(item) != 2:
                    raise CheckpointError("malformed dict item")
                key = self._value(item[0])
                try:
                    result[key] = self._value(item[1])
                except TypeError:  # an unhashable key can only come from a hand-made file
                    raise CheckpointError(f"unhashable dict key of type {type(key).__name__}") \
                        from None
                height = max(height, 1 + self._height(item[0]), 1 + self._height(item[1]))
            return result, height
        if tag == "float":
            value = node.get("value")
            if value not in ("nan", "inf", "-inf"):
                raise CheckpointError(f"bad non-finite float {value!r}")
            return float(value), 0
        if tag == "int":
            text = node.get("hex")
            if not isinstance(text, str) or not _HEX_INT.fullmatch(text):
                raise CheckpointError(f"bad int {text!r:.40}")
            return int(text, 16), 0  # base 16 has no digit limit
        if tag == "tensor":
            return self._tensor(node), 0
        arr = self._array(node, tag)
        if tag == "ndarray":
            return arr, 0
        if tag == "npscalar":
            if arr.ndim != 0:
                raise CheckpointError("numpy scalar entry is not 0-dimensional")
            return arr[()], 0
        if arr.dtype != np.uint8 or arr.ndim != 1:
            raise CheckpointError("bytes entry is not a 1-d uint8 array")
        return arr.tobytes(), 0

    def _array(self, node, tag):
        if tag not in ("ndarray", "npscalar", "bytes"):
            raise CheckpointError(f"unknown node type {tag!r}")
        index = node.get("array")
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise CheckpointError(f"missing array entry {index!r}")
        if "view" in node:
            if tag != "ndarray":
                raise CheckpointError(f"a {tag} node cannot be a view")
            return make_view(self.arrays[index], node["view"], f"member a{index}")
        return self.arrays[index]

    def _tensor(self, node):
        data = node.get("data")
        requires_grad = node.get("requires_grad")
        if not isinstance(requires_grad, bool):
            raise CheckpointError("tensor requires_grad is not a bool")
        arr = self._value(data)
        if not isinstance(data, list) or self.nodes[data[0]].get("t") != "ndarray":
            raise CheckpointError("tensor data is not an array node")
        # Tensor(arr) keeps the array (no copy: a tensor and an array, or two tensors, that
        # shared memory when saved share it again); requires_grad on an int tensor raises.
        parameter = node.get("parameter", False)
        if not isinstance(parameter, bool):
            raise CheckpointError("tensor parameter flag is not a bool")
        if parameter:
            from ..nn.parameter import Parameter
        try:
            return (Parameter if parameter else tensor_type())(arr, requires_grad=requires_grad)
        except (TypeError, RuntimeError, ValueError) as exc:
            raise CheckpointError(f"invalid tensor entry: {exc}") from None


_HEX_INT = re.compile(r"-?0x[0-9a-f]+")


def key_path(nodes, root, targets) -> str | None:
    """The key path (``obj['model']['0.weight']``) of the first node in ``targets`` reached
    from the root, in the saved object's order; a tensor's data node gets the tensor's path.
    Tolerates malformed nodes (it only names places in error messages) and keeps one parent
    link per node, building a string only for the node found."""
    parent = {}
    stack = [(_ref(root), None, "")]
    while stack:
        i, up, step = stack.pop()
        if i is None or i in parent or not 0 <= i < len(nodes):
            continue
        parent[i] = (up, step)
        if i in targets:
            return _format_path(parent, i)
        node = nodes[i]
        node = node if isinstance(node, dict) else {}
        items = node.get("items") if isinstance(node.get("items"), list) else []
        children = []
        if node.get("t") in ("list", "tuple"):
            children = [(_ref(v), i, f"[{j}]") for j, v in enumerate(items)]
        elif node.get("t") == "dict":
            for item in items:
                if isinstance(item, list) and len(item) == 2:
                    key = "<key>" if isinstance(item[0], list) else repr(item[0])
                    key = f"[{key if len(key) <= 60 else key[:57] + '...'}]"
                    children += [(_ref(item[0]), i, key), (_ref(item[1]), i, key)]
        elif node.get("t") == "tensor":
            children = [(_ref(node.get("data")), i, "")]
        stack.extend(reversed(children))
    return None


def _format_path(parent, i):
    steps = []
    while i is not None:
        i, step = parent[i]
        steps.append(step)
    steps.reverse()
    if len(steps) > 30:  # a hostile chain of nodes: the start and the end of the path
        steps = steps[:20] + ["[...]"] + steps[-9:]
    return "obj" + "".join(steps)


def _ref(value):
    return value[0] if isinstance(value, list) and len(value) == 1 and \
        type(value[0]) is int else None


def array_path(nodes, root, index):
    """The key path of a value stored in member ``a<index>``, or None."""
    targets = {i for i, node in enumerate(nodes)
               if isinstance(node, dict) and node.get("array") == index}
    return key_path(nodes, root, targets)


def make_view(storage, view, what):
    """The ndarray a node's ``view`` describes, after checking it lies inside ``storage``."""
    if not isinstance(view, dict):
        raise CheckpointError(f"bad view for {what}")
    dtype = dtype_from_json(view.get("dtype"))
    shape = parse_shape(view.get("shape"), what)
    strides, offset = view.get("strides"), view.get("offset")
    if not isinstance(strides, list) or len(strides) != len(shape) or \
            not all(type(s) is int for s in strides) or not is_count(offset):
        raise CheckpointError(f"bad view for {what}")
    lo = hi = offset
    if all(shape):
        for n, s in zip(shape, strides):
            lo, hi = (lo + (n - 1) * s, hi) if s < 0 else (lo, hi + (n - 1) * s)
        hi += dtype.itemsize
    if storage.dtype != np.uint8 or storage.ndim != 1 or lo < 0 or hi > storage.size:
        raise CheckpointError(f"view for {what} reaches outside its storage")
    try:
        return np.ndarray(shape, dtype, buffer=storage, offset=offset, strides=strides)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"bad view for {what} ({exc})") from None
