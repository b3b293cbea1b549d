"""Checkpoints: ``save(obj, path)`` and ``load(path)``.

A checkpoint is a numpy ``.npz`` archive (a zip of ``.npy`` files) holding

* one entry ``__minigrad__``: the nested structure (dicts, lists, tuples, scalars,
  strings) as UTF-8 JSON bytes, with every array or tensor replaced by a reference;
* one entry per array or tensor (``a0``, ``a1``, ...), in numpy's own ``.npy`` format.

Why this format: ``.npz`` is readable by plain numpy without minigrad, and it is
loaded with ``allow_pickle=False``, so opening a checkpoint from a stranger can never
run code (``pickle``, which ``torch.save`` used for years, can). Nothing in the JSON
names a class or function to import either: the only types that can come back are
the ones listed in :func:`save`.

Writes are atomic: the archive goes to a temporary file in the target's directory,
is flushed and fsync'ed, and only then renamed over the target with ``os.replace``.
A crash or an exception during ``save`` leaves the previous checkpoint untouched.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import secrets
import zipfile
import zlib
from typing import Any, BinaryIO, Union

import numpy as np

__all__ = ["save", "load", "CheckpointError"]

PathLike = Union[str, "os.PathLike[str]"]

# Name of the archive entry holding the JSON structure. Its presence is what makes an
# .npz file a minigrad checkpoint.
_HEADER_KEY = "__minigrad__"
_FORMAT_NAME = "minigrad-checkpoint"
_FORMAT_VERSION = 1
# Tag key marking an encoded non-JSON value (tuple, dict, array, ...) in the JSON tree.
# Every dict is encoded as a tagged node, so user dict keys can never collide with it.
_TAG = "$type"


class CheckpointError(ValueError):
    """A file could not be read as a minigrad checkpoint (truncated, corrupted,
    foreign, or from a newer minigrad). Subclasses ``ValueError``."""


# --------------------------------------------------------------------------- save


def save(obj: Any, path: PathLike | BinaryIO, *, compress: bool = False) -> None:
    """Save ``obj`` to ``path`` as a minigrad checkpoint (a numpy ``.npz`` archive).

    ``obj`` may be any nesting of:

    * ``dict`` (keys: ``str``, ``int``, ``float``, ``bool``, ``None`` or tuples of
      those; key types survive, so optimizer state keyed by parameter index works),
      ``list`` and ``tuple`` (tuples come back as tuples);
    * ``numpy.ndarray`` (any dtype except ``object``) and numpy scalars, which come
      back with their dtype;
    * ``minigrad.Tensor``, which comes back as a ``Tensor`` with the same dtype and
      ``requires_grad`` (its ``.grad`` is not saved; subclasses such as
      ``nn.Parameter`` come back as plain ``Tensor``);
    * ``int``, ``float`` (including ``nan`` and ``inf``), ``bool``, ``str``,
      ``bytes`` and ``None``.

    An array or tensor that appears several times in ``obj`` is stored once and
    comes back as one shared object.

    ``path`` is used exactly as given: no ``.npz`` suffix is appended (unlike
    ``numpy.savez``). The write is atomic: the data goes to a temporary file next to
    ``path`` that replaces ``path`` only once it is complete and on disk, so an
    interrupted save leaves any previous file at ``path`` intact. ``path`` may also be
    a writable binary file object (then the write is not atomic).

    ``compress=True`` deflates the arrays (smaller, slower); ``load`` reads both.

    Raises ``TypeError`` naming the key path (e.g. ``obj['optim']['fn']``) of the
    first unsupported value, and ``ValueError`` for a circular reference.
    """
    entries: dict[str, np.ndarray] = {}
    root = _Encoder(entries).encode(obj, "obj")
    header = {"format": _FORMAT_NAME, "version": _FORMAT_VERSION, "root": root}
    # allow_nan=False: non-finite floats were already tagged, so strict JSON results.
    text = json.dumps(header, allow_nan=False, separators=(",", ":"))
    entries = {_HEADER_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **entries}

    if hasattr(path, "write"):
        _write_archive(path, entries, compress)
        return
    _atomic_write(os.fspath(path), entries, compress)


def _write_archive(fileobj: BinaryIO, entries: dict[str, np.ndarray], compress: bool) -> None:
    """Write ``entries`` as an .npz archive into an open binary file.

    A separate function so tests can make it fail half-way through a write.
    """
    # Passing a file object (not a name) is what stops numpy from appending ".npz".
    writer = np.savez_compressed if compress else np.savez
    writer(fileobj, **entries)


def _atomic_write(path: str, entries: dict[str, np.ndarray], compress: bool) -> None:
    # Resolve symlinks so the rename replaces the file a symlink points to, not the
    # symlink itself (that is what an ordinary in-place write would update).
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, f"cannot save checkpoint: {path!r} is a directory", path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            errno.ENOENT, f"cannot save checkpoint to {path!r}: directory {directory!r} does not exist", path
        )

    fd, tmp = _create_temp_file(directory, os.path.basename(target))
    try:
        with os.fdopen(fd, "wb") as f:
            _write_archive(f, entries, compress)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        # Also on KeyboardInterrupt: never leave a half-written temporary file behind.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _create_temp_file(directory: str, basename: str) -> tuple[int, str]:
    """Create a new, empty temporary file next to the target; return (fd, name).

    ``os.open`` with mode 0o666 lets the umask decide the permissions, so the final
    checkpoint gets the same permissions an ordinary ``open(path, "wb")`` would give
    (``tempfile.mkstemp`` would make it owner-only, 0o600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.join(directory, f".{basename}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"could not create a temporary file in {directory!r}", directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories can't be opened."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _tensor_type():
    """``minigrad.Tensor``, imported lazily: the core imports this module at start-up."""
    from minigrad import Tensor

    return Tensor


class _Encoder:
    """Turns a nested Python object into a JSON-able tree plus a dict of arrays."""

    def __init__(self, entries: dict[str, np.ndarray]):
        self.entries = entries
        self.tensor_type = _tensor_type()
        self.array_keys: dict[int, str] = {}  # id(array) -> entry name, to store shared arrays once
        self.tensor_nodes: dict[int, dict] = {}  # id(tensor) -> node, to keep tensors shared
        self.in_progress: set[int] = set()  # ids of containers being encoded (cycle check)

    def encode(self, obj: Any, where: str) -> Any:
        # numpy scalars first: np.float64 subclasses float and would lose its type.
        if isinstance(obj, np.generic):
            # A 0-d array entry keeps the exact dtype (float32, uint8, datetime64, ...).
            return {_TAG: "npscalar", "key": self._add_array(np.asarray(obj), where)}
        # bool before int: bool is a subclass of int, and JSON keeps true/false apart.
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)  # int subclasses (e.g. IntEnum) become plain ints
        if isinstance(obj, float):
            if math.isfinite(obj):
                return float(obj)  # JSON float text round-trips exactly (shortest repr)
            return {_TAG: "float", "value": repr(float(obj))}  # 'nan', 'inf', '-inf'
        if isinstance(obj, bytes):
            return {_TAG: "bytes", "key": self._add_array(np.frombuffer(obj, dtype=np.uint8), where)}
        if isinstance(obj, np.ndarray):
            return {_TAG: "ndarray", "key": self._add_array(obj, where)}
        if isinstance(obj, self.tensor_type):
            return self._encode_tensor(obj, where)
        if isinstance(obj, (dict, list, tuple)):
            return self._encode_container(obj, where)
        raise TypeError(
            f"cannot save {where}: unsupported type {type(obj).__name__!r}; a checkpoint holds "
            "dicts, lists, tuples, numpy arrays and scalars, minigrad Tensors, int, float, bool, "
            "str, bytes and None"
        )

    def _encode_tensor(self, t: Any, where: str) -> dict:
        node = self.tensor_nodes.get(id(t))
        if node is None:
            data = t._data
            if not isinstance(data, np.ndarray):
                raise TypeError(f"cannot save {where}: Tensor._data is {type(data).__name__}, not a numpy array")
            node = {_TAG: "tensor", "key": self._add_array(data, where), "requires_grad": bool(t.requires_grad)}
            self.tensor_nodes[id(t)] = node
        return node

    def _encode_container(self, obj: dict | list | tuple, where: str) -> Any:
        if id(obj) in self.in_progress:
            raise ValueError(f"cannot save {where}: circular reference (the container contains itself)")
        self.in_progress.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = []
                for k, v in obj.items():
                    key_where = f"{where}[{k!r}]"
                    items.append([self._encode_key(k, key_where), self.encode(v, key_where)])
                return {_TAG: "dict", "items": items}
            encoded = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
            return {_TAG: "tuple", "items": encoded} if isinstance(obj, tuple) else encoded
        finally:
            self.in_progress.discard(id(obj))

    def _encode_key(self, key: Any, where: str) -> Any:
        # Keys must stay hashable after loading, so only scalars and tuples of them.
        if key is None or isinstance(key, (bool, int, float, str, np.bool_, np.integer, np.floating)):
            return self.encode(key, where)
        if isinstance(key, tuple):
            return {_TAG: "tuple", "items": [self._encode_key(k, where) for k in key]}
        raise TypeError(
            f"cannot save {where}: unsupported dict key type {type(key).__name__!r}; keys must be "
            "str, int, float, bool, None or tuples of those"
        )

    def _add_array(self, arr: np.ndarray, where: str) -> str:
        key = self.array_keys.get(id(arr))
        if key is not None:
            return key
        if arr.dtype.hasobject:
            # Object arrays can only be stored with pickle, which load() refuses.
            raise TypeError(f"cannot save {where}: numpy arrays of dtype object are not supported")
        key = f"a{len(self.array_keys)}"
        self.array_keys[id(arr)] = key
        self.entries[key] = arr
        return key


# --------------------------------------------------------------------------- load


def load(path: PathLike | BinaryIO) -> Any:
    """Load a checkpoint written by :func:`save` and return the saved object.

    Arrays come back as ``numpy.ndarray``, tensors as ``minigrad.Tensor`` (same dtype
    and ``requires_grad``, no ``.grad``), tuples as tuples, dict keys with their types.
    Pickled data is never loaded, so loading an untrusted file cannot run code.

    Raises ``FileNotFoundError`` if ``path`` does not exist and :class:`CheckpointError`
    (a ``ValueError``) if the file is truncated, corrupted, not a minigrad checkpoint,
    or was written by a newer minigrad; the message names the path and the problem.
    """
    if hasattr(path, "read"):
        return _load_from(path, getattr(path, "name", "<file object>"))
    name = os.fspath(path)
    try:
        f = open(name, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"no checkpoint at {name!r}: file does not exist", name) from None
    except IsADirectoryError:
        raise IsADirectoryError(errno.EISDIR, f"cannot load checkpoint {name!r}: it is a directory", name) from None
    with f:
        return _load_from(f, name)


def _load_from(f: BinaryIO, name: Any) -> Any:
    name = repr(name) if isinstance(name, str) else str(name)
    try:
        arrays = _read_archive(f)
    except CheckpointError as exc:
        raise CheckpointError(f"cannot load {name}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, KeyError) as exc:
        # numpy and zipfile report damage with many exception types; the traceback into
        # their internals helps nobody, so say what it means for this file instead.
        raise CheckpointError(f"cannot load {name}: {_describe_read_error(exc)}") from None

    try:
        header = json.loads(arrays.pop(_HEADER_KEY).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"cannot load {name}: corrupted checkpoint header ({exc})") from None
    except RecursionError:
        raise CheckpointError(f"cannot load {name}: corrupted checkpoint (structure nested too deeply)") from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT_NAME:
        raise CheckpointError(f"cannot load {name}: not a minigrad checkpoint (unrecognised header)")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CheckpointError(f"cannot load {name}: corrupted checkpoint header (bad version {version!r})")
    if version > _FORMAT_VERSION:
        raise CheckpointError(
            f"cannot load {name}: checkpoint format version {version} is newer than this minigrad "
            f"supports (version {_FORMAT_VERSION}); upgrade minigrad"
        )
    try:
        return _Decoder(arrays).decode(header.get("root"))
    except CheckpointError as exc:
        raise CheckpointError(f"cannot load {name}: corrupted checkpoint ({exc})") from None
    except RecursionError:
        raise CheckpointError(f"cannot load {name}: corrupted checkpoint (structure nested too deeply)") from None


def _read_archive(f: BinaryIO) -> dict[str, np.ndarray]:
    """Read every entry of an .npz archive into memory, refusing pickled data."""
    start = f.read(4)
    f.seek(-len(start), io.SEEK_CUR)
    if not start.startswith(b"PK"):
        if start.startswith(b"\x93NUM"):
            raise CheckpointError("not a minigrad checkpoint (it is a single-array .npy file)")
        if not start:
            raise CheckpointError("the file is empty (an interrupted write by another program?)")
        raise CheckpointError("not a minigrad checkpoint (not an .npz/zip archive)")
    with np.load(f, allow_pickle=False) as archive:
        names = archive.files
        if _HEADER_KEY not in names:
            raise CheckpointError(
                f"not a minigrad checkpoint (an .npz archive without a {_HEADER_KEY!r} entry; "
                "open it with numpy.load instead)"
            )
        # Read everything now: NpzFile is lazy, and damage inside an entry (bad CRC,
        # truncated data) only shows up when that entry is read.
        return {key: archive[key] for key in names}


def _describe_read_error(exc: BaseException) -> str:
    text = str(exc)
    if "pickle" in text.lower():
        return "the file contains pickled Python objects, which minigrad never loads (they could run code)"
    if isinstance(exc, (zipfile.BadZipFile, EOFError, zlib.error)) or "truncat" in text.lower():
        return f"the file is truncated or corrupted ({type(exc).__name__}: {text})"
    return f"the file is corrupted ({type(exc).__name__}: {text})"


class _Decoder:
    """Inverse of ``_Encoder``; validates every node, since the file may be hostile."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.tensors: dict[str, Any] = {}  # entry name -> Tensor, so shared tensors stay shared

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise CheckpointError(f"unexpected JSON value of type {type(node).__name__}")
        tag = node.get(_TAG)
        if tag == "dict":
            result = {}
            for item in self._items(node):
                if not isinstance(item, list) or len(item) != 2:
                    raise CheckpointError("malformed dict item")
                key = self.decode(item[0])
                try:
                    result[key] = self.decode(item[1])
                except TypeError:  # an unhashable key can only come from a hand-made file
                    raise CheckpointError(f"unhashable dict key of type {type(key).__name__}") from None
            return result
        if tag == "tuple":
            return tuple(self.decode(v) for v in self._items(node))
        if tag == "float":
            value = node.get("value")
            if value not in ("nan", "inf", "-inf"):
                raise CheckpointError(f"bad non-finite float {value!r}")
            return float(value)
        if tag == "ndarray":
            return self._array(node)
        if tag == "npscalar":
            arr = self._array(node)
            if arr.ndim != 0:
                raise CheckpointError("numpy scalar entry is not 0-dimensional")
            return arr[()]
        if tag == "bytes":
            arr = self._array(node)
            if arr.dtype != np.uint8 or arr.ndim != 1:
                raise CheckpointError("bytes entry is not a 1-d uint8 array")
            return arr.tobytes()
        if tag == "tensor":
            return self._tensor(node)
        raise CheckpointError(f"unknown node type {tag!r}")

    @staticmethod
    def _items(node: dict) -> list:
        items = node.get("items")
        if not isinstance(items, list):
            raise CheckpointError(f"malformed {node.get(_TAG)} node")
        return items

    def _array(self, node: dict) -> np.ndarray:
        key = node.get("key")
        if not isinstance(key, str) or key not in self.arrays:
            raise CheckpointError(f"missing array entry {key!r}")
        return self.arrays[key]

    def _tensor(self, node: dict) -> Any:
        key = node.get("key")
        if key in self.tensors:
            return self.tensors[key]
        arr = self._array(node)
        requires_grad = node.get("requires_grad", False)
        if not isinstance(requires_grad, bool):
            raise CheckpointError("tensor requires_grad is not a bool")
        from minigrad import Tensor  # lazy: keeps this module importable on its own

        # Tensor(arr) keeps the array's dtype exactly and does not copy it (it was just
        # read from the file); requires_grad on an int tensor raises, a corrupt file.
        try:
            t = Tensor(arr, requires_grad=requires_grad)
        except (TypeError, RuntimeError, ValueError) as exc:
            raise CheckpointError(f"invalid tensor entry {key!r}: {exc}") from None
        self.tensors[key] = t
        return t
