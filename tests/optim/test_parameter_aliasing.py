"""Optimizers keep memory sharing as PyTorch does: parameters move into the flat
buffers only when nothing else can see their memory; otherwise they are updated in place."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


def _step(opt, params, grads):
    for p, g in zip(params, grads):
        p.grad = mg.tensor(g)
    opt.step()


def test_fresh_model_parameters_move_into_one_buffer():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    fb = opt._flats[0][0]
    assert not fb.pinned
    for p in model.parameters():
        assert np.shares_memory(p.detach().numpy(), fb.values)


def test_arrays_taken_before_construction_stay_valid():
    lin = nn.Linear(3, 2)
    w_np = lin.weight.detach().numpy()  # as a user plotting the weights would
    before = w_np.copy()
    opt = optim.SGD(lin.parameters(), lr=0.5)
    lin(mg.ones(1, 3)).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w_np, lin.weight.detach().numpy())
    np.testing.assert_allclose(w_np, before - 0.5)
    assert np.shares_memory(w_np, lin.weight.detach().numpy())


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam"])
def test_views_of_one_array_keep_sharing_and_match_separate_buffers(name):
    base = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    whole = mg.from_numpy(base)
    top = nn.Parameter(whole[:1])      # views of one storage: updates reach `whole`
    rest = nn.Parameter(whole[1:].T)   # strided
    ref = [mg.tensor(base[:1].copy(), requires_grad=True),
           mg.tensor(base[1:].T.copy(), requires_grad=True)]
    opt = getattr(optim, name)([top, rest], lr=0.05)
    ref_opt = getattr(optim, name)(ref, lr=0.05)
    rng = np.random.default_rng(0)
    for _ in range(4):
        grads = [rng.standard_normal((1, 4)), rng.standard_normal((4, 2))]
        _step(opt, [top, rest], grads)
        _step(ref_opt, ref, grads)
    np.testing.assert_array_equal(top.detach().numpy(), ref[0].detach().numpy())
    np.testing.assert_array_equal(rest.detach().numpy(), ref[1].detach().numpy())
    np.testing.assert_array_equal(base[:1], top.detach().numpy())
    np.testing.assert_array_equal(base[1:].T, rest.detach().numpy())


def test_tied_parameters_sharing_memory_both_update_it():
    shared = np.ones(3)
    a = nn.Parameter(mg.from_numpy(shared))
    b = nn.Parameter(mg.from_numpy(shared))
    opt = optim.SGD([a, b], lr=1.0)
    _step(opt, [a, b], [np.full(3, 0.25), np.full(3, 0.5)])
    # both updates land in the one memory, as PyTorch's sequential per-parameter updates do
    np.testing.assert_array_equal(shared, np.full(3, 0.25))
    assert np.shares_memory(a.detach().numpy(), b.detach().numpy())


def test_same_tensor_tied_in_two_modules_is_updated_once():
    emb = nn.Embedding(5, 3)
    head = nn.Linear(3, 5, bias=False)
    head.weight = emb.weight
    params = list(emb.parameters()) + list(head.parameters())
    with pytest.warns(UserWarning, match="duplicate"):
        opt = optim.SGD(params, lr=1.0)
    before = emb.weight.detach().numpy().copy()
    emb.weight.grad = mg.ones(5, 3)
    opt.step()
    np.testing.assert_array_equal(head.weight.detach().numpy(), before - 1.0)


def test_rebinding_data_to_a_kept_tensor_shares_it_as_pytorch():
    p = nn.Parameter(mg.zeros(2))
    opt = optim.Adam([p], lr=0.1)
    q = mg.tensor([1.0, 2.0])
    p.data = q
    _step(opt, [p], [np.ones(2)])
    np.testing.assert_allclose(q.numpy(), [0.9, 1.9], rtol=1e-6)


def test_second_order_optimizers_update_pinned_parameters():
    base = np.array([2.0, -1.5])
    x = nn.Parameter(mg.from_numpy(base))
    opt = optim.LBFGS([x], lr=1.0, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((x - mg.tensor([1.0, 3.0], dtype=mg.float64)) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    np.testing.assert_allclose(base, [1.0, 3.0], atol=1e-6)


@pytest.mark.parametrize("rebind", [False, True])
def test_zero_size_parameter_beside_a_pinned_one(rebind):
    """An empty parameter shares its offset with the next one: it must not stand for that
    parameter's pin (its run would be given the pinned array, read past its empty gradient
    and update the neighbour twice), nor unpin it when its own data is rebound."""
    empty = mg.tensor(np.zeros(0), requires_grad=True)
    pinned = mg.tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True)
    seen = pinned.detach().numpy()  # held: pinned keeps its own memory
    expected = seen.copy()
    opt = optim.SGD([empty, pinned], lr=0.1)
    for t in range(3):
        if rebind:
            empty.data = mg.tensor(np.zeros(0))
        g = np.cos(expected * (t + 1))
        _step(opt, [empty, pinned], [np.zeros(0), g])
        expected = expected - 0.1 * g
        np.testing.assert_array_equal(seen, expected)
