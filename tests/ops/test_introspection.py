"""finfo, iinfo, Size, dtype promotion, tensor predicates, numel/clone, memory formats and the
complex-number functions of real tensors (minigrad/ops/introspection.py). Tensor methods and
the process-wide settings are in test_introspection_methods.py."""
import math
import pickle

import numpy as np
import pytest

import minigrad as mg

FLOATS = [mg.float16, mg.float32, mg.float64]
INTS = [mg.uint8, mg.int8, mg.int16, mg.int32, mg.int64]
ALL = [mg.bool] + INTS + FLOATS


@pytest.fixture
def default_dtype():
    saved = mg.get_default_dtype()
    yield
    mg.set_default_dtype(saved)


def _torch_dtype(torch, dt):
    return getattr(torch, np.dtype(dt).name)


# ----- finfo / iinfo ----------------------------------------------------------------------------
def test_finfo_float32_known_values():
    # IEEE single precision, written out rather than read from numpy
    f = mg.finfo(mg.float32)
    assert f.bits == 32
    assert f.eps == 2.0 ** -23
    assert f.max == (2 - 2.0 ** -23) * 2.0 ** 127 and f.min == -f.max
    assert f.tiny == f.smallest_normal == 2.0 ** -126
    assert f.resolution == 1e-06
    assert f.dtype == "float32"
    assert isinstance(f.eps, float)


def test_finfo_float16_and_float64_known_values():
    h = mg.finfo(mg.half)
    assert (h.bits, h.eps, h.max, h.tiny, h.resolution) == (16, 2.0 ** -10, 65504.0,
                                                           2.0 ** -14, 0.001)
    d = mg.finfo("double")
    assert (d.bits, d.eps, d.tiny, d.resolution) == (64, 2.0 ** -52, 2.0 ** -1022, 1e-15)
    assert d.max == np.finfo(np.float64).max


def test_finfo_default_dtype_and_spellings(default_dtype):
    assert mg.finfo().dtype == "float32" and mg.finfo(None).bits == 32
    mg.set_default_dtype(mg.float64)
    assert mg.finfo().dtype == "float64"
    t = mg.ones(2, dtype=mg.float16)
    assert mg.finfo(t.dtype).bits == 16
    assert mg.finfo(np.dtype("float32")).eps == mg.finfo(mg.float).eps


def test_iinfo_known_values():
    assert (mg.iinfo(mg.int64).min, mg.iinfo(mg.int64).max) == (-2 ** 63, 2 ** 63 - 1)
    assert (mg.iinfo(mg.uint8).min, mg.iinfo(mg.uint8).max, mg.iinfo(mg.uint8).bits) == (0, 255, 8)
    assert (mg.iinfo(mg.int8).min, mg.iinfo(mg.short).max) == (-128, 32767)
    assert mg.iinfo(mg.int32).dtype == "int32" and mg.iinfo(mg.int).bits == 32
    assert isinstance(mg.iinfo(mg.int64).max, int)


@pytest.mark.parametrize("call, match", [
    (lambda: mg.finfo(mg.int64), "floating point"),
    (lambda: mg.finfo(mg.bool), "floating point"),
    (lambda: mg.iinfo(mg.float32), "integer"),
    (lambda: mg.iinfo(mg.bool), "bool"),
    (lambda: mg.iinfo(None), "None"),
    (lambda: mg.finfo("bfloat16"), "bfloat16"),
    (lambda: mg.finfo(np.complex64), "complex"),
    (lambda: mg.iinfo(np.uint16), "uint8"),
    (lambda: mg.finfo(mg.ones(2)), "t.dtype"),
])
def test_finfo_iinfo_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_finfo_iinfo_match_torch():
    torch = pytest.importorskip("torch")
    for dt in FLOATS:
        a, b = mg.finfo(dt), torch.finfo(_torch_dtype(torch, dt))
        for name in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(a, name) == getattr(b, name), (dt, name)
        assert repr(a) == repr(b)
    for dt in INTS:
        a, b = mg.iinfo(dt), torch.iinfo(_torch_dtype(torch, dt))
        assert (a.bits, a.min, a.max, a.dtype) == (b.bits, b.min, b.max, b.dtype)
        assert repr(a) == repr(b)


# ----- Size ----------------------------------------------------------------------------------
def test_size_is_a_tuple_equal_to_shapes():
    t = mg.zeros(2, 3)
    s = mg.Size([2, 3])
    assert isinstance(s, tuple)
    assert s == t.shape and t.shape == s and s == (2, 3) and s != (3, 2)
    assert mg.Size(t.shape) == t.shape and hash(s) == hash((2, 3))
    assert s.numel() == 6 and mg.Size().numel() == 1 and mg.Size([4, 0]).numel() == 0
    assert mg.Size([mg.tensor(3), np.int64(2)]) == (3, 2)
    assert type(mg.Size([3])[0]) is int


def test_size_operations_keep_the_type():
    s = mg.Size([2, 3, 4])
    for r in (s[1:], s + (5,), (1,) + s, s * 2, 2 * s):
        assert type(r) is mg.Size
    assert s[1:] == (3, 4) and (1,) + s == (1, 2, 3, 4) and s * 2 == (2, 3, 4, 2, 3, 4)
    assert s[-1] == 4
    assert repr(s) == "torch.Size([2, 3, 4])" and repr(mg.Size()) == "torch.Size([])"
    back = pickle.loads(pickle.dumps(s))
    assert type(back) is mg.Size and back == s


@pytest.mark.parametrize("bad", [[2.5], ["a"], [mg.tensor(1.0)], [mg.tensor([1, 2])], 3])
def test_size_rejects_non_ints(bad):
    with pytest.raises(TypeError, match="Size"):
        mg.Size(bad)


def test_size_matches_torch():
    torch = pytest.importorskip("torch")
    for dims in ([2, 3], [], [4, 0, 2]):
        a, b = mg.Size(dims), torch.Size(dims)
        assert a == b and a.numel() == b.numel() and repr(a) == repr(b)
        assert repr(a[1:]) == repr(b[1:]) and repr(a + (7,)) == repr(b + (7,))


# ----- predicates, numel, clone ----------------------------------------------------------------
def test_predicates():
    f, i, b = mg.ones(2), mg.ones(2, dtype=mg.int64), mg.tensor([True])
    assert mg.is_tensor(f) and not mg.is_tensor(np.ones(2)) and not mg.is_tensor(1.0)
    assert not mg.is_storage(f) and not mg.is_storage(np.ones(2))
    assert mg.is_floating_point(f) and mg.is_floating_point(f.half())
    assert not mg.is_floating_point(i) and not mg.is_floating_point(b)
    assert not mg.is_complex(f) and not mg.is_complex(i)
    assert mg.is_nonzero(mg.tensor([2.0])) and not mg.is_nonzero(mg.tensor(0))
    assert mg.is_nonzero(b) and not mg.is_nonzero(mg.tensor([[False]]))
    assert mg.numel(mg.zeros(2, 3, 4)) == 24 and mg.numel(mg.tensor(1.0)) == 1


@pytest.mark.parametrize("fn", [mg.is_floating_point, mg.is_complex, mg.is_nonzero, mg.numel,
                                mg.clone, mg.real, mg.conj, mg.adjoint, mg.is_conj])
def test_tensor_functions_refuse_non_tensors(fn):
    with pytest.raises(TypeError, match="argument 'input' must be Tensor, not list"):
        fn([1.0, 2.0])


@pytest.mark.parametrize("data, match", [([1.0, 2.0], "more than one value"),
                                         ([], "no values")])
def test_is_nonzero_errors(data, match):
    with pytest.raises(RuntimeError, match=match):
        mg.is_nonzero(mg.tensor(data))


def test_clone_is_a_recorded_copy():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.clone(x, memory_format=mg.preserve_format)
    assert y.requires_grad and not np.shares_memory(y.numpy(force=True), x.numpy(force=True))
    (y * mg.tensor([3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])
    z = mg.clone(mg.arange(6).reshape(2, 3).t())
    assert z.is_contiguous() and z.tolist() == [[0, 3], [1, 4], [2, 5]]


def test_clone_gradcheck():
    x = mg.tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    assert mg.gradcheck(lambda a: mg.clone(a) * a, (x,))
    assert mg.gradgradcheck(lambda a: mg.clone(a) * a, (x,))


def test_clone_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(1).standard_normal((2, 3))
    w = np.random.default_rng(2).standard_normal((2, 3))
    x, tx = mg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    (mg.clone(x) ** 2 * mg.tensor(w)).sum().backward()
    (torch.clone(tx) ** 2 * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


# ----- dtype promotion ---------------------------------------------------------------------------
def test_promote_types_known_table():
    p = mg.promote_types
    assert p(mg.int64, mg.float16) == np.float16  # numpy: float64
    assert p(mg.int32, mg.float32) == np.float32  # numpy: float64
    assert p(mg.uint8, mg.int8) == np.int16 and p(mg.uint8, mg.int64) == np.int64
    assert p(mg.bool, mg.uint8) == np.uint8 and p(mg.bool, mg.bool) == np.bool_
    assert p(mg.float16, mg.float64) == np.float64 and p(mg.int8, mg.int32) == np.int32
    assert p("long", "float") == np.float32
    assert isinstance(p(mg.int8, mg.int8), np.dtype)


def test_result_type_known_cases(default_dtype):
    r, t = mg.result_type, mg.tensor
    assert r(t([1]), 1.0) == np.float32  # an int64 tensor with a Python float
    assert r(t([1], dtype=mg.int32), 1) == np.int32
    assert r(t([1], dtype=mg.uint8), t(1000)) == np.uint8  # a 0-d tensor of the same category
    assert r(t([1], dtype=mg.uint8), t(1.0)) == np.float32  # ... of a higher category
    assert r(t(1, dtype=mg.float64), t([1.0], dtype=mg.float16)) == np.float16
    assert r(t([True]), 1) == np.int64 and r(t([True]), True) == np.bool_
    assert r(t([1.0], dtype=mg.float16), t([1])) == np.float16
    assert r(t(1, dtype=mg.int8), t(1, dtype=mg.uint8)) == np.int16
    assert r(1, 2.0) == np.float32 and r(True, 1) == np.int64 and r(2.0, t([1])) == np.float32
    mg.set_default_dtype(mg.float64)
    assert r(t([1]), 2.5) == np.float64
    assert r(t([1.0], dtype=mg.float32), 2.5) == np.float32


def test_can_cast_known_cases():
    c = mg.can_cast
    assert not c(mg.float32, mg.int32) and not c(mg.float64, mg.bool)
    assert not c(mg.int32, mg.bool) and not c(mg.uint8, mg.bool)
    assert c(mg.int64, mg.int8) and c(mg.bool, mg.float16) and c(mg.float64, mg.float16)
    assert c(mg.uint8, mg.int8) and c(mg.bool, mg.bool) and c(mg.int64, mg.float32)


@pytest.mark.parametrize("call, match", [
    (lambda: mg.promote_types(mg.int64, "bfloat16"), "type2.*bfloat16"),
    (lambda: mg.promote_types(None, mg.int64), "type1.*None"),
    (lambda: mg.can_cast(np.complex64, mg.float32), "from_.*complex"),
    (lambda: mg.can_cast(mg.float32, "nope"), "'to'"),
    (lambda: mg.result_type([1], 1), "'tensor' must be a Tensor or a number"),
    (lambda: mg.result_type(mg.ones(1), "a"), "'other' must be a Tensor or a number"),
])
def test_promotion_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_promotion_matches_torch_on_all_pairs(default_dtype):
    torch = pytest.importorskip("torch")
    for a in ALL:
        for b in ALL:
            ta, tb = _torch_dtype(torch, a), _torch_dtype(torch, b)
            assert mg.promote_types(a, b).name == str(torch.promote_types(ta, tb))[6:], (a, b)
            assert mg.can_cast(a, b) == torch.can_cast(ta, tb), (a, b)
            for sa in ((2,), ()):  # dimensioned and 0-d tensors, in every combination
                for sb in ((2,), ()):
                    x = mg.ones(sa, dtype=a)
                    y = mg.ones(sb, dtype=b)
                    tx, ty = torch.ones(sa, dtype=ta), torch.ones(sb, dtype=tb)
                    assert mg.result_type(x, y).name == str(torch.result_type(tx, ty))[6:]
    for default in (mg.float32, mg.float64):
        mg.set_default_dtype(default)
        torch.set_default_dtype(_torch_dtype(torch, default))
        try:
            for a in ALL:
                for scalar in (True, 3, 2.5):
                    for shape in ((2,), ()):
                        x = mg.ones(shape, dtype=a)
                        tx = torch.ones(shape, dtype=_torch_dtype(torch, a))
                        assert mg.result_type(x, scalar).name == \
                            str(torch.result_type(tx, scalar))[6:], (a, scalar, shape)
                        assert mg.result_type(scalar, x).name == \
                            str(torch.result_type(scalar, tx))[6:]
        finally:
            torch.set_default_dtype(torch.float32)


# ----- memory formats, layouts, complex surface -------------------------------------------------
def test_memory_format_and_layout_constants():
    assert repr(mg.channels_last) == "torch.channels_last"
    assert repr(mg.strided) == "torch.strided"
    assert isinstance(mg.contiguous_format, mg.memory_format)
    assert isinstance(mg.strided, mg.layout) and mg.ones(2).layout is mg.strided
    assert pickle.loads(pickle.dumps(mg.preserve_format)) is mg.preserve_format
    x = mg.ones(1, 2, 3, 3)
    assert x.contiguous(memory_format=mg.channels_last).shape == x.shape


def test_complex_functions_on_real_tensors():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    for fn in (mg.real, mg.conj, mg.conj_physical, mg.resolve_conj, mg.resolve_neg):
        assert fn(x) is x
    assert not mg.is_conj(x) and not mg.is_neg(x)
    assert mg.adjoint(x).tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    with pytest.raises(RuntimeError, match="non-complex"):
        mg.imag(x)
    with pytest.raises(RuntimeError, match="matrices"):
        mg.adjoint(mg.ones(3))


def test_adjoint_is_a_view_and_differentiable():
    x = mg.tensor(np.random.default_rng(3).standard_normal((2, 3, 4)), requires_grad=True)
    assert mg.gradcheck(lambda a: mg.adjoint(a) * mg.adjoint(a), (x,))
    assert mg.gradgradcheck(lambda a: mg.adjoint(a) * mg.adjoint(a), (x,))
    base = mg.zeros(2, 3)
    v = mg.adjoint(base)
    v[0, 1] = 7.0
    assert base[1, 0].item() == 7.0 and base._version == 1


def test_adjoint_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(4).standard_normal((2, 3, 4))
    w = np.random.default_rng(5).standard_normal((2, 4, 3))
    x, tx = mg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = mg.adjoint(x), torch.adjoint(tx)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    (y.exp() * mg.tensor(w)).sum().backward()
    (ty.exp() * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert math.isclose(float(mg.real(x).sum()), float(torch.real(tx).detach().sum()))
