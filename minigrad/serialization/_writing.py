"""Writing: the archive, and the atomic replacement of the target file.

The archive goes to a temporary file ``.<name>.<random>.tmp`` next to the target, is flushed
and fsync'ed, and only then renamed over the target (``os.replace``), so an interrupted save
leaves the previous checkpoint intact. The writer holds an exclusive ``flock`` on its
temporary file until the rename; a save first removes the temporary files of earlier saves to
the same target whose lock it can take (their writer died: a lock ends with its process, even
on SIGKILL), and never one a running save holds. Where ``fcntl`` is missing (Windows) nothing
is locked and stale temporary files stay.
"""
from __future__ import annotations

import errno
import json
import os
import re
import secrets
import stat
import zipfile
from typing import BinaryIO

import numpy as np

from ._encoding import Encoder
from ._manifest import MANIFEST_KEY

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

_ZIP64_FROM = (1 << 31) - (1 << 20)  # members this large need zip64 sizes (zipfile's limit)


def save(obj, path, compress: bool = False) -> None:
    """See :func:`minigrad.save`."""
    manifest, arrays = Encoder().encode(obj)
    # allow_nan=False: non-finite floats are nodes already, so this is strict JSON.
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":"))
    members = [(MANIFEST_KEY, np.frombuffer(text.encode("utf-8"), dtype=np.uint8))]
    members += [(f"a{i}", arr) for i, arr in enumerate(arrays)]
    if hasattr(path, "write"):
        _write_archive(path, members, compress)
        return
    atomic_write(path, lambda f: _write_archive(f, members, compress))


def _write_archive(fileobj: BinaryIO, members: list, compress: bool) -> None:
    """Write ``members`` (name, array) as ``.npy`` entries of a zip archive into ``fileobj``.

    A separate function so tests can make it fail half-way through a write.
    """
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(fileobj, "w", compression=method, allowZip64=True) as archive:
        for name, arr in members:
            if arr.flags.f_contiguous and not arr.flags.c_contiguous:
                arr = np.array(arr, order="C")  # the reader expects fortran_order False
            with archive.open(name + ".npy", "w", force_zip64=arr.nbytes >= _ZIP64_FROM) as f:
                np.lib.format.write_array(f, arr, allow_pickle=False)


def atomic_write(path, write, what: str = "checkpoint") -> None:
    """Call ``write(file)`` on a temporary file beside ``path`` (str, bytes or path-like), then
    rename it over ``path``: an interrupted write leaves any previous file intact. The replaced
    file keeps its permissions; a file this process could not open for writing is refused
    (``PermissionError``); stale temporary files of killed writes to ``path`` are removed
    first. An existing FIFO or device is written into instead, through a stream without
    ``tell``/``seek``. Used by ``minigrad.save`` and ``minigrad.save_safetensors``."""
    path = os.fsdecode(os.fspath(path))
    # Resolve symlinks so the rename replaces the file a symlink points to, not the symlink
    # itself (that is what an ordinary in-place write would update).
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    existing = _existing_target(target, path, what)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # A FIFO or a device (/dev/null): write into it, as open(path, "wb") would, rather
        # than replace it with a regular file.
        with open(target, "wb") as f:
            write(_Stream(f))
        return
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"cannot save {what} to {path!r}: directory "
                                f"{directory!r} does not exist", path)
    basename = os.path.basename(target)
    remove_stale_temp_files(directory, basename)
    fd, tmp = _create_temp_file(directory, basename)
    try:
        f = os.fdopen(fd, "wb")
        try:
            if existing is not None:
                _copy_owner_and_mode(f.fileno(), existing)
            write(f)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, target)  # still holding the lock: no cleaner can remove tmp
        finally:
            f.close()
    except BaseException:
        # Also on KeyboardInterrupt: never leave a half-written temporary file behind.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


class _Stream:
    """A file seen as a stream: no tell() or seek(), so zipfile counts the bytes itself (the
    positions of /dev/null do not advance) and writes sizes after each member."""

    def __init__(self, f):
        self.write, self.flush = f.write, f.flush


def _existing_target(target: str, path: str, what: str) -> os.stat_result | None:
    """The target's stat, or None if it does not exist. Refuses a directory, and a file this
    process could not open for writing: replacing it would bypass its read-only mode."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"cannot save {what}: {path!r} is a directory",
                                path)
    if stat.S_ISREG(st.st_mode):
        try:
            os.close(os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0)))  # no O_TRUNC
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise PermissionError(exc.errno, f"cannot save {what}: {path!r} is not writable "
                                      "(read-only file or file system); saving would replace "
                                      "it", path) from None
            raise
    return st


def _copy_owner_and_mode(fd: int, st: os.stat_result) -> None:
    # The replaced file keeps its permissions, as with open(path, "wb"): a private checkpoint
    # (0o600) must not become world-readable because the umask is 0o022.
    if not hasattr(os, "fchmod"):
        return
    try:
        if hasattr(os, "fchown") and (st.st_uid, st.st_gid) != os.fstat(fd)[4:6]:
            os.fchown(fd, st.st_uid, st.st_gid)
    except OSError:
        pass  # only root may give a file away; the mode is still copied
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _temp_name_pattern(basename: str):
    return re.compile(re.escape(f".{basename}.") + r"[0-9a-f]{12}\.tmp")


def _create_temp_file(directory: str, basename: str) -> tuple[int, str]:
    """Create and lock a new, empty temporary file next to the target; return (fd, name).

    ``os.open`` with mode 0o666 lets the umask decide the permissions, so a new checkpoint
    gets the same permissions an ordinary ``open(path, "wb")`` would give (``mkstemp`` would
    make it owner-only, 0o600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.join(directory, f".{basename}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(name, flags, 0o666)
        except FileExistsError:
            continue
        if _try_lock(fd) and _same_file(fd, name):
            return fd, name
        os.close(fd)  # a cleaner locked it between creation and locking, and removes it
    raise FileExistsError(errno.EEXIST, f"could not create a temporary file in {directory!r}",
                          directory)


def _try_lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True  # no locks on this file system: then no cleaner can take it either
    return True


def _same_file(fd: int, name: str) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(name, follow_symlinks=False)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def remove_stale_temp_files(directory: str, basename: str) -> None:
    """Remove the temporary files of interrupted saves to ``basename``: those whose lock can be
    taken (their writer is gone). Best effort: a file that cannot be opened or locked stays."""
    if fcntl is None:
        return
    pattern = _temp_name_pattern(basename)
    try:
        entries = [e.path for e in os.scandir(directory) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for name in entries:
        try:
            fd = os.open(name, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(fd, name):
                os.unlink(name)
        except OSError:
            pass  # held by a running save (or no locks here): leave it
        finally:
            os.close(fd)


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
