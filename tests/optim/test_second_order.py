"""Second-order optimizers: LBFGS (against a numpy reference of PyTorch's algorithm and against
torch.optim.LBFGS), Newton and NewtonCG, and their line searches."""
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import functional
from minigrad.optim import _line_search
from minigrad.optim.lbfgs import LBFGS
from minigrad.optim.newton import Newton, NewtonCG


# ----- problems -----------------------------------------------------------------------------------
def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_np(x):
    """``(f, grad f)`` from minigrad's autograd, as the optimizers see them: the reference
    then differs from LBFGS only in its own arithmetic, not in the gradient's rounding."""
    xt = mg.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    loss = rosenbrock(xt)
    loss.backward()
    return float(loss), xt.grad.numpy().copy()


def logistic_problem(seed=0):
    """A smooth multi-parameter problem (matrix + bias) to exercise the flat parameter order."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.standard_normal(20) > 0).astype(float)
    W0, b0 = 0.1 * rng.standard_normal((3, 1)), np.array([0.2])

    def numpy_fn(flat):
        W, b = flat[:3].reshape(3, 1), flat[3:]
        z = (X @ W)[:, 0] + b[0]
        p = 1 / (1 + np.exp(-z))
        f = np.mean(np.logaddexp(0, z) - y * z) + 0.01 * np.sum(W ** 2)
        dz = (p - y) / len(y)
        gW = X.T @ dz + 0.02 * W[:, 0]
        return f, np.concatenate([gW, [dz.sum()]])

    def minigrad_loss(W, b):
        z = (mg.tensor(X) @ W).reshape(-1) + b
        return (z.softplus() - mg.tensor(y) * z).mean() + 0.01 * (W * W).sum()

    return W0, b0, numpy_fn, minigrad_loss


def params64(*arrays):
    return [mg.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]


def closure_for(opt, loss_fn, params):
    def closure():
        opt.zero_grad()
        loss = loss_fn(*params)
        loss.backward()
        return loss
    return closure


# ----- numpy reference of torch.optim.LBFGS -------------------------------------------------------
def reference_lbfgs_step(fg, x, state, lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                         tolerance_change=1e-9, history_size=100, line_search_fn=None):
    """One ``torch.optim.LBFGS.step`` on a flat numpy vector ``x`` (updated in place).

    A direct transcription of PyTorch's algorithm with plain lists and numpy calls (no ring
    buffer, no kernels). The strong-Wolfe search is minigrad's port, checked separately
    (against its defining conditions here, and against PyTorch in the torch tests).
    """
    if max_eval is None:
        max_eval = max_iter * 5 // 4
    state.setdefault("func_evals", 0)
    state.setdefault("n_iter", 0)
    loss, flat_grad = fg(x)
    current_evals = 1
    state["func_evals"] += 1
    if np.abs(flat_grad).max() <= tolerance_grad:
        return loss
    orig_loss = loss
    d, t = state.get("d"), state.get("t")
    old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
    H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), None
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state["n_iter"] += 1
        if state["n_iter"] == 1:
            d = -flat_grad
            old_dirs, old_stps, ro = [], [], []
            H_diag = 1
        else:
            y = flat_grad - prev_flat_grad
            s = d * t
            ys = y @ s
            if ys > 1e-10:
                if len(old_dirs) == history_size:
                    old_dirs.pop(0)
                    old_stps.pop(0)
                    ro.pop(0)
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(1.0 / ys)
                H_diag = ys / (y @ y)
            al = [None] * len(old_dirs)
            q = -flat_grad
            for i in range(len(old_dirs) - 1, -1, -1):
                al[i] = (old_stps[i] @ q) * ro[i]
                q = q - al[i] * old_dirs[i]
            d = r = q * H_diag
            for i in range(len(old_dirs)):
                be_i = (old_dirs[i] @ r) * ro[i]
                r += (al[i] - be_i) * old_stps[i]
        prev_flat_grad = flat_grad.copy()
        prev_loss = loss
        t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
        gtd = flat_grad @ d
        if gtd > -tolerance_change:
            break
        ls_func_evals = 0
        if line_search_fn == "strong_wolfe":
            def obj_func(x0, t, d):
                return fg(x0 + t * d)
            loss, flat_grad, t, ls_func_evals = _line_search.strong_wolfe(
                obj_func, x.copy(), t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
            x += t * d
            opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        else:
            x += t * d
            opt_cond = False
            if n_iter != max_iter:
                loss, flat_grad = fg(x)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                ls_func_evals = 1
        current_evals += ls_func_evals
        state["func_evals"] += ls_func_evals
        if n_iter == max_iter or current_evals >= max_eval or opt_cond:
            break
        if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
            break
    state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                 prev_flat_grad=prev_flat_grad)
    return orig_loss


# lr=1 without a line search jumps around Rosenbrock's valley so wildly that rounding
# differences (autograd's gradient vs the closed form) grow to 1e-6 within 3 steps, in PyTorch
# too; the Rosenbrock comparisons use smaller steps.
LBFGS_CONFIGS = [
    dict(lr=0.2),
    dict(lr=0.5, history_size=3, max_iter=7),            # evicts old pairs every step
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=4, max_eval=6),
    dict(lr=0.1, max_iter=1),                            # one iteration per step
]


@pytest.mark.parametrize("config", LBFGS_CONFIGS, ids=str)
def test_lbfgs_matches_numpy_reference_on_rosenbrock(config):
    (x,) = params64([-1.5, 2.0])
    opt = LBFGS([x], **config)
    closure = closure_for(opt, rosenbrock, [x])
    x_ref, ref_state = np.array([-1.5, 2.0]), {}
    for _ in range(8):
        loss = opt.step(closure)
        ref_loss = reference_lbfgs_step(rosenbrock_np, x_ref, ref_state, **config)
        # Rosenbrock's valley amplifies rounding differences (the order of the two-loop
        # recursion's sums) over the steps; an algorithmic difference would be O(1), and the
        # evaluation counts must agree exactly.
        np.testing.assert_allclose(float(loss), ref_loss, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(x.detach().numpy(), x_ref, rtol=1e-8, atol=1e-12)
        st = opt.state[x]
        assert (st["func_evals"], st["n_iter"]) == (ref_state["func_evals"], ref_state["n_iter"])
        assert len(st["old_dirs"]) == len(ref_state["old_dirs"])
        for a, b in zip(st["old_stps"], ref_state["old_stps"]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("config", [dict()] + LBFGS_CONFIGS[1:3], ids=str)
def test_lbfgs_matches_numpy_reference_with_several_parameters(config):
    W0, b0, numpy_fn, loss_fn = logistic_problem()
    W, b = params64(W0, b0)
    opt = LBFGS([W, b], **config)
    closure = closure_for(opt, loss_fn, [W, b])
    x_ref, ref_state = np.concatenate([W0.ravel(), b0]), {}
    for _ in range(4):
        opt.step(closure)
        reference_lbfgs_step(numpy_fn, x_ref, ref_state, **config)
        np.testing.assert_allclose(np.concatenate([W.detach().numpy().ravel(), b.detach().numpy()]), x_ref,
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search_fn):
    torch = pytest.importorskip("torch")
    W0, b0, _, loss_fn = logistic_problem(seed=1)
    for start, fn in [((np.array([-1.5, 2.0]),), rosenbrock), ((W0, b0), loss_fn)]:
        mine = params64(*start)
        theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in start]
        kw = dict(line_search_fn=line_search_fn, history_size=5, max_iter=10,
                  lr=1.0 if line_search_fn else 0.3)
        opt, topt = LBFGS(mine, **kw), torch.optim.LBFGS(theirs, **kw)

        def torch_fn(*ps):
            if fn is rosenbrock:
                return rosenbrock(ps[0])
            X, y = _torch_logistic_data(torch, 1)
            z = (X @ ps[0]).reshape(-1) + ps[1]
            return (torch.nn.functional.softplus(z) - y * z).mean() + 0.01 * (ps[0] ** 2).sum()

        closure = closure_for(opt, fn, mine)

        def tclosure():
            topt.zero_grad()
            loss = torch_fn(*theirs)
            loss.backward()
            return loss

        for _ in range(6):
            loss, tloss = opt.step(closure), topt.step(tclosure)
            # Rounding differences only (see the Rosenbrock reference test).
            np.testing.assert_allclose(float(loss), tloss.item(), rtol=1e-6, atol=1e-13)
            for p, tp in zip(mine, theirs):
                np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-6, atol=1e-12)
            st, tst = opt.state[mine[0]], topt.state[theirs[0]]
            assert (st["func_evals"], st["n_iter"]) == (tst["func_evals"], tst["n_iter"])
            assert len(st["old_dirs"]) == len(tst["old_dirs"])
            np.testing.assert_allclose(float(st["t"]), float(tst["t"]), rtol=1e-6)
            np.testing.assert_allclose(float(st["H_diag"]), float(tst["H_diag"]), rtol=1e-6)
            np.testing.assert_allclose(st["d"], tst["d"].numpy(), rtol=1e-5, atol=1e-10)


def _torch_logistic_data(torch, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.standard_normal(20) > 0).astype(float)
    return torch.tensor(X), torch.tensor(y)


def test_lbfgs_reaches_rosenbrock_minimum_from_standard_start():
    (x,) = params64([-1.5, 2.0])
    opt = LBFGS([x], line_search_fn="strong_wolfe", max_iter=200, tolerance_grad=1e-10,
                tolerance_change=1e-14)
    opt.step(closure_for(opt, rosenbrock, [x]))
    assert np.abs(x.detach().numpy() - 1).max() < 1e-6
    assert opt.state[x]["func_evals"] < 100


def test_lbfgs_without_line_search_converges_on_rosenbrock():
    (x,) = params64([-1.5, 2.0])
    opt = LBFGS([x], lr=0.2, max_iter=50, tolerance_grad=1e-10, tolerance_change=1e-14)
    closure = closure_for(opt, rosenbrock, [x])
    for _ in range(20):
        opt.step(closure)
    assert np.abs(x.detach().numpy() - 1).max() < 1e-6


def test_lbfgs_float32_and_compiles_once_per_dtype():
    from minigrad.optim import lbfgs_kernels as K
    x32 = mg.tensor([-1.5, 2.0], requires_grad=True)  # float32
    opt = LBFGS([x32], line_search_fn="strong_wolfe", history_size=4)
    closure = closure_for(opt, rosenbrock, [x32])
    opt.step(closure)
    assert x32.dtype == np.float32 and opt.state[x32]["d"].dtype == np.float32
    (x,) = params64([-1.5, 2.0])
    opt64 = LBFGS([x], history_size=4)
    opt64.step(closure_for(opt64, rosenbrock, [x]))
    if os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return
    before = (len(K._two_loop_kernel.signatures), len(K._curvature_pair_kernel.signatures))
    for _ in range(5):
        opt.step(closure)
        opt64.step(closure_for(opt64, rosenbrock, [x]))
    after = (len(K._two_loop_kernel.signatures), len(K._curvature_pair_kernel.signatures))
    assert after == before and before[0] <= 2
    assert abs(float(rosenbrock(x32))) < 1e-3


def test_lbfgs_two_loop_kernel_matches_numpy_version():
    from minigrad.optim import lbfgs_kernels as K
    rng = np.random.default_rng(0)
    for n in (1, 3, 4, 5, 37):
        m = 6
        stps = rng.standard_normal((m + 1, n))
        dirs = stps * rng.uniform(0.5, 2.0, (m + 1, n))
        ro = 1.0 / np.einsum("ij,ij->i", dirs, stps)
        rows = np.array([3, 0, 6, 2, 5], dtype=np.int64)  # ring order, one row spare
        g = rng.standard_normal(n)
        d1, d2, al1, al2 = np.empty(n), np.empty(n), np.zeros(m), np.zeros(m)
        K.two_loop(g, dirs, stps, ro, rows, 5, 0.7, al1, d1)
        K.two_loop_numpy(g, dirs, stps, ro, rows, 5, 0.7, al2, d2)
        np.testing.assert_allclose(d1, d2, rtol=1e-12, atol=1e-12)


def test_lbfgs_state_dict_resumes_exactly():
    def run(n_before, n_after, resume=False):
        (x,) = params64([-1.5, 2.0])
        opt = LBFGS([x], history_size=3, max_iter=3)
        closure = closure_for(opt, rosenbrock, [x])
        for _ in range(n_before):
            opt.step(closure)
        if resume:
            sd, data = opt.state_dict(), x.detach().numpy().copy()
            (x,) = params64(data)
            opt = LBFGS([x], history_size=3, max_iter=3)
            opt.load_state_dict(sd)
            closure = closure_for(opt, rosenbrock, [x])
        for _ in range(n_after):
            opt.step(closure)
        return x.detach().numpy(), opt.state[x]["func_evals"]

    straight = run(8, 0)
    resumed = run(4, 4, resume=True)
    np.testing.assert_array_equal(straight[0], resumed[0])
    assert straight[1] == resumed[1]


def test_lbfgs_state_dict_is_a_snapshot():
    (x,) = params64([-1.5, 2.0])
    opt = LBFGS([x], history_size=3)
    closure = closure_for(opt, rosenbrock, [x])
    opt.step(closure)
    sd = opt.state_dict()
    saved = [a.copy() for a in sd["state"][0]["old_dirs"]]
    opt.step(closure)
    for a, b in zip(sd["state"][0]["old_dirs"], saved):
        np.testing.assert_array_equal(a, b)


def test_lbfgs_trains_small_regression_network():
    mg.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (64, 1))
    Y = np.sin(X)
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    for p in model.parameters():
        p.data = p.data.double()
    Xt, Yt = mg.tensor(X), mg.tensor(Y)
    opt = LBFGS(model.parameters(), line_search_fn="strong_wolfe", max_iter=100)
    closure = closure_for(opt, lambda: nn.functional.mse_loss(model(Xt), Yt), [])
    first = float(opt.step(closure))
    assert float(nn.functional.mse_loss(model(Xt), Yt)) < min(1e-3, first / 100)


def test_lbfgs_parameter_without_gradient_counts_as_zero():
    x, unused = params64([-1.5, 2.0], [5.0])
    opt = LBFGS([x, unused])
    opt.step(closure_for(opt, lambda a, b: rosenbrock(a), [x, unused]))
    assert unused.detach().numpy()[0] == 5.0 and float(rosenbrock(x)) < 12.5


# ----- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-1), r"Invalid learning rate: -1 \(must be in \[0.0, inf\)\)"),
    (dict(history_size=0), r"Invalid history_size: 0 \(must be an int >= 1\)"),
    (dict(history_size=2.5), r"Invalid history_size: 2.5"),
    (dict(max_iter=0), r"Invalid max_iter: 0"),
    (dict(max_eval=0), r"Invalid max_eval: 0"),
    (dict(tolerance_grad=-1e-3), r"Invalid tolerance_grad"),
    (dict(line_search_fn="armijo"),
     r"Invalid line_search_fn: 'armijo' \(must be None or 'strong_wolfe'\)"),
])
def test_lbfgs_validation_errors(kwargs, match):
    (x,) = params64([1.0])
    with pytest.raises(ValueError, match=match):
        LBFGS([x], **kwargs)


def test_lbfgs_structural_errors():
    a, b = params64([1.0], [2.0])
    with pytest.raises(ValueError, match="parameter groups"):
        LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(TypeError, match="same dtype"):
        LBFGS([a, mg.tensor([1.0], requires_grad=True)])
    opt = LBFGS([a])
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()
    with pytest.raises(ValueError, match="parameter groups"):
        opt.add_param_group({"params": [b]})
    opt.param_groups[0]["line_search_fn"] = "wolfe"
    with pytest.raises(ValueError, match="line_search_fn"):
        opt.step(lambda: (a * a).sum())


def test_importing_second_order_optimizers_does_not_import_numba():
    code = ("import sys; import minigrad.optim.lbfgs, minigrad.optim.newton, "
            "minigrad.autograd.functional; assert 'numba' not in sys.modules, 'numba imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ----- Newton and NewtonCG ------------------------------------------------------------------------
def quadratic_problem(seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((6, 6))
    A = M @ M.T + 0.5 * np.eye(6)  # positive definite
    b = rng.standard_normal(6)
    At, bt = mg.tensor(A), mg.tensor(b)

    def loss(W, v):  # a quadratic in (W flattened, v): 6 parameters in two tensors
        z = mg.cat([W.reshape(-1), v])
        return 0.5 * (z @ (At @ z)) - bt @ z

    return A, b, loss


def test_newton_solves_positive_definite_quadratic_in_one_step():
    A, b, loss = quadratic_problem()
    W, v = params64(np.ones((2, 2)), [0.5, -0.5])
    opt = Newton([W, v])
    opt.step(lambda: loss(W, v))
    z = np.concatenate([W.detach().numpy().ravel(), v.detach().numpy()])
    np.testing.assert_allclose(z, np.linalg.solve(A, b), rtol=1e-10, atol=1e-12)
    st = opt.state[W]
    assert st["step"] == 1 and st["t"] == 1.0 and st["hvp_evals"] == 6
    opt.step(lambda: loss(W, v))
    assert opt.state[W]["converged"]


def test_newton_cg_solves_positive_definite_quadratic_in_one_step():
    A, b, loss = quadratic_problem(1)
    W, v = params64(np.zeros((2, 2)), [0.0, 0.0])
    opt = NewtonCG([W, v], cg_tol=1e-12)
    opt.step(lambda: loss(W, v))
    z = np.concatenate([W.detach().numpy().ravel(), v.detach().numpy()])
    np.testing.assert_allclose(z, np.linalg.solve(A, b), rtol=1e-8, atol=1e-10)
    assert opt.state[W]["cg_iters"] <= 6  # CG is exact in n iterations


def test_newton_hessian_matches_functional_hessian():
    W0, b0, _, loss_fn = logistic_problem()
    W, b = params64(W0, b0)
    opt = Newton([W, b])
    loss, grads = opt._loss_and_grad(lambda: loss_fn(W, b))
    H = opt.hessian(grads)
    blocks = functional.hessian(loss_fn, (W, b))
    full = np.block([[blocks[0][0].detach().numpy().reshape(3, 3), blocks[0][1].detach().numpy().reshape(3, 1)],
                     [blocks[1][0].detach().numpy().reshape(1, 3), blocks[1][1].detach().numpy().reshape(1, 1)]])
    np.testing.assert_allclose(H, full, atol=1e-14)


@pytest.mark.parametrize("cls,max_steps", [(Newton, 40), (NewtonCG, 60)])
def test_newton_methods_reach_rosenbrock_minimum(cls, max_steps):
    (x,) = params64([-1.5, 2.0])
    opt = cls([x])
    losses = []
    for _ in range(max_steps):
        losses.append(float(opt.step(lambda: rosenbrock(x))))
        if opt.state[x]["converged"]:
            break
    assert np.abs(x.detach().numpy() - 1).max() < 1e-8
    assert all(b <= a for a, b in zip(losses, losses[1:]))  # the line search never goes up


@pytest.mark.parametrize("cls", [Newton, NewtonCG])
def test_newton_methods_handle_indefinite_hessian(cls):
    # f = x^4 - x^2 + y^2 has a saddle at 0 (Hessian diag(-2, 2)) and minima at x = +-1/sqrt(2).
    (z,) = params64([0.05, 1.0])
    opt = cls([z])
    for _ in range(60):
        opt.step(lambda: z[0] ** 4 - z[0] ** 2 + z[1] ** 2)
        if opt.state[z]["converged"]:
            break
    np.testing.assert_allclose(np.abs(z.detach().numpy()), [1 / np.sqrt(2), 0.0], atol=1e-7)
    if cls is NewtonCG:
        assert opt.state[z]["hvp_evals"] > 0


def test_newton_cg_stops_on_negative_curvature():
    # Near the saddle the gradient points mostly along x, where the curvature is -2.
    (z,) = params64([0.05, 0.001])
    opt = NewtonCG([z])
    opt.step(lambda: z[0] ** 4 - z[0] ** 2 + z[1] ** 2)
    assert opt.state[z]["negative_curvature"] and opt.state[z]["damping"] > 0
    assert float(z[0] ** 4 - z[0] ** 2 + z[1] ** 2) < 0.001 ** 2 - 0.05 ** 2 + 0.05 ** 4


def test_newton_trains_small_regression_network():
    mg.manual_seed(1)
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 2, (32, 1))
    Y = np.sin(X)
    model = nn.Sequential(nn.Linear(1, 5), nn.Tanh(), nn.Linear(5, 1))
    for p in model.parameters():
        p.data = p.data.double()
    Xt, Yt = mg.tensor(X), mg.tensor(Y)
    initial = [np.array(p.detach().numpy()) for p in model.parameters()]
    for cls in (Newton, NewtonCG):
        for p, p0 in zip(model.parameters(), initial):
            p.data = mg.from_numpy(p0.copy())
        opt = cls(model.parameters())
        first = None
        for _ in range(30):
            loss = float(opt.step(lambda: nn.functional.mse_loss(model(Xt), Yt)))
            first = first if first is not None else loss
        assert float(nn.functional.mse_loss(model(Xt), Yt)) < first / 50


@pytest.mark.parametrize("cls", [Newton, NewtonCG])
def test_newton_accepts_pytorch_style_closures(cls):
    """A closure that zero_grads and calls backward (as for LBFGS, and as `minigrad race`
    steps every optimizer) takes the same steps as one that only returns the loss."""
    from minigrad.autograd import engine
    paths = []
    for style in ("plain", "pytorch"):
        (x,) = params64([-1.5, 2.0])
        opt = cls([x])

        def closure():
            if style == "plain":
                return rosenbrock(x)
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss

        for _ in range(5):
            opt.step(closure)
        paths.append(x.detach().numpy().copy())
    np.testing.assert_array_equal(paths[0], paths[1])
    assert engine._closure_policy.get() is None  # the switch is undone after the step
    # backward() outside the optimizer frees the graph as usual.
    (y,) = params64([1.0])
    loss = (y * y).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_newton_closure_errors_are_clear():
    (x,) = params64([-1.5, 2.0])
    opt = Newton([x])

    def freeing_closure():
        loss = rosenbrock(x)
        mg.autograd.grad(loss, [x])  # frees the graph behind the optimizer's back
        return loss

    with pytest.raises(RuntimeError, match="graph was freed"):
        opt.step(freeing_closure)
    with pytest.raises(TypeError, match="one-element Tensor"):
        opt.step(lambda: x * 2)
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()

    def failing_closure():
        raise ValueError("boom")

    from minigrad.autograd import engine
    with pytest.raises(ValueError, match="boom"):
        opt.step(failing_closure)
    assert engine._closure_policy.get() is None


@pytest.mark.parametrize("cls,kwargs,match", [
    (Newton, dict(lr=0), r"Invalid learning rate: 0 \(must be in \(0.0, inf\)\)"),
    (Newton, dict(damping=-1), r"Invalid damping: -1"),
    (Newton, dict(damping_factor=1.0), r"Invalid damping_factor: 1.0 \(must be in \(1.0, inf\)\)"),
    (Newton, dict(backtrack=1.5), r"Invalid backtrack: 1.5 \(must be in \(0.0, 1.0\)\)"),
    (Newton, dict(max_ls=0), r"Invalid max_ls: 0 \(must be an int >= 1\)"),
    (NewtonCG, dict(max_cg_iter=0), r"Invalid max_cg_iter: 0"),
    (NewtonCG, dict(cg_tol=2.0), r"Invalid cg_tol: 2.0"),
])
def test_newton_validation_errors(cls, kwargs, match):
    (x,) = params64([1.0, 2.0])
    with pytest.raises(ValueError, match=match):
        cls([x], **kwargs)


def test_newton_refuses_too_many_parameters():
    (x,) = params64(np.zeros(30))
    with pytest.raises(ValueError, match="30 elements but max_params is 20.*NewtonCG"):
        Newton([x], max_params=20)


# ----- line searches ------------------------------------------------------------------------------
def test_strong_wolfe_returns_a_point_satisfying_the_conditions():
    # phi along d for f(x) = x^4/4 - x + cosine ripple, starting at x = -1 with d = +1.
    def f(x):
        return x[0] ** 4 / 4 - x[0] + 0.1 * np.cos(5 * x[0]), \
            np.array([x[0] ** 3 - 1 - 0.5 * np.sin(5 * x[0])])

    x0, d = np.array([-1.0]), np.array([1.0])
    f0, g0 = f(x0)
    gtd = float(g0 @ d)
    for t0 in (0.01, 1.0, 10.0):
        f_new, g_new, t, evals = _line_search.strong_wolfe(
            lambda x, t, d: f(x + t * d), x0, t0, d, f0, g0, gtd)
        assert f_new <= f0 + 1e-4 * t * gtd
        assert abs(float(g_new @ d)) <= 0.9 * abs(gtd)
        np.testing.assert_allclose(f_new, f(x0 + t * d)[0])
        assert 1 <= evals <= 25


def test_cubic_interpolate_finds_the_minimiser_of_a_cubic():
    # c(t) = t^3 - 3t has its local minimum at t = 1.
    def c(t):
        return t ** 3 - 3 * t, 3 * t ** 2 - 3

    t = _line_search.cubic_interpolate(0.0, *c(0.0), 2.0, *c(2.0))
    assert abs(t - 1.0) < 1e-12
    assert 0.2 <= _line_search.cubic_interpolate(0.0, 0.0, -1.0, 1.0, 0.0, -1.0,
                                                 bounds=(0.2, 0.4)) <= 0.4
    # No real minimiser (d1^2 < g1 g2): the middle of the bounds.
    assert _line_search.cubic_interpolate(0.0, 0.0, 2.0, 1.0, 1.0, 2.0) == 0.5


def test_backtracking_armijo():
    t, f_new, evals, ok = _line_search.backtracking_armijo(lambda t: (t - 0.1) ** 2, 0.01, -0.2)
    assert ok and f_new <= 0.01 + 1e-4 * t * -0.2 and evals == 1 + int(np.log2(1 / t))
    t, f_new, evals, ok = _line_search.backtracking_armijo(lambda t: np.nan, 1.0, -1.0, max_ls=5)
    assert not ok and evals == 5


# ----- checkpoints and memory ---------------------------------------------------------------------
def test_state_dicts_survive_save_and_load(tmp_path):
    for cls, kwargs in [(LBFGS, dict(history_size=3)), (NewtonCG, {}), (Newton, {})]:
        (x,) = params64([-1.5, 2.0])
        opt = cls([x], **kwargs)
        closure = closure_for(opt, rosenbrock, [x])
        for _ in range(3):
            opt.step(closure)
        path = tmp_path / f"{cls.__name__}.npz"
        mg.save(opt.state_dict(), path)
        (y,) = params64(x.detach().numpy())
        resumed = cls([y], **kwargs)
        resumed.load_state_dict(mg.load(path))
        for _ in range(3):
            opt.step(closure)
            resumed.step(closure_for(resumed, rosenbrock, [y]))
        np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
        assert opt.state[x]["func_evals"] == resumed.state[y]["func_evals"]


@pytest.mark.parametrize("cls", [LBFGS, Newton, NewtonCG])
def test_graphs_die_with_each_step(cls):
    """Every loss (and so its graph, and the second-order graph built on it) is freed by
    reference counting alone once its step is over: no cycles, nothing kept in the state."""
    import weakref
    (x,) = params64([-1.5, 2.0])
    opt = cls([x]) if cls is not LBFGS else cls([x], max_iter=2)
    alive = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x) + 1e-3 * (x * x).sum()
        loss.backward()
        alive.append(weakref.ref(loss))
        return loss

    for _ in range(30):
        opt.step(closure)
    # The first value of the last step is returned (detached) and dropped; all are dead.
    assert sum(r() is not None for r in alive) == 0
