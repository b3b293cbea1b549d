"""The newer optimizers' machinery: validation errors, state_dict resume, schedule-free's
train/eval switch, Adafactor's factored state, Muon's 2-D rule, named parameters, closed-form
first steps and convergence."""
import numpy as np
import pytest

import minigrad
from minigrad import optim


def _p(shape=(2,)):
    return [minigrad.tensor(np.zeros(shape), requires_grad=True)]


BAD = [
    (optim.RAdam, dict(lr=-1), "learning rate"),
    (optim.RAdam, dict(betas=(0.9, 1.0)), "beta parameter at index 1"),
    (optim.RAdam, dict(eps=-1), "epsilon value"),
    (optim.RAdam, dict(weight_decay=-1), "weight_decay value"),
    (optim.Rprop, dict(lr=-1), "learning rate"),
    (optim.Rprop, dict(etas=(1.5, 1.2)), r"etaminus: 1.5 \(must be in \(0.0, 1.0\)\)"),
    (optim.Rprop, dict(etas=(0.5, 0.9)), "etaplus"),
    (optim.Rprop, dict(etas=0.5), "each must be a pair"),
    (optim.Rprop, dict(step_sizes=(1.0, 0.1)), r"step_sizes\[1\]"),
    (optim.ASGD, dict(lr=-1), "learning rate"),
    (optim.ASGD, dict(lambd=-1), "lambd value"),
    (optim.ASGD, dict(alpha=-1), "alpha value"),
    (optim.ASGD, dict(t0=-1), "t0 value"),
    (optim.ASGD, dict(weight_decay=-1), "weight_decay value"),
    (optim.Adafactor, dict(lr=-1), "learning rate"),
    (optim.Adafactor, dict(beta2_decay=0.5), "beta2_decay should be <= 0"),
    (optim.Adafactor, dict(eps=(-1, 1e-3)), r"eps\[0\]"),
    (optim.Adafactor, dict(eps=(None, -1)), r"eps\[1\]"),
    (optim.Adafactor, dict(eps=1e-3), "must be a pair"),
    (optim.Adafactor, dict(d=0.5), "clipping threshold d"),
    (optim.Adafactor, dict(weight_decay=-1), "weight_decay value"),
    (optim.Lion, dict(lr=0.0), "learning rate"),
    (optim.Lion, dict(betas=(1.1, 0.99)), "beta parameter at index 0"),
    (optim.Lion, dict(weight_decay=-1), "weight_decay value"),
    (optim.SGDScheduleFree, dict(lr=-1), "learning rate"),
    (optim.SGDScheduleFree, dict(momentum=1.0), "momentum value"),
    (optim.SGDScheduleFree, dict(momentum=0.0), "momentum value"),
    (optim.SGDScheduleFree, dict(warmup_steps=-1), "warmup_steps"),
    (optim.AdamWScheduleFree, dict(betas=(0.0, 0.999)), "beta parameter at index 0"),
    (optim.AdamWScheduleFree, dict(eps=-1), "epsilon value"),
    (optim.AdamWScheduleFree, dict(weight_decay=-1), "weight_decay value"),
    (optim.Prodigy, dict(d0=0), "d0 value"),
    (optim.Prodigy, dict(lr=-1), "learning rate"),
    (optim.Prodigy, dict(eps=0), "epsilon value"),
    (optim.Prodigy, dict(betas=(0.9, 1.0)), "beta parameter at index 1"),
    (optim.Prodigy, dict(growth_rate=0.5), "growth_rate"),
    (optim.Prodigy, dict(slice_p=0), "slice_p"),
    (optim.Prodigy, dict(slice_p=1.5), "slice_p"),
    # strings are refused as every other number is (ValueError, not a TypeError from a
    # comparison in the range check)
    (optim.Adafactor, dict(beta2_decay="-0.8"), "Invalid beta2_decay: '-0.8'"),
    (optim.Prodigy, dict(slice_p="2"), "Invalid slice_p: '2'"),
]


@pytest.mark.parametrize("cls,kw,match", BAD,
                         ids=[f"{c.__name__}-{'-'.join(k)}-{i}" for i, (c, k, _) in
                              enumerate(BAD)])
def test_invalid_hyperparameter(cls, kw, match):
    with pytest.raises(ValueError, match=match):
        cls(_p(), **kw)


MUON_BAD = [(dict(lr=-1), "learning rate"), (dict(momentum=-1), "momentum value"),
            (dict(weight_decay=-1), "weight_decay value"), (dict(ns_steps=100), "ns_steps"),
            (dict(ns_coefficients=(1, 2)), "ns_coefficients"),
            (dict(adjust_lr_fn="sqrt"), "Adjust learning rate function sqrt is not supported"),
            (dict(ns_dtype=np.float16), "ns_dtype"),
            (dict(ns_steps="5"), "Invalid ns_steps: '5'")]


@pytest.mark.parametrize("kw,match", MUON_BAD, ids=[m for _, m in MUON_BAD])
def test_muon_invalid_hyperparameter(kw, match):
    with pytest.raises(ValueError, match=match):
        optim.Muon(_p((2, 2)), **kw)


@pytest.mark.parametrize("shape", [(3,), (), (2, 3, 4)])
def test_muon_refuses_non_matrices_with_torchs_message(shape):
    with pytest.raises(ValueError, match=r"Muon only supports 2D parameters whereas we found a "
                                         r"parameter with size"):
        optim.Muon(_p((2, 2)) + _p(shape))


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_muon_add_param_group_refuses_non_matrices_before_adding(shape):
    """Checked before the group is added: a later step would read the state as a matrix and
    fail half-way, after stepping the groups before it."""
    (w,) = _p((3, 2))
    opt = optim.Muon([w], lr=0.1)
    (bad,) = _p(shape)
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        opt.add_param_group({"params": (p for p in [bad])})
    assert len(opt.param_groups) == 1 and len(opt._flats) == 1
    (w2,) = _p((2, 4))
    opt.add_param_group({"params": (p for p in [w2])})  # a generator is read once
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is w2


RESUME = [
    ("radam", optim.RAdam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True), None),
    ("rprop", optim.Rprop, dict(), None),
    ("asgd", optim.ASGD, dict(t0=3, lambd=0.01), None),
    ("adafactor", optim.Adafactor, dict(weight_decay=0.1), None),
    ("muon", optim.Muon, dict(lr=0.05), "matrices"),
    ("lion", optim.Lion, dict(lr=0.01, weight_decay=0.1), None),
    ("sgdsf", optim.SGDScheduleFree, dict(lr=0.1, warmup_steps=4), None),
    ("adamwsf", optim.AdamWScheduleFree, dict(lr=0.05, weight_decay=0.1), None),
    ("prodigy", optim.Prodigy, dict(), None),
    ("prodigy-sliced", optim.Prodigy, dict(slice_p=2), None),
    ("adam-decoupled", optim.Adam, dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True),
     None),
]


@pytest.mark.parametrize("name,cls,hyper,kind", RESUME, ids=[r[0] for r in RESUME])
@pytest.mark.parametrize("through_file", [False, True])
def test_state_dict_resume_gives_same_trajectory(name, cls, hyper, kind, through_file,
                                                 tmp_path):
    shapes = [(4, 3), (3, 5)] if kind == "matrices" else [(4, 3), (5,)]

    def grads_at(t, params):
        for k, p in enumerate(params):
            x = p.detach().numpy()
            p.grad = None if (k == 1 and t % 2) else minigrad.tensor(np.cos(x * (t + 1)) + 0.1 * x)

    def fresh():
        rng = np.random.default_rng(3)
        return [minigrad.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]

    def build(params):
        opt = cls(params, **hyper)
        if hasattr(opt, "train"):
            opt.train()
        return opt

    straight = fresh()
    opt = build(straight)
    for t in range(30):
        grads_at(t, straight)
        opt.step()
    first = fresh()
    opt1 = build(first)
    for t in range(12):
        grads_at(t, first)
        opt1.step()
    sd = opt1.state_dict()
    values = [p.detach().numpy().copy() for p in first]
    if through_file:
        minigrad.save({"optim": sd, "params": values}, tmp_path / "ckpt")
        loaded = minigrad.load(tmp_path / "ckpt")
        sd, values = loaded["optim"], loaded["params"]
    resumed = [minigrad.tensor(v, requires_grad=True) for v in values]
    opt2 = cls(resumed, **hyper)  # a fresh one (schedule-free: eval mode) takes the saved mode
    opt2.load_state_dict(sd)
    for t in range(12, 30):
        grads_at(t, resumed)
        opt2.step()
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_schedule_free_needs_train_mode():
    p = _p((3,))
    opt = optim.AdamWScheduleFree(p)
    p[0].grad = minigrad.tensor(np.ones(3))
    with pytest.raises(RuntimeError, match=r"call optimizer.train\(\) before training"):
        opt.step()
    assert opt.param_groups[0]["k"] == 0 and p[0] not in opt.state  # nothing changed
    opt.train()
    opt.step()
    opt.eval()
    with pytest.raises(RuntimeError, match="eval mode"):
        opt.step()


def test_schedule_free_eval_gives_the_average_and_train_takes_it_back():
    """x = (y - (1 - beta) z) / beta, and train() restores y exactly enough."""
    rng = np.random.default_rng(0)
    p = [minigrad.tensor(rng.standard_normal(5), requires_grad=True)]
    opt = optim.SGDScheduleFree(p, lr=0.1, momentum=0.9)
    opt.train()
    for _ in range(5):
        p[0].grad = minigrad.tensor(rng.standard_normal(5))
        opt.step()
    y = p[0].detach().numpy().copy()
    z = opt.state[p[0]]["z"].copy()
    opt.eval()
    np.testing.assert_allclose(p[0].detach().numpy(), (y - 0.1 * z) / 0.9, rtol=1e-12)
    opt.eval()  # a second eval() changes nothing
    np.testing.assert_allclose(p[0].detach().numpy(), (y - 0.1 * z) / 0.9, rtol=1e-12)
    opt.train()
    np.testing.assert_allclose(p[0].detach().numpy(), y, rtol=1e-12, atol=1e-15)


def test_schedule_free_converges_without_a_schedule():
    target = np.array([1.0, -2.0, 0.5])
    x = minigrad.tensor(np.zeros(3), requires_grad=True)
    opt = optim.AdamWScheduleFree([x], lr=0.1)
    opt.train()
    for _ in range(400):
        opt.zero_grad()
        ((x - minigrad.tensor(target)) ** 2).sum().backward()
        opt.step()
    opt.eval()
    np.testing.assert_allclose(x.detach().numpy(), target, atol=1e-2)


def test_adafactor_state_is_really_factored():
    w = minigrad.tensor(np.zeros((200, 300), np.float32), requires_grad=True)
    b = minigrad.tensor(np.zeros(300, np.float32), requires_grad=True)
    opt = optim.Adafactor([w, b])
    adam = optim.Adam([minigrad.tensor(np.zeros((200, 300), np.float32), requires_grad=True),
                       minigrad.tensor(np.zeros(300, np.float32), requires_grad=True)])
    for o in (opt, adam):
        for p in [q for g in o.param_groups for q in g["params"]]:
            p.grad = minigrad.tensor(np.ones(p.shape, np.float32))
        o.step()
    st = opt.state[w]
    assert st["row_var"].shape == (200, 1) and st["col_var"].shape == (1, 300)
    assert "variance" not in st and opt.state[b]["variance"].shape == (300,)
    assert opt.state_nbytes() == 4 * (200 + 300 + 300)
    adam_bytes = sum(v.nbytes for s in adam.state.values() for v in s.values()
                     if isinstance(v, np.ndarray))
    assert adam_bytes == 2 * 4 * (200 * 300 + 300)
    assert opt.state_nbytes() < adam_bytes / 100
    # and no flat state buffer of the matrix's size was allocated behind the views
    assert all(buf.size <= 300 for fb in opt._flats[0] for buf in fb.buffers.values())


G = np.array([0.3, -2.0, 1e-3])


def _one_step(cls, g, p0=0.5, **hyper):
    p = minigrad.tensor(np.full(3, p0), requires_grad=True)
    opt = cls([p], **hyper)
    if hasattr(opt, "train"):
        opt.train()
    p.grad = minigrad.tensor(np.asarray(g, dtype=np.float64))
    opt.step()
    return p.detach().numpy() - p0


@pytest.mark.parametrize("cls,hyper,expected", [
    (optim.RAdam, dict(lr=0.1), -0.1 * G),                 # rho_1 < 5: an SGD step on m_hat = g
    (optim.Rprop, dict(lr=0.1), -0.1 * np.sign(G)),        # the first step is lr * sign(g)
    (optim.ASGD, dict(lr=0.1), -0.1 * G),                  # eta_0 = lr, decay 1 - lambd*lr
    (optim.Lion, dict(lr=0.1), -0.1 * np.sign(G)),
    (optim.SGDScheduleFree, dict(lr=0.1), -0.1 * G),       # c_1 = 1: y = z - lr g
], ids=["radam", "rprop", "asgd", "lion", "sgdsf"])
def test_first_step_closed_form(cls, hyper, expected):
    step = _one_step(cls, G, **hyper)
    if cls is optim.ASGD:
        expected = 0.5 * (1 - 1e-4 * 0.1) - 0.5 + expected
    np.testing.assert_allclose(step, expected, rtol=1e-12, atol=1e-15)


CONVERGE = [
    (optim.RAdam, dict(lr=0.05), 600), (optim.Rprop, dict(), 200), (optim.ASGD, dict(lr=0.1), 600),
    (optim.Adafactor, dict(lr=0.1), 600), (optim.Lion, dict(lr=0.01), 600),
    (optim.SGDScheduleFree, dict(lr=0.1), 600), (optim.Prodigy, dict(), 600),
]


@pytest.mark.parametrize("cls,hyper,steps", CONVERGE, ids=[c[0].__name__ for c in CONVERGE])
def test_converges_on_parabola(cls, hyper, steps):
    target = np.array([1.0, -2.0, 0.5])
    x = minigrad.tensor(np.zeros(3), requires_grad=True)
    opt = cls([x], **hyper)
    if hasattr(opt, "train"):
        opt.train()
    for _ in range(steps):
        opt.zero_grad()
        ((x - minigrad.tensor(target)) ** 2).sum().backward()
        opt.step()
    if hasattr(opt, "eval"):
        opt.eval()
    np.testing.assert_allclose(x.detach().numpy(), target, atol=2e-2)


def test_muon_converges_on_a_matrix_least_squares():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((20, 8))
    W_true = rng.standard_normal((8, 4))
    W = minigrad.tensor(np.zeros((8, 4)), requires_grad=True)
    opt = optim.Muon([W], lr=0.05, weight_decay=0.0)
    for t in range(400):
        opt.zero_grad()
        (((minigrad.tensor(A) @ W) - minigrad.tensor(A @ W_true)) ** 2).mean().backward()
        opt.step()
    assert np.abs(W.detach().numpy() - W_true).max() < 0.1


def test_asgd_keeps_the_average_in_state_only():
    p = _p((3,))
    opt = optim.ASGD(p, lr=0.1, t0=2)
    values = []
    for t in range(6):
        p[0].grad = minigrad.tensor(np.ones(3))
        opt.step()
        values.append(p[0].detach().numpy().copy())
    # step t uses mu = 1 / max(1, t - 1 - t0): ax = p through step 4, then the running mean
    # of the iterates from step 4 on
    np.testing.assert_allclose(opt.state[p[0]]["ax"], np.mean(values[3:], axis=0), rtol=1e-12)
    assert not np.allclose(p[0].detach().numpy(), opt.state[p[0]]["ax"])


def test_named_parameters_are_kept():
    model = minigrad.nn.Sequential(minigrad.nn.Linear(3, 2), minigrad.nn.Linear(2, 1))
    opt = optim.AdamW(model.named_parameters(), lr=0.1)
    names = [n for n, _ in model.named_parameters()]
    assert opt.param_groups[0]["param_names"] == names
    assert opt.state_dict()["param_groups"][0]["param_names"] == names
    with pytest.raises(ValueError, match="cannot add param group without names"):
        opt.add_param_group({"params": _p()})
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([("a", _p()[0]), _p()[0]])


@pytest.mark.skipif(__import__("os").environ.get("NUMBA_DISABLE_JIT") == "1",
                    reason="nothing is compiled")
def test_kernels_compile_once_per_dtype():
    from minigrad.optim import kernels
    configs = [(optim.RAdam, [dict(), dict(weight_decay=0.1, maximize=True)]),
               (optim.Rprop, [dict(), dict(maximize=True)]),
               (optim.ASGD, [dict(), dict(t0=0, weight_decay=0.1)]),
               (optim.Lion, [dict(), dict(weight_decay=0.1)]),
               (optim.AdamWScheduleFree, [dict(), dict(weight_decay=0.1, warmup_steps=2)]),
               (optim.Prodigy, [dict(), dict(betas=(0.0, 0.9), decouple=False,
                                             weight_decay=0.1)])]

    def run(round_):
        for cls, variants in configs:
            for dtype in (np.float32, np.float64):
                for hyper in variants[:round_]:
                    for threshold in (0, 10**12):
                        p = minigrad.tensor(np.ones((3, 4), dtype), requires_grad=True)
                        opt = cls([p], parallel_threshold=threshold, **hyper)
                        if hasattr(opt, "train"):
                            opt.train()
                        for _ in range(3):
                            p.grad = minigrad.tensor(np.ones((3, 4), dtype))
                            opt.step()

    run(1)
    before = {k: (len(s.signatures), len(p.signatures)) for k, (s, p) in kernels.KERNELS.items()}
    run(2)
    after = {k: (len(s.signatures), len(p.signatures)) for k, (s, p) in kernels.KERNELS.items()}
    assert after == before
    for name in ("radam", "rprop", "asgd", "lion", "schedule_free", "prodigy_apply"):
        assert after[name] == (2, 2), name


PINNED = [(optim.RAdam, {}), (optim.Rprop, {}), (optim.ASGD, {}), (optim.Adafactor, {}),
          (optim.Muon, dict(lr=0.05)), (optim.Lion, dict(lr=0.01)),
          (optim.AdamWScheduleFree, {}), (optim.SGDScheduleFree, dict(lr=0.1)),
          (optim.Prodigy, {}), (optim.Prodigy, dict(slice_p=2))]


@pytest.mark.parametrize("cls,hyper", PINNED, ids=[f"{c.__name__}-{i}" for i, (c, _) in
                                                   enumerate(PINNED)])
def test_parameter_shared_with_numpy_is_updated_in_place(cls, hyper):
    """A parameter whose memory someone else holds stays in it (pinned, a kernel call of its
    own): the holder sees every update, and the numbers equal an unpinned run's."""
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3, 5)]
    start = [rng.standard_normal(s) for s in shapes]
    runs = []
    for pin in (False, True):
        params = [minigrad.tensor(a.copy(), requires_grad=True) for a in start]
        held = params[1].detach().numpy() if pin else None  # shares params[1]'s memory
        opt = cls(params, **hyper)
        if hasattr(opt, "train"):
            opt.train()
        for t in range(5):
            for k, p in enumerate(params):
                p.grad = minigrad.tensor(np.cos(p.detach().numpy() * (t + k + 1)))
            opt.step()
        if pin:
            assert np.shares_memory(held, params[1]._data)
            np.testing.assert_array_equal(held, params[1].detach().numpy())
        runs.append([p.detach().numpy().copy() for p in params])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls,name,bad", [
    (optim.Adafactor, "row_var", np.zeros((4, 3))),      # the parameter's shape, not (4, 1)
    (optim.Adafactor, "col_var", np.zeros((1, 4))),
    (optim.Prodigy, "p0", np.zeros((4, 3))),             # flat (12,), as prodigyopt keeps it
])
def test_load_state_dict_checks_factored_and_flat_state_shapes(cls, name, bad):
    p = minigrad.tensor(np.ones((4, 3)), requires_grad=True)
    opt = cls([p])
    p.grad = minigrad.tensor(np.ones((4, 3)))
    opt.step()
    sd = opt.state_dict()
    before = {k: np.array(v, copy=True) for k, v in opt.state[p].items()
              if isinstance(v, np.ndarray)}
    sd["state"][0][name] = bad
    with pytest.raises(ValueError, match=rf"state '{name}' of parameter 0 has shape"):
        opt.load_state_dict(sd)
    for k, v in before.items():  # nothing changed
        np.testing.assert_array_equal(opt.state[p][k], v)


def test_adafactor_step_count_stays_a_float_through_load_state_dict():
    """Adafactor counts steps in a float (PyTorch's float tensor); a loaded state must not
    turn it into an int, which a fresh run never has."""
    p = minigrad.tensor(np.ones((4, 3)), requires_grad=True)
    opt = optim.Adafactor([p])
    p.grad = minigrad.tensor(np.ones((4, 3)))
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["step"] = 1  # as an int, e.g. from a hand-made or converted checkpoint
    q = minigrad.tensor(np.ones((4, 3)), requires_grad=True)
    other = optim.Adafactor([q])
    other.load_state_dict(sd)
    assert type(other.state[q]["step"]) is float and other.state[q]["step"] == 1.0
    other.load_state_dict(opt.state_dict())
    assert type(other.state[q]["step"]) is float


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("parallel", [False, True])
def test_rprop_nan_gradient_leaves_parameter_and_step_size_as_torch(dtype, parallel):
    # torch.sign(nan) is 0: the step-size factor is 1 and the parameter does not move; the
    # NaN is remembered in prev, so the next steps keep factor 1 for that coordinate.
    p = minigrad.tensor(np.array([1.0, 2.0, 3.0], dtype=dtype), requires_grad=True)
    opt = optim.Rprop([p], lr=0.1, parallel=parallel)
    grads = [[1.0, np.nan, -1.0], [1.0, 1.0, -1.0]]
    for g in grads:
        p.grad = minigrad.tensor(np.array(g, dtype=dtype))
        opt.step()
    # coordinate 0: 1 - 0.1 - 0.12; coordinate 1: unchanged by the NaN, then factor 1 (prev NaN)
    np.testing.assert_allclose(p.detach().numpy(), [1 - 0.1 - 0.12, 2.0 - 0.1, 3 + 0.1 + 0.12],
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(opt.state[p]["step_size"]), [0.12, 0.1, 0.12], rtol=1e-6)


def test_rprop_nan_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    grads = [[1.0, np.nan, -1.0], [1.0, 1.0, -1.0], [-1.0, 2.0, np.nan]]
    p = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tp = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    opt, topt = optim.Rprop([p], lr=0.1), torch.optim.Rprop([tp], lr=0.1)
    for g in grads:
        p.grad, tp.grad = minigrad.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy())
        np.testing.assert_array_equal(np.asarray(opt.state[p]["step_size"]),
                                      topt.state[tp]["step_size"].numpy())
