"""Encoding: a nested Python object into the manifest's nodes and the arrays to store
(format: :mod:`._manifest`)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._manifest import (DICT_CLASSES, FORMAT_NAME, FORMAT_VERSION, MAX_DEPTH, descr_to_json,
                        is_container, tensor_type)

_INLINE_INT = 2 ** 63  # ints at least this large in magnitude are written as hex
_KEY_SCALARS = (bool, int, float, str, np.bool_, np.integer, np.floating)
_CONTAINERS = (dict, list, tuple, *DICT_CLASSES.values())


# --------------------------------------------------------------------------- encoding


class Encoder:
    """``encode(obj)`` returns ``(manifest, arrays)``: the JSON-able manifest and the arrays to
    store as members ``a0``, ``a1``, ... Raises ``TypeError`` for an unsupported value and
    ``ValueError`` for a circular reference or over-deep nesting, naming the key path."""

    def __init__(self):
        self.nodes: list[dict] = []
        self.index_of: dict[int, int] = {}  # id(obj) -> node, for objects stored once
        self.alive: list[Any] = []  # keeps those objects alive, so ids stay unique
        self.height: dict[int, int] = {}  # node -> container nesting below and including it
        self.arrays: list[np.ndarray] = []
        self.array_nodes: list[tuple[dict, np.ndarray]] = []  # storage decided at the end
        self.tensor_type = tensor_type()

    def encode(self, obj):
        root = self._value(obj, "obj") if not is_container(obj) else self._tree(obj)
        assign_storage(self.array_nodes, self._add_array)
        records = [{"dtype": descr_to_json(np.lib.format.dtype_to_descr(a.dtype)),
                    "shape": list(a.shape)} for a in self.arrays]
        manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "arrays": records,
                    "nodes": self.nodes, "root": root}
        return manifest, self.arrays

    def _tree(self, root):
        """Containers in post-order with an explicit stack (no recursion limit)."""
        stack = [(root, "obj", 1, None)]
        on_path: set[int] = set()
        while stack:
            obj, where, depth, children = stack.pop()
            if children is not None:
                on_path.discard(id(obj))
                self._emit_container(obj, where, children)
                continue
            if id(obj) in self.index_of:
                continue
            if id(obj) in on_path:
                raise ValueError(f"cannot save {where}: circular reference (the container "
                                 "contains itself)")
            if depth > MAX_DEPTH:
                raise ValueError(f"cannot save {where}: containers nested more than {MAX_DEPTH} "
                                 "levels deep (minigrad.load would refuse the file)")
            children = self._children(obj, where)
            on_path.add(id(obj))
            stack.append((obj, where, depth, children))
            for child, child_where in reversed(children):
                if is_container(child) and id(child) not in self.index_of:
                    stack.append((child, child_where, depth + 1, None))
        return [self.index_of[id(root)]]

    def _children(self, obj, where):
        if type(obj) not in _CONTAINERS:
            base = next(t for t in (dict, list, tuple) if isinstance(obj, t))
            raise TypeError(f"cannot save {where}: {base.__name__} subclass "
                            f"{type(obj).__name__!r} would come back as a plain {base.__name__}; "
                            f"save {base.__name__}(x)")
        if isinstance(obj, dict):
            children = []
            for k, v in obj.items():
                child_where = f"{where}[{k!r}]"
                _check_key(k, child_where)
                children += [(k, child_where), (v, child_where)]
            return children
        return [(v, f"{where}[{i}]") for i, v in enumerate(obj)]

    def _emit_container(self, obj, where, children):
        values = [self._value(child, child_where) for child, child_where in children]
        height = 1 + max((self.height.get(v[0], 0) for v in values if isinstance(v, list)),
                         default=0)
        if height > MAX_DEPTH:
            raise ValueError(f"cannot save {where}: containers nested more than {MAX_DEPTH} "
                             "levels deep (minigrad.load would refuse the file)")
        if isinstance(obj, dict):
            node = {"t": "dict", "items": [values[i:i + 2] for i in range(0, len(values), 2)]}
            if type(obj) is not dict:
                node["class"] = type(obj).__name__
        else:
            node = {"t": "tuple" if isinstance(obj, tuple) else "list", "items": values}
        ref = self._add_node(node, obj)
        self.height[ref[0]] = height

    def _add_node(self, node, obj=None):
        self.nodes.append(node)
        index = len(self.nodes) - 1
        if obj is not None:
            self.index_of[id(obj)] = index
            self.alive.append(obj)
        return [index]

    def _add_array(self, arr):
        self.arrays.append(arr)
        return len(self.arrays) - 1

    def _value(self, obj, where):
        """The JSON value of a leaf, or the reference of an already encoded container."""
        if isinstance(obj, np.generic):  # before float/int: np.float64 subclasses float
            if obj.dtype.hasobject:
                raise TypeError(f"cannot save {where}: numpy scalars of dtype object are not "
                                "supported")
            return self._add_node({"t": "npscalar", "array": self._add_array(np.asarray(obj))})
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            obj = int(obj)  # int subclasses (IntEnum) become plain ints
            return obj if -_INLINE_INT < obj < _INLINE_INT else \
                self._add_node({"t": "int", "hex": hex(obj)})
        if isinstance(obj, float):
            if math.isfinite(obj):
                return float(obj)  # JSON float text round-trips exactly (shortest repr)
            return self._add_node({"t": "float", "value": repr(float(obj))})
        known = self.index_of.get(id(obj))
        if known is not None:
            return [known]
        if isinstance(obj, bytes):
            array = self._add_array(np.frombuffer(obj, dtype=np.uint8))
            return self._add_node({"t": "bytes", "array": array}, obj)
        if isinstance(obj, np.ndarray):
            return self._ndarray(obj, where)
        if isinstance(obj, self.tensor_type):
            data = obj._data
            if not isinstance(data, np.ndarray):
                raise TypeError(f"cannot save {where}: Tensor._data is {type(data).__name__}, "
                                "not a numpy array")
            node = {"t": "tensor", "data": self._value(data, where),
                    "requires_grad": bool(obj.requires_grad)}
            if type(obj) is not self.tensor_type:
                if type(obj) is not _parameter_type():
                    raise TypeError(f"cannot save {where}: Tensor subclass "
                                    f"{type(obj).__name__!r} would come back as a plain Tensor")
                node["parameter"] = True
            return self._add_node(node, obj)
        raise TypeError(
            f"cannot save {where}: unsupported type {type(obj).__name__!r}; a checkpoint holds "
            "dicts, lists, tuples, numpy arrays and scalars, minigrad Tensors, int, float, bool, "
            "str, bytes and None")

    def _ndarray(self, arr, where):
        if isinstance(arr, np.ma.MaskedArray):
            raise TypeError(f"cannot save {where}: a numpy MaskedArray would lose its mask; "
                            "save its .data and .mask (np.ma.getmaskarray) as two arrays")
        if type(arr) is not np.ndarray and not isinstance(arr, np.memmap):
            raise TypeError(f"cannot save {where}: numpy array subclass {type(arr).__name__!r} "
                            "would come back as a plain ndarray; save np.asarray(x)")
        if arr.dtype.hasobject:
            # Object arrays can only be stored with pickle, which load() refuses.
            raise TypeError(f"cannot save {where}: numpy arrays of dtype object are not supported")
        node = {"t": "ndarray"}
        self.array_nodes.append((node, arr))
        return self._add_node(node, arr)


def _parameter_type():
    from ..nn.parameter import Parameter

    return Parameter


def _check_key(key, where):
    # Keys must stay hashable after loading, so only scalars and tuples of them.
    if key is None or isinstance(key, _KEY_SCALARS):
        return
    if isinstance(key, tuple):
        for k in key:
            _check_key(k, where)
        return
    raise TypeError(f"cannot save {where}: unsupported dict key type {type(key).__name__!r}; "
                    "keys must be str, int, float, bool, None or tuples of those")


# --------------------------------------------------------------------------- shared memory


def _byte_bounds(arr):
    """``[lo, hi)``: the addresses of the bytes ``arr``'s elements occupy."""
    lo = hi = arr.__array_interface__["data"][0]
    for n, s in zip(arr.shape, arr.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + arr.itemsize


class _Memory:
    """Exposes the bytes ``[lo, lo + n)`` to numpy and keeps the arrays owning them alive."""

    def __init__(self, lo, n, owners):
        self.owners = owners
        self.__array_interface__ = {"data": (lo, True), "shape": (n,), "typestr": "|u1",
                                    "version": 3}


def assign_storage(array_nodes, add_array):
    """Fill in each ndarray node's ``array`` (and ``view``): arrays whose bytes overlap go into
    one raw buffer holding the bytes they span, each as a view into it; the others are stored
    whole. Non-overlapping views of one buffer (parameters in an optimizer's flat buffer) are
    stored separately: sharing memory means sharing elements."""
    spans = sorted(((*_byte_bounds(a), n, a) for n, a in array_nodes if a.size and a.itemsize),
                   key=lambda s: s[0])
    groups, end = [], None
    for span in spans:
        if groups and span[0] < end:
            groups[-1].append(span)
            end = max(end, span[1])
        else:
            groups.append([span])
            end = span[1]
    grouped = set()
    for group in groups:
        if len(group) == 1:
            continue
        lo, hi = group[0][0], max(s[1] for s in group)
        owners = [s[3] for s in group]
        index = add_array(np.asarray(_Memory(lo, hi - lo, owners)))
        for _, _, node, arr in group:
            grouped.add(id(node))
            node["array"] = index
            node["view"] = {"dtype": descr_to_json(np.lib.format.dtype_to_descr(arr.dtype)),
                            "shape": list(arr.shape), "strides": list(arr.strides),
                            "offset": arr.__array_interface__["data"][0] - lo}
    for node, arr in array_nodes:
        if id(node) not in grouped:
            node["array"] = add_array(arr)
