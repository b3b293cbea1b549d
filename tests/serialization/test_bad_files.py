"""Loading damaged, foreign and hostile files: every failure is a CheckpointError naming the
file, the key path when the damage is in one value, and the problem; nothing is allocated
beyond what the file's size allows, no pickle runs, nothing blocks."""
import io
import json
import os
import pickle
import struct
import threading
import zipfile

import numpy as np
import pytest
from checkpoint_cases import model_and_optimizer_state, trained_checkpoint

from minigrad.serialization import CheckpointError, _reading, load, save


def assert_clean_error(info, path):
    """The message names the path, and there is no chained numpy/zipfile traceback."""
    assert str(path) in str(info.value)
    exc = info.value
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


def _load_error(path, match=None):
    with pytest.raises(CheckpointError, match=match) as info:
        load(path)
    assert_clean_error(info, path)
    return str(info.value)


def _npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True)
    return buf.getvalue()


def _manifest(root, arrays=(), nodes=(), version=2):
    text = json.dumps({"format": "minigrad-checkpoint", "version": version, "arrays": list(arrays),
                       "nodes": list(nodes), "root": root})
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _archive(path, manifest, members=(), method=zipfile.ZIP_STORED):
    """A hand-made checkpoint: the manifest plus (name, array or raw bytes) members."""
    with zipfile.ZipFile(path, "w", compression=method) as z:
        if manifest is not None:
            z.writestr("__minigrad__.npy", _npy(manifest))
        for name, data in members:
            z.writestr(name, data if isinstance(data, bytes) else _npy(data))


ARRAY = {"dtype": "<i8", "shape": [3]}


# --------------------------------------------------------------------------- files that are not files


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        load(tmp_path / "missing.npz")
    assert_clean_error(info, tmp_path / "missing.npz")


def test_loading_a_directory(tmp_path):
    with pytest.raises(IsADirectoryError):
        load(tmp_path)


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = []

    def run():
        try:
            load(fifo)
        except CheckpointError as exc:
            result.append(str(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "load blocked on a FIFO"
    assert "not a regular file (a FIFO)" in result[0] and str(fifo) in result[0]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="/dev/zero")
def test_device_is_refused():
    assert "character device" in _load_error("/dev/zero")


def test_non_seekable_file_object():
    class Pipe(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(CheckpointError, match="not seekable"):
        load(Pipe())


# --------------------------------------------------------------------------- truncated and damaged


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.5, -22, -1])
def test_truncated_file(tmp_path, keep):
    path = tmp_path / "c"
    save(model_and_optimizer_state(), path)
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data) if keep < 0 else keep
    path.write_bytes(data[:cut])
    _load_error(path, "truncated|corrupted|empty")


def test_trailing_data_is_refused(tmp_path):
    path = tmp_path / "c"
    save({"a": 1}, path)
    path.write_bytes(path.read_bytes() + b"appended")
    assert "data after the checkpoint" in _load_error(path)


def test_corrupted_array_data_names_its_key_path(tmp_path):
    path = tmp_path / "c"
    save({"model": {"w": np.zeros(1000)}}, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\x00" * 800)  # inside the array's bytes, far from its end
    data[start + 400] ^= 0x01
    path.write_bytes(bytes(data))
    message = _load_error(path, "CRC-32")
    assert "obj['model']['w']" in message


def _flip_first(path, old, new):
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def test_flipped_bit_in_a_large_arrays_header_is_caught(tmp_path):
    """One bit turning shape (32, 16, 3, 3) into (22, 16, 3, 3) loaded a smaller array."""
    path = tmp_path / "c"
    save(trained_checkpoint(), path)
    _flip_first(path, b"'shape': (32, 16, 3, 3)", b"'shape': (22, 16, 3, 3)")  # '3' ^ 1 == '2'
    message = _load_error(path)
    assert "obj['model']['0.weight']" in message and "(22, 16, 3, 3)" in message


def test_flipped_bit_in_header_length_is_caught(tmp_path):
    """A header length off by a few bytes shifted the data (0, 1, 2 loaded as ~1e-42)."""
    path = tmp_path / "c"
    save({"w": np.arange(3000.0)}, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\x93NUMPY", data.index(b"a0.npy"))
    data[start + 8] ^= 0x04  # the 2-byte little-endian header length
    path.write_bytes(bytes(data))
    _load_error(path, "obj\\['w'\\]")


def test_two_checkpoints_in_one_file_object():
    buf = io.BytesIO()
    save({"first": 1}, buf)
    second = buf.tell()
    save({"second": 2}, buf)
    buf.seek(0)
    with pytest.raises(CheckpointError, match="data before the checkpoint's archive"):
        load(buf)  # not silently the second one
    buf.seek(second)
    assert load(buf) == {"second": 2}


# --------------------------------------------------------------------------- foreign and hostile


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("hello, I am a text file"), "not an .npz"),
        (lambda p: np.save(open(p, "wb"), np.arange(3)), "single-array .npy"),
        (lambda p: np.savez(open(p, "wb"), w=np.arange(3)), "without a '__minigrad__' entry"),
        (lambda p: pickle.dump({"w": [1, 2]}, open(p, "wb")), "not an .npz"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("x.txt", "hi"), "without a '__minigrad__'"),
    ],
)
def test_foreign_files(tmp_path, make, message):
    path = tmp_path / "foreign"
    make(path)
    assert message in _load_error(path, "not a minigrad checkpoint")


class _Exploit:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_bearing_file_does_not_execute_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = _Exploit(str(marker))
    path = tmp_path / "evil.npz"
    _archive(path, _manifest([0], [{"dtype": "|O", "shape": [1]}], [{"t": "ndarray", "array": 0}]),
             [("a0.npy", evil)])
    assert "pickle" in _load_error(path)
    assert not marker.exists()


def test_pickle_under_a_plain_dtype_does_not_execute_code(tmp_path):
    """The manifest says int64, the member's header says object: refused before reading."""
    marker = tmp_path / "pwned"
    evil = np.empty(3, dtype=object)
    evil[0] = _Exploit(str(marker))
    path = tmp_path / "evil.npz"
    _archive(path, _manifest([0], [ARRAY], [{"t": "ndarray", "array": 0}]), [("a0.npy", evil)])
    assert "does not match the manifest" in _load_error(path)
    assert not marker.exists()


def test_raw_pickle_file_does_not_execute_code(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(_Exploit(str(marker))))
    _load_error(path)
    assert not marker.exists()


def test_member_that_is_not_npy(tmp_path):
    path = tmp_path / "c"
    _archive(path, _manifest([0], [ARRAY], [{"t": "bytes", "array": 0}]),
             [("a0.npy", b"just some bytes, not an array at all")])
    assert "not a .npy array" in _load_error(path)


def test_huge_declared_shape_is_refused_before_allocating(tmp_path):
    path = tmp_path / "c"
    big = {"dtype": "<f8", "shape": [10**12]}
    header = _npy(np.zeros(3))[:128].replace(b"(3,), }   ", b"(1000000000000,), }")
    _archive(path, _manifest([0], [big], [{"t": "ndarray", "array": 0}]), [("a0.npy", header + b"\0" * 24)])
    assert "does not match dtype" in _load_error(path)


def test_sizes_beyond_the_file_are_refused(tmp_path):
    """A central directory claiming a member far larger than the file (a zip bomb)."""
    path = tmp_path / "c"
    save({"w": np.zeros(1000)}, path, compress=True)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)  # a0.npy's directory entry
    struct.pack_into("<I", data, entry + 24, 2**31)  # uncompressed size: 2 GiB
    path.write_bytes(bytes(data))
    assert "does not fit in the file" in _load_error(path)


def test_unreferenced_member_is_never_decompressed(tmp_path, monkeypatch):
    """A small file with a junk member that would inflate to 64 MiB: never opened."""
    path = tmp_path / "c"
    save({"w": np.arange(3.0)}, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("junk.npy", b"\0" * (64 << 20))
    assert os.path.getsize(path) < 1 << 20
    opened = []

    class Spy(_reading._Member):
        def __init__(self, f, info, end):
            opened.append(info.filename)
            super().__init__(f, info, end)

    monkeypatch.setattr(_reading, "_Member", Spy)
    monkeypatch.setattr(zipfile.ZipFile, "open", None)  # nor through zipfile
    np.testing.assert_array_equal(load(path)["w"], np.arange(3.0))
    assert opened == ["__minigrad__.npy", "a0.npy"]


def _deep_nodes(depth):
    nodes = [{"t": "list", "items": []}]
    nodes += [{"t": "list", "items": [[i]]} for i in range(depth - 1)]
    return nodes


@pytest.mark.parametrize(
    "manifest, members, message",
    [
        (np.frombuffer(b"{not json", dtype=np.uint8), [], "corrupted manifest"),
        (np.frombuffer(b"\xff\xfe", dtype=np.uint8), [], "corrupted manifest"),
        (np.frombuffer(b'{"format":"minigrad-checkpoint","version":2,"arrays":[],"nodes":[],"root":NaN}',
                       dtype=np.uint8), [], "corrupted manifest"),
        (np.frombuffer(json.dumps({"format": "other"}).encode(), dtype=np.uint8), [], "not a minigrad checkpoint"),
        (_manifest(None, version=99), [], "version 99 is newer"),
        (_manifest(None, version=1), [], "version 1 was written by an older minigrad"),
        (_manifest(None, version="2"), [], "bad version"),
        (_manifest([0], nodes=[{"t": "pickle", "array": 0}]), [], "unknown node type 'pickle'"),
        (_manifest([0], nodes=[{"t": "ndarray", "array": 7}]), [], "missing array entry 7"),
        (_manifest([0], nodes=[{"t": "list", "items": [[0]]}]), [], "bad reference [0]"),  # itself
        (_manifest([1], nodes=[{"t": "list", "items": [[1]]}, {"t": "list", "items": []}]), [], "bad reference"),
        (_manifest([5]), [], "bad reference [5]"),
        (_manifest([1], nodes=[{"t": "list", "items": []}, {"t": "dict", "items": [[[0], 2]]}]), [],
         "unhashable dict key"),
        (_manifest([0], nodes=[{"t": "dict", "items": "oops"}]), [], "malformed dict"),
        (_manifest([0], nodes=[{"t": "dict", "items": [], "class": "os.system"}]), [], "unknown dict class"),
        (_manifest([0], nodes=[{"t": "dict", "items": [], "class": ["x"]}]), [], "unknown dict class"),
        (_manifest([0], nodes=[{"t": "float", "value": "__import__('os')"}]), [], "bad non-finite float"),
        (_manifest([0], nodes=[{"t": "int", "hex": "1e999"}]), [], "bad int"),
        (_manifest([1], [ARRAY], [{"t": "ndarray", "array": 0}, {"t": "tensor", "data": [0], "requires_grad": True}]),
         [("a0.npy", np.arange(3))], "invalid tensor entry"),
        (_manifest([0], [ARRAY], [{"t": "tensor", "data": 3, "requires_grad": False}]),
         [("a0.npy", np.arange(3))], "tensor data is not an array node"),
        (_manifest([0], [{"dtype": "|u1", "shape": [8]}],
                   [{"t": "ndarray", "array": 0, "view": {"dtype": "<f8", "shape": [2], "strides": [8], "offset": 0}}]),
         [("a0.npy", np.zeros(8, np.uint8))], "reaches outside its storage"),
        (_manifest([0], [{"dtype": "|u1", "shape": [8]}],
                   [{"t": "ndarray", "array": 0, "view": {"dtype": "<f8", "shape": [2], "strides": [-8], "offset": 0}}]),
         [("a0.npy", np.zeros(8, np.uint8))], "reaches outside its storage"),
        (_manifest([0], [{"dtype": "<f8", "shape": [3]}], [{"t": "ndarray", "array": 0}]),
         [("a0.npy", np.arange(3))], "does not match the manifest"),
        (_manifest([0], [{"dtype": "<i8", "shape": [-3]}], [{"t": "ndarray", "array": 0}]), [], "bad shape"),
        (_manifest([0], [{"dtype": [["a", 5]], "shape": [1]}], [{"t": "ndarray", "array": 0}]), [], "bad dtype"),
        (_manifest([0], [ARRAY], [{"t": "ndarray", "array": 0}]), [], "member a0.npy is missing"),
        (_manifest([100], nodes=_deep_nodes(101)), [], "obj: containers nested more than 100 levels deep"),
        (np.frombuffer(b'{"format":"minigrad-checkpoint","version":2,"root":' + b"[" * 100000 + b"]" * 100000 + b"}",
                       np.uint8), [], "nested too deeply"),
    ],
)
def test_hand_made_malformed_checkpoints(tmp_path, manifest, members, message):
    path = tmp_path / "bad"
    _archive(path, manifest, members)
    assert message in _load_error(path, "cannot load")


def test_errors_in_a_value_name_its_key_path(tmp_path):
    nodes = [{"t": "float", "value": "nope"}, {"t": "dict", "items": [["optim", [0]]]}]
    path = tmp_path / "bad"
    _archive(path, _manifest([1], nodes=nodes))
    assert "obj['optim']: bad non-finite float 'nope'" in _load_error(path)


def test_hostile_deep_chain_is_refused_with_a_short_message(tmp_path):
    path = tmp_path / "bad"
    _archive(path, _manifest([19_999], nodes=_deep_nodes(20_000)))  # a path of 60 kB unabridged
    message = _load_error(path, "containers nested more than 100 levels deep")
    assert len(message) < 1000 and "[...]" in message
