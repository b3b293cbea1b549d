"""Creation and random functions with PyTorch's signatures: generators, normal's overloads,
*_like, randperm, bernoulli, default dtype, out=, arange's edge cases."""
import numpy as np
import pytest

import minigrad as mg


def test_generator_api():
    g = mg.Generator()
    assert g.initial_seed() == 67280421310721  # PyTorch's default seed of a new generator
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    state = g.get_state()
    a = mg.rand(4, generator=g)
    g.set_state(state)
    assert mg.rand(4, generator=g).tolist() == a.tolist() and g.initial_seed() == 5
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    with pytest.raises(TypeError, match="get_state"):
        g.set_state(mg.zeros(3))
    with pytest.raises(ValueError, match="non-negative int"):
        g.manual_seed(-1)
    with pytest.raises(RuntimeError, match="not available"):
        mg.Generator("cuda")


def test_global_seed_functions():
    assert isinstance(mg.manual_seed(3), mg.Generator) and mg.initial_seed() == 3
    a = mg.randn(3)
    state = mg.get_rng_state()
    b = mg.randn(3)
    mg.set_rng_state(state)
    assert mg.randn(3).tolist() == b.tolist()
    mg.manual_seed(3)
    assert mg.randn(3).tolist() == a.tolist()
    s = mg.seed()
    assert mg.initial_seed() == s and mg.default_generator.initial_seed() == s


RANDOM_CALLS = [
    lambda g: mg.rand(3, generator=g), lambda g: mg.randn(2, 2, generator=g),
    lambda g: mg.randint(0, 10, (5,), generator=g), lambda g: mg.randperm(6, generator=g),
    lambda g: mg.normal(0.0, 1.0, (3,), generator=g),
    lambda g: mg.normal(mg.zeros(3), 2.0, generator=g),
    lambda g: mg.bernoulli(mg.full((4,), 0.5), generator=g),
    lambda g: mg.multinomial(mg.ones(4), 2, generator=g),
    lambda g: mg.rand_like(mg.ones(2), generator=g), lambda g: mg.randn_like(mg.ones(2), generator=g),
    lambda g: mg.randint_like(mg.ones(2), 5, generator=g),
    lambda g: mg.empty(3).uniform_(-1, 1, generator=g), lambda g: mg.empty(3).normal_(generator=g),
    lambda g: mg.empty(3).random_(0, 9, generator=g), lambda g: mg.empty(3).bernoulli_(0.3, generator=g),
]


@pytest.mark.parametrize("call", RANDOM_CALLS)
def test_every_random_function_takes_generator(call):
    a = call(mg.Generator().manual_seed(11))
    mg.rand(7)  # the global stream must not matter
    b = call(mg.Generator().manual_seed(11))
    np.testing.assert_array_equal(a.numpy(force=True), b.numpy(force=True))


def test_normal_overloads_shapes_dtypes_and_statistics():
    torch = pytest.importorskip("torch")
    cases = [lambda t: t.normal(t.zeros(2, 3), t.ones(2, 3)), lambda t: t.normal(t.zeros(4), 2.0),
             lambda t: t.normal(1.0, t.ones(3)), lambda t: t.normal(2.0, 3.0, size=(2, 2)),
             lambda t: t.normal(t.zeros(2, 1), t.ones(1, 3)),
             lambda t: t.normal(t.zeros(2, dtype=t.float64), 1.0)]
    for fn in cases:
        m, t = fn(mg), fn(torch)
        assert m.shape == tuple(t.shape) and str(m.dtype) == str(t.dtype).replace("torch.", "")
    mg.manual_seed(0)
    s = mg.normal(mg.full((20000,), 3.0), mg.full((20000,), 2.0)).numpy()
    assert abs(s.mean() - 3.0) < 0.05 and abs(s.std() - 2.0) < 0.05
    with pytest.raises(TypeError, match="needs a size"):
        mg.normal(2.0, 3.0)
    with pytest.raises(ValueError, match="std must be >= 0"):
        mg.normal(mg.zeros(2), -1.0)


def test_normal_and_bernoulli_have_zero_gradient_as_torch():
    mean = mg.zeros(3, requires_grad=True)
    std = mg.ones(3, requires_grad=True)
    mg.normal(mean, std).sum().backward()
    assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [0.0] * 3
    p = mg.full((3,), 0.5, requires_grad=True)
    mg.bernoulli(p).sum().backward()
    assert p.grad.tolist() == [0.0] * 3


def test_like_functions_randperm_bernoulli_match_torch_types():
    torch = pytest.importorskip("torch")
    for fn in [lambda t: t.rand_like(t.zeros(2, dtype=t.float64)),
               lambda t: t.randn_like(t.zeros(2), dtype=t.float64),
               lambda t: t.randint_like(t.zeros(3), 2, 5), lambda t: t.randint_like(t.zeros(3), 5),
               lambda t: t.randperm(5), lambda t: t.randperm(0),
               lambda t: t.bernoulli(t.full((3,), 0.5)), lambda t: t.bernoulli(t.zeros(2), 0.5),
               lambda t: t.empty_like(t.ones(2, dtype=t.int64)),
               lambda t: t.full((2,), 3), lambda t: t.full((2,), True), lambda t: t.full((2,), 1.5)]:
        m, t = fn(mg), fn(torch)
        assert m.shape == tuple(t.shape) and str(m.dtype) == str(t.dtype).replace("torch.", "")
    mg.manual_seed(1)
    assert sorted(mg.randperm(6).tolist()) == list(range(6))
    r = mg.randint_like(mg.zeros(1000), 2, 5).numpy()
    assert r.min() == 2 and r.max() == 4
    with pytest.raises(TypeError, match="floating-point"):
        mg.rand_like(mg.zeros(2, dtype=mg.int64))


def test_default_dtype():
    torch = pytest.importorskip("torch")
    assert mg.get_default_dtype() == np.float32
    mg.set_default_dtype(mg.float64)
    try:
        assert mg.get_default_dtype() == np.float64
        for t in [mg.zeros(2), mg.rand(2), mg.tensor([1.5]), mg.arange(0.0, 1.0, 0.5),
                  mg.full((1,), 2.0), mg.Tensor(2), mg.linspace(0, 1, 2), mg.ones(1) / 1]:
            assert t.dtype == np.float64
        assert mg.FloatTensor(2).dtype == np.float32  # a typed constructor keeps its type
    finally:
        mg.set_default_dtype(mg.float32)
    assert mg.zeros(2).dtype == np.float32
    with pytest.raises(TypeError, match="only floating-point types"):
        mg.set_default_dtype(mg.int64)
    assert str(mg.get_default_dtype()) == str(torch.get_default_dtype()).replace("torch.", "")


def test_out_argument():
    o = mg.empty(3)
    with pytest.warns(UserWarning, match="was resized"):
        r = mg.zeros(2, 2, out=o)
    assert r is o and o.shape == (2, 2)
    o2 = mg.empty(2, 2)
    assert mg.matmul(mg.ones(2, 3), mg.ones(3, 2), out=o2) is o2 and o2.tolist() == [[3.0, 3.0]] * 2
    assert mg.mul(mg.ones(2), 3.0, out=mg.empty(2)).tolist() == [3.0, 3.0]
    g = mg.empty(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        mg.zeros(2, out=g)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        mg.mul(mg.ones(2, requires_grad=True), 2.0, out=mg.empty(2))
    with mg.no_grad():
        mg.zeros(2, out=g)
    with pytest.raises(TypeError, match="can't be cast"):
        mg.add(mg.ones(2), 1.0, out=mg.zeros(2, dtype=mg.int64))


def test_arange_and_linspace_match_torch():
    torch = pytest.importorskip("torch")
    for args in [(5,), (0, 1, 0.1), (1.0, 4), (0, 10, 3), (10, 0, -3), (0, 1, 0.3), (-1, 1, 0.3),
                 (1, 2.5, 0.5), (2.5,), (0, 5, 2)]:
        m, t = mg.arange(*args), torch.arange(*args)
        assert str(m.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    assert mg.arange(0, 5, 2, dtype=mg.float32).tolist() == torch.arange(0, 5, 2, dtype=torch.float32).tolist()
    assert mg.arange(mg.tensor(3)).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="inconsistent with step sign"):
        mg.arange(0, 10, -1)
    np.testing.assert_array_equal(mg.linspace(-3.14159, 3.14159, 7).numpy(),
                                  torch.linspace(-3.14159, 3.14159, 7).numpy())


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                                  "kaiming_uniform_", "kaiming_normal_", "trunc_normal_"])
def test_init_functions_take_generator(name):
    fn = getattr(mg.nn.init, name)
    a = fn(mg.empty(3, 4), generator=mg.Generator().manual_seed(2))
    mg.rand(3)
    b = fn(mg.empty(3, 4), generator=mg.Generator().manual_seed(2))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
