"""Optimizer step benchmark: minigrad's fused kernels vs a numpy reference and torch.optim.

For each algorithm and N float32 parameters (one tensor, and a model of 10 tensors of uneven
sizes), the median time of one ``step()`` for:

* ``numpy``    -- :mod:`minigrad.optim.reference` (plain numpy, one tensor at a time);
* ``serial``   -- minigrad, serial fused kernel (``parallel=False``);
* ``parallel`` -- minigrad, prange kernel at every size (``parallel_threshold=0``);
* ``auto``     -- minigrad as shipped (parallel above the measured threshold);
* ``t-loop``, ``t-foreach``, ``t-fused`` -- torch.optim's three implementations, if torch is
  installed (``-`` where torch has no such implementation); run in a separate worker process
  (see ``torch_worker.py``), each the better of torch's default thread count and one thread.

plus ns per parameter and effective bandwidth of the best minigrad variant (bytes each update
must move per parameter, e.g. 28 for Adam: read p, g, m, v and write p, m, v), as a fraction of
this machine's bandwidth: an in-place prange ``a += s*b`` kernel at 1e7 float32 (the
optimizer's access pattern), timed in the same rounds as the cell. The header also gives a
STREAM triad ``a = b + s*c`` for reference.

Every cell is measured in ``--rounds`` rounds; each round times every variant (minigrad's, the
axpy yardstick and torch's, in the worker) once, in a new random order, and the table gives the
median over rounds. The machine is shared and its memory bandwidth drifts by 10-20% within
minutes: interleaving makes the drift hit every column alike, so the ratios stay fair.

``--crossover`` also times serial vs parallel kernels at sizes around the thresholds.

The newer algorithms (RAdam, Rprop, ASGD, Adafactor, Muon, Lion, schedule-free SGD/AdamW,
Prodigy) are compared with torch.optim's classes, or with their authors' packages
(``lion-pytorch``, ``schedulefree``, ``prodigyopt``: ``pip install "minigrad[compare]"``) in the
torch worker; ``vs best`` is the fastest torch-side time over minigrad's *auto*. Adafactor and
Muon run on matrices (near-square, the same sizes); Adafactor's rows are followed by its state
memory against Adam's for the same parameters.

Usage: ``python benchmarks/bench_optim.py [--algos adam,sgd] [--sizes 1e3,1e7] [--out FILE]``.
The machine is shared and noisy: every number is a median of repeated steps.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minigrad  # noqa: E402
from minigrad import optim  # noqa: E402
from minigrad.optim import reference  # noqa: E402
from minigrad.tensor import Tensor  # noqa: E402

import torch_worker  # noqa: E402  (beside this file)

# name: (minigrad class, reference class, torch class name, hyperparameters, bytes/parameter).
# The torch side is torch.optim's class, or "package.Class" for the algorithms torch lacks
# (the authors' packages, which run on torch). bytes/parameter: what one step must move
# (Prodigy: its two passes; Adafactor: its three passes over p and g, the factored state is
# negligible; Muon: its two elementwise passes, the Newton-Schulz products come on top).
ALGOS = {
    "adam": (optim.Adam, reference.Adam, "Adam", dict(lr=1e-3), 28),
    "adamw": (optim.AdamW, reference.AdamW, "AdamW", dict(lr=1e-3), 28),
    "sgd": (optim.SGD, reference.SGD, "SGD", dict(lr=1e-2, momentum=0.9), 20),
    "adagrad": (optim.Adagrad, reference.Adagrad, "Adagrad", dict(lr=1e-2), 20),
    "adadelta": (optim.Adadelta, reference.Adadelta, "Adadelta", dict(), 28),
    "rmsprop": (optim.RMSprop, reference.RMSprop, "RMSprop", dict(lr=1e-2), 20),
    "adamax": (optim.Adamax, reference.Adamax, "Adamax", dict(), 28),
    "nadam": (optim.NAdam, reference.NAdam, "NAdam", dict(), 28),
    "radam": (optim.RAdam, reference.RAdam, "RAdam", dict(), 28),
    "rprop": (optim.Rprop, reference.Rprop, "Rprop", dict(), 28),
    "asgd": (optim.ASGD, reference.ASGD, "ASGD", dict(), 20),
    "adafactor": (optim.Adafactor, reference.Adafactor, "Adafactor", dict(), 24),
    "muon": (optim.Muon, reference.Muon, "Muon", dict(lr=0.02), 28),
    "lion": (optim.Lion, reference.Lion, "lion_pytorch.Lion", dict(), 20),
    "sgd-sf": (optim.SGDScheduleFree, reference.SGDScheduleFree, "schedulefree.SGDScheduleFree",
               dict(lr=0.1), 20),
    "adamw-sf": (optim.AdamWScheduleFree, reference.AdamWScheduleFree,
                 "schedulefree.AdamWScheduleFree", dict(), 28),
    # growth_rate=1: d stops growing after its first jump (the repeated gradient of the
    # benchmark would otherwise grow it until the state overflows)
    "prodigy": (optim.Prodigy, reference.Prodigy, "prodigyopt.Prodigy", dict(growth_rate=1.0),
                56),
}
#: Algorithms benchmarked on matrices (Muon takes nothing else; Adafactor factors them).
MATRIX_ALGOS = ("adafactor", "muon")
# A model's parameter sizes: weight matrices and small bias vectors.
MODEL_FRACTIONS = [0.45, 0.002, 0.3, 0.002, 0.15, 0.002, 0.08, 0.002, 0.011, 0.001]


def layout_sizes(n, layout):
    if layout == "1 tensor":
        return [n]
    sizes = [max(1, int(f * n)) for f in MODEL_FRACTIONS]
    sizes[0] += n - sum(sizes)
    return sizes


def as_matrix(size):
    """A near-square (rows, cols) with rows * cols == size (rows the largest divisor of size
    up to its square root)."""
    rows = int(size ** 0.5)
    while size % rows:
        rows -= 1
    return (rows, size // rows)


def layout_shapes(n, layout, algo):
    sizes = layout_sizes(n, layout)
    return [as_matrix(s) for s in sizes] if algo in MATRIX_ALGOS else [(s,) for s in sizes]


def time_step(step, budget=0.25, min_reps=5, max_reps=3000):
    """Median seconds of ``step()`` after warm-up, repeated for about ``budget`` seconds."""
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    step()
    est = max(time.perf_counter() - t0, 1e-7)
    reps = int(min(max(budget / est, min_reps), max_reps))
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def minigrad_step(cls, hyper, arrays, grads, keep=None, **kw):
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = cls(params, **hyper, **kw)
    if hasattr(opt, "train"):
        opt.train()  # schedule-free
    if keep is not None:
        keep.append(opt)
    for p, g in zip(params, grads):
        # As the autograd engine does: the gradient lands in the optimizer's flat buffer.
        np.copyto(p._grad_view, g)
        p.grad = Tensor._wrap(p._grad_view)
    return opt.step


def reference_step(ref_cls, hyper, arrays, grads):
    ref = ref_cls([a.copy() for a in arrays], **hyper)
    return lambda: ref.step(grads)


def torch_class(name):
    """torch.optim's class ``name``, or ``package.Class`` from an authors' package (None when
    that package is not installed)."""
    import importlib
    import torch
    if "." not in name:
        return getattr(torch.optim, name)
    module, cls = name.rsplit(".", 1)
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError:
        return None


def torch_step(name, hyper, arrays, grads, impl):
    import inspect
    import torch
    cls = torch_class(name)
    if cls is None:
        return None
    params = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    kw = {"loop": dict(foreach=False), "foreach": dict(foreach=True),
          "fused": dict(fused=True)}[impl]
    takes = inspect.signature(cls).parameters
    if impl == "loop" and "foreach" not in takes:
        kw = {}  # a package with one implementation: it is the loop
    try:
        opt = cls(params, **hyper, **kw)
        if hasattr(opt, "train"):
            opt.train()  # schedule-free
        opt.step()
    except (RuntimeError, TypeError, ValueError):  # no such implementation on this device
        return None
    return opt.step


def bandwidth():
    """GB/s of the in-place prange axpy (12 bytes/elem) and STREAM triad (12 bytes/elem)."""
    from minigrad.optim import kernels
    n = 10_000_000
    a, b, c = (np.random.default_rng(i).random(n, dtype=np.float32) for i in range(3))
    s = np.float32(1e-7)
    t_axpy = time_step(lambda: kernels.axpy_parallel(a, b, s), budget=1.0)
    t_triad = time_step(lambda: kernels.triad_parallel(a, b, c, s), budget=1.0)
    return 12 * n / t_axpy / 1e9, 12 * n / t_triad / 1e9


def fmt_time(t):
    if t is None:
        return "-"
    if t < 1e-3:
        return f"{t * 1e6:.1f}us"
    return f"{t * 1e3:.2f}ms"


def make_problem(n, layout, algo=None):
    rng = np.random.default_rng(0)
    shapes = layout_shapes(n, layout, algo)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    return arrays, grads


def torch_worker_main():
    """The torch child: ``{"algo", "n", "layout", "impl"}`` -> ``{"t": seconds or None}``.

    Each time is the better of torch's default intra-op threads and a single thread: on this
    shared 2-core machine torch's OpenMP workers sometimes stall a step for a scheduler tick
    (~8 ms), and comparing against the faster setting keeps the comparison conservative.
    Only one cell's optimizers are kept alive (at 1e7 parameters each holds ~160 MB).
    """
    try:
        import torch
    except ImportError:
        print(json.dumps({"torch": None}), flush=True)
        return
    default_threads = torch.get_num_threads()
    print(json.dumps({"torch": torch.__version__, "threads": default_threads}), flush=True)
    cell, steps = None, {}
    for line in sys.stdin:
        cmd = json.loads(line)
        key = (cmd["algo"], cmd["n"], cmd["layout"])
        if key != cell:
            cell, steps = key, {}
            arrays, grads = make_problem(cmd["n"], cmd["layout"], cmd["algo"])
        impl = cmd["impl"]
        if impl not in steps:
            _, _, tname, hyper, _ = ALGOS[cmd["algo"]]
            steps[impl] = torch_step(tname, hyper, arrays, grads, impl)
        best = None
        if steps[impl] is not None:
            for threads in sorted({default_threads, 1}):
                torch.set_num_threads(threads)
                t = time_step(steps[impl])
                best = t if best is None else min(best, t)
            torch.set_num_threads(default_threads)
        print(json.dumps({"t": best}), flush=True)


LAYOUTS = ("1 tensor", "10 tensors")
ROUNDS = 1
TORCH_IMPLS = ("loop", "foreach", "fused")


def axpy_step(n=10_000_000):
    """The bandwidth yardstick as a step: in-place prange ``a += s*b`` over 1e7 float32."""
    from minigrad.optim import kernels
    a, b = (np.random.default_rng(i).random(n, dtype=np.float32) for i in range(2))
    s = np.float32(1e-7)
    return lambda: kernels.axpy_parallel(a, b, s)


def run_table(algos, sizes, out, worker):
    header = (f"{'algo':<9}{'N':>6} {'layout':<10}{'numpy':>9}{'serial':>9}{'parallel':>9}"
              f"{'auto':>9}{'t-loop':>9}{'t-foreach':>10}{'t-fused':>9}{'ns/par':>8}"
              f"{'GB/s':>7}{'%axpy':>6}{'vs fused':>9}{'vs best':>9}")
    out(header)
    axpy = axpy_step()
    order = np.random.default_rng(1)
    for algo in algos:
        cls, ref_cls, tname, hyper, nbytes = ALGOS[algo]
        for n in sizes:
            for layout in LAYOUTS:
                arrays, grads = make_problem(n, layout, algo)
                kept = []
                steps = {
                    "numpy": reference_step(ref_cls, hyper, arrays, grads),
                    "serial": minigrad_step(cls, hyper, arrays, grads, parallel=False),
                    "auto": minigrad_step(cls, hyper, arrays, grads, keep=kept),
                    "parallel": minigrad_step(cls, hyper, arrays, grads, parallel_threshold=0),
                    "axpy": axpy,
                }
                names = list(steps) + (["t-" + i for i in TORCH_IMPLS] if worker else [])
                rounds = {k: [] for k in names}
                for _ in range(ROUNDS):
                    # a new order each round, so that no variant always runs right after torch
                    for k in order.permutation(names):
                        if k in steps:
                            rounds[k].append(time_step(steps[k]))
                            continue
                        rounds[k].append(worker.ask(algo=algo, n=n, layout=layout,
                                                    impl=k[2:])["t"])
                        time.sleep(0.1)  # torch's OpenMP workers spin on after its step
                t = {k: None if None in v else statistics.median(v) for k, v in rounds.items()}
                best = min(t["serial"], t["parallel"], t["auto"])
                gbs = nbytes * n / best / 1e9
                axpy_gbs = 12 * 10_000_000 / t["axpy"] / 1e9
                fused = t.get("t-fused")
                ratio = f"{fused / t['auto']:.2f}x" if fused else "-"
                torch_times = [t.get("t-" + i) for i in TORCH_IMPLS if t.get("t-" + i)]
                vs_best = f"{min(torch_times) / t['auto']:.2f}x" if torch_times else "-"
                out(f"{algo:<9}{n:>6.0e} {layout:<10}{fmt_time(t['numpy']):>9}"
                    f"{fmt_time(t['serial']):>9}{fmt_time(t['parallel']):>9}"
                    f"{fmt_time(t['auto']):>9}{fmt_time(t.get('t-loop')):>9}"
                    f"{fmt_time(t.get('t-foreach')):>10}{fmt_time(fused):>9}"
                    f"{best / n * 1e9:>8.2f}{gbs:>7.1f}{100 * gbs / axpy_gbs:>5.0f}%{ratio:>9}"
                    f"{vs_best:>9}")
                if algo == "adafactor":
                    out(state_memory_line(kept[0], arrays))
                del kept, steps


def state_nbytes(opt):
    """Bytes held by an optimizer's state arrays (views count their own size)."""
    return sum(v.nbytes for st in opt.state.values() for v in st.values()
               if isinstance(v, np.ndarray))


def state_memory_line(adafactor, arrays):
    """Adafactor's state after its steps against Adam's for the same parameters."""
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays]
    adam = optim.Adam(params)
    for p in params:
        p.grad = Tensor._wrap(np.ones_like(p._data))
    adam.step()
    ours, theirs = state_nbytes(adafactor), state_nbytes(adam)
    return (f"          state memory: Adafactor {ours / 1e6:.3f} MB (factored), Adam "
            f"{theirs / 1e6:.3f} MB ({theirs / max(ours, 1):.0f}x more)")


def run_crossover(out, algos=("adam", "sgd", "adagrad")):
    out("")
    out("Crossover: one flat float32 tensor, serial vs parallel kernel (median step time)")
    sizes = [2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000]
    out(f"{'algo':<9}" + "".join(f"{n:>12.0e}" for n in sizes))
    for algo in algos:
        cls, _, _, hyper, _ = ALGOS[algo]
        cells = []
        for n in sizes:
            a = [np.random.default_rng(0).standard_normal(n).astype(np.float32)]
            g = [np.random.default_rng(1).standard_normal(n).astype(np.float32)]
            ts = time_step(minigrad_step(cls, hyper, a, g, parallel=False))
            tp = time_step(minigrad_step(cls, hyper, a, g, parallel_threshold=0))
            cells.append(f"{ts * 1e6:.0f}/{tp * 1e6:.0f}us")
        out(f"{algo:<9}" + "".join(f"{c:>12}" for c in cells))
    out("(serial/parallel; the default thresholds in minigrad/optim/_config.py come from this)")


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--algos", default=",".join(ALGOS))
    ap.add_argument("--sizes", default="1e3,1e4,1e5,1e6,1e7")
    ap.add_argument("--crossover", action="store_true")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure every cell this many times (interleaved) and report medians")
    ap.add_argument("--out", default=None, help="also write the output to this file")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        torch_worker_main()
        return
    global ROUNDS
    ROUNDS = args.rounds
    algos = args.algos.split(",")
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    worker = torch_worker.start(os.path.abspath(__file__))
    lines = []

    def out(line):
        print(line, flush=True)
        lines.append(line)

    import numba
    axpy_gbs, triad_gbs = bandwidth()
    info = optim._threading.threading_info()
    torch_info = (f"torch {worker.info['torch']} (own process, {worker.info['threads']} threads)"
                  if worker else "torch absent")
    out(f"minigrad optimizer step, float32; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs; numpy {np.__version__}, numba {numba.__version__}, "
        f"{torch_info}; threading layer {info['layer']} "
        f"x{info.get('num_threads')} ({info.get('settings') or info['reason']})")
    out(f"memory bandwidth at the start (1e7 float32, prange): in-place axpy a += s*b "
        f"{axpy_gbs:.1f} GB/s, STREAM triad {triad_gbs:.1f} GB/s")
    out(f"times: median of one step, median over {ROUNDS} interleaved rounds; ns/par, GB/s, "
        "%axpy: best minigrad variant, against the axpy kernel timed in the same rounds; "
        "vs fused: torch fused time / minigrad auto time")
    run_table(algos, sizes, out, worker)
    if worker:
        worker.close()
    if args.crossover:
        run_crossover(out)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
