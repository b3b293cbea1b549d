"""``kernel_jit``: numba's ``njit`` with its on-disk cache in a per-user folder, never in the package.

Why: numba's ``cache=True`` writes ``__pycache__/*.nbi|*.nbc`` beside the kernel's module. In
``site-packages`` pip does not know those files, so ``pip uninstall minigrad`` (or replacing a
regular install with an editable one) leaves ``site-packages/minigrad/`` behind without its
``__init__.py``, and Python then imports that leftover as an empty namespace package ahead of the
real minigrad (``module 'minigrad' has no attribute 'manual_seed'``). A package must not write
into its own install folder anyway.

Where the compiled kernels go::

    <user cache>/minigrad/kernels/<minigrad version>-<source key>/<numba's own sub-folder>

* ``<user cache>``: ``$XDG_CACHE_HOME`` (when it is an absolute path) or ``~/.cache`` on Linux
  and other POSIX systems, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows (the
  conventions platformdirs follows, without the dependency).
* ``<source key>``: 16 hex digits of a SHA-256 over every ``.py`` file in the folder of the
  kernel's module. numba checks only the kernel's own file before it loads a cached entry, not
  the jitted functions it calls from other files; this key changes when any of them changes, so
  a stale entry is never loaded, and a new minigrad version starts a new folder too.
* The user decides when they set ``NUMBA_CACHE_DIR`` (or ``numba.config.CACHE_DIR``) or
  ``NUMBA_CACHE_LOCATOR_CLASSES``: then numba places the cache as it always does.
* When the folder cannot be created or written, kernels compile without an on-disk cache
  (every process compiles again, ~0.7 s per parallel kernel) rather than fall back to numba's
  ``__pycache__`` beside the module.

How: numba chooses a cached function's folder when the function is decorated (its
``UserProvidedCacheLocator`` reads ``numba.config.CACHE_DIR`` then and keeps the path), so
:func:`kernel_jit` sets that setting for the decoration only and restores it at once; nothing
else in the process sees it. Every kernel module decorates with :func:`kernel_jit` (never with
``njit(cache=True)``); ``tests/optim/test_kernel_cache.py`` fails on any ``cache=True`` in the
package outside this file.
"""
import functools
import hashlib
import os
import sys

from numba import njit
from numba.core import config

_SUBFOLDER = ("minigrad", "kernels")


def user_cache_root():
    """The per-user cache folder of this platform (the folder itself may not exist yet), or None
    when it cannot be determined (no home folder)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # the XDG spec: a relative path is invalid, ignore it
            base = os.path.expanduser("~/.cache")
    return base if os.path.isabs(base) else None


def _user_decides():
    return bool(config.CACHE_DIR or os.environ.get("NUMBA_CACHE_LOCATOR_CLASSES"))


@functools.lru_cache(maxsize=None)
def _source_key(folder):
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            digest.update(name.encode() + b"\0")
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(f.read())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def kernel_cache_dir(module_file):
    """The cache folder for the kernels defined in ``module_file``, or None when minigrad does
    not choose it (``NUMBA_CACHE_DIR`` set, no user cache folder)."""
    from .. import __version__

    if _user_decides():
        return None
    root = user_cache_root()
    if root is None:
        return None
    folder = os.path.dirname(os.path.abspath(module_file))
    return os.path.join(root, *_SUBFOLDER, f"{__version__}-{_source_key(folder)}")


@functools.lru_cache(maxsize=None)
def _writable(path):
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".probe-{os.getpid()}")
        with open(probe, "wb"):
            pass
        os.remove(probe)
    except OSError:
        return False
    return True


def kernel_jit(**options):
    """``numba.njit(cache=True, **options)``, with the cache in minigrad's per-user folder.

    Use it for every kernel (``@kernel_jit(parallel=True, error_model="numpy")``). Under
    ``NUMBA_DISABLE_JIT=1`` it returns the plain Python function, as ``njit`` does.
    """
    if "cache" in options:
        raise TypeError("kernel_jit always caches; do not pass cache=")

    def decorate(fn):
        if config.DISABLE_JIT:
            return njit(**options)(fn)
        if _user_decides():
            return njit(cache=True, **options)(fn)
        folder = kernel_cache_dir(fn.__code__.co_filename)
        if folder is None or not _writable(folder):
            return njit(**options)(fn)  # compiled in every process, written nowhere
        saved = config.CACHE_DIR
        config.CACHE_DIR = folder
        try:
            return njit(cache=True, **options)(fn)
        finally:
            config.CACHE_DIR = saved

    return decorate
