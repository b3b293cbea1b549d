"""What does curvature buy? GD, Adam, L-BFGS, Newton-CG and Newton on two small problems.

1. Rosenbrock's function ``(1 - x)^2 + 100 (y - x^2)^2`` from (-1.5, 2), minimum 0 at (1, 1):
   a curved, badly conditioned valley (Hessian condition number ~2500 at the minimum).
2. A regression network, 1-16-1 with tanh (49 parameters), fitting sin(x) on 128 points with
   the mean squared error, from one fixed initialisation.

Each method runs from the same start until the loss reaches the target (or its budget runs
out), and the table shows the work it took: iterations, function evaluations (forward passes),
gradient evaluations (backward passes), Hessian-vector products (backward passes through the
recorded gradient graph: ``n`` per Newton step for ``n`` parameters, one per CG iteration for
Newton-CG) and wall time. Everything is float64 and full batch.

    python examples/second_order.py            # a few seconds
    python examples/second_order.py --quick    # smaller budgets (MINIGRAD_EXAMPLES_QUICK=1 too)

Newton's step costs ``n`` backward passes, so it wins on iteration counts and loses on time as
``n`` grows; L-BFGS gets most of the curvature for the price of gradients only.
"""
import os
import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.optim.lbfgs import LBFGS
from minigrad.optim.newton import Newton, NewtonCG

import _args  # examples/_args.py: argument types with one-line errors

parser = _args.parser(__doc__)
parser.add_argument("--quick", action="store_true",
                    help="small budgets (also set by MINIGRAD_EXAMPLES_QUICK=1)")
parser.add_argument("--seed", type=int, default=0, help="random seed")
args = parser.parse_args()
QUICK = args.quick or os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"


# ----- problems ---------------------------------------------------------------------------------
class Rosenbrock:
    name = "Rosenbrock from (-1.5, 2)"
    target = 1e-10

    def reset(self):
        self.x = mg.tensor(np.array([-1.5, 2.0]), requires_grad=True)
        return [self.x]

    def loss(self):
        x = self.x
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


class SineRegression:
    name = "MLP 1-16-1 tanh on sin(x), 128 points"
    target = 1e-4

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        X = np.sort(rng.uniform(-3, 3, (128, 1)), axis=0)
        self.X, self.Y = mg.tensor(X), mg.tensor(np.sin(X))
        mg.manual_seed(seed)
        self.model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1)).double()
        self.initial = [np.array(p.detach().numpy()) for p in self.model.parameters()]

    def reset(self):
        for p, p0 in zip(self.model.parameters(), self.initial):
            p.data = mg.from_numpy(p0.copy())
            p.grad = None
        return list(self.model.parameters())

    def loss(self):
        return F.mse_loss(self.model(self.X), self.Y)


# ----- bookkeeping ------------------------------------------------------------------------------
class Tracker:
    """Counts forward and backward passes, and notes the work done when the target is hit."""

    def __init__(self, target):
        self.target = target
        self.f_evals = self.g_evals = 0
        self.start = time.perf_counter()
        self.reached = None  # (iterations, f evals, g evals, Hv products, seconds)
        self.best = float("inf")

    def seen(self, loss, iters, hvps=None):
        value = float(loss)
        self.best = min(self.best, value)
        if self.reached is None and value <= self.target:
            self.reached = (iters, self.f_evals, self.g_evals, hvps,
                            time.perf_counter() - self.start)
        return self.reached is not None


def run_first_order(problem, make_opt, max_iters):
    params = problem.reset()
    opt = make_opt(params)
    tr = Tracker(problem.target)
    for it in range(max_iters + 1):
        opt.zero_grad()
        loss = problem.loss()
        tr.f_evals += 1
        if tr.seen(loss, it):
            break
        loss.backward()
        tr.g_evals += 1
        opt.step()
    return tr, it


def run_lbfgs(problem, max_iters):
    params = problem.reset()
    opt = LBFGS(params, line_search_fn="strong_wolfe", history_size=20, max_iter=max_iters,
                tolerance_grad=1e-12, tolerance_change=1e-15)
    tr = Tracker(problem.target)

    class Reached(Exception):
        pass

    def closure():
        opt.zero_grad()
        loss = problem.loss()
        loss.backward()
        tr.f_evals += 1
        tr.g_evals += 1
        if tr.seen(loss, opt.state[params[0]].get("n_iter", 0)):
            raise Reached  # stop at once: the remaining iterations of step() are not needed
        return loss

    try:
        opt.step(closure)
    except Reached:
        pass
    return tr, opt.state[params[0]].get("n_iter", 0)


def run_newton(problem, cls, max_iters, **kw):
    params = problem.reset()
    opt = cls(params, **kw)
    tr = Tracker(problem.target)
    state = opt.state[params[0]]

    def closure():
        loss = problem.loss()
        tr.f_evals += 1
        # A line-search trial that reaches the target is the accepted step (it is the
        # first trial with sufficient decrease below the previous loss).
        tr.g_evals = state.get("grad_evals", 0)
        tr.seen(loss, state.get("step", 0) + (1 if not mg.is_grad_enabled() else 0),
                state.get("hvp_evals", 0))
        return loss

    for _ in range(max_iters):
        opt.step(closure)
        if tr.reached is not None or state.get("converged"):
            break
    return tr, state.get("step", 0)


def compare(problem, runs):
    print(f"\n{problem.name}: target loss {problem.target:g}")
    header = (f"{'method':<22} {'iters':>6} {'f evals':>8} {'grad evals':>10} "
              f"{'Hv prods':>8} {'time (s)':>9}  result")
    print(header)
    print("-" * len(header))
    for name, fn in runs:
        tr, iters = fn()
        if tr.reached is not None:
            it, fe, ge, hv, sec = tr.reached
            hv = "-" if hv is None else hv
            print(f"{name:<22} {it:>6} {fe:>8} {ge:>10} {hv:>8} {sec:>9.3f}  reached")
        else:
            sec = time.perf_counter() - tr.start
            print(f"{name:<22} {iters:>6} {tr.f_evals:>8} {tr.g_evals:>10} {'-':>8} "
                  f"{sec:>9.3f}  not reached (best {tr.best:.2e})")


def warm_up():
    # Compile the optimizers' numba kernels (first step of each kind) before timing anything.
    x = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    for opt in (optim.SGD([x], lr=0.1), optim.Adam([x], lr=0.1), LBFGS([x], max_iter=3)):
        def closure(opt=opt):
            opt.zero_grad()
            loss = (x * x).sum()
            loss.backward()
            return loss
        opt.step(closure)


warm_up()
budget = 300 if QUICK else 10000
rosen = Rosenbrock()
compare(rosen, [
    ("GD (lr 5e-4)", lambda: run_first_order(rosen, lambda p: optim.SGD(p, lr=5e-4), budget)),
    ("Adam (lr 0.02)", lambda: run_first_order(rosen, lambda p: optim.Adam(p, lr=0.02), budget)),
    ("L-BFGS (strong Wolfe)", lambda: run_lbfgs(rosen, 500)),
    ("Newton-CG", lambda: run_newton(rosen, NewtonCG, 200)),
    ("Newton", lambda: run_newton(rosen, Newton, 200)),
])

budget = 200 if QUICK else 5000
net = SineRegression(args.seed)
compare(net, [
    ("GD (lr 0.2)", lambda: run_first_order(net, lambda p: optim.SGD(p, lr=0.2), budget)),
    ("Adam (lr 0.01)", lambda: run_first_order(net, lambda p: optim.Adam(p, lr=0.01), budget)),
    ("L-BFGS (strong Wolfe)", lambda: run_lbfgs(net, 100 if QUICK else 2000)),
    ("Newton-CG", lambda: run_newton(net, NewtonCG, 40 if QUICK else 300, max_cg_iter=49)),
    ("Newton", lambda: run_newton(net, Newton, 25 if QUICK else 200)),
])
