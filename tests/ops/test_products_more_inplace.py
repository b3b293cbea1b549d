"""In-place forms of the products (addmm_, addmv_, addr_, addbmm_, baddbmm_, addcmul_,
addcdiv_, renorm_) through minigrad's in-place machinery, and the error cases of every op in
minigrad.ops.products_more / products_extra."""
import warnings

import numpy as np
import pytest

import minigrad as mg


def _d(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


# (name, call(self, *operands, lib), self shape, operand shapes, positive operand indices)
INPLACE = [
    ("addmm_", lambda s, a, b: s.addmm_(a, b, beta=0.5, alpha=2), (2, 3), [(2, 4), (4, 3)], ()),
    ("addmv_", lambda s, a, b: s.addmv_(a, b, alpha=-1), (3,), [(3, 4), (4,)], ()),
    ("addr_", lambda s, a, b: s.addr_(a, b, beta=2), (3, 4), [(3,), (4,)], ()),
    ("addbmm_", lambda s, a, b: s.addbmm_(a, b), (3, 4), [(2, 3, 5), (2, 5, 4)], ()),
    ("baddbmm_", lambda s, a, b: s.baddbmm_(a, b, beta=0), (2, 3, 4), [(2, 3, 5), (2, 5, 4)], ()),
    ("addcmul_", lambda s, a, b: s.addcmul_(a, b, value=0.5), (3, 4), [(3, 1), (4,)], ()),
    ("addcdiv_", lambda s, a, b: s.addcdiv_(a, b, value=-1), (3, 4), [(3, 4), (4,)], (1,)),
    ("renorm_", lambda s: s.renorm_(2, 0, 1.0), (3, 4), [], ()),
]
IDS = [c[0] for c in INPLACE]


def _operands(lib, shapes, positive, requires_grad=False):
    out = []
    for k, s in enumerate(shapes):
        x = _d(s, 20 + k)
        out.append(lib.tensor(np.abs(x) + 0.5 if k in positive else x, dtype=lib.float64,
                              requires_grad=requires_grad))
    return out


@pytest.mark.parametrize("name,call,shape,shapes,positive", INPLACE, ids=IDS)
def test_inplace_values_match_torch_and_bump_the_version(name, call, shape, shapes, positive):
    torch = pytest.importorskip("torch")
    sm, st = mg.tensor(_d(shape, 1)), torch.tensor(_d(shape, 1))
    v0 = sm._version
    rm = call(sm, *_operands(mg, shapes, positive))
    call(st, *_operands(torch, shapes, positive))
    assert rm is sm
    assert sm._version == v0 + 1
    np.testing.assert_allclose(sm.numpy(), st.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,call,shape,shapes,positive", INPLACE, ids=IDS)
def test_inplace_is_refused_on_a_leaf_that_requires_grad(name, call, shape, shapes, positive):
    s = mg.tensor(_d(shape, 1), requires_grad=True)
    before = s.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="leaf"):
        call(s, *_operands(mg, shapes, positive))
    np.testing.assert_array_equal(s.detach().numpy(), before)
    assert s._version == 0
    with mg.no_grad():
        call(s, *_operands(mg, shapes, positive))
    assert s._version == 1


@pytest.mark.parametrize("name,call,shape,shapes,positive", INPLACE, ids=IDS)
def test_recorded_inplace_gradients_match_torch(name, call, shape, shapes, positive):
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (mg, torch):
        x = lib.tensor(_d(shape, 2), dtype=lib.float64, requires_grad=True)
        ops = _operands(lib, shapes, positive, requires_grad=True)
        y = x * 1.5
        call(y, *ops)
        w = lib.tensor(_d(tuple(y.shape), 3))
        (y * w).sum().backward()
        grads.append([x.grad.numpy()] + [o.grad.numpy() for o in ops])
    for gm, gt in zip(*grads):
        np.testing.assert_allclose(gm, gt, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,call,shape,shapes,positive", INPLACE, ids=IDS)
def test_recorded_inplace_gradcheck(name, call, shape, shapes, positive):
    x = mg.tensor(_d(shape, 4), dtype=mg.float64, requires_grad=True)
    ops = _operands(mg, shapes, positive, requires_grad=True)

    def f(x, *ops):
        y = x * 1
        return call(y, *ops)

    assert mg.gradcheck(f, (x, *ops))
    assert mg.gradgradcheck(f, (x, *ops))


def test_inplace_operand_that_is_the_tensor_itself_uses_its_values_before_the_write():
    # minigrad reads an operand that aliases the tensor before the write (as write() does for
    # t.add_(t)); PyTorch refuses the backward, so it is given the copies explicitly.
    torch = pytest.importorskip("torch")
    res = []
    for lib in (mg, torch):
        x = lib.tensor(_d((3, 3), 5), requires_grad=True)
        y = x * 2
        if lib is mg:
            y.addcmul_(y, y, value=0.5)
            y.addmm_(y, y)
        else:
            y.addcmul_(y.clone(), y.clone(), value=0.5)
            y.addmm_(y.clone(), y.clone())
        y.sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_inplace_write_into_plain_tensor_by_an_operand_that_requires_grad():
    torch = pytest.importorskip("torch")
    res = []
    for lib in (mg, torch):
        a = lib.tensor(_d((2, 4), 6), requires_grad=True)
        s = lib.zeros(2, 2, dtype=lib.float64)
        s.addmm_(a, a.t() if lib is torch else a.t())
        assert s.requires_grad
        (s * s).sum().backward()
        res.append(a.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-10)


def test_a_failing_inplace_call_changes_nothing():
    s = mg.tensor(_d((2,), 7))
    before = s.numpy().copy()
    with pytest.raises(RuntimeError, match="addmm_"):
        s.addmm_(mg.tensor(_d((2, 3), 1)), mg.tensor(_d((3, 2), 2)))
    with pytest.raises(ValueError, match="addmv"):
        s.addmv_(mg.tensor(_d((2, 3), 1)), mg.tensor(_d((4,), 2)))
    ints = mg.tensor([1, 2])
    with pytest.raises((RuntimeError, TypeError), match="addcmul_|can't be cast"):
        ints.addcmul_(mg.tensor([0.5, 0.5]), mg.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(s.numpy(), before)
    assert s._version == 0 and ints.tolist() == [1, 2] and ints._version == 0


def test_addmv_function_form():
    torch = pytest.importorskip("torch")
    sm, st = mg.tensor(_d((3,), 8)), torch.tensor(_d((3,), 8))
    mm_, vm = mg.tensor(_d((3, 2), 9)), mg.tensor(_d((2,), 10))
    assert mg.addmv_(sm, mm_, vm, beta=2) is sm
    torch.addmv_(st, torch.tensor(_d((3, 2), 9)), torch.tensor(_d((2,), 10)), beta=2)
    np.testing.assert_allclose(sm.numpy(), st.numpy(), rtol=1e-12)


# ----- error cases ------------------------------------------------------------------------------
def _f(*shape, dtype=None):
    return lambda t: t.ones(*shape, dtype=dtype or t.float32)


def _i(*shape):
    return lambda t: t.ones(*shape, dtype=t.int64)


# (call(lib), exception type, message fragment, does torch raise too?)
ERRORS = [
    (lambda t: t.addmm(t.ones(2, 2), t.ones(2), t.ones(2, 2)), ValueError, "2-D", True),
    (lambda t: t.addmm(t.ones(2, 2), t.ones(2, 3), t.ones(2, 2)), ValueError, "cannot be multiplied", True),
    (lambda t: t.addmm(t.ones(3), t.ones(2, 2), t.ones(2, 2)), ValueError, "does not broadcast", True),
    (lambda t: t.addmm(t.ones(2, 2, 2), t.ones(2, 2), t.ones(2, 2)), ValueError, "does not broadcast", True),
    (lambda t: t.addmm(t.ones(2, 2, dtype=t.float64), t.ones(2, 2), t.ones(2, 2)), TypeError, "same dtype", True),
    (lambda t: t.addmm(t.ones(2, 2), t.ones(2, 2), t.ones(2, 2), beta="x"), TypeError, "beta", True),
    (lambda t: t.addmm([[1.0]], t.ones(1, 1), t.ones(1, 1)), TypeError, "input", True),
    (lambda t: t.addmm(_i(2, 2)(t), _i(2, 2)(t), _i(2, 2)(t), beta=0.5), TypeError, "integer", False),
    (lambda t: t.addmv(t.ones(2), t.ones(2, 3), t.ones(2)), ValueError, "cannot be multiplied", True),
    (lambda t: t.addmv(t.ones(2), t.ones(2), t.ones(2)), ValueError, "2-D mat", True),
    (lambda t: t.addr(t.ones(2, 3), t.ones(2, 1), t.ones(3)), ValueError, "1-D", True),
    (lambda t: t.addbmm(t.ones(2, 3), t.ones(2, 2, 5), t.ones(3, 5, 3)), ValueError, "do not match", True),
    (lambda t: t.baddbmm(t.ones(2, 3), t.ones(2, 5), t.ones(5, 3)), ValueError, "3-D", True),
    (lambda t: t.addcdiv(t.ones(2), _i(2)(t), _i(2)(t)), TypeError, "integer division", True),
    (lambda t: t.addcmul(t.ones(2), t.ones(3), t.ones(2)), ValueError, "broadcast", True),
    (lambda t: t.addcmul(t.ones(2), 2.0, t.ones(2)), TypeError, "tensor1", True),
    (lambda t: t.kron([1.0], t.ones(2)), TypeError, "input", True),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 4), dims=-1), ValueError, ">= 0", True),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 4), dims=3), ValueError, "more than", True),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 4), dims=([1], [1])), ValueError, "must match", True),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 4), dims=(1, 0)), TypeError, "pair of lists", True),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 4), dims=([0, 1], [0])), ValueError, "same length", True),
    (lambda t: t.tensordot(t.ones(2, 3), t.ones(3, 4), dims=([5], [0])), IndexError, "out of range", True),
    (lambda t: t.tensordot(t.ones(2, 3), _i(3, 4)(t), dims=1), TypeError, "same dtype", True),
    (lambda t: t.cross(t.ones(2, 4), t.ones(2, 4)), ValueError, "no dim of size 3", True),
    (lambda t: t.cross(t.ones(2, 4), t.ones(2, 4), dim=1), ValueError, "length 3", True),
    (lambda t: t.cross(t.ones(3), t.ones(2, 3), dim=-1), ValueError, "same number of dims", True),
    (lambda t: t.cross(t.ones(2, 3), t.ones(2, 1), dim=-1), ValueError, "length 3", True),
    (lambda t: t.cross(t.ones(3), t.ones(3, dtype=t.float64), dim=0), TypeError, "same dtype", True),
    (lambda t: t.cross(t.ones(3), t.ones(3), dim=1), IndexError, "out of range", True),
    (lambda t: t.vdot(t.ones(3), t.ones(4)), ValueError, "", True),
    (lambda t: t.inner(t.ones(2, 3), t.ones(4, 2)), ValueError, "last dim", True),
    (lambda t: t.inner(_i(2)(t), t.ones(2)), TypeError, "same dtype", True),
    (lambda t: t.chain_matmul(), ValueError, "one or more", True),
    (lambda t: t.chain_matmul(t.ones(2, 3), t.ones(3)), ValueError, "2-D", True),
    (lambda t: t.chain_matmul(t.ones(2, 3), t.ones(2, 3)), ValueError, "cannot be multiplied", True),
    (lambda t: t.cdist(t.ones(2, 3), t.ones(4, 3), p=-1), ValueError, "non-negative", True),
    (lambda t: t.cdist(t.ones(3), t.ones(4, 3)), ValueError, "at least 2 dims", True),
    (lambda t: t.cdist(t.ones(2, 3), t.ones(4, 2)), ValueError, "columns", True),
    (lambda t: t.cdist(_i(2, 3)(t), _i(2, 3)(t)), TypeError, "floating-point", True),
    (lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3, dtype=t.float64)), TypeError, "same dtype", True),
    (lambda t: t.cdist(t.ones(2, 2, 3), t.ones(3, 2, 3)), ValueError, "batch dims", True),
    (lambda t: t.dist(_i(2)(t), _i(2)(t)), TypeError, "floating-point", True),
    (lambda t: t.dist(t.ones(2), t.ones(3)), ValueError, "broadcast", True),
    (lambda t: t.renorm(t.ones(2, 3), 0, 0, 1), ValueError, "positive", True),
    (lambda t: t.renorm(t.ones(2, 3), 2, 0, -1), ValueError, "maxnorm", True),
    (lambda t: t.renorm(t.ones(3), 2, 0, 1), ValueError, "at least 2 dims", True),
    (lambda t: t.renorm(_i(2, 3)(t), 2, 0, 1), TypeError, "floating-point", True),
    (lambda t: t.renorm(t.ones(2, 3), 2, 2, 1), IndexError, "out of range", True),
    (lambda t: t.cov(t.ones(2, 2, 2)), ValueError, "two or fewer", True),
    (lambda t: t.cov(t.ones(2, 3), fweights=t.ones(3)), TypeError, "integer dtype", True),
    (lambda t: t.cov(t.ones(2, 3), fweights=t.tensor([1, -1, 1])), ValueError, "negative", True),
    (lambda t: t.cov(t.ones(2, 3), aweights=t.tensor([1, 1, 1])), TypeError, "floating-point", True),
    (lambda t: t.cov(t.ones(2, 3), aweights=t.tensor([1.0, -1, 1])), ValueError, "negative", True),
    (lambda t: t.cov(t.ones(2, 3), fweights=t.tensor([1, 1])), ValueError, "one element per", True),
    (lambda t: t.cov(t.ones(2, 3), fweights=t.ones(1, 3, dtype=t.int64)), ValueError, "one or fewer", True),
    (lambda t: t.corrcoef(t.ones(2, 2, 2)), ValueError, "two or fewer", True),
    (lambda t: t.trapezoid(t.ones(2, 3), t.ones(2, 3), dx=1.0), TypeError, "not both", True),
    (lambda t: t.trapezoid(t.ones(2, 3), t.ones(4)), ValueError, "one x value", True),
    (lambda t: t.trapezoid(t.tensor(3.0)), IndexError, "at least one dim", True),
    (lambda t: t.trapezoid(t.ones(2, 3), dim=2), IndexError, "out of range", True),
    (lambda t: t.cumulative_trapezoid(t.ones(2, 3), t.ones(5)), ValueError, "one x value", True),
    (lambda t: t.block_diag(t.ones(2, 2, 2)), ValueError, "2 or fewer", True),
    (lambda t: t.cartesian_prod(), ValueError, "at least one", True),
    (lambda t: t.cartesian_prod(t.ones(2, 2)), ValueError, "1-D", True),
    (lambda t: t.cartesian_prod(t.arange(2), t.ones(2)), TypeError, "same dtype", True),
    (lambda t: t.combinations(t.ones(2, 2)), ValueError, "1-D", True),
    (lambda t: t.combinations(t.arange(3), r=-1), ValueError, "non-negative", True),
]


@pytest.mark.parametrize("call,exc,fragment,torch_raises", ERRORS)
def test_errors(call, exc, fragment, torch_raises):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=fragment):
            call(mg)


@pytest.mark.parametrize("call,exc,fragment,torch_raises", ERRORS)
def test_torch_raises_on_the_same_calls(call, exc, fragment, torch_raises):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if torch_raises:
            with pytest.raises(Exception):
                call(torch)
        else:  # departure: PyTorch truncates a float scale for integer tensors silently
            call(torch)
