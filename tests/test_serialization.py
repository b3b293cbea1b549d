"""minigrad.save / minigrad.load: round trips, atomic writes, and every error path."""

import io
import json
import os
import pickle
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import serialization
from minigrad.serialization import CheckpointError, load, save


def assert_same(a, b, where="obj"):
    """Recursive equality that also checks exact types, dtypes and NaNs."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, minigrad.Tensor):
        assert a.requires_grad == b.requires_grad, where
        assert_same(a.detach().numpy(), b.detach().numpy(), where + ".data")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype, where
        assert (a == b) or (np.isnan(a) and np.isnan(b)), where
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), where
        for (ka, va), kb in zip(a.items(), b.keys()):
            assert type(ka) is type(kb), f"{where}: key {ka!r}"
            assert_same(va, b[kb], f"{where}[{ka!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def model_and_optimizer_state():
    """Shaped like real checkpoints: a model state_dict and an optimizer state_dict."""
    rng = np.random.default_rng(0)
    return {
        "model": {
            "0.weight": minigrad.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True),
            "0.bias": minigrad.tensor(np.zeros(4, np.float32), requires_grad=True),
            "bn.running_mean": rng.standard_normal(4),
            "bn.num_batches_tracked": np.int64(7),
        },
        "optimizer": {
            "state": {0: {"step": 10, "exp_avg": np.ones((4, 3), np.float32)}, 1: {"step": 10}},
            "param_groups": [
                {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False, "params": [0, 1]}
            ],
        },
        "epoch": 3,
        "best_loss": float("inf"),
        "note": "résumé ✓",
        "extra": None,
    }


# --------------------------------------------------------------------------- round trips


def test_round_trip_of_model_and_optimizer_state(tmp_path):
    state = model_and_optimizer_state()
    save(state, tmp_path / "ckpt.npz")
    assert_same(state, load(tmp_path / "ckpt.npz"))


def test_round_trip_of_every_supported_leaf_type(tmp_path):
    obj = {
        "none": None, "true": True, "false": False, "zero": 0, "int": -12, "big": 2**80,
        "float": 0.1, "neg_zero": -0.0, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"),
        "str": "", "unicode": "Grüße 🎉", "bytes": b"\x00\xff", "empty_list": [], "empty_tuple": (),
        "empty_dict": {}, "nested": [(1, [2, (3,)]), {"a": {"b": {"c": []}}}],
        "f16": np.arange(3, dtype=np.float16), "i8": np.array([-1, 2], np.int8), "u8": np.arange(4, dtype=np.uint8),
        "bool": np.array([True, False]), "c128": np.array([1 + 2j]), "zero_d": np.array(3.5),
        "empty_array": np.zeros((0, 3)), "non_contiguous": np.arange(12.0).reshape(3, 4).T[:, ::2],
        "str_array": np.array(["ab", "c"]), "np_f32": np.float32(0.1), "np_i64": np.int64(-5),
        "np_bool": np.bool_(True), "np_nan": np.float64("nan"),
    }
    save(obj, tmp_path / "leaves")
    assert_same(obj, load(tmp_path / "leaves"))


def test_dict_keys_keep_their_types(tmp_path):
    obj = {0: "int", "0": "str", 1.5: "float", True: "bool", None: "none", (1, "a"): "tuple", (): "empty"}
    save(obj, tmp_path / "keys")
    assert_same(obj, load(tmp_path / "keys"))


@pytest.mark.parametrize(
    "dtype, requires_grad",
    [(d, False) for d in (np.float32, np.float64, np.float16, np.int64, np.int32, np.uint8, np.bool_)]
    + [(d, True) for d in (np.float32, np.float64, np.float16)],  # only float tensors can require grad
)
def test_tensors_come_back_as_tensors_with_dtype_and_requires_grad(tmp_path, dtype, requires_grad):
    t = minigrad.tensor(np.arange(6).reshape(2, 3).astype(dtype), requires_grad=requires_grad)
    save({"t": t}, tmp_path / "t")
    back = load(tmp_path / "t")["t"]
    assert type(back) is minigrad.Tensor
    assert back.dtype == dtype and back.shape == (2, 3) and back.requires_grad == requires_grad
    np.testing.assert_array_equal(back.detach().numpy(), t.detach().numpy())
    assert back.grad is None and back.is_leaf
    # A loaded parameter is a usable leaf: gradients flow into it.
    if requires_grad:
        (back * 2.0).sum().backward()
        np.testing.assert_array_equal(back.grad.numpy(), np.full((2, 3), 2.0, dtype))


def test_grad_is_not_saved(tmp_path):
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.grad is not None
    save([w], tmp_path / "w")
    assert load(tmp_path / "w")[0].grad is None


def test_loaded_arrays_are_independent_writable_copies(tmp_path):
    a = np.arange(4.0)
    save({"a": a}, tmp_path / "a")
    back = load(tmp_path / "a")["a"]
    back += 1  # optimizers update loaded state in place
    np.testing.assert_array_equal(a, np.arange(4.0))


def test_shared_arrays_and_tensors_are_stored_once_and_stay_shared(tmp_path):
    a = np.arange(1000.0)
    t = minigrad.tensor([1.0, 2.0], requires_grad=True)
    save({"x": a, "y": a, "tied": [t, t]}, tmp_path / "shared")
    back = load(tmp_path / "shared")
    assert back["x"] is back["y"]
    assert back["tied"][0] is back["tied"][1]
    with np.load(tmp_path / "shared", allow_pickle=False) as z:
        assert len(z.files) == 3  # header + one array + one tensor


def test_loaded_state_gives_identical_outputs(tmp_path):
    rng = np.random.default_rng(1)
    w = minigrad.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    x = minigrad.tensor(rng.standard_normal((7, 5)))
    save({"w": w}, tmp_path / "w")
    w2 = load(tmp_path / "w")["w"]
    np.testing.assert_array_equal((x @ w2).tanh().data, (x @ w).tanh().data)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5)
        | st.builds(np.array, st.lists(st.floats(width=32), max_size=4), dtype=st.just(np.float32)),
        lambda children: st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3),
        max_leaves=12,
    )
)
def test_round_trip_of_random_nested_structures(obj):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    assert_same(obj, load(buf))


def test_compressed_checkpoints_round_trip_and_are_smaller(tmp_path):
    state = {"zeros": np.zeros((100, 100))}
    save(state, tmp_path / "plain")
    save(state, tmp_path / "small", compress=True)
    assert_same(state, load(tmp_path / "small"))
    assert os.path.getsize(tmp_path / "small") < os.path.getsize(tmp_path / "plain") / 10


def test_checkpoint_is_a_plain_npz_readable_without_pickle(tmp_path):
    save({"w": np.arange(3.0), "lr": 0.1}, tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz", allow_pickle=False) as z:
        header = json.loads(z["__minigrad__"].tobytes())
        assert header["format"] == "minigrad-checkpoint" and header["version"] == 1
        np.testing.assert_array_equal(z["a0"], np.arange(3.0))


def test_top_level_save_and_load():
    assert minigrad.save is save and minigrad.load is load


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("name", ["ckpt", "ckpt.npz", "model.ckpt", "weights.pt"])
def test_path_is_used_exactly_as_given(tmp_path, name):
    save({"a": 1}, tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == [name]  # no ".npz" appended, no temp file left
    assert load(tmp_path / name) == {"a": 1}


def test_str_paths_and_overwriting(tmp_path):
    path = str(tmp_path / "c")
    save({"v": 1}, path)
    save({"v": 2}, path)
    assert load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["c"]


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    save({"a": np.arange(3)}, buf)
    buf.seek(0)
    np.testing.assert_array_equal(load(buf)["a"], np.arange(3))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_file_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save({}, tmp_path / "c")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "c").st_mode & 0o777 == 0o644  # not mkstemp's owner-only 0o600


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_saving_through_a_symlink_updates_its_target(tmp_path):
    (tmp_path / "real").write_bytes(b"")
    os.symlink(tmp_path / "real", tmp_path / "link")
    save({"v": 1}, tmp_path / "link")
    assert os.path.islink(tmp_path / "link")
    assert load(tmp_path / "real") == {"v": 1}


# --------------------------------------------------------------------------- atomic writes


def _fail_half_way(fileobj, entries, compress):
    fileobj.write(b"PK\x03\x04 partial garbage")  # some bytes hit the disk ...
    raise RuntimeError("disk on fire")  # ... then the writer dies


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_interrupted_save_leaves_previous_checkpoint_intact(tmp_path, monkeypatch, error):
    path = tmp_path / "ckpt.npz"
    save(model_and_optimizer_state(), path)
    before = path.read_bytes()

    def fail(fileobj, entries, compress):
        fileobj.write(b"PK\x03\x04 partial garbage")
        raise error("interrupted")

    monkeypatch.setattr(serialization, "_write_archive", fail)
    with pytest.raises(error):
        save({"new": np.ones(5)}, path)
    assert path.read_bytes() == before  # byte-identical
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # the temporary file was removed
    monkeypatch.undo()
    assert_same(model_and_optimizer_state(), load(path))


def test_failed_first_save_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(serialization, "_write_archive", _fail_half_way)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save({"a": 1}, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def test_failing_rename_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "c"
    save({"v": 1}, path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(serialization.os, "replace", broken_replace)
    with pytest.raises(OSError, match="rename failed"):
        save({"v": 2}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["c"]


def test_process_killed_mid_write_leaves_previous_checkpoint_intact(tmp_path):
    """A real crash: the process dies (os._exit, no cleanup) half-way through a save."""
    path = tmp_path / "ckpt"
    save({"v": np.arange(10)}, path)
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, numpy as np
        from minigrad import serialization
        def die(fileobj, entries, compress):
            fileobj.write(b"PK\\x03\\x04 half a checkpoint")
            fileobj.flush()
            os._exit(3)
        serialization._write_archive = die
        serialization.save({{"v": np.zeros(10)}}, {str(path)!r})
        """
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True)
    assert proc.returncode == 3, proc.stderr.decode()
    assert path.read_bytes() == before
    np.testing.assert_array_equal(load(path)["v"], np.arange(10))
    # Only a hidden temporary file can be left over after a hard crash.
    leftovers = [f for f in os.listdir(tmp_path) if f != "ckpt"]
    assert all(f.startswith(".ckpt.") and f.endswith(".tmp") for f in leftovers)


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        save({}, tmp_path / "nope" / "c")
    assert "nope" in str(info.value)


def test_save_onto_a_directory(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        save({}, tmp_path)


# --------------------------------------------------------------------------- unsupported objects


@pytest.mark.parametrize(
    "obj, where, what",
    [
        ({"opt": {"fn": lambda x: x}}, "obj['opt']['fn']", "function"),
        ({"groups": [{"lr": 0.1}, {"sched": object()}]}, "obj['groups'][1]['sched']", "object"),
        ([1, {2, 3}], "obj[1]", "set"),
        ({"a": np.array([1, "x", None], dtype=object)}, "obj['a']", "dtype object"),
        ({"c": 1 + 2j}, "obj['c']", "complex"),
        ({frozenset(): 1}, "obj[frozenset()]", "key"),
    ],
)
def test_unsupported_objects_raise_type_error_naming_the_key_path(tmp_path, obj, where, what):
    with pytest.raises(TypeError) as info:
        save(obj, tmp_path / "c")
    assert where in str(info.value) and what in str(info.value)
    assert os.listdir(tmp_path) == []  # nothing written, not even a temp file


def test_circular_reference_raises(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"obj\['a'\]\[0\].*circular"):
        save(loop, tmp_path / "c")


def test_repeated_but_acyclic_containers_are_fine(tmp_path):
    shared = [1, 2]
    save({"a": shared, "b": shared}, tmp_path / "c")
    assert load(tmp_path / "c") == {"a": [1, 2], "b": [1, 2]}


# --------------------------------------------------------------------------- loading bad files


def assert_clean_error(info, path):
    """The message names the path, and there is no chained numpy/zipfile traceback."""
    assert str(path) in str(info.value)
    exc = info.value
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        load(tmp_path / "missing.npz")
    assert_clean_error(info, tmp_path / "missing.npz")


def test_loading_a_directory(tmp_path):
    with pytest.raises(IsADirectoryError):
        load(tmp_path)


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.5, -22, -1])
def test_truncated_file(tmp_path, keep):
    path = tmp_path / "c"
    save(model_and_optimizer_state(), path)
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data) if keep < 0 else keep
    path.write_bytes(data[:cut])
    with pytest.raises(CheckpointError, match="truncated|corrupted|empty") as info:
        load(path)
    assert_clean_error(info, path)


def test_corrupted_array_data_is_detected(tmp_path):
    path = tmp_path / "c"
    save({"w": np.zeros(1000)}, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\x00" * 800)  # inside the array's bytes
    data[start + 400] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted") as info:
        load(path)
    assert_clean_error(info, path)


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
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint") as info:
        load(path)
    assert message in str(info.value)
    assert_clean_error(info, path)


def _header(root, version=1):
    text = json.dumps({"format": "minigrad-checkpoint", "version": version, "root": root})
    return np.frombuffer(text.encode(), dtype=np.uint8)


class _Exploit:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("with_header", [True, False])
def test_pickle_bearing_file_does_not_execute_code(tmp_path, with_header):
    marker = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = _Exploit(str(marker))
    path = tmp_path / "evil.npz"
    entries = {"a0": evil}
    if with_header:
        entries["__minigrad__"] = _header({"$type": "ndarray", "key": "a0"})
    with open(path, "wb") as f:
        np.savez(f, **entries)  # numpy pickles object arrays when saving
    with pytest.raises(CheckpointError) as info:
        load(path)
    assert not marker.exists()
    assert_clean_error(info, path)
    if with_header:
        assert "pickled" in str(info.value)


def test_raw_pickle_file_does_not_execute_code(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(_Exploit(str(marker))))
    with pytest.raises(CheckpointError):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "header, message",
    [
        (np.frombuffer(b"{not json", dtype=np.uint8), "header"),
        (np.frombuffer(b"\xff\xfe", dtype=np.uint8), "header"),
        (np.frombuffer(json.dumps({"format": "other"}).encode(), dtype=np.uint8), "not a minigrad checkpoint"),
        (_header(None, version=99), "version 99 is newer"),
        (_header(None, version="1"), "bad version"),
        (_header({"$type": "pickle", "key": "a0"}), "unknown node type 'pickle'"),
        (_header({"$type": "ndarray", "key": "a7"}), "missing array entry 'a7'"),
        (_header({"$type": "dict", "items": [[[1], 2]]}), "unhashable dict key"),
        (_header({"$type": "dict", "items": "oops"}), "malformed dict"),
        (_header({"$type": "float", "value": "__import__('os')"}), "bad non-finite float"),
        (_header({"$type": "tensor", "key": "a0", "requires_grad": True}), "invalid tensor entry"),
        (np.frombuffer(b'{"format":"minigrad-checkpoint","version":1,"root":' + b"[" * 100000 + b"]" * 100000 + b"}", np.uint8), "nested too deeply"),
    ],
)
def test_hand_made_malformed_checkpoints(tmp_path, header, message):
    path = tmp_path / "bad"
    with open(path, "wb") as f:
        np.savez(f, __minigrad__=header, a0=np.arange(3))  # a0 is int: cannot require grad
    with pytest.raises(CheckpointError, match="cannot load") as info:
        load(path)
    assert message in str(info.value)
    assert_clean_error(info, path)


# --------------------------------------------------------------------------- with nn and optim


def _mlp():
    from minigrad import nn

    return nn.Sequential(nn.Linear(2, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))


def _train(model, optimizer, loader, steps):
    import minigrad.nn.functional as F

    done = 0
    while done < steps:
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
            done += 1
            if done == steps:
                return


def test_model_and_optimizer_checkpoint_resumes_exactly(tmp_path):
    """Training 10 steps, saving, loading into fresh objects and training 10 more
    gives bit-identical weights to training 20 steps without stopping."""
    from minigrad import optim
    from minigrad.data import DataLoader, TensorDataset
    from minigrad.datasets import make_moons

    X, y = make_moons(64, noise=0.1, random_state=0)
    # 2 batches per epoch: 10 steps are 5 whole epochs, so the resumed run sees the same batches.
    loader = lambda: DataLoader(TensorDataset(X, y), batch_size=32, shuffle=False)

    minigrad.manual_seed(0)
    reference = _mlp()
    ref_opt = optim.Adam(reference.parameters(), lr=0.01)
    _train(reference, ref_opt, loader(), 20)

    minigrad.manual_seed(0)
    model = _mlp()
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, loader(), 10)
    save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2}, tmp_path / "ckpt")

    minigrad.manual_seed(1)  # different initial weights: everything must come from the file
    resumed = _mlp()
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.5)
    ckpt = load(tmp_path / "ckpt")
    resumed.load_state_dict(ckpt["model"])
    resumed_opt.load_state_dict(ckpt["optimizer"])
    assert ckpt["epoch"] == 2

    model.eval(), resumed.eval()
    x = minigrad.tensor(X)
    np.testing.assert_array_equal(resumed(x).data, model(x).data)  # outputs reproduced exactly
    model.train(), resumed.train()

    _train(resumed, resumed_opt, loader(), 10)
    for (name, a), b in zip(reference.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
