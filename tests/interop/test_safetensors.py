"""minigrad.save_safetensors / load_safetensors: round trips of every dtype and shape, the
files of the official package and of torch read and written both ways, and every way a file
can be malformed."""
import json
import math
import os
import struct
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.safetensors import load_safetensors, read_safetensors_header, save_safetensors
from minigrad.serialization import CheckpointError

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
          np.uint64, np.float16, np.float32, np.float64]
SHAPES = [(), (0,), (1,), (5,), (0, 3), (3, 0, 2), (2, 3), (2, 3, 4), (1, 1, 1, 1, 1)]


def random_array(dtype, shape, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.asarray(rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True))
    return np.asarray(rng.standard_normal(shape) * 100).astype(dtype)


def assert_bit_identical(a, b, where=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
    assert a.tobytes() == b.tobytes(), where


def assert_clean_error(info, path, key=None):
    """The message names the file (and the tensor), with no chained traceback."""
    message = str(info.value)
    assert str(path) in message
    if key is not None:
        assert repr(key) in message
    exc = info.value
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip_of_every_dtype_and_shape(tmp_path, dtype):
    rng = np.random.default_rng(0)
    tensors = {f"t{i}": random_array(dtype, shape, rng) for i, shape in enumerate(SHAPES)}
    path = tmp_path / "a.safetensors"
    save_safetensors(tensors, path)
    loaded = load_safetensors(path)
    assert list(loaded) == list(tensors)  # header order = the order given
    for k in tensors:
        assert_bit_identical(loaded[k], tensors[k], k)
        assert loaded[k].flags.writeable and loaded[k].flags.c_contiguous


def test_non_finite_floats_and_nan_payloads_survive(tmp_path):
    bits = np.array([0x7FC00000, 0x7F800001, 0xFFC00123, 0x7F800000, 0xFF800000, 0x80000000], np.uint32)
    tensors = {"f32": bits.view(np.float32), "f64": np.array([np.nan, -np.inf, -0.0, 5e-324])}
    save_safetensors(tensors, tmp_path / "a")
    loaded = load_safetensors(tmp_path / "a")
    for k in tensors:
        assert_bit_identical(loaded[k], tensors[k], k)


def test_tensors_views_and_foreign_byte_order_are_written_as_c_order_little_endian(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    tensors = {
        "param": minigrad.nn.Parameter(base.copy()),
        "tensor": minigrad.tensor(base, requires_grad=True),
        "transposed": base.T,
        "strided": base[::2, 1::3],
        "big_endian": base.astype(">f8"),
        "scalar": np.float64(2.5),
        "broadcast": np.broadcast_to(np.arange(3, dtype=np.int16), (2, 3)),
    }
    save_safetensors(tensors, tmp_path / "a")
    loaded = load_safetensors(tmp_path / "a")
    expected = {k: np.ascontiguousarray(np.asarray(getattr(v, "_data", v))) for k, v in tensors.items()}
    expected["big_endian"] = base.astype("<f8")
    expected["scalar"] = np.array(2.5)
    for k in tensors:
        np.testing.assert_array_equal(loaded[k], expected[k], err_msg=k)
        assert loaded[k].dtype == expected[k].dtype.newbyteorder("="), k
    # the data region holds exactly the C-order little-endian bytes
    raw = (tmp_path / "a").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    begin, end = header["transposed"]["data_offsets"]
    assert raw[8 + n + begin:8 + n + end] == np.ascontiguousarray(base.T).astype("<f4").tobytes()


def test_large_tensor_round_trip(tmp_path):
    big = np.random.default_rng(1).standard_normal(3_000_000).astype(np.float32).reshape(1000, 3000)
    save_safetensors({"big": big, "small": np.arange(3)}, tmp_path / "a")
    loaded = load_safetensors(tmp_path / "a")
    assert_bit_identical(loaded["big"], big)
    n = struct.unpack("<Q", (tmp_path / "a").read_bytes()[:8])[0]
    assert os.path.getsize(tmp_path / "a") == 8 + n + big.nbytes + 3 * 8


def test_layout_aligns_every_tensor_and_header_is_padded_to_8_bytes(tmp_path):
    tensors = {"a": np.ones(3, np.uint8), "b": np.ones(3, np.float64), "c": np.ones(1, np.int16),
               "d": np.ones(5, np.float32)}
    save_safetensors(tensors, tmp_path / "a")
    raw = (tmp_path / "a").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    assert n % 8 == 0
    header = json.loads(raw[8:8 + n])
    assert list(header) == ["__metadata__", "a", "b", "c", "d"]
    for k, v in tensors.items():
        assert header[k]["data_offsets"][0] % v.itemsize == 0, k


def test_metadata(tmp_path):
    save_safetensors({"w": np.ones(2)}, tmp_path / "a")
    assert read_safetensors_header(tmp_path / "a")[0] == {"format": "pt"}
    save_safetensors({"w": np.ones(2)}, tmp_path / "b", metadata={"epoch": "3", "note": "résumé ✓"})
    meta, info = read_safetensors_header(tmp_path / "b")
    assert meta == {"epoch": "3", "note": "résumé ✓", "format": "pt"}
    assert info == {"w": ("F64", (2,))}
    save_safetensors({}, tmp_path / "c", metadata={"format": "np"})
    assert read_safetensors_header(tmp_path / "c")[0] == {"format": "np"}
    assert load_safetensors(tmp_path / "c") == {}


def test_model_state_dict_round_trip_keeps_num_batches_tracked_0d(tmp_path):
    from minigrad import nn

    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model(minigrad.randn(8, 3))  # one training step of the running statistics
    save_safetensors(model.state_dict(), tmp_path / "m.safetensors")
    loaded = load_safetensors(tmp_path / "m.safetensors")
    assert loaded["1.num_batches_tracked"].shape == () and loaded["1.num_batches_tracked"] == 1
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(loaded)
    for k, v in model.state_dict().items():
        assert_bit_identical(fresh.state_dict()[k], v, k)


# --------------------------------------------------------------------------- bfloat16


def reference_bfloat16(x):
    """Round float32 values to bfloat16 by picking the nearer of the two candidates
    (ties to the even mantissa), written independently of the code under test."""
    out = []
    for v in np.asarray(x, np.float32).ravel():
        if not np.isfinite(v):
            out.append(v)
            continue
        bits = int(np.float32(v).view(np.uint32))
        lo = bits & 0xFFFF0000
        hi = lo + 0x10000
        flo = float(np.uint32(lo).view(np.float32))  # toward zero
        fhi = float(np.uint32(hi).view(np.float32))  # away from zero
        # past the largest finite value, IEEE rounding measures against 2**128
        far = math.copysign(2.0 ** 128, float(v)) if np.isinf(fhi) else fhi
        dlo, dhi = abs(float(v) - flo), abs(far - float(v))
        if dlo < dhi or (dlo == dhi and (lo >> 16) % 2 == 0):
            out.append(flo)
        else:
            out.append(fhi)
    return np.array(out, np.float32).reshape(np.shape(x))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=2, max_side=6),
                  elements=st.floats(width=32, allow_nan=True, allow_infinity=True)))
def test_bfloat16_rounds_to_nearest_even(x):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a")
        save_safetensors({"x": x}, path, bfloat16=True)
        assert read_safetensors_header(path)[1]["x"] == ("BF16", x.shape)
        y = load_safetensors(path)["x"]
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_array_equal(y, reference_bfloat16(x))  # NaN positions must match too


def test_bfloat16_ties_and_overflow(tmp_path):
    one = np.float32(1.0)
    eps = 2.0 ** -8  # half a bfloat16 ulp at 1.0
    largest = np.float32(3.3895314e38)  # the largest finite bfloat16, (2 - 2**-7) * 2**127
    halfway = np.float32(3.3961776e38)  # halfway from it to 2**128: a tie, to even = infinity
    x = np.array([1 + eps, 1 + 3 * eps, 1 + eps * 1.0001, largest, halfway, -3.4e38], np.float32)
    save_safetensors({"x": x}, tmp_path / "a", bfloat16=["x"])
    y = load_safetensors(tmp_path / "a")["x"]
    np.testing.assert_array_equal(y, [one, 1 + 4 * eps, 1 + 2 * eps, largest, np.inf, -np.inf])


def test_a_0d_bfloat16_tensor_loads_as_a_writable_0d_array(tmp_path):
    # torch writes num_batches_tracked-like scalars too; the value 1.5 is exact in bfloat16
    save_safetensors({"s": np.float32(1.5)}, tmp_path / "a", bfloat16=True)
    s = load_safetensors(tmp_path / "a")["s"]
    assert isinstance(s, np.ndarray) and s.shape == () and s.dtype == np.float32
    assert s.flags.writeable and s == 1.5


def test_bfloat16_only_on_request(tmp_path):
    tensors = {"w": np.ones(2, np.float32), "b": np.ones(2, np.float64), "n": np.int64(1)}
    save_safetensors(tensors, tmp_path / "a", bfloat16=["w"])
    assert {k: v[0] for k, v in read_safetensors_header(tmp_path / "a")[1].items()} == \
        {"w": "BF16", "b": "F64", "n": "I64"}
    save_safetensors(tensors, tmp_path / "b", bfloat16=True)  # every floating tensor
    assert {k: v[0] for k, v in read_safetensors_header(tmp_path / "b")[1].items()} == \
        {"w": "BF16", "b": "BF16", "n": "I64"}
    with pytest.raises(TypeError, match="'n' has dtype int64; only floating"):
        save_safetensors(tensors, tmp_path / "c", bfloat16=["n"])
    with pytest.raises(KeyError, match="not in tensors: \\['zz'\\]"):
        save_safetensors(tensors, tmp_path / "c", bfloat16=["zz"])
    with pytest.raises(TypeError, match="bfloat16 must be"):
        save_safetensors(tensors, tmp_path / "c", bfloat16="w")
    assert not (tmp_path / "c").exists()


# --------------------------------------------------------------------------- other tools


def test_files_of_the_official_numpy_package_and_ours_are_interchangeable(tmp_path):
    stn = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(2)
    tensors = {f"{np.dtype(d).name}.{i}": random_array(d, s, rng)
               for d in DTYPES for i, s in enumerate([(), (0, 2), (3, 4)])}
    stn.save_file(tensors, str(tmp_path / "theirs"), metadata={"k": "v"})
    ours = load_safetensors(tmp_path / "theirs")
    assert read_safetensors_header(tmp_path / "theirs")[0] == {"k": "v"}
    save_safetensors(tensors, tmp_path / "ours", metadata={"k": "v"})
    theirs = stn.load_file(str(tmp_path / "ours"))
    for k, v in tensors.items():
        assert_bit_identical(ours[k], v, k)
        assert_bit_identical(theirs[k], v, k)
    from safetensors import safe_open

    with safe_open(str(tmp_path / "ours"), framework="numpy") as f:
        assert f.metadata() == {"k": "v", "format": "pt"}


def test_torch_files_and_ours_are_interchangeable_including_bfloat16(tmp_path):
    torch = pytest.importorskip("torch")
    stt = pytest.importorskip("safetensors.torch")
    g = torch.Generator().manual_seed(0)
    tensors = {
        "w32": torch.randn(4, 5, generator=g), "w64": torch.randn(3, dtype=torch.float64, generator=g),
        "h": torch.randn(2, 2, generator=g).half(), "bf": torch.randn(7, 3, generator=g).bfloat16(),
        "i": torch.randint(-9, 9, (3,), generator=g), "u8": torch.arange(5, dtype=torch.uint8),
        "b": torch.tensor([True, False]), "nbt": torch.tensor(12), "empty": torch.zeros(0, 4),
    }
    stt.save_file(tensors, str(tmp_path / "torch.safetensors"))
    ours = load_safetensors(tmp_path / "torch.safetensors")
    for k, v in tensors.items():
        expected = (v.float() if v.dtype == torch.bfloat16 else v).numpy()
        assert_bit_identical(ours[k], expected, k)
    assert ours["nbt"].shape == ()

    # and back: bf16 written on request is bit-identical to torch's own bfloat16 tensor
    save_safetensors(ours, tmp_path / "ours.safetensors", bfloat16=["bf"])
    back = stt.load_file(str(tmp_path / "ours.safetensors"))
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        assert torch.equal(back[k], v), k


def test_bfloat16_rounding_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    stt = pytest.importorskip("safetensors.torch")
    rng = np.random.default_rng(3)
    x32 = np.concatenate([rng.standard_normal(5000).astype(np.float32) * 10.0 ** rng.integers(-30, 30, 5000),
                          np.array([np.inf, -np.inf, 0.0, -0.0, 3.3961776e38, 1e-45], np.float32)])
    x64 = rng.standard_normal(5000) * 10.0 ** rng.integers(-30, 30, 5000)
    save_safetensors({"x32": x32, "x64": x64}, tmp_path / "a", bfloat16=True)
    back = stt.load_file(str(tmp_path / "a"))
    assert torch.equal(back["x32"], torch.from_numpy(x32).bfloat16())
    # float64 goes through float32 first; torch rounds float64 to bfloat16 directly, which
    # differs only where the float32 step lands exactly on a bfloat16 tie
    direct = torch.from_numpy(x64).bfloat16()
    assert (back["x64"] != direct).sum().item() <= 2


# --------------------------------------------------------------------------- writing errors


@pytest.mark.parametrize("tensors, error, message", [
    ({1: np.ones(2)}, TypeError, "names must be str"),
    ({"__metadata__": np.ones(2)}, TypeError, "reserved"),
    ({"s": np.array(["a"])}, TypeError, "'s' has dtype <U1"),
    ({"c": np.ones(2, np.complex64)}, TypeError, "'c' has dtype complex64"),
    ({"o": np.array([None])}, TypeError, "'o' has dtype object"),
    ({"l": [1, 2]}, TypeError, "'l' is a list"),
])
def test_unsupported_values_raise_naming_the_key(tmp_path, tensors, error, message):
    with pytest.raises(error, match=message):
        save_safetensors(tensors, tmp_path / "a")
    assert os.listdir(tmp_path) == []


def test_bad_arguments(tmp_path):
    from minigrad import nn

    with pytest.raises(TypeError, match="pass model.state_dict"):
        save_safetensors(nn.Linear(2, 2), tmp_path / "a")
    with pytest.raises(TypeError, match="metadata keys and values must be str"):
        save_safetensors({}, tmp_path / "a", metadata={"epoch": 3})
    with pytest.raises(TypeError, match="metadata must be a dict"):
        save_safetensors({}, tmp_path / "a", metadata=[("a", "b")])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_safetensors({}, tmp_path / "missing" / "a")
    with pytest.raises(IsADirectoryError):
        save_safetensors({}, tmp_path)
    assert os.listdir(tmp_path) == []


def test_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    from minigrad import safetensors as mod

    path = tmp_path / "a"
    save_safetensors({"w": np.ones(3)}, path)
    before = path.read_bytes()

    def broken(f, arr, stored):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(mod, "_write_array", broken)
    with pytest.raises(OSError, match="disk full"):
        save_safetensors({"w": np.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["a"]  # no temporary file left behind


# --------------------------------------------------------------------------- reading errors


def write_raw(path, header, data=b"", header_len=None, pad=True):
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    n = len(text) if header_len is None else header_len
    path.write_bytes(struct.pack("<Q", n) + text + data)


F32_2x2 = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}


@pytest.mark.parametrize("header, data, key, message", [
    (b"[1, 2]", b"", None, "not a JSON object"),
    (b"{\"a\": ", b"", None, "corrupted header"),
    (b"\xff\xfe{}", b"", None, "not UTF-8"),
    (b'{"w": {"dtype": "F32", "shape": [NaN], "data_offsets": [0, 0]}}', b"", None, "NaN is not valid JSON"),
    (b'{"w": 1, "w": 2}', b"", None, "'w' appears twice"),
    (b"{" + b'"a":' * 0 + b"[" * 100000 + b"]" * 100000 + b"}", b"", None, "corrupted header"),
    ({"__metadata__": {"a": 1}}, b"", None, "string values"),
    ({"__metadata__": ["a"]}, b"", None, "string values"),
    ({"w": [1]}, b"", "w", "not an object"),
    ({"w": {"dtype": "F32", "shape": [1]}}, b"", "w", "expected dtype, shape and data_offsets"),
    ({"w": {**F32_2x2, "extra": 1}}, bytes(16), "w", "expected dtype, shape and data_offsets"),
    ({"w": {**F32_2x2, "dtype": "F31"}}, bytes(16), "w", "unknown dtype 'F31'"),
    ({"w": {**F32_2x2, "dtype": "F8_E4M3"}}, bytes(16), "w", "F8_E4M3 is not supported"),
    ({"w": {**F32_2x2, "dtype": 4}}, bytes(16), "w", "unknown dtype 4"),
    ({"w": {**F32_2x2, "shape": [2, -2]}}, bytes(16), "w", "not a list of non-negative integers"),
    ({"w": {**F32_2x2, "shape": [2.0, 2]}}, bytes(16), "w", "not a list of non-negative integers"),
    ({"w": {**F32_2x2, "shape": [True, 4]}}, bytes(16), "w", "not a list of non-negative integers"),
    ({"w": {**F32_2x2, "shape": 4}}, bytes(16), "w", "not a list of non-negative integers"),
    ({"w": {**F32_2x2, "shape": [1] * 65, "data_offsets": [0, 4]}}, bytes(4), "w", "65 dimensions"),
    ({"w": {**F32_2x2, "shape": [0, 2**62, 2**62], "data_offsets": [0, 0]}}, b"", "w", "too large"),
    ({"w": {**F32_2x2, "data_offsets": [0, 12]}}, bytes(12), "w", "hold 12 bytes but dtype F32 and shape (2, 2) need 16"),
    ({"w": {**F32_2x2, "data_offsets": [16, 0]}}, bytes(16), "w", "end before they begin"),
    ({"w": {**F32_2x2, "data_offsets": [0]}}, bytes(16), "w", "not a pair"),
    ({"w": {**F32_2x2, "data_offsets": [0, "16"]}}, bytes(16), "w", "not a pair"),
    ({"w": {**F32_2x2, "data_offsets": [4, 20]}}, bytes(20), "w", "data before its offset 4 (from 0) belongs to no tensor"),
    ({"w": F32_2x2, "v": F32_2x2}, bytes(16), None, "overlap"),
    ({"w": F32_2x2, "v": {**F32_2x2, "data_offsets": [8, 24]}}, bytes(24), "v", "overlap those of tensor 'w'"),
    ({"w": F32_2x2}, bytes(20), None, "4 bytes after the last tensor's data belong to no tensor"),
    ({"w": F32_2x2}, bytes(10), "w", "truncated: the tensors need 16 bytes of data but the file has 10"),
    ({"b": {"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]}}, b"\x00\x01\x02", "b", "bytes other than 0 and 1"),
])
def test_malformed_files_raise_checkpoint_error_naming_file_tensor_and_problem(tmp_path, header, data, key, message):
    path = tmp_path / "bad.safetensors"
    write_raw(path, header, data)
    with pytest.raises(CheckpointError) as info:
        load_safetensors(path)
    assert message in str(info.value)
    assert_clean_error(info, path, key)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x08\x00\x00", "shorter than the 8-byte header length"),
    (struct.pack("<Q", 100_000_001) + b"{}", "over the 100000000-byte bound"),
    (struct.pack("<Q", 2**64 - 1) + b"{}", "over the 100000000-byte bound"),
    (struct.pack("<Q", 64) + b"{}      ", "truncated: the header is said to be 64 bytes"),
    (b"PK\x03\x04" + bytes(60), "truncated"),  # a zip (.npz): its first 8 bytes as a length
])
def test_short_and_foreign_files(tmp_path, content, message):
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="cannot load") as info:
        load_safetensors(path)
    assert message in str(info.value)
    assert_clean_error(info, path)


def test_every_truncation_of_a_valid_file_is_refused(tmp_path):
    path = tmp_path / "a"
    save_safetensors({"w": np.arange(6.0), "n": np.int64(3), "e": np.zeros(0)}, path)
    whole = path.read_bytes()
    for cut in range(len(whole)):
        path.write_bytes(whole[:cut])
        with pytest.raises(CheckpointError):
            load_safetensors(path)


def test_missing_file_directory_and_non_regular_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_safetensors(tmp_path / "missing")
    with pytest.raises(IsADirectoryError, match="directory"):
        load_safetensors(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(CheckpointError, match="not a regular file"):
            load_safetensors(fifo)  # must not block waiting for a writer
    if os.path.exists("/dev/zero"):
        with pytest.raises(CheckpointError, match="not a regular file"):
            load_safetensors("/dev/zero")


def test_a_symlink_to_a_valid_file_is_read(tmp_path):
    save_safetensors({"w": np.ones(2)}, tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "link")
    assert_bit_identical(load_safetensors(tmp_path / "link")["w"], np.ones(2))


# --------------------------------------------------------------------------- fuzzing

state_dicts = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(lambda k: k != "__metadata__"),
    st.sampled_from(DTYPES).flatmap(lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))),
    max_size=5)


@settings(max_examples=60, deadline=None)
@given(state_dicts, st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=3))
def test_round_trip_of_random_state_dicts(tensors, metadata):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a")
        save_safetensors(tensors, path, metadata=metadata)
        loaded = load_safetensors(path)
        meta, _ = read_safetensors_header(path)
    assert list(loaded) == list(tensors)
    for k, v in tensors.items():
        assert_bit_identical(loaded[k], v, k)
    assert meta == {"format": "pt", **metadata}


def _mutations():
    """(kind, position fraction, value) triples applied to a valid file's bytes."""
    return st.tuples(st.sampled_from(["flip", "set", "truncate", "insert", "delete"]),
                     st.floats(0, 1), st.integers(0, 255))


@settings(max_examples=300, deadline=None)
@given(st.lists(_mutations(), min_size=1, max_size=3), st.booleans())
def test_fuzzed_files_load_correctly_or_raise_checkpoint_error(mutations, header_only):
    """Random damage anywhere (or only in the length and header, where it matters most):
    loading either raises CheckpointError, or returns exactly what an independent reader
    (the official package when installed) finds in the damaged bytes."""
    rng = np.random.default_rng(4)
    tensors = {"0.weight": rng.standard_normal((3, 4)).astype(np.float32), "0.bias": np.zeros(3, np.float32),
               "bn.num_batches_tracked": np.int64(5), "mask": np.array([True, False]), "e": np.zeros((0, 2))}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a")
        save_safetensors(tensors, path)
        data = bytearray(open(path, "rb").read())
        limit = 8 + struct.unpack("<Q", data[:8])[0] if header_only else len(data)
        for kind, where, value in mutations:
            i = int(where * (min(limit, len(data)) - 1)) if data else 0
            if kind == "flip" and data:
                data[i] ^= 1 << (value % 8)
            elif kind == "set" and data:
                data[i] = value
            elif kind == "truncate":
                del data[i:]
            elif kind == "insert":
                data[i:i] = bytes([value])
            elif kind == "delete" and data:
                del data[i]
        with open(path, "wb") as f:
            f.write(data)
        try:
            loaded = load_safetensors(path)
        except CheckpointError as exc:
            assert path in str(exc)
            return
        # Accepted: then the file must really be valid and say exactly this.
        try:
            from safetensors.numpy import load_file
        except ImportError:
            return
        theirs = load_file(path)
        assert set(theirs) == set(loaded)
        for k in loaded:
            assert_bit_identical(loaded[k], theirs[k], k)
