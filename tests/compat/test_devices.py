"""Devices as PyTorch's, on a library that runs on the CPU only: descriptors build, the CPU
works everywhere, any other device is a clear error naming it."""
import pickle

import numpy as np
import pytest

import minigrad as mg


def test_device_descriptor_matches_torch():
    torch = pytest.importorskip("torch")
    for args in [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda", 1), ("cuda:1",), ("mps",)]:
        m, t = mg.device(*args), torch.device(*args)
        assert (m.type, m.index, repr(m), str(m)) == (t.type, t.index, repr(t), str(t))
    assert mg.device(mg.device("cpu", 0)) == mg.device("cpu:0")
    assert mg.device("cpu") != mg.device("cpu", 0)
    # as in PyTorch, a device never equals a string (compare str(d) or d.type)
    assert (mg.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert hash(mg.device("cpu")) == hash(mg.device("cpu"))
    assert pickle.loads(pickle.dumps(mg.device("cpu", 0))) == mg.device("cpu", 0)


@pytest.mark.parametrize("bad,message", [("foo", "expected one of"), ("cpu:x", "invalid device string"),
                                         (("cpu", -1), "must not be negative"),
                                         (0, "accelerator index")])
def test_bad_device_strings(bad, message):
    with pytest.raises(RuntimeError, match=message):
        mg.device(*bad) if isinstance(bad, tuple) else mg.device(bad)


def test_tensor_device_and_moves():
    x = mg.ones(2, 3)
    assert x.device == mg.device("cpu") and not x.is_cuda and x.get_device() == -1
    assert x.cpu() is x and x.to("cpu") is x and x.to(mg.device("cpu")) is x
    assert x.to("cpu", copy=True) is not x
    assert x.to("cpu", mg.float64).dtype == np.float64
    assert x.to(device="cpu", dtype=mg.float64, non_blocking=True).dtype == np.float64
    assert x.to(mg.zeros(1, dtype=mg.int32)).dtype == np.int32
    assert x.to(mg.float64, True).dtype == np.float64  # to(dtype, non_blocking)


@pytest.mark.parametrize("call", [
    lambda: mg.ones(2).to("cuda"), lambda: mg.ones(2).to("cuda:0", mg.float64),
    lambda: mg.ones(2).cuda(), lambda: mg.zeros(2, device="cuda"),
    lambda: mg.tensor([1.0], device="mps"), lambda: mg.randn(3, device=mg.device("cuda", 1)),
    lambda: mg.arange(3, device="cuda"), lambda: mg.ones(2).new_zeros(3, device="cuda"),
    lambda: mg.nn.Linear(2, 3).to("cuda"), lambda: mg.nn.Linear(2, 3).cuda(),
    lambda: mg.set_default_device("cuda"),
    lambda: mg.nn.Linear(2, 3, device="cuda"), lambda: mg.nn.Conv2d(1, 1, 3, device="cuda"),
    lambda: mg.nn.BatchNorm1d(3, device="cuda"), lambda: mg.nn.LayerNorm(3, device="cuda"),
    lambda: mg.nn.Embedding(3, 2, device="cuda"), lambda: mg.nn.LSTM(2, 3, device="cuda"),
    lambda: mg.nn.PReLU(device="cuda"),
])
def test_other_devices_are_clear_errors(call):
    with pytest.raises(RuntimeError, match="is not available: minigrad runs on the CPU only"):
        call()


def test_layers_take_device_and_the_default_dtype():
    for layer in [mg.nn.Linear(2, 3, device="cpu"), mg.nn.Conv2d(1, 1, 3, device="cpu"),
                  mg.nn.BatchNorm1d(3, device="cpu"), mg.nn.LayerNorm(3, device="cpu"),
                  mg.nn.Embedding(3, 2, device="cpu"), mg.nn.GRU(2, 3, device="cpu"),
                  mg.nn.PReLU(device="cpu")]:
        assert all(p.device.type == "cpu" for p in layer.parameters())
    mg.set_default_dtype(mg.float64)
    try:
        for layer in [mg.nn.Linear(2, 3), mg.nn.LSTM(2, 3), mg.nn.GRUCell(2, 3), mg.nn.PReLU(),
                      mg.nn.Embedding(3, 2), mg.nn.BatchNorm2d(2)]:
            assert all(p.dtype == np.float64 for p in layer.parameters())
    finally:
        mg.set_default_dtype(mg.float32)


def test_device_keyword_on_creation_functions():
    for t in [mg.zeros(2, device="cpu"), mg.ones(2, device=mg.device("cpu")),
              mg.empty(2, device="cpu:0"), mg.full((2,), 1.0, device="cpu"),
              mg.arange(3, device="cpu"), mg.linspace(0, 1, 3, device="cpu"),
              mg.eye(2, device="cpu"), mg.rand(2, device="cpu"), mg.randn(2, device="cpu"),
              mg.randint(3, (2,), device="cpu"), mg.tensor([1.0], device="cpu"),
              mg.zeros_like(mg.ones(2), device="cpu"), mg.randperm(3, device="cpu"),
              mg.Tensor(2, device="cpu"), mg.as_tensor([1.0], device="cpu")]:
        assert t.device.type == "cpu"


def test_cuda_backends_and_accelerator_probes():
    torch = pytest.importorskip("torch")
    assert mg.cuda.is_available() is False and mg.cuda.device_count() == 0
    mg.cuda.manual_seed(0)
    mg.cuda.manual_seed_all(0)
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        mg.cuda.current_device()
    assert mg.backends.mps.is_available() is False and mg.backends.mps.is_built() is False
    assert mg.backends.cudnn.deterministic is torch.backends.cudnn.deterministic is False
    mg.backends.cudnn.deterministic = True
    mg.backends.cudnn.benchmark = True
    try:
        assert mg.backends.cudnn.deterministic and mg.backends.cudnn.benchmark
    finally:
        mg.backends.cudnn.deterministic = False
        mg.backends.cudnn.benchmark = False
    assert mg.accelerator.is_available() is False and mg.accelerator.current_accelerator() is None


def test_default_device():
    assert mg.get_default_device() == mg.device("cpu")
    mg.set_default_device("cpu")
    mg.set_default_device(None)
    assert mg.get_default_device() == mg.device("cpu")
