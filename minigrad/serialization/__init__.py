"""Checkpoints: ``save(obj, path)`` and ``load(path)``.

A checkpoint is a numpy ``.npz`` archive (a zip of ``.npy`` files) holding

* ``__minigrad__``: the manifest, UTF-8 JSON: the nested structure (dicts, lists, tuples,
  scalars, strings) with every array or tensor replaced by a reference, and the dtype and shape
  of every array member (:mod:`._manifest` describes it);
* ``a0``, ``a1``, ...: one member per array, in numpy's own ``.npy`` format.

Why this format: ``.npz`` is readable by plain numpy without minigrad, and nothing in it is
pickled, so opening a checkpoint from a stranger can never run code (``pickle``, which
``torch.save`` used for years, can). Nothing in the JSON names a class or function to import
either: the only types that can come back are the ones listed in :func:`save`.

Writing (:mod:`._writing`) is atomic; reading (:mod:`._reading`) verifies before it trusts:
every byte read is checksummed, every array's header is checked against the manifest, sizes
are bounded by the file's own size before anything is allocated. A damaged file raises
:class:`CheckpointError`; it never loads as wrong data.
"""
from __future__ import annotations

import os
from typing import Any, BinaryIO, Union

from . import _reading, _writing
from ._manifest import MAX_DEPTH, CheckpointError

__all__ = ["save", "load", "CheckpointError", "MAX_DEPTH"]

PathLike = Union[str, bytes, "os.PathLike[str]"]


def save(obj: Any, path: PathLike | BinaryIO, *, compress: bool = False) -> None:
    """Save ``obj`` to ``path`` as a minigrad checkpoint (a numpy ``.npz`` archive).

    ``obj`` may be any nesting (up to :data:`MAX_DEPTH` = 100 containers deep) of:

    * ``dict``, ``OrderedDict`` and ``Counter`` (keys: ``str``, ``int``, ``float``, ``bool``,
      ``None``, numpy scalars or tuples of those; key types survive, so optimizer state keyed
      by parameter index works), ``list`` and ``tuple`` (tuples come back as tuples; other
      subclasses, such as ``defaultdict`` or named tuples, are refused: they would come back
      as their base);
    * ``numpy.ndarray`` (any dtype except ``object``; not ``MaskedArray`` or other subclasses,
      which would lose what makes them subclasses) and numpy scalars, which come back with
      their dtype;
    * ``minigrad.Tensor`` and ``nn.Parameter``, which come back as such with the same dtype
      and ``requires_grad`` (not their ``.grad``; other Tensor subclasses are refused);
    * ``int`` (any size), ``float`` (including ``nan`` and ``inf``), ``bool``, ``str``,
      ``bytes`` and ``None``.

    Sharing survives, as with ``torch.save``: an object (list, dict, array, tensor) that
    appears several times comes back as one object, and arrays or tensors whose memory
    overlaps come back sharing memory, only where they overlapped. ``w`` and ``w.detach()``
    come back as two tensors over one array, the second without ``requires_grad``. Unlike
    PyTorch, which stores a tensor's whole storage, non-overlapping views of one buffer (the
    parameters in an optimizer's flat buffer) are stored and loaded separately, and numpy
    arrays take part in sharing too (PyTorch pickles them by value).

    ``path`` (``str``, ``bytes`` or path-like) is used exactly as given: no ``.npz`` suffix is
    appended (unlike ``numpy.savez``). The write is atomic: the data goes to a temporary file
    next to ``path`` that replaces ``path`` only once it is complete and on disk, so an
    interrupted save leaves any previous file at ``path`` intact; the replaced file's
    permissions are kept, a file this process could not open for writing (read-only) is
    refused with ``PermissionError``, and temporary files left by saves that were killed are
    removed. An existing FIFO or device is written into, as ``open(path, "wb")`` would.
    ``path`` may also be a writable binary file object (then the write is not atomic).

    ``compress=True`` deflates the arrays (smaller, slower); ``load`` reads both.

    Raises ``TypeError`` naming the key path (e.g. ``obj['optim']['fn']``) of the first
    unsupported value, and ``ValueError`` for a circular reference or nesting deeper than
    :data:`MAX_DEPTH`.
    """
    _writing.save(obj, path, compress)


def load(path: PathLike | BinaryIO) -> Any:
    """Load a checkpoint written by :func:`save` and return the saved object.

    Arrays come back as ``numpy.ndarray`` (writable, owning their memory or sharing it as
    they did when saved), tensors as ``minigrad.Tensor`` (same dtype and ``requires_grad``, no
    ``.grad``), tuples as tuples, dict keys with their types. Pickled data is never loaded, so
    loading an untrusted file cannot run code.

    The file is verified before anything in it is trusted: every byte read is checked
    against the archive's CRC-32; every array's ``.npy`` header must declare the dtype and
    shape the manifest records; members the manifest does not name are never decompressed;
    declared sizes are bounded by the file's own size before anything is allocated; only
    regular files are opened (not a FIFO or a device). A file object is read from its current
    position to its end.

    Raises ``FileNotFoundError`` if ``path`` does not exist, ``IsADirectoryError`` for a
    directory, and :class:`CheckpointError` (a ``ValueError``) for anything else: the file is
    truncated, corrupted, not a minigrad checkpoint or written by a newer minigrad; the
    message names the file, the key path of the damaged value if there is one, and the
    problem.
    """
    return _reading.load(path)
