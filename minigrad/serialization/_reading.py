"""Reading: a checkpoint file is verified before anything in it is trusted.

In order, before any array is allocated:

* only regular files are opened (a FIFO or a device would block or never end), without
  blocking on the open itself;
* the zip archive must span the file (or a file object from its current position) exactly:
  its first entry at the start, its end-of-archive record at the end, no duplicate names;
* only members named by the manifest are read (others are never decompressed), each with a
  compression method minigrad writes (stored or deflate), an uncompressed size bounded by its
  compressed size (deflate cannot exceed 1032:1), and compressed sizes summing to at most the
  file's size (overlapping members cannot multiply it);
* each member's ``.npy`` header is parsed here, not by numpy, and must declare exactly the
  dtype and shape the manifest records, and the member's size must be that header plus the
  array's bytes;
* every byte read (header and data) goes through CRC-32, compared with the zip directory's
  checksum (zipfile alone checks it only when a member is read to its end, and ``np.load``
  does not read large members to their end).

Any failure raises :class:`CheckpointError` naming the problem and, when it lies in one
value, its key path.
"""
from __future__ import annotations

import ast
import errno
import math
import os
import re
import stat
import struct
import warnings
import zipfile
import zlib
from typing import Any, BinaryIO

import numpy as np

from ._decoding import Decoder, array_path
from ._manifest import MANIFEST_KEY, CheckpointError, descr_to_json, parse_manifest

_CHUNK = 1 << 22  # bytes per read while copying and checksumming a member
_MAX_DEFLATE_RATIO = 1032  # the most deflate can expand (258 bytes from 2 bits, per 1 byte)
_END_OF_ARCHIVE = b"PK\x05\x06"  # zip's end-of-central-directory record, 22 bytes
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_NPY_MAGIC = b"\x93NUMPY"
_MAX_NPY_HEADER = 1 << 16


def load(path) -> Any:
    """See :func:`minigrad.load`."""
    if hasattr(path, "read"):
        name = getattr(path, "name", "<file object>")
        name = repr(name) if isinstance(name, str) else str(name)
        if not (hasattr(path, "seekable") and path.seekable()):
            raise CheckpointError(f"cannot load {name}: the file object is not seekable (a "
                                  "checkpoint is a zip archive, read with random access; read "
                                  "it into io.BytesIO first)")
        obj = _load(path, name, path.tell())
        path.seek(0, os.SEEK_END)  # read to its end, as a read() would leave it
        return obj
    filename = os.fsdecode(os.fspath(path))
    with open_regular_file(filename) as f:
        return _load(f, repr(filename), 0)


def open_regular_file(name: str, what: str = "checkpoint") -> BinaryIO:
    """``name`` opened for reading; ``FileNotFoundError``, ``IsADirectoryError``, or
    :class:`CheckpointError` for anything but a regular file (a FIFO or a device would block
    or never end). Used by ``minigrad.load`` and ``minigrad.load_safetensors``."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"no {what} at {name!r}: file does not exist",
                                name) from None
    except IsADirectoryError:
        fd = None
    try:
        mode = os.fstat(fd).st_mode if fd is not None else stat.S_IFDIR
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, f"cannot load {what} {name!r}: it is a "
                                    "directory", name)
        if not stat.S_ISREG(mode):
            raise CheckpointError(f"cannot load {name!r}: not a regular file (a "
                                  f"{_file_kind(mode)}); only regular files are read")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        if fd is not None:
            os.close(fd)
        raise


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return kind
    return "special file"


def _load(f: BinaryIO, name: str, start: int) -> Any:
    try:
        archive = _Archive(f, start)
        manifest = parse_manifest(archive.read_member(MANIFEST_KEY, None).tobytes())
        arrays = []
        for i, record in enumerate(manifest["arrays"]):
            try:
                arrays.append(archive.read_member(f"a{i}", record))
            except CheckpointError as exc:
                where = array_path(manifest["nodes"], manifest["root"], i)
                raise CheckpointError(f"{where}: {exc}" if where else str(exc)) from None
        return Decoder(manifest, arrays).decode()
    except CheckpointError as exc:
        raise CheckpointError(f"cannot load {name}: {exc}") from None


class _Archive:
    """The zip directory of a checkpoint, checked; :meth:`read_member` reads one ``.npy``."""

    def __init__(self, f: BinaryIO, start: int):
        self.size = f.seek(0, os.SEEK_END) - start
        f.seek(start)
        head = f.read(4)
        if not head.startswith(b"PK"):
            if head.startswith(_NPY_MAGIC[:4]):
                raise CheckpointError("not a minigrad checkpoint (it is a single-array .npy file)")
            if not head:
                raise CheckpointError("the file is empty (an interrupted write by another "
                                      "program?)")
            raise CheckpointError("not a minigrad checkpoint (not an .npz/zip archive)")
        tail = _read_at(f, start + self.size - 22, 22) if self.size >= 22 else b""
        if tail[:4] != _END_OF_ARCHIVE or tail[20:] != b"\x00\x00":
            raise CheckpointError("the file is truncated or corrupted, or has data after the "
                                  "checkpoint (no end-of-archive record at its end)")
        f.seek(start)
        try:
            self.zip = zipfile.ZipFile(f)
        except MemoryError:
            raise
        except Exception as exc:  # zipfile reports damage with many exception types
            raise CheckpointError(f"the file is truncated or corrupted (zip directory: "
                                  f"{type(exc).__name__}: {exc})") from None
        infos = self.zip.infolist()
        self.members = {info.filename: info for info in infos}
        if len(self.members) != len(infos):
            raise CheckpointError("corrupted zip directory (a member name appears twice)")
        if min((info.header_offset for info in infos), default=-1) != start:
            raise CheckpointError(
                f"the file holds data before the checkpoint's archive (which should start at "
                f"byte {start}): damaged, or two checkpoints written one after the other into "
                "one file object (load reads one from its start to the end of the file)")
        if MANIFEST_KEY + ".npy" not in self.members:
            raise CheckpointError(f"not a minigrad checkpoint (an .npz archive without a "
                                  f"{MANIFEST_KEY!r} entry; open it with numpy.load instead)")
        self.f = f
        self.end = self.zip.start_dir  # members end before the zip directory
        self.unread = self.size  # compressed bytes the members read so far may still use

    def read_member(self, key: str, record: dict | None) -> np.ndarray:
        """Member ``key.npy`` as an array, verified against ``record`` (the manifest's
        ``_dtype``/``_shape``/``dtype``; None for the manifest: a 1-d uint8 array)."""
        info = self.members.get(key + ".npy")
        if info is None:
            raise CheckpointError(f"member {key}.npy is missing")
        limit = info.compress_size * (1 if info.compress_type == zipfile.ZIP_STORED
                                      else _MAX_DEFLATE_RATIO) + 64
        self.unread -= info.compress_size
        if info.file_size > limit or self.unread < 0:
            raise CheckpointError(f"member {key}.npy is corrupted (its declared size "
                                  f"{info.file_size} does not fit in the file)")
        try:
            member = _Member(self.f, info, self.end)
            arr = _read_npy(member, info, record)
        except (CheckpointError, MemoryError):
            raise
        except Exception as exc:  # zlib and struct report damage with many exception types
            raise CheckpointError(f"member {key}.npy is truncated or corrupted "
                                  f"({type(exc).__name__}: {exc})") from None
        member.finish()
        return arr


def _read_at(f: BinaryIO, offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


class _Member:
    """One member's bytes, read from the archive directly (not through ``zipfile.open``):
    exactly ``file_size`` bytes, each folded into a CRC-32 that :meth:`finish` compares with
    the directory's. Stored data goes straight into the destination array (``readinto``)."""

    def __init__(self, f: BinaryIO, info: zipfile.ZipInfo, end: int):
        self.f, self.info, self.crc = f, info, 0
        name = info.filename
        if info.compress_type not in _METHODS or info.flag_bits & 0x41:  # 0x41: encrypted
            raise CheckpointError(f"member {name} is corrupted (compression method "
                                  f"{info.compress_type}, flags {info.flag_bits:#x})")
        local = _read_at(f, info.header_offset, 30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise CheckpointError(f"member {name} is corrupted (no local header)")
        flags, method, name_length, extra_length = struct.unpack_from("<2H16xHH", local, 6)
        local_name = f.read(name_length).decode("utf-8" if flags & 0x800 else "cp437",
                                                "replace")
        if local_name != name or method != info.compress_type or flags & 0x41:
            raise CheckpointError(f"member {name} is corrupted (its local header differs from "
                                  "the zip directory)")
        self.start = info.header_offset + 30 + name_length + extra_length
        if self.start + info.compress_size > end:
            raise CheckpointError(f"member {name} is corrupted (its data runs past the "
                                  "zip directory)")
        f.seek(self.start)
        self.compressed_left = info.compress_size
        self.left = info.file_size  # uncompressed bytes not read yet
        self.inflate = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None

    def read(self, n: int) -> bytes:
        """Exactly ``n`` more bytes of the member (CheckpointError if it has fewer)."""
        if n > self.left:
            raise CheckpointError(f"member {self.info.filename} is truncated or corrupted")
        if self.inflate is None:
            data = self.f.read(n)
            self.compressed_left -= len(data)
        else:
            data = b""
            while len(data) < n:
                chunk = self.inflate.unconsumed_tail or self._compressed(_CHUNK)
                if not chunk:
                    break
                data += self.inflate.decompress(chunk, n - len(data))
        if len(data) != n:
            raise CheckpointError(f"member {self.info.filename} is truncated")
        self.left -= n
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readinto(self, buffer: memoryview) -> None:
        """Fill ``buffer`` (bytes of the destination array) with the next bytes."""
        for pos in range(0, len(buffer), _CHUNK):
            part = buffer[pos:pos + _CHUNK]
            if self.inflate is not None:
                part[:] = self.read(len(part))
                continue
            if len(part) > self.left or self.f.readinto(part) != len(part):
                raise CheckpointError(f"member {self.info.filename} is truncated")
            self.left -= len(part)
            self.compressed_left -= len(part)
            self.crc = zlib.crc32(part, self.crc)

    def _compressed(self, n: int) -> bytes:
        data = self.f.read(min(n, self.compressed_left))
        self.compressed_left -= len(data)
        return data

    def finish(self) -> None:
        """Check that the member ended where the directory says, and its CRC-32."""
        name = self.info.filename
        if self.left:
            raise CheckpointError(f"member {name} is corrupted (data after the array)")
        if self.inflate is not None:
            try:
                extra = self.inflate.decompress(self.inflate.unconsumed_tail +
                                                self._compressed(self.compressed_left), 1)
            except zlib.error as exc:
                raise CheckpointError(f"member {name} is corrupted ({exc})") from None
            if extra or not self.inflate.eof or self.inflate.unused_data:
                raise CheckpointError(f"member {name} is corrupted (data after the array)")
        if self.compressed_left:
            raise CheckpointError(f"member {name} is corrupted (data after the array)")
        if self.crc != self.info.CRC:
            raise CheckpointError(f"member {name} is corrupted (CRC-32 mismatch: the bytes "
                                  "differ from those written)")


# numpy's own spelling of a simple header (sorted keys, a trailing ", }", space padding): read
# without compiling Python; anything else (structured dtypes) goes through ast.literal_eval.
_COUNT = r"(?:0|[1-9][0-9]*)"
_SIMPLE_HEADER = re.compile(
    r"\{'descr': '(?P<descr>[^'\\]*)', 'fortran_order': (?P<fortran>False|True), 'shape': "
    rf"\((?:|(?P<one>{_COUNT}),|(?P<many>{_COUNT}(?:, {_COUNT})+))\), \}} *\n?")


def _parse_npy_header(text: str) -> dict | None:
    """The header's dict, or None unless it has exactly numpy's three keys."""
    match = _SIMPLE_HEADER.fullmatch(text)
    if match:
        dims = match["one"] or match["many"]
        return {"descr": match["descr"], "fortran_order": match["fortran"] == "True",
                "shape": tuple(int(n) for n in dims.split(", ")) if dims else ()}
    try:
        with warnings.catch_warnings():  # a damaged "\x" escape warns before it fails
            warnings.simplefilter("ignore")
            header = ast.literal_eval(text)
    except Exception:  # a damaged header fails to be a Python literal in many ways
        return None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        return None
    return header


def _read_npy(f: _Member, info: zipfile.ZipInfo, record: dict | None) -> np.ndarray:
    prefix = f.read(10)
    if prefix[:6] != _NPY_MAGIC or prefix[6:8] not in (b"\x01\x00", b"\x02\x00", b"\x03\x00"):
        raise CheckpointError(f"member {info.filename} is corrupted (not a .npy array)")
    if prefix[6] == 1:
        header_length = struct.unpack("<H", prefix[8:])[0]
    else:
        prefix += f.read(2)
        header_length = struct.unpack("<I", prefix[8:])[0]
    if header_length > min(_MAX_NPY_HEADER, info.file_size):
        raise CheckpointError(f"member {info.filename} is corrupted (header of "
                              f"{header_length} bytes)")
    text = f.read(header_length).decode("latin1" if prefix[6] < 3 else "utf8", "replace")
    header = _parse_npy_header(text)
    if header is None or header["fortran_order"] is not False:
        raise CheckpointError(f"member {info.filename} is corrupted (bad .npy header "
                              f"{text.strip()!r:.80})")
    descr, shape = descr_to_json(header["descr"]), header["shape"]
    if record is None:  # the manifest: JSON bytes
        dtype = np.dtype(np.uint8)
        if descr != "|u1" or not isinstance(shape, tuple) or len(shape) != 1 or \
                type(shape[0]) is not int:
            raise CheckpointError(f"member {info.filename} is corrupted (the manifest is not "
                                  "a 1-d uint8 array)")
    else:
        dtype = record["_dtype"]
        if descr != record["dtype"] or shape != record["_shape"]:
            raise CheckpointError(
                f"member {info.filename} does not match the manifest: its header says dtype "
                f"{descr!r} shape {shape!r}, the manifest {record['dtype']!r} "
                f"{record['_shape']!r} (corrupted)")
    nbytes = math.prod(shape) * dtype.itemsize
    if info.file_size != len(prefix) + header_length + nbytes:
        raise CheckpointError(f"member {info.filename} is corrupted (its size "
                              f"{info.file_size} does not match dtype {descr!r} shape {shape!r})")
    arr = np.empty(shape, dtype)
    if nbytes:
        f.readinto(memoryview(arr.reshape(-1).view(np.uint8)))
    return arr
