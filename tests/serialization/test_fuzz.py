"""Fuzzing a real checkpoint (a conv net, its parameters as tensors with a detached alias, and
Adam's state): every damaged copy either loads as exactly what was saved or raises
CheckpointError; nothing else (another exception, wrong data, a lost alias) is accepted.

The default run flips every bit of every ``.npy`` header in the file (magic, version, header
length, header text: about 17,000 loads) and tries a few hundred random single-bit flips,
truncations and garbage writes anywhere. ``MINIGRAD_FUZZ_LONG=1`` adds every bit of the zip
structure (local headers, central directory, end record) and of the manifest, and 20,000 more
random cases::

    MINIGRAD_FUZZ_LONG=1 python -m pytest tests/serialization/test_fuzz.py
"""
import io
import os
import struct
import zipfile

import numpy as np
import pytest
from checkpoint_cases import assert_same, trained_checkpoint

from minigrad.serialization import CheckpointError, load, save

LONG = os.environ.get("MINIGRAD_FUZZ_LONG", "") not in ("", "0")


@pytest.fixture(scope="module")
def checkpoint():
    obj = trained_checkpoint()
    buf = io.BytesIO()
    save(obj, buf)
    return obj, buf.getvalue()


def regions(data):
    """Byte ranges of the file by role: each member's local header, its .npy header, its
    array bytes; the central directory and end record."""
    out = {"local": [], "npy_header": [], "npy_data": [], "directory": []}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        out["directory"].append((z.start_dir, len(data)))
    for info in infos:
        at = info.header_offset
        name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
        start = at + 30 + name_len + extra_len
        header_len = struct.unpack_from("<H", data, start + 8)[0]
        out["local"].append((at, start))
        out["npy_header"].append((start, start + 10 + header_len))
        out["npy_data"].append((start + 10 + header_len, start + info.compress_size))
    return out


class Fuzz:
    def __init__(self, obj, data):
        self.obj, self.data = obj, data
        self.failures, self.loaded, self.refused = [], 0, 0

    def check(self, damaged, what):
        try:
            back = load(io.BytesIO(bytes(damaged)))
        except CheckpointError:
            self.refused += 1
            return
        except Exception as exc:  # noqa: BLE001  (the point: nothing but CheckpointError)
            self.failures.append(f"{what}: {type(exc).__name__}: {exc}")
            return
        try:
            assert_same(self.obj, back)
            # The alias survives: params[1] and its detached copy share memory.
            assert np.shares_memory(back["params"][1]._data, back["frozen_bias"]._data)
            assert back["params"][1] is not back["frozen_bias"]
        except AssertionError as exc:
            self.failures.append(f"{what}: loaded different data: {exc}")
        self.loaded += 1

    def flip_bits(self, ranges):
        for lo, hi in ranges:
            for i in range(lo, hi):
                for bit in range(8):
                    damaged = bytearray(self.data)
                    damaged[i] ^= 1 << bit
                    self.check(damaged, f"bit {bit} of byte {i}")

    def random_cases(self, n, seed):
        rng = np.random.default_rng(seed)
        size = len(self.data)
        for _ in range(n):
            kind = rng.integers(3)
            damaged = bytearray(self.data)
            if kind == 0:
                i = int(rng.integers(size))
                damaged[i] ^= 1 << int(rng.integers(8))
                what = f"random flip at byte {i}"
            elif kind == 1:
                cut = int(rng.integers(size))
                damaged = damaged[:cut]
                what = f"truncated to {cut} bytes"
            else:
                i = int(rng.integers(size))
                n_bytes = int(rng.integers(1, 64))
                damaged[i:i + n_bytes] = rng.integers(0, 256, n_bytes, dtype=np.uint8).tobytes()
                what = f"{n_bytes} garbage bytes at {i}"
            self.check(damaged, what)

    def assert_no_failures(self):
        assert not self.failures, f"{len(self.failures)} bad outcomes, e.g.:\n" + "\n".join(self.failures[:10])


def test_every_bit_of_every_npy_header(checkpoint):
    fuzz = Fuzz(*checkpoint)
    headers = regions(fuzz.data)["npy_header"]
    assert len(headers) >= 13  # manifest, the parameters' arrays, Adam's moments
    fuzz.flip_bits(headers)
    fuzz.assert_no_failures()
    assert fuzz.refused == 8 * sum(hi - lo for lo, hi in headers)  # a header flip never loads


def test_random_flips_truncations_and_garbage(checkpoint):
    fuzz = Fuzz(*checkpoint)
    fuzz.random_cases(600, seed=0)
    fuzz.assert_no_failures()
    assert fuzz.refused > 500  # nearly every byte is covered by a checksum


@pytest.mark.skipif(not LONG, reason="long sweep: set MINIGRAD_FUZZ_LONG=1")
def test_long_sweep(checkpoint):
    fuzz = Fuzz(*checkpoint)
    parts = regions(fuzz.data)
    fuzz.flip_bits(parts["local"] + parts["directory"] + parts["npy_data"][:1])  # [0]: the manifest
    fuzz.random_cases(20_000, seed=1)
    fuzz.assert_no_failures()
