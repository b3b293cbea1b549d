"""Saving: atomic replacement, interrupted and killed saves, stale temporary files, read-only
targets, permissions."""
import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from checkpoint_cases import assert_same, model_and_optimizer_state

from minigrad.serialization import _writing, load, save

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions, locks and FIFOs")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _fail_half_way(fileobj, members, compress):
    fileobj.write(b"PK\x03\x04 partial garbage")  # some bytes hit the disk ...
    raise RuntimeError("disk on fire")  # ... then the writer dies


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_interrupted_save_leaves_previous_checkpoint_intact(tmp_path, monkeypatch, error):
    path = tmp_path / "ckpt.npz"
    save(model_and_optimizer_state(), path)
    before = path.read_bytes()

    def fail(fileobj, members, compress):
        fileobj.write(b"PK\x03\x04 partial garbage")
        raise error("interrupted")

    monkeypatch.setattr(_writing, "_write_archive", fail)
    with pytest.raises(error):
        save({"new": np.ones(5)}, path)
    assert path.read_bytes() == before  # byte-identical
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # the temporary file was removed
    monkeypatch.undo()
    assert_same(model_and_optimizer_state(), load(path))


def test_failed_first_save_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(_writing, "_write_archive", _fail_half_way)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save({"a": 1}, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def test_failing_rename_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "c"
    save({"v": 1}, path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(_writing.os, "replace", broken_replace)
    with pytest.raises(OSError, match="rename failed"):
        save({"v": 2}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["c"]


def _killed_save(path):
    """Run a save in a subprocess that dies (os._exit, no cleanup) half-way through."""
    script = textwrap.dedent(
        f"""
        import os, numpy as np
        from minigrad.serialization import _writing
        def die(fileobj, members, compress):
            fileobj.write(b"PK\\x03\\x04 half a checkpoint")
            fileobj.flush()
            os._exit(3)
        _writing._write_archive = die
        _writing.save({{"v": np.zeros(10)}}, {str(path)!r})
        """
    )
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True)
    assert proc.returncode == 3, proc.stderr.decode()


def test_process_killed_mid_write_leaves_previous_checkpoint_intact(tmp_path):
    path = tmp_path / "ckpt"
    save({"v": np.arange(10)}, path)
    before = path.read_bytes()
    _killed_save(path)
    assert path.read_bytes() == before
    np.testing.assert_array_equal(load(path)["v"], np.arange(10))
    # Only a hidden temporary file can be left over after a hard crash.
    leftovers = [f for f in os.listdir(tmp_path) if f != "ckpt"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".ckpt.") and leftovers[0].endswith(".tmp")


@posix_only
def test_next_save_removes_temporary_files_of_killed_saves(tmp_path):
    path = tmp_path / "ckpt"
    save({"v": 0}, path)
    _killed_save(path)
    _killed_save(path)  # removes the first one's file: its writer is gone
    (tmp_path / ".ckpt.00000000abcd.tmp").write_bytes(b"left by a save killed earlier")
    (tmp_path / ".other.0123456789ab.tmp").write_bytes(b"another target's")  # not ours
    (tmp_path / ".ckpt.notours.tmp").write_bytes(b"not our name pattern")
    assert len(os.listdir(tmp_path)) == 5
    save({"v": 1}, path)
    assert sorted(os.listdir(tmp_path)) == [".ckpt.notours.tmp", ".other.0123456789ab.tmp", "ckpt"]
    assert load(path) == {"v": 1}


@posix_only
def test_temporary_file_of_a_running_save_is_not_removed(tmp_path):
    """A concurrent save holds the lock on its temporary file: a save to the same target
    leaves it alone, and the concurrent save still completes."""
    import fcntl

    path = tmp_path / "ckpt"
    fd, tmp = _writing._create_temp_file(str(tmp_path), "ckpt")  # locked, as a running save's
    try:
        save({"v": 1}, path)
        assert os.path.exists(tmp)
        with pytest.raises(BlockingIOError):  # still ours
            fcntl.flock(os.open(tmp, os.O_RDWR), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, b"the other save")
        os.replace(tmp, path)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"the other save"


@posix_only
def test_file_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save({}, tmp_path / "c")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "c").st_mode & 0o777 == 0o644  # not mkstemp's owner-only 0o600


@posix_only
def test_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "private"
    save({"v": 1}, path)
    os.chmod(path, 0o600)
    old = os.umask(0o022)
    try:
        save({"v": 2}, path)
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o600 and load(path) == {"v": 2}


@posix_only
def test_read_only_file_is_not_replaced(tmp_path, monkeypatch):
    """save refuses a file it could not open for writing. As root every file is writable, so
    the refusal is checked with the OS's answer simulated too."""
    path = tmp_path / "frozen"
    save({"v": 1}, path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    if os.geteuid() != 0:
        with pytest.raises(PermissionError, match="not writable"):
            save({"v": 2}, path)
        assert path.read_bytes() == before
    real_open = os.open

    def open_as_other_user(name, flags, *args):
        if os.path.samefile(name, path) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, flags, *args)

    monkeypatch.setattr(_writing.os, "open", open_as_other_user)
    with pytest.raises(PermissionError, match="frozen.*not writable") as info:
        save({"v": 2}, path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["frozen"]


@posix_only
def test_existing_fifo_or_device_is_written_into_not_replaced(tmp_path):
    save({"v": 1}, "/dev/null")  # as open("/dev/null", "wb") would: not replaced by a file
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", f"import sys; sys.stdout.buffer.write(open({str(fifo)!r}, 'rb').read())"],
                              stdout=subprocess.PIPE)
    save({"v": np.arange(3)}, fifo)
    data = reader.communicate(timeout=60)[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    (tmp_path / "copy").write_bytes(data)
    np.testing.assert_array_equal(load(tmp_path / "copy")["v"], np.arange(3))


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_saving_through_a_symlink_updates_its_target(tmp_path):
    (tmp_path / "real").write_bytes(b"")
    os.symlink(tmp_path / "real", tmp_path / "link")
    save({"v": 1}, tmp_path / "link")
    assert os.path.islink(tmp_path / "link")
    assert load(tmp_path / "real") == {"v": 1}


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        save({}, tmp_path / "nope" / "c")
    assert "nope" in str(info.value)


def test_save_onto_a_directory(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        save({}, tmp_path)
