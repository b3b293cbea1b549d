"""The manifest: how a nested Python object becomes JSON plus a list of arrays, and back.

The manifest (member ``__minigrad__``, UTF-8 JSON) is::

    {"format": "minigrad-checkpoint", "version": 2,
     "arrays": [{"dtype": "<f4", "shape": [16, 2]}, ...],   # member a<i>.npy, as declared
     "nodes": [node, ...],                                   # children before parents
     "root": value}

A *value* is inline JSON (null, true/false, an int below 2**63 in magnitude, a finite float,
a string) or ``[i]``, a reference to node ``i``. Nodes::

    {"t": "list" | "tuple", "items": [value, ...]}
    {"t": "dict", "items": [[key value, value], ...]}       # keys keep their types
    {"t": "dict", "class": "OrderedDict" | "Counter", "items": [...]}
    {"t": "float", "value": "nan" | "inf" | "-inf"}
    {"t": "int", "hex": "-0x1f..."}                         # big ints (no 4300-digit limit)
    {"t": "bytes" | "npscalar", "array": i}
    {"t": "ndarray", "array": i}                            # the whole member a<i>
    {"t": "ndarray", "array": i, "view": {"dtype", "shape", "strides", "offset"}}
    {"t": "tensor", "data": [j], "requires_grad": bool}     # j: an ndarray node

An object reached twice (the same list, array or tensor) is one node, so it loads as one
object, as with pickle. Arrays whose memory overlaps are stored as one raw byte buffer
(``|u1``) with a view per array, so memory shared when saved is shared when loaded, and only
that memory (``w`` and ``w.detach()``: two tensors over one array). References always point
to earlier nodes, so the JSON nests to a fixed depth and is decoded in one pass without
recursion, whatever the call stack; containers may nest :data:`MAX_DEPTH` levels.
"""
from __future__ import annotations

import json
from collections import Counter, OrderedDict

import numpy as np

FORMAT_NAME = "minigrad-checkpoint"
FORMAT_VERSION = 2
MANIFEST_KEY = "__minigrad__"
#: Deepest nesting of containers that save writes and load reads.
MAX_DEPTH = 100
#: dict subclasses that round-trip (the name is the node's "class"): state_dict()s are
#: OrderedDicts and MultiStepLR keeps its milestones in a Counter, as in PyTorch.
DICT_CLASSES = {"OrderedDict": OrderedDict, "Counter": Counter}


class CheckpointError(ValueError):
    """A file could not be read as a minigrad checkpoint (truncated, corrupted, foreign, or
    from a newer minigrad). The message names the file, where the damage is (the key path,
    e.g. ``obj['model']['0.weight']``, when it is in one value) and the problem. Subclasses
    ``ValueError``."""


def tensor_type():
    from ..tensor import Tensor  # lazy: the core imports minigrad.save's module at start-up

    return Tensor


def is_container(obj):
    return isinstance(obj, (dict, list, tuple))


# --------------------------------------------------------------------------- dtypes


def descr_to_json(descr):
    """A ``.npy`` header's ``descr`` (a str, or a list of field tuples) as JSON lists."""
    if isinstance(descr, (list, tuple)):
        return [descr_to_json(x) for x in descr]
    return descr


def json_to_descr(value):
    """Inverse of :func:`descr_to_json`: the field lists back to tuples."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise CheckpointError(f"bad dtype {value!r}")
    fields = []
    for field in value:
        if not isinstance(field, list) or len(field) not in (2, 3):
            raise CheckpointError(f"bad dtype field {field!r}")
        name = tuple(field[0]) if isinstance(field[0], list) else field[0]
        entry = (name, json_to_descr(field[1]))
        if len(field) == 3:
            if not isinstance(field[2], list) or not all(is_count(n) for n in field[2]):
                raise CheckpointError(f"bad dtype field shape {field[2]!r}")
            entry += (tuple(field[2]),)
        fields.append(entry)
    return fields


def dtype_from_json(value) -> np.dtype:
    """The dtype a manifest declares; never one holding Python objects (pickle)."""
    try:
        dtype = np.lib.format.descr_to_dtype(json_to_descr(value))
    except CheckpointError:
        raise
    except Exception:  # numpy raises many types for a malformed descr
        raise CheckpointError(f"bad dtype {value!r}") from None
    if dtype.hasobject:
        raise CheckpointError(f"dtype {value!r} holds Python objects, which minigrad never "
                              "loads (they need pickle, which could run code)")
    return dtype


def is_count(n):
    return type(n) is int and n >= 0


def parse_shape(value, what):
    if not isinstance(value, list) or len(value) > 64 or not all(is_count(n) for n in value):
        raise CheckpointError(f"bad shape {value!r} for {what}")
    return tuple(value)


# --------------------------------------------------------------------------- reading


def parse_manifest(data: bytes) -> dict:
    """The manifest's JSON, checked: format, version, array records (``dtype`` parsed into
    ``"_dtype"``, shape into ``"_shape"``), nodes and root present."""
    try:
        manifest = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise CheckpointError("corrupted manifest (JSON nested too deeply)") from None
    except ValueError as exc:  # also UnicodeDecodeError
        raise CheckpointError(f"corrupted manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise CheckpointError("not a minigrad checkpoint (unrecognised manifest)")
    version = manifest.get("version")
    if type(version) is not int or version < 1:
        raise CheckpointError(f"corrupted manifest (bad version {version!r})")
    if version > FORMAT_VERSION:
        raise CheckpointError(f"checkpoint format version {version} is newer than this minigrad "
                              f"supports (version {FORMAT_VERSION}); upgrade minigrad")
    if version < FORMAT_VERSION:
        raise CheckpointError(f"checkpoint format version {version} was written by an older "
                              f"minigrad; this one reads version {FORMAT_VERSION} only")
    records, nodes = manifest.get("arrays"), manifest.get("nodes")
    if not isinstance(records, list) or not isinstance(nodes, list) or "root" not in manifest:
        raise CheckpointError("corrupted manifest (no arrays, nodes or root)")
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise CheckpointError(f"corrupted manifest (array record {i})")
        record["_dtype"] = dtype_from_json(record.get("dtype"))
        record["_shape"] = parse_shape(record.get("shape"), f"member a{i}")
    return manifest


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")
