"""safetensors files, written and read with numpy alone: ``save_safetensors(tensors, path)``
and ``load_safetensors(path)``.

safetensors is the weight format of the Hugging Face ecosystem and the one PyTorch users
exchange: ``safetensors.torch.load_file(path)`` reads what :func:`save_safetensors` writes
into a dict of torch tensors ready for ``load_state_dict``. The format is simple enough to
implement here without the package:

* 8 bytes: ``N``, the header length, an unsigned 64-bit little-endian integer;
* ``N`` bytes: a UTF-8 JSON object mapping each tensor name to
  ``{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}``, plus an optional
  ``"__metadata__"`` object of string values;
* the data: each tensor's raw little-endian C-order bytes at ``[begin, end)`` of this
  region, the offsets tiling it exactly (no gaps, no overlaps, nothing after the end).

Like pickle-free ``.npz`` checkpoints (:mod:`minigrad.serialization`), reading a file can
never run code. A file is validated completely before a byte of tensor data is trusted: a
damaged, truncated or hand-crafted file raises :class:`~minigrad.serialization.CheckpointError`
naming the file, the tensor and the problem, never returns wrong data, and never makes
minigrad allocate more memory than the file's own size.
"""
from __future__ import annotations

import json
import math
import os
import struct
from collections import OrderedDict
from typing import Any, Iterable, Mapping, Union

import numpy as np

from .serialization import CheckpointError
from .serialization._reading import open_regular_file
from .serialization._writing import atomic_write

__all__ = ["save_safetensors", "load_safetensors", "read_safetensors_header", "CheckpointError"]

PathLike = Union[str, "os.PathLike[str]"]

# The official reader refuses headers over 100 MB; so does this one (a header is a few
# hundred bytes per tensor, so this admits millions of tensors).
MAX_HEADER_BYTES = 100_000_000
_MAX_NDIM = 64  # numpy's limit on the number of dimensions
_METADATA_KEY = "__metadata__"

# safetensors dtype code -> numpy dtype of the stored bytes (always little-endian).
_STORED = {
    "BOOL": np.dtype("|b1"), "U8": np.dtype("|u1"), "I8": np.dtype("|i1"),
    "I16": np.dtype("<i2"), "U16": np.dtype("<u2"), "F16": np.dtype("<f2"),
    "I32": np.dtype("<i4"), "U32": np.dtype("<u4"), "F32": np.dtype("<f4"),
    "I64": np.dtype("<i8"), "U64": np.dtype("<u8"), "F64": np.dtype("<f8"),
    "BF16": np.dtype("<u2"),  # raw bits; widened to float32 on reading
}
_CODE_OF = {np.dtype(v).newbyteorder("="): k for k, v in _STORED.items() if k != "BF16"}
# Codes of the format numpy cannot represent; named in the error rather than "unknown".
_UNREADABLE = ("F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64")


# --------------------------------------------------------------------------- writing


def save_safetensors(tensors: Mapping[str, Any], path: PathLike, metadata: Mapping[str, str] | None = None,
                     *, bfloat16: bool | Iterable[str] = False) -> None:
    """Write ``tensors`` (a ``state_dict``: names to Tensors or numpy arrays) as a
    safetensors file at ``path``.

    Every dtype minigrad and numpy share with the format is stored exactly: bool, uint8,
    int8, int16, uint16, int32, uint32, int64, uint64, float16, float32, float64. 0-d
    tensors (``num_batches_tracked``) stay 0-d. ``metadata`` is an optional dict of string
    keys and values stored in the header's ``__metadata__``; ``{"format": "pt"}`` is added
    unless ``metadata`` sets ``"format"`` itself, because loaders of the PyTorch world check it.

    ``bfloat16``: numpy has no bfloat16, so floating tensors are written in their own dtype
    unless asked: ``True`` stores every floating tensor as BF16, a collection of names stores
    those. The conversion rounds to nearest (ties to even) from float32, as PyTorch's
    ``.to(torch.bfloat16)``; float64 values are rounded to float32 first.

    Tensor data is laid out by decreasing element size, so every tensor starts at an offset
    aligned for its dtype (the official writer does the same); the header lists the names
    in the order given, which is the order :func:`load_safetensors` returns them.

    The write is atomic: a temporary file next to ``path`` replaces it only once complete
    and flushed to disk. Raises ``TypeError`` naming the first unsupported key, value,
    dtype or metadata entry; nothing is written then.
    """
    if not isinstance(tensors, Mapping):
        hint = " (pass model.state_dict())" if hasattr(tensors, "state_dict") else ""
        raise TypeError(f"save_safetensors: tensors must be a dict of names to arrays, got "
                        f"{type(tensors).__name__}{hint}")
    as_bf16 = _bfloat16_names(bfloat16, tensors)
    arrays = OrderedDict()
    for name, value in tensors.items():
        arrays[name] = _checked_array(name, value, name in as_bf16)
    header_meta = _checked_metadata(metadata)

    # Largest elements first: with the header padded to 8 bytes every offset is aligned.
    layout = sorted(arrays, key=lambda k: -_STORED[arrays[k][0]].itemsize)
    offsets, position = {}, 0
    for name in layout:
        code, arr = arrays[name]
        size = arr.size * _STORED[code].itemsize
        offsets[name] = (position, position + size)
        position += size
    header = {_METADATA_KEY: header_meta}
    for name, (code, arr) in arrays.items():
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": list(offsets[name])}
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    if len(text) > MAX_HEADER_BYTES:
        raise ValueError(f"save_safetensors: the header would be {len(text)} bytes, over the "
                         f"format's {MAX_HEADER_BYTES}-byte bound (too many tensors or too much metadata)")

    def write(f):
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in layout:
            code, arr = arrays[name]
            _write_array(f, arr, _STORED[code])

    atomic_write(path, write, "safetensors")


def _bfloat16_names(bfloat16, tensors) -> set:
    if bfloat16 is True:
        return {k for k, v in tensors.items() if _dtype_of(v).kind == "f"}
    if bfloat16 is False or bfloat16 is None:
        return set()
    if isinstance(bfloat16, str) or not isinstance(bfloat16, Iterable):
        raise TypeError(f"save_safetensors: bfloat16 must be True, False or a collection of "
                        f"tensor names, got {bfloat16!r}")
    names = set(bfloat16)
    missing = sorted(map(str, names - set(tensors)))
    if missing:
        raise KeyError(f"save_safetensors: bfloat16 names tensors that are not in tensors: {missing}")
    return names


def _dtype_of(value) -> np.dtype:
    data = getattr(value, "_data", value)
    return data.dtype if isinstance(data, np.ndarray) else np.asarray(data).dtype


def _checked_array(name, value, as_bf16: bool) -> tuple[str, np.ndarray]:
    """(dtype code, array) for one entry, or a TypeError naming it."""
    if not isinstance(name, str):
        raise TypeError(f"save_safetensors: tensor names must be str, got {type(name).__name__} {name!r}")
    if name == _METADATA_KEY:
        raise TypeError(f"save_safetensors: {_METADATA_KEY!r} is reserved by the format; pass "
                        "metadata=... instead")
    data = getattr(value, "_data", value)  # a minigrad Tensor (or Parameter) or an array
    if not isinstance(data, np.ndarray):
        if isinstance(data, (np.generic, int, float, bool)):
            data = np.asarray(data)
        else:
            raise TypeError(f"save_safetensors: tensor {name!r} is a {type(value).__name__}, not "
                            "a Tensor or numpy array")
    if as_bf16:
        if data.dtype.kind != "f":
            raise TypeError(f"save_safetensors: tensor {name!r} has dtype {data.dtype}; only "
                            "floating tensors can be stored as bfloat16")
        return "BF16", _to_bfloat16_bits(data)
    code = _CODE_OF.get(data.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"save_safetensors: tensor {name!r} has dtype {data.dtype}, which safetensors "
                        "cannot hold here (supported: bool, uint8-64, int8-64, float16/32/64)")
    return code, data


def _checked_metadata(metadata) -> dict:
    result = {}
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            raise TypeError(f"save_safetensors: metadata must be a dict of str to str, got "
                            f"{type(metadata).__name__}")
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(f"save_safetensors: metadata keys and values must be str (the "
                                f"format's rule), got {k!r}: {v!r}")
            result[k] = v
    result.setdefault("format", "pt")
    return result


def _to_bfloat16_bits(data: np.ndarray) -> np.ndarray:
    """uint16 bit patterns of ``data`` rounded to bfloat16 (nearest, ties to even)."""
    bits = np.asarray(data, dtype=np.float32).view(np.uint32)
    # np.asarray: arithmetic on a 0-d array gives a numpy scalar, which the NaN fix-up below
    # could not assign into
    rounded = np.asarray(((bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))
                          >> np.uint32(16)).astype(np.uint16))
    # Rounding would carry a NaN's payload into the exponent (or into infinity): keep it a
    # quiet NaN of the same sign instead.
    nan = np.isnan(data)
    if nan.any():
        rounded[nan] = ((bits[nan] >> np.uint32(16)) | np.uint32(0x0040)).astype(np.uint16)
    return rounded


def _write_array(f, arr: np.ndarray, stored: np.dtype) -> None:
    if arr.size == 0:
        return
    # 0-d arrays stay 0-d here (np.ascontiguousarray would make them 1-d); the shape in the
    # header comes from the caller's array anyway.
    arr = arr.astype(stored, order="C", copy=False)
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")
    f.write(memoryview(arr.reshape(-1)).cast("B"))


# --------------------------------------------------------------------------- reading


def load_safetensors(path: PathLike) -> "OrderedDict[str, np.ndarray]":
    """Read a safetensors file into an ``OrderedDict`` of names to numpy arrays, in the
    header's order, ready for ``model.load_state_dict``.

    Each array is a fresh, writable, native-endian copy with the stored dtype and shape;
    BF16 tensors come back as float32 (exact: bfloat16 is float32 with a shorter mantissa).
    The F8, F6, F4 and C64 codes of newer writers are refused with a clear error.

    Raises ``FileNotFoundError`` if ``path`` does not exist, and
    :class:`~minigrad.serialization.CheckpointError` naming the file, the tensor and the
    problem if the file is not a complete, well-formed safetensors file.
    """
    name = os.fspath(path)
    with open_regular_file(name, "safetensors file") as f:
        size = os.fstat(f.fileno()).st_size
        header_len, entries, _ = _read_header(f, size, name)
        result = OrderedDict()
        # Read in file order, straight into each tensor's own buffer.
        for key, code, shape, (begin, end) in sorted(entries, key=lambda e: e[3]):
            stored = _STORED[code]
            arr = np.empty(shape, dtype=stored)
            f.seek(8 + header_len + begin)
            if end > begin and f.readinto(memoryview(arr.reshape(-1)).cast("B")) != end - begin:
                raise CheckpointError(f"cannot load {name!r}: tensor {key!r}: the file ended "
                                      "while reading its data (truncated while being read?)")
            result[key] = _decoded(arr, code, key, name)
    return OrderedDict((key, result[key]) for key, _, _, _ in entries)


def read_safetensors_header(path: PathLike) -> tuple[dict, "OrderedDict[str, tuple[str, tuple]]"]:
    """``(metadata, tensors)`` of a safetensors file without reading its data: the
    ``__metadata__`` dict and, per tensor in header order, ``(dtype code, shape)`` such as
    ``("BF16", (768, 768))``. Validated exactly as :func:`load_safetensors` does."""
    name = os.fspath(path)
    with open_regular_file(name, "safetensors file") as f:
        _, entries, metadata = _read_header(f, os.fstat(f.fileno()).st_size, name)
    return metadata, OrderedDict((k, (code, shape)) for k, code, shape, _ in entries)


def _read_header(f, size: int, name: str):
    """Validate everything the header says against the file; returns
    ``(header length, [(key, code, shape, (begin, end)) in header order], metadata)``."""
    def fail(problem, key=None):
        where = f"tensor {key!r}: " if key is not None else ""
        raise CheckpointError(f"cannot load {name!r}: {where}{problem}") from None

    if size == 0:
        fail("the file is empty (an interrupted write by another program?)")
    if size < 8:
        fail(f"not a safetensors file (only {size} bytes, shorter than the 8-byte header length)")
    (header_len,) = struct.unpack("<Q", f.read(8))
    if header_len > MAX_HEADER_BYTES:
        fail(f"header length {header_len} is over the {MAX_HEADER_BYTES}-byte bound "
             "(not a safetensors file, or corrupted)")
    if 8 + header_len > size:
        fail(f"truncated: the header is said to be {header_len} bytes but the file has only "
             f"{size - 8} after the length field")
    raw = f.read(header_len)
    if len(raw) != header_len:
        fail("truncated while being read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"not a safetensors file (the header is not UTF-8 text: {exc.reason} at byte {exc.start})")
    if not text.startswith("{"):
        fail("not a safetensors file (the header is not a JSON object)")
    try:
        header = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except RecursionError:
        fail("corrupted header (JSON nested too deeply)")
    except ValueError as exc:
        fail(f"corrupted header ({exc})")

    metadata = header.pop(_METADATA_KEY, {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        fail(f"corrupted header ({_METADATA_KEY} must be an object of string values)")
    entries = [(key,) + _checked_entry(info, lambda p, k=key: fail(p, k)) for key, info in header.items()]

    # The offsets must tile the data region: sorted, each begins where the previous ended,
    # the last ends at the end of the file.
    data_size = size - 8 - header_len
    position, previous = 0, None
    for key, _, _, (begin, end) in sorted(entries, key=lambda e: e[3]):
        if begin != position:
            if begin < position:
                fail(f"its data_offsets [{begin}, {end}] overlap those of tensor {previous!r}", key)
            fail(f"the data before its offset {begin} (from {position}) belongs to no tensor", key)
        position, previous = end, key
    if position != data_size:
        if position > data_size:
            fail(f"truncated: the tensors need {position} bytes of data but the file has {data_size}",
                 previous)
        fail(f"{data_size - position} bytes after the last tensor's data belong to no tensor")
    return header_len, entries, metadata


def _checked_entry(info, fail):
    """``(code, shape, (begin, end))`` of one header entry, every field checked."""
    if not isinstance(info, dict):
        fail(f"header entry is a JSON {type(info).__name__}, not an object")
    if set(info) != {"dtype", "shape", "data_offsets"}:
        fail(f"header entry has fields {sorted(info)}; expected dtype, shape and data_offsets")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in _STORED:
        if code in _UNREADABLE:
            fail(f"dtype {code} is not supported (numpy has no such type)")
        fail(f"unknown dtype {code!r}")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        fail(f"shape {shape!r} is not a list of non-negative integers")
    if len(shape) > _MAX_NDIM:
        fail(f"shape has {len(shape)} dimensions, more than numpy's {_MAX_NDIM}")
    # numpy refuses shapes whose non-zero dims multiply past its index range even when
    # another dim is 0 (an empty array).
    if math.prod(d for d in shape if d) * _STORED[code].itemsize >= np.iinfo(np.intp).max:
        fail(f"shape {tuple(shape)} is too large for an array")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_count(o) for o in offsets):
        fail(f"data_offsets {offsets!r} is not a pair of non-negative integers")
    begin, end = offsets
    if end < begin:
        fail(f"data_offsets [{begin}, {end}] end before they begin")
    nbytes = math.prod(shape) * _STORED[code].itemsize  # Python ints: no overflow
    if end - begin != nbytes:
        fail(f"data_offsets [{begin}, {end}] hold {end - begin} bytes but dtype {code} and shape "
             f"{tuple(shape)} need {nbytes}")
    return code, tuple(shape), (begin, end)


def _is_count(value) -> bool:
    return type(value) is int and value >= 0  # bool is an int subclass: refused here


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ValueError(f"key {dup!r} appears twice")
    return dict(pairs)


def _no_constant(word):
    raise ValueError(f"{word} is not valid JSON")


def _decoded(arr: np.ndarray, code: str, key: str, name: str) -> np.ndarray:
    """The stored little-endian array as the value to return."""
    if code == "BF16":
        # np.asarray: on a 0-d array the shift gives a numpy scalar, not a writable array
        return np.asarray(arr.astype(np.uint32) << np.uint32(16)).view(np.float32)
    if code == "BOOL":
        raw = arr.view(np.uint8)
        if raw.size and raw.max() > 1:
            raise CheckpointError(f"cannot load {name!r}: tensor {key!r}: a BOOL tensor holds "
                                  "bytes other than 0 and 1 (corrupted)")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr
