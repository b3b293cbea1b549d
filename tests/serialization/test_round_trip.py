"""minigrad.save / minigrad.load: what round-trips, sharing and aliases, paths, and what save
refuses (naming the key path)."""
import io
import json
import os
from collections import Counter, OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest
from checkpoint_cases import assert_same, model_and_optimizer_state
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.serialization import MAX_DEPTH, load, save

# --------------------------------------------------------------------------- round trips


def test_round_trip_of_model_and_optimizer_state(tmp_path):
    state = model_and_optimizer_state()
    save(state, tmp_path / "ckpt.npz")
    assert_same(state, load(tmp_path / "ckpt.npz"))


def test_round_trip_of_every_supported_leaf_type(tmp_path):
    obj = {
        "none": None, "true": True, "false": False, "zero": 0, "int": -12, "big": 2**80,
        "huge": -(10**5000), "int64_edges": [2**63 - 1, -(2**63) + 1, 2**63, -(2**63)],
        "float": 0.1, "neg_zero": -0.0, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"),
        "str": "", "unicode": "Grüße 🎉", "surrogate": "\ud800", "bytes": b"\x00\xff", "empty_list": [],
        "empty_tuple": (), "empty_dict": {}, "nested": [(1, [2, (3,)]), {"a": {"b": {"c": []}}}],
        "f16": np.arange(3, dtype=np.float16), "i8": np.array([-1, 2], np.int8), "u8": np.arange(4, dtype=np.uint8),
        "bool": np.array([True, False]), "c128": np.array([1 + 2j]), "zero_d": np.array(3.5),
        "empty_array": np.zeros((0, 3)), "non_contiguous": np.arange(12.0).reshape(3, 4).T[:, ::2],
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "big_endian": np.arange(3, dtype=">f8"),
        "str_array": np.array(["ab", "c"]), "datetime": np.array(["2024-01-01"], "datetime64[D]"),
        "structured": np.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f8", (2,))]),
        "np_f32": np.float32(0.1), "np_i64": np.int64(-5), "np_bool": np.bool_(True), "np_nan": np.float64("nan"),
    }
    save(obj, tmp_path / "leaves")
    assert_same(obj, load(tmp_path / "leaves"))


def test_ordered_dicts_and_counters_keep_their_type(tmp_path):
    """Module.state_dict() returns an OrderedDict and MultiStepLR keeps a Counter, as PyTorch."""
    from minigrad import nn

    state = nn.Linear(2, 3).state_dict()
    assert type(state) is OrderedDict
    obj = {"model": state, "plain": {"b": 1, "a": 2}, "milestones": Counter([3, 3, 5])}
    save(obj, tmp_path / "c")
    assert_same(obj, load(tmp_path / "c"))


def test_dict_keys_keep_their_types(tmp_path):
    obj = {0: "int", "0": "str", 1.5: "float", True: "bool", None: "none", (1, "a"): "tuple", (): "empty",
           float("inf"): "inf", 2**70: "big", np.int32(3): "np", ((1, 2), 3): "nested tuple"}
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


def test_parameters_come_back_as_parameters(tmp_path):
    from minigrad import nn

    p, frozen = nn.Parameter(minigrad.tensor([1.0, 2.0])), nn.Parameter(minigrad.tensor([3.0]), requires_grad=False)
    save({"p": p, "frozen": frozen, "d": p.detach()}, tmp_path / "p")
    back = load(tmp_path / "p")
    assert_same({"p": p, "frozen": frozen, "d": p.detach()}, back)
    assert type(back["p"]) is nn.Parameter and type(back["d"]) is minigrad.Tensor


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


def test_loaded_state_gives_identical_outputs(tmp_path):
    rng = np.random.default_rng(1)
    w = minigrad.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    x = minigrad.tensor(rng.standard_normal((7, 5)))
    save({"w": w}, tmp_path / "w")
    w2 = load(tmp_path / "w")["w"]
    np.testing.assert_array_equal((x @ w2).tanh()._data, (x @ w).tanh()._data)


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
    state = {"zeros": np.zeros((100, 100)), "t": minigrad.tensor(np.ones(50), requires_grad=True)}
    save(state, tmp_path / "plain")
    save(state, tmp_path / "small", compress=True)
    assert_same(state, load(tmp_path / "small"))
    assert os.path.getsize(tmp_path / "small") < os.path.getsize(tmp_path / "plain") / 10


def test_checkpoint_is_a_plain_npz_readable_without_pickle(tmp_path):
    save({"w": np.arange(3.0), "lr": 0.1}, tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz", allow_pickle=False) as z:
        manifest = json.loads(z["__minigrad__"].tobytes())
        assert manifest["format"] == "minigrad-checkpoint" and manifest["version"] == 2
        assert manifest["arrays"] == [{"dtype": "<f8", "shape": [3]}]  # what load cross-checks
        np.testing.assert_array_equal(z["a0"], np.arange(3.0))


def test_top_level_save_and_load():
    assert minigrad.save is save and minigrad.load is load


# --------------------------------------------------------------------------- sharing and aliases


def test_an_object_reached_twice_comes_back_as_one_object(tmp_path):
    a = np.arange(1000.0)
    t = minigrad.tensor([1.0, 2.0], requires_grad=True)
    shared = [1, 2]
    save({"x": a, "y": a, "tied": [t, t], "l1": shared, "l2": shared}, tmp_path / "shared")
    back = load(tmp_path / "shared")
    assert back["x"] is back["y"] and back["tied"][0] is back["tied"][1]
    assert back["l1"] is back["l2"] and back["l1"] == [1, 2]  # as pickle / torch.save
    with np.load(tmp_path / "shared", allow_pickle=False) as z:
        assert len(z.files) == 3  # manifest + one array + one tensor


def test_detached_alias_loads_as_its_own_tensor_sharing_memory(tmp_path):
    """save({"w": w, "d": w.detach()}): two tensors, d without grad, one memory (PyTorch)."""
    w = minigrad.tensor(np.arange(4.0), requires_grad=True)
    save({"w": w, "d": w.detach(), "w_again": w}, tmp_path / "alias")
    back = load(tmp_path / "alias")
    w2, d2 = back["w"], back["d"]
    assert w2 is back["w_again"] and w2 is not d2
    assert w2.requires_grad and not d2.requires_grad and d2.is_leaf
    d2._data[0] = 100.0
    assert w2._data[0] == 100.0  # one memory


def test_aliases_match_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    w = minigrad.tensor(np.arange(4.0), requires_grad=True)
    tw = torch.arange(4.0, requires_grad=True)
    save({"w": w, "d": w.detach(), "w2": w}, tmp_path / "m")
    buf = io.BytesIO()
    torch.save({"w": tw, "d": tw.detach(), "w2": tw}, buf)
    buf.seek(0)
    ours, theirs = load(tmp_path / "m"), torch.load(buf)
    for key in ("w", "d", "w2"):
        assert ours[key].requires_grad == theirs[key].requires_grad
    assert (ours["w"] is ours["w2"]) == (theirs["w"] is theirs["w2"]) is True
    assert (ours["w"] is ours["d"]) == (theirs["w"] is theirs["d"]) is False
    same_storage = theirs["w"].untyped_storage().data_ptr() == theirs["d"].untyped_storage().data_ptr()
    assert np.shares_memory(ours["w"]._data, ours["d"]._data) == same_storage is True


def test_overlapping_views_share_memory_exactly_where_they_overlapped(tmp_path):
    base = np.arange(20.0)
    t = minigrad.from_numpy(base[2:12]).requires_grad_()  # shares base's memory
    obj = {"base": base, "head": base[:5], "tail": base[10:], "strided": base[::3],
           "t": t, "t_view": base[4:8].reshape(2, 2), "transposed": base[:6].reshape(2, 3).T,
           "alone": np.ones(3)}
    save(obj, tmp_path / "views")
    back = load(tmp_path / "views")
    assert_same(obj, back)
    arrays = {k: (v._data if isinstance(v, minigrad.Tensor) else v) for k, v in obj.items()}
    loaded = {k: (v._data if isinstance(v, minigrad.Tensor) else v) for k, v in back.items()}
    for a in arrays:
        for b in arrays:
            assert np.shares_memory(loaded[a], loaded[b]) == np.shares_memory(arrays[a], arrays[b]), (a, b)
    loaded["head"][4] = -1.0  # element 4 of the base: seen through base, t and t_view
    assert loaded["base"][4] == -1.0 and loaded["t"][2] == -1.0 and loaded["t_view"][0, 0] == -1.0


def test_parameters_in_an_optimizers_flat_buffer_load_separately(tmp_path):
    """Parameters are views into one flat buffer once an optimizer exists; they share no
    element, so they are stored and loaded independently (PyTorch would keep a storage)."""
    ps = [minigrad.tensor(np.ones(3), requires_grad=True) for _ in range(3)]
    minigrad.optim.SGD(ps, lr=0.1)
    assert ps[0]._data.base is ps[1]._data.base
    save(ps, tmp_path / "flat")
    back = load(tmp_path / "flat")
    assert not np.shares_memory(back[0]._data, back[1]._data)
    with np.load(tmp_path / "flat", allow_pickle=False) as z:
        assert [z[f"a{i}"].shape for i in range(3)] == [(3,)] * 3


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("name", ["ckpt", "ckpt.npz", "model.ckpt", "weights.pt"])
def test_path_is_used_exactly_as_given(tmp_path, name):
    save({"a": 1}, tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == [name]  # no ".npz" appended, no temp file left
    assert load(tmp_path / name) == {"a": 1}


def test_str_and_bytes_paths_and_overwriting(tmp_path):
    path = str(tmp_path / "c")
    save({"v": 1}, path)
    save({"v": 2}, os.fsencode(path))
    assert load(os.fsencode(path)) == {"v": 2} and load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["c"]


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    save({"a": np.arange(3)}, buf)
    buf.seek(0)
    np.testing.assert_array_equal(load(buf)["a"], np.arange(3))


def test_file_object_read_from_its_current_position():
    buf = io.BytesIO(b"a header of another format ")
    start = buf.tell()
    save({"a": 1}, buf)
    buf.seek(start)
    assert load(buf) == {"a": 1}


# --------------------------------------------------------------------------- what save refuses

Point = namedtuple("Point", "x y")


class MyTensor(minigrad.Tensor):
    __slots__ = ()


@pytest.mark.parametrize(
    "obj, where, what",
    [
        ({"opt": {"fn": lambda x: x}}, "obj['opt']['fn']", "function"),
        ({"groups": [{"lr": 0.1}, {"sched": object()}]}, "obj['groups'][1]['sched']", "object"),
        ([1, {2, 3}], "obj[1]", "set"),
        ({"a": np.array([1, "x", None], dtype=object)}, "obj['a']", "dtype object"),
        ({"c": 1 + 2j}, "obj['c']", "complex"),
        ({frozenset(): 1}, "obj[frozenset()]", "key"),
        ({"m": {"mask": np.ma.masked_array([1.0, 2.0], mask=[True, False])}}, "obj['m']['mask']", "MaskedArray"),
        ({"d": defaultdict(list)}, "obj['d']", "dict subclass 'defaultdict'"),
        ({"t": [MyTensor([1.0])]}, "obj['t'][0]", "Tensor subclass 'MyTensor'"),
        ([Point(1, 2)], "obj[0]", "tuple subclass 'Point'"),
        ({"rec": np.rec.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])}, "obj['rec']", "subclass 'recarray'"),
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


def _nested(depth, obj="leaf"):
    for _ in range(depth):
        obj = [obj]
    return obj


def test_nesting_up_to_max_depth_round_trips_and_deeper_is_refused(tmp_path):
    save(_nested(MAX_DEPTH), tmp_path / "ok")
    assert load(tmp_path / "ok") == _nested(MAX_DEPTH)
    with pytest.raises(ValueError, match=r"obj(\[0\]){100}: containers nested more than 100 levels") as info:
        save(_nested(MAX_DEPTH + 1), tmp_path / "deep")
    assert not isinstance(info.value, RecursionError)
    with pytest.raises(ValueError, match="nested more than 100"):
        save(_nested(100_000), tmp_path / "deeper")  # no RecursionError either
    assert os.listdir(tmp_path) == ["ok"]


def test_shared_subtree_counts_its_deepest_path(tmp_path):
    """A container reached at two depths nests as deep as its deepest place; save refuses
    what load would refuse."""
    inner = _nested(60)
    with pytest.raises(ValueError, match="nested more than 100"):
        save({"shallow": inner, "deep": _nested(45, inner)}, tmp_path / "c")
    save({"shallow": inner, "deep": _nested(38, inner)}, tmp_path / "c")  # 1 + 38 + 60 levels
    assert load(tmp_path / "c") == {"shallow": inner, "deep": _nested(38, inner)}


def test_checkpoint_loads_from_a_deep_call_stack(tmp_path):
    save(_nested(MAX_DEPTH), tmp_path / "c")

    def at_depth(n):
        return at_depth(n - 1) if n else load(tmp_path / "c")

    import sys
    assert at_depth(sys.getrecursionlimit() - 200) == _nested(MAX_DEPTH)


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
    np.testing.assert_array_equal(resumed(x)._data, model(x)._data)  # outputs reproduced exactly
    model.train(), resumed.train()

    _train(resumed, resumed_opt, loader(), 10)
    for (name, a), b in zip(reference.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
