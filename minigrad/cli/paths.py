"""Checks of the files a command will write, done before any work starts."""
import os

from . import CLIError

#: Picture formats matplotlib's Agg canvas writes without extra software.
PICTURES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")


def check_output(flag, path, extensions=None):
    """Refuse ``path`` for ``flag`` now rather than after training: a missing folder, a path
    that is a folder, an extension not in ``extensions`` (when given). Returns ``path``."""
    if path is None:
        return None
    if os.path.isdir(path):
        name = "checkpoint.npz" if extensions is None else f"picture{extensions[0]}"
        raise CLIError(f"{flag}: {path} is a folder; give a file name such as "
                       f"{os.path.join(path, name)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"{flag}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise CLIError(f"{flag}: folder {folder} is not writable")
    ext = os.path.splitext(path)[1].lower()
    if extensions is not None and ext not in extensions:
        raise CLIError(f"{flag}: cannot write {ext or 'a file without extension'}; "
                       f"use {', '.join(extensions)}")
    return path

