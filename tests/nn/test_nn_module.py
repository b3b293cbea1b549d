"""Module mechanics: registration, traversal, repr, modes, gradients, dtype conversion,
containers, and state_dict / load_state_dict including every error path."""
import copy

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.scale = nn.Parameter(mg.ones(4))
        self.register_buffer("steps", mg.zeros(1))
        self.register_buffer("scratch", mg.zeros(2), persistent=False)
        self.plain = [1, 2]  # not registered

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.ReLU(), nn.Dropout(0.1), nn.Linear(4, 2))

    def forward(self, x):
        return self.head(self.block(x))


def test_parameter_is_a_tensor_that_shares_data():
    t = mg.randn(3)
    p = nn.Parameter(t)
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.is_leaf
    assert p.detach().numpy() is t.detach().numpy()
    assert not hasattr(p, "__dict__")
    assert nn.Parameter(mg.randn(2), requires_grad=False).requires_grad is False
    assert repr(p).startswith("Parameter containing:\ntensor(")
    with pytest.raises(TypeError, match="floating-point"):
        nn.Parameter(mg.tensor([1, 2]))


def test_registration_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["block.scale", "block.fc.weight", "block.fc.bias", "block.bn.weight",
                     "block.bn.bias", "head.2.weight", "head.2.bias"]
    assert len(list(net.parameters())) == 7
    assert [n for n, _ in net.named_buffers()] == [
        "block.steps", "block.scratch", "block.bn.running_mean", "block.bn.running_var",
        "block.bn.num_batches_tracked"]
    assert [n for n, _ in net.named_children()] == ["block", "head"]
    assert [n for n, _ in net.named_modules()] == [
        "", "block", "block.fc", "block.bn", "head", "head.0", "head.1", "head.2"]
    assert len(list(net.modules())) == 8
    assert net.get_submodule("head.2") is net.head[2]
    assert [n for n, _ in net.block.named_parameters(recurse=False)] == ["scale"]
    assert net(mg.randn(5, 3)).shape == (5, 2)


def test_reassignment_and_deletion_update_registries():
    m = Block()
    m.fc = nn.Linear(3, 5)
    assert m._modules["fc"].out_features == 5
    m.scale = None
    assert all(p is not None for p in m.parameters())
    assert "scale" not in [n for n, _ in m.named_parameters()]
    with pytest.raises(TypeError, match="parameter 'scale'"):
        m.scale = mg.ones(4)
    with pytest.raises(TypeError, match="child module 'fc'"):
        m.fc = 3
    del m.fc
    assert "fc" not in m._modules and not hasattr(m, "fc")
    m.steps = mg.ones(1)
    assert m._buffers["steps"] is m.steps


def test_shared_parameter_listed_once():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 3


def test_assignment_before_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Bad()


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="'.'"):
        m.register_buffer("a.b", mg.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        m.register_buffer("x", np.zeros(1))
    with pytest.raises(TypeError, match="Parameter or None"):
        m.register_parameter("w", mg.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("train", mg.zeros(1))
    with pytest.raises(NotImplementedError, match="forward"):
        m(1)


def test_repr_nested_like_pytorch():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(),
                        nn.Sequential(nn.Flatten(), nn.Linear(8, 2, bias=False)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Flatten(start_dim=1, end_dim=-1)\n"
        "    (1): Linear(in_features=8, out_features=2, bias=False)\n"
        "  )\n"
        ")")
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.BatchNorm1d(3)) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, "
                                       "track_running_stats=True)")


def test_train_eval_propagates():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="bool"):
        net.train("no")


def test_zero_grad_set_to_none_and_in_place():
    net = Net()
    net(mg.randn(4, 3)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None for g in grads)
    net.zero_grad(set_to_none=False)
    assert all(p.grad is g and np.all(g.detach().numpy() == 0) for p, g in zip(net.parameters(), grads))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_double_float_in_place():
    net = Net()
    params = list(net.parameters())
    net(mg.randn(4, 3)).sum().backward()
    assert net.double() is net
    assert all(a is b for a, b in zip(params, net.parameters()))
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert net.block.bn.running_mean.dtype == np.float64
    assert net.block.bn.num_batches_tracked.dtype == np.int64
    assert net(mg.randn(4, 3, dtype=mg.float64)).dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.to("cpu") is net and net.to(dtype="float64") is net
    with pytest.raises(TypeError, match="floating-point"):
        net.to(mg.int64)


def test_requires_grad_and_apply():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and "Linear" in seen


# ----- containers -------------------------------------------------------------------------
def test_sequential_indexing_len_iteration_append():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and list(seq) == [a, b, c]
    assert seq[0] is a and seq[-1] is c
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    seq[0] = nn.Linear(2, 3)
    assert seq[0] is not a
    with pytest.raises(TypeError, match="expected a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    from collections import OrderedDict
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    assert named(mg.randn(3, 2)).shape == (3, 2)


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    ml.insert(0, nn.Tanh())
    assert isinstance(ml[0], nn.Tanh) and isinstance(ml[-1], nn.ReLU)
    del ml[0]
    assert [n for n, _ in ml.named_children()] == ["0", "1", "2", "3"]
    assert "ModuleList(" in repr(ml)
    md = nn.ModuleDict({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
    assert list(md) == ["enc", "dec"] and "enc" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()][0] == "enc.weight"
    with pytest.raises(KeyError, match="no key 'mid'"):
        md["mid"]
    md.pop("enc")
    assert list(md.keys()) == ["dec"]


def test_identity():
    x = mg.randn(2)
    assert nn.Identity(54, unused="x")(x) is x


# ----- state_dict -------------------------------------------------------------------------
def test_state_dict_keys_sharing_and_round_trip():
    mg.manual_seed(0)
    net = Net()
    net(mg.randn(8, 3))  # moves the running statistics
    sd = net.state_dict()
    assert list(sd) == ["block.scale", "block.steps", "block.fc.weight", "block.fc.bias",
                        "block.bn.weight", "block.bn.bias", "block.bn.running_mean",
                        "block.bn.running_var", "block.bn.num_batches_tracked",
                        "head.2.weight", "head.2.bias"]
    # as PyTorch: detached tensors sharing the module's memory
    assert all(isinstance(v, mg.Tensor) and not v.requires_grad for v in sd.values())
    assert sd["block.fc.weight"].size() == (4, 3)
    assert np.shares_memory(sd["block.fc.weight"].numpy(), net.block.fc.weight.detach().numpy())
    assert net.state_dict(keep_vars=True)["block.fc.weight"] is net.block.fc.weight
    assert list(net.block.state_dict(prefix="b.")) [0] == "b.scale"
    other = Net()
    arrays = [p.detach().numpy() for p in other.parameters()]
    result = other.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    # copied in place: the very same arrays hold the new values
    assert all(p.detach().numpy() is a for p, a in zip(other.parameters(), arrays))
    x = mg.randn(5, 3)
    net.eval(), other.eval()
    np.testing.assert_array_equal(net(x).data, other(x).data)
    snapshot = copy.deepcopy(sd)
    with mg.no_grad():
        net.block.fc.weight.zero_()
    assert np.all(sd["block.fc.weight"].numpy() == 0)  # shares memory
    assert not np.all(snapshot["block.fc.weight"].numpy() == 0)  # a deep copy does not


def test_state_dict_round_trip_through_save_load(tmp_path):
    mg.manual_seed(1)
    net = Net()
    net(mg.randn(8, 3))
    mg.save(net.state_dict(), tmp_path / "ckpt.npz")
    other = Net()
    other.load_state_dict(mg.load(tmp_path / "ckpt.npz"))
    net.eval(), other.eval()
    x = mg.randn(6, 3)
    np.testing.assert_array_equal(net(x).data, other(x).data)


def test_load_state_dict_accepts_tensors_and_casts_dtype():
    lin = nn.Linear(2, 2)
    lin.load_state_dict({"weight": mg.ones(2, 2, dtype=mg.float64), "bias": [1, 2]})
    assert lin.weight.dtype == np.float32 and np.all(lin.weight.detach().numpy() == 1)
    np.testing.assert_array_equal(lin.bias.detach().numpy(), [1, 2])


def _snapshot(m):
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def _assert_unchanged(m, snap):
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, snap[k])


def test_load_state_dict_reports_all_problems_at_once_and_leaves_model_unchanged():
    net = Net()
    snap = _snapshot(net)
    bad = Net().state_dict()
    bad["block.fc.bias"] = bad["block.fc.bias"] + 5      # a valid change, must not be applied
    del bad["head.2.bias"]                                 # missing
    bad["head.3.weight"] = np.zeros(2)                     # unexpected
    bad["block.fc.weight"] = np.zeros((3, 4))              # shape mismatch (model: 4x3)
    bad["block.bn.num_batches_tracked"] = np.array(1.5)    # float into an int64 buffer
    with pytest.raises(nn.StateDictError) as info:
        net.load_state_dict(bad)
    msg = str(info.value)
    assert "missing keys: 'head.2.bias'" in msg
    assert "unexpected keys: 'head.3.weight'" in msg
    assert "'block.fc.weight': shape (3, 4) in the checkpoint, (4, 3) in the model" in msg
    assert "'block.bn.num_batches_tracked'" in msg and "float64" in msg
    assert "not modified" in msg
    assert info.value.missing_keys == ["head.2.bias"]
    assert info.value.unexpected_keys == ["head.3.weight"]
    assert [k for k, _ in info.value.mismatches] == ["block.fc.weight", "block.bn.num_batches_tracked"]
    assert isinstance(info.value, RuntimeError)
    _assert_unchanged(net, snap)


@pytest.mark.parametrize("problem", ["missing", "unexpected", "shape"])
def test_each_load_error_alone_leaves_model_unchanged(problem):
    net = Net()
    snap = _snapshot(net)
    sd = {k: v + 1 if v.dtype.kind == "f" else v for k, v in Net().state_dict().items()}
    if problem == "missing":
        del sd["block.bn.running_var"]
        match = "missing keys: 'block.bn.running_var'"
    elif problem == "unexpected":
        sd["extra"] = np.zeros(1)
        match = "unexpected keys: 'extra'"
    else:
        sd["head.2.bias"] = np.zeros(3)
        match = "shape \\(3,\\) in the checkpoint, \\(2,\\) in the model"
    with pytest.raises(nn.StateDictError, match=match):
        net.load_state_dict(sd)
    _assert_unchanged(net, snap)


def test_load_state_dict_non_strict():
    net = Net()
    sd = Net().state_dict()
    del sd["head.2.bias"]
    sd["extra"] = np.zeros(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["head.2.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net.head[2].weight.detach().numpy(), sd["head.2.weight"])
    # shape mismatches are errors even when not strict
    sd["head.2.weight"] = np.zeros((1, 1))
    with pytest.raises(nn.StateDictError, match="head.2.weight"):
        net.load_state_dict(sd, strict=False)


def test_load_state_dict_rejects_non_mapping_and_non_array_values():
    lin = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="dict"):
        lin.load_state_dict([1, 2])
    with pytest.raises(nn.StateDictError, match="'weight'"):
        lin.load_state_dict({"weight": "abc", "bias": np.zeros(1)})


def test_deepcopy_gives_independent_parameters():
    import copy
    net = Net()
    clone = copy.deepcopy(net)
    p, q = net.block.fc.weight, clone.block.fc.weight
    assert isinstance(q, nn.Parameter) and q is clone.block.fc._parameters["weight"]
    assert not np.shares_memory(p.detach().numpy(), q.detach().numpy())
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_shared_module_appears_under_each_path_in_state_dict():
    a = nn.Linear(2, 2)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as torch
    sd = seq.state_dict()
    sd["0.weight"][...] = 1
    sd["2.weight"][...] = 1
    seq.load_state_dict(sd)
    assert np.all(a.weight.detach().numpy() == 1)


def test_package_exports():
    for name in nn.__all__:
        if name == "utils" and not hasattr(nn, "utils"):
            continue  # gradient clipping ships with the optimizers
        assert hasattr(nn, name), name
    assert nn.functional is F_module() and nn.init.kaiming_uniform_


def F_module():
    import minigrad.nn.functional as F
    return F
