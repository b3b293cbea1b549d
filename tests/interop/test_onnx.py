"""minigrad.onnx.export: models checked with onnx.checker and run with onnxruntime (when
installed) give minigrad's outputs to float32 rounding; everything without an export is
refused with an error naming it, and the exporter leaves minigrad exactly as it was."""
import io
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import minigrad.ops.elementwise as elementwise
import nets
from minigrad import nn
from minigrad.nn.functional import linear as imported_linear  # wrapped during export too
from minigrad.nn.functional import relu as imported_relu

onnx = pytest.importorskip("onnx")
from minigrad.onnx import UnsupportedOperatorError, export  # noqa: E402

RNG = np.random.default_rng(5)


def randn(*shape):
    return mg.tensor(RNG.standard_normal(shape).astype(np.float32))


def run_onnx(path, feeds):
    """Outputs of the ONNX file for ``feeds``; None when onnxruntime is not installed."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {k: np.asarray(v) for k, v in feeds.items()})


def reference(model, *xs):
    with mg.no_grad():
        out = model(*xs)
    return [o.numpy() for o in (out if isinstance(out, (tuple, list)) else [out])]


def check(model, *xs, tmp_path, rtol=1e-5, atol=1e-5, run_with=None, **kwargs):
    """Export, check with onnx.checker, run with onnxruntime; compare with minigrad in eval
    mode (on ``run_with`` inputs if given, else the example). Returns the ONNX model."""
    path = tmp_path / "model.onnx"
    modes = [m.training for m in model.modules()]
    proto = export(model, xs if len(xs) > 1 else xs[0], path, **kwargs)
    assert [m.training for m in model.modules()] == modes  # modes restored
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    model.eval()
    inputs = run_with or xs
    names = [i.name for i in proto.graph.input]
    got = run_onnx(path, dict(zip(names, [x.numpy() for x in inputs])))
    if got is not None:
        want = reference(model, *inputs)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    model.train(modes[0])
    return proto


# --------------------------------------------------------------------------- layers


class BNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 5 * 5, 8)
        self.bn1 = nn.BatchNorm1d(8, affine=False)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.bn2(self.conv(x))).flatten(1)
        return self.out(F.relu(self.bn1(self.fc(x))))


def test_mlp_and_initializer_names(tmp_path):
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.Sigmoid(), nn.Linear(16, 3))
    proto = check(model, randn(5, 4), tmp_path=tmp_path)
    assert [i.name for i in proto.graph.initializer] == list(model.state_dict())
    assert [n.op_type for n in proto.graph.node].count("Gemm") == 3


def test_digits_cnn(tmp_path):
    check(nets.digits_cnn(nn), mg.tensor(RNG.random((6, 1, 8, 8)).astype(np.float32)), tmp_path=tmp_path)


def test_batchnorm_exports_its_running_statistics_even_from_training_mode(tmp_path):
    model = BNNet()
    for _ in range(3):
        model(randn(16, 2, 5, 5))  # training: running statistics move away from 0 / 1
    assert model.training
    proto = check(model, randn(4, 2, 5, 5), tmp_path=tmp_path)
    assert model.training  # the export ran in eval mode and restored the mode
    names = {i.name for i in proto.graph.initializer}
    assert {"bn2.running_mean", "bn2.running_var", "bn1.running_mean"} <= names


@pytest.mark.parametrize("layer, shape", [
    (nn.BatchNorm1d(3), (4, 3)), (nn.BatchNorm1d(3), (4, 3, 5)), (nn.LayerNorm(6), (2, 3, 6)),
    (nn.LayerNorm((3, 6), elementwise_affine=False), (2, 3, 6)), (nn.LayerNorm(6, bias=False), (4, 6)),
    (nn.Dropout(0.7), (4, 6)), (nn.Identity(), (4, 6)), (nn.Flatten(), (2, 3, 4, 5)), (nn.Flatten(0, 2), (2, 3, 4, 5)),
    (nn.Flatten(2), (2, 3, 4, 5)), (nn.ReLU(), (4, 6)), (nn.LeakyReLU(0.2), (4, 6)), (nn.Tanh(), (4, 6)),
    (nn.Sigmoid(), (4, 6)), (nn.GELU(), (4, 6)), (nn.GELU("tanh"), (4, 6)), (nn.Softplus(), (4, 6)),
    (nn.Softplus(beta=2.0, threshold=1.0), (4, 6)), (nn.Softmax(dim=1), (4, 6)), (nn.LogSoftmax(dim=0), (4, 6)),
    (nn.MaxPool2d(2), (2, 3, 6, 6)), (nn.MaxPool2d(3, 2, 1), (2, 3, 7, 7)), (nn.AvgPool2d(2), (2, 3, 6, 6)),
    (nn.AvgPool2d(3, 2, 1), (2, 3, 7, 7)), (nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 7)),
    (nn.Conv2d(3, 4, 3), (2, 3, 6, 6)), (nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0)), (2, 3, 7, 6)),
    (nn.Conv2d(3, 4, 3, padding="same", bias=False), (2, 3, 5, 5)), (nn.Conv2d(3, 4, 3), (3, 6, 6)),
    (nn.MaxPool2d(2), (3, 6, 6)), (nn.Linear(6, 2), (2, 3, 6)), (nn.Linear(6, 2, bias=False), (3, 6)),
    (nn.Linear(6, 2), (6,)),
], ids=lambda v: repr(v) if isinstance(v, nn.Module) else str(v))
def test_each_layer(layer, shape, tmp_path):
    if isinstance(layer, nn.BatchNorm1d):
        with mg.no_grad():
            layer.running_mean.copy_(RNG.standard_normal(3).astype(np.float32))
            layer.running_var.copy_(RNG.random(3).astype(np.float32) + 0.5)
    check(layer, randn(*shape), tmp_path=tmp_path)


@pytest.mark.parametrize("opset", [17, 18, 20])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_decomposed_before_opset_20_and_one_node_after(opset, approximate, tmp_path):
    if opset > onnx.defs.onnx_opset_version():
        pytest.skip("the installed onnx is older")
    proto = check(nn.GELU(approximate), randn(3, 7) * 3, tmp_path=tmp_path, opset_version=opset)
    assert ("Gelu" in [n.op_type for n in proto.graph.node]) == (opset >= 20)


def test_embedding_with_integer_input(tmp_path):
    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4, padding_idx=0)
            self.fc = nn.Linear(4, 2)

        def forward(self, idx):
            return self.fc(self.emb(idx).mean(1))

    proto = check(Bag(), mg.tensor(RNG.integers(0, 10, (3, 5))), tmp_path=tmp_path)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64


# --------------------------------------------------------------------------- custom forwards


class Custom(nn.Module):
    """A custom Module whose forward is ``fn(self, x)``, with a Linear, a LayerNorm, a
    parameter and a buffer to use."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        self.fc = nn.Linear(6, 6)
        self.ln = nn.LayerNorm(6)
        self.scale = nn.Parameter(RNG.standard_normal(6).astype(np.float32))
        self.register_buffer("offset", mg.tensor(RNG.standard_normal((1, 6)).astype(np.float32)))

    def forward(self, x):
        return self.fn(self, x)


CUSTOM_FORWARDS = {
    "residual": lambda m, x: x + F.gelu(m.fc(x)),
    "parameter_and_buffer": lambda m, x: m.ln(x) * m.scale + m.offset,
    "scalar_arithmetic": lambda m, x: (1 - x) / 2 + x ** 2 - (-x).abs() * 0.5 + 2 ** x.tanh(),
    "maximum_minimum_clamp": lambda m, x: mg.minimum(mg.maximum(x, x.sigmoid()).clamp(-1.5, 1.5), m.offset),
    "clamp_tensor_bound": lambda m, x: x.clamp(min=m.offset),
    "folded_parameter_math": lambda m, x: x @ (m.fc.weight.T * 2) + m.scale.exp().sum(),
    "reshape_view_transpose": lambda m, x: x.reshape(x.shape[0], 2, 3).transpose(1, 2).view(-1, 6),
    "permute_flatten": lambda m, x: x.reshape(2, -1, 3).permute(2, 0, 1).flatten(),
    "squeeze_unsqueeze": lambda m, x: x.unsqueeze(1).unsqueeze(-1).squeeze(1).squeeze(),
    "cat_stack": lambda m, x: mg.cat([x, x.exp().log(), mg.stack([x, x.sqrt()], dim=1).sum(1)], dim=1),
    "reductions": lambda m, x: x.mean(1, keepdim=True) + x.sum(0) + x.amax(1, keepdim=True) - x.amin() + x.max() + x.logsumexp(1, keepdim=True),
    "softmaxes": lambda m, x: x.softmax(1) + F.log_softmax(x, dim=0) + F.softmax(x, dim=-1),
    "elementwise": lambda m, x: x.sin() + x.cos() + x.erf() + F.leaky_relu(x, 0.3) + x.relu() + F.softplus(x) + (x * x + 1).sqrt(),
    "where_constant_condition": lambda m, x: mg.where(mg.tensor([True, False, True, False, True, False]), x, -x),
    "pad_and_gather": lambda m, x: F.pad(x, (1, 2)).gather(1, mg.tensor([[0, 8, 3]] * x.shape[0])),
    "cast_detach_clone": lambda m, x: x.double().float().detach().clone() + x.data + x.astype("float32"),
    "expand": lambda m, x: x.mean(1, keepdim=True).expand(x.shape[0], 6) + m.offset.broadcast_to(x.shape),
    "matmul_of_activations": lambda m, x: x @ x.T,
    "constant_made_in_forward": lambda m, x: x * mg.ones(6) + mg.arange(6).float(),
    "dropout_functional_eval": lambda m, x: F.dropout(x, 0.5, m.training),
    "names_imported_from_minigrad": lambda m, x: imported_relu(imported_linear(x, m.fc.weight)),
    "batch_norm_functional": lambda m, x: F.batch_norm(x, m.offset.reshape(6), m.scale.abs() + 1, m.scale, None, False),
}


@pytest.mark.parametrize("name", list(CUSTOM_FORWARDS))
def test_custom_forward(name, tmp_path):
    x = mg.tensor(np.abs(RNG.standard_normal((4, 6))).astype(np.float32) + 0.1)
    check(Custom(CUSTOM_FORWARDS[name]), x, tmp_path=tmp_path)


def test_several_inputs_and_outputs_with_names(tmp_path):
    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(5, 2)

        def forward(self, x, y):
            h = self.a(x) + self.b(y)
            return h.softmax(1), h

    proto = check(TwoHeads(), randn(4, 3), randn(4, 5), tmp_path=tmp_path,
                  input_names=["left", "right"], output_names=["probs", "logits"])
    assert [i.name for i in proto.graph.input] == ["left", "right"]
    assert [o.name for o in proto.graph.output] == ["probs", "logits"]


def test_dynamic_batch(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.cnn = nets.digits_cnn(nn)
            self.fc = nn.Linear(10, 4)

        def forward(self, x):
            h = self.cnn(x)
            return self.fc(h.reshape(x.shape[0], -1)).flatten(1)

    model = Net()
    axes = {"input": {0: "batch"}, "output": {0: "batch"}}
    proto = check(model, randn(4, 1, 8, 8), tmp_path=tmp_path, dynamic_axes=axes,
                  run_with=[randn(7, 1, 8, 8)])
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    # PyTorch's list spelling works too
    check(model, randn(4, 1, 8, 8), tmp_path=tmp_path, dynamic_axes={"input": [0], "output": [0]},
          run_with=[randn(2, 1, 8, 8)])


def test_writes_to_a_file_object_and_returns_the_model(tmp_path):
    buf = io.BytesIO()
    proto = export(nn.Linear(3, 2), randn(2, 3), buf)
    assert onnx.load_from_string(buf.getvalue()) == proto


# --------------------------------------------------------------------------- refusals


def function_snapshot():
    """Every function attribute of minigrad's modules and every Tensor/Module attribute."""
    from minigrad.nn.module import Module

    snap = {}
    for name, module in list(sys.modules.items()):
        if module is not None and name.startswith("minigrad"):
            snap.update({(name, k): v for k, v in vars(module).items() if callable(v)})
    for cls in mg.Tensor.__mro__ + (Module, mg.autograd.Function):
        snap.update({(cls.__name__, k): v for k, v in vars(cls).items()})
    return snap


class Square(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        return g


def _setitem(y):
    y[0] = 1.0
    return y


def _inplace(m, x):
    y = x * 2
    y += 1
    return y


REFUSED = {
    "argmax": (lambda m, x: m.fc(x).argmax(1), "op 'argmax' (minigrad.ops.reduction.argmax) has no ONNX export"),
    "indexing": (lambda m, x: x[:, 0], "op 'getitem'"),
    "var": (lambda m, x: x.var(1), "op 'var'"),
    "split": (lambda m, x: x.split(3, 1)[0], "op 'split'"),
    "comparison_in_if": (lambda m, x: x if (x.sum() > 0) else -x, "op 'compare'"),
    "item": (lambda m, x: x * m.fc(x).sum().item(), "item() reads the values of a tensor computed from the input"),
    "numpy": (lambda m, x: mg.tensor(np.tanh(m.fc(x).numpy())), "numpy() reads the values"),
    "float": (lambda m, x: x * float(m.fc(x).sum()), "__float__() reads the values"),
    "copy_into_new_tensor": (lambda m, x: mg.tensor(m.fc(x)) * 2, "copying the values"),
    "inplace": (_inplace, "__iadd__ modifies a tensor computed from the input in place"),
    "setitem": (lambda m, x: _setitem(x * 2), "__setitem__ modifies"),
    "function_saved_before_the_export": (lambda m, x, relu=elementwise.relu: relu(m.fc(x)) + x,
                                         "computed from the input by an op the exporter did not see"),
    "constant_output": (lambda m, x: m.scale * 2, "output 'output' does not depend on the input"),
    "custom_function": (lambda m, x: Square.apply(m.fc(x)), "custom autograd Function Square"),
    "dropout_training": (lambda m, x: F.dropout(x, 0.5), "dropout with training=True"),
    "max_with_dim": (lambda m, x: x.max(1)[0], "max/min with dim"),
    "loss_layer": (lambda m, x: nn.MSELoss()(x, x * 2), "layer MSELoss has no ONNX export"),
    "logical_not": (lambda m, x: ~(x.detach() > 0), "op 'compare'"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_unsupported_ops_and_layers_are_refused_naming_them(name, tmp_path):
    fn, message = REFUSED[name]
    model = nn.Sequential(nn.Linear(6, 6), Custom(fn))
    before = function_snapshot()
    with pytest.raises(UnsupportedOperatorError) as info:
        export(model, randn(4, 6), tmp_path / "m.onnx")
    assert message in str(info.value)
    if not name.endswith("output"):
        assert "in module 1 (Custom.forward)" in str(info.value)
    assert function_snapshot() == before  # every wrapper removed again
    assert model.training and all(m.training for m in model.modules())
    assert not (tmp_path / "m.onnx").exists()


def test_batchnorm_without_running_statistics_is_refused(tmp_path):
    with pytest.raises(UnsupportedOperatorError, match=r"batch statistics.*in module \(the model\)"):
        export(nn.BatchNorm1d(3, track_running_stats=False), randn(4, 3), tmp_path / "m.onnx")


def test_tensor_methods_are_all_classified():
    """A Tensor method the tracer does not know could read or change values unseen; any new
    method must be classified in minigrad/onnx/_trace.py first."""
    from minigrad.onnx._trace import tensor_method_kinds

    kinds = tensor_method_kinds()
    assert [k for k, v in kinds.items() if v == "unknown"] == []
    assert kinds["numpy"] == "reader" and kinds["add_"] == "inplace" and kinds["__add__"] == "op"


def test_normal_runs_are_untouched_after_an_export(tmp_path):
    before = function_snapshot()
    export(nets.digits_cnn(nn), randn(2, 1, 8, 8), tmp_path / "m.onnx")
    assert function_snapshot() == before


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(opset_version=16), ValueError, r"opset_version must be an int in \[17"),
    (dict(opset_version=10 ** 6), ValueError, "opset_version"),
    (dict(input_names=["a", "b"]), ValueError, "input_names must be 1 distinct"),
    (dict(output_names=["input"]), ValueError, "also an input name"),
    (dict(dynamic_axes={"x": [0]}), ValueError, "neither input nor output names"),
    (dict(dynamic_axes={"input": [5]}), ValueError, "dynamic axis 5 of 'input' is out of range"),
    (dict(dynamic_axes={"input": 0}), TypeError, "must be a list of axes"),
])
def test_bad_arguments(kwargs, error, message, tmp_path):
    with pytest.raises(error, match=message):
        export(nn.Linear(3, 2), randn(2, 3), tmp_path / "m.onnx", **kwargs)
    assert not (tmp_path / "m.onnx").exists()


def test_bad_models_and_inputs(tmp_path):
    with pytest.raises(TypeError, match="model must be a minigrad.nn.Module"):
        export(lambda x: x, randn(2), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="example input 0 must be a Tensor or numpy array, got list"):
        export(nn.Linear(3, 2), [[1.0, 2.0, 3.0]], tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="forward must return a Tensor"):
        export(Custom(lambda m, x: {"y": x}), randn(2, 6), tmp_path / "m.onnx")


def test_missing_onnx_package_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes `import onnx` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'minigrad\[onnx\]'"):
        export(nn.Linear(3, 2), randn(2, 3), tmp_path / "m.onnx")
