"""Per-op overhead of minigrad against the bare numpy call.

For each op and size it prints the median time of: the numpy forward call; minigrad's
forward with graph recording (inputs require grad); minigrad's forward under no_grad; and
minigrad's forward + backward. ``overhead`` is minigrad forward minus numpy forward.

    python benchmarks/bench_ops.py
"""
import argparse
import platform
import time

import numpy as np

import minigrad as mg


def calls_per_run(fn, min_time=0.02):
    """How many calls make a run of about ``min_time`` seconds."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 > min_time / 4:
            return number * 4
        number *= 4


def interleaved_medians(fns, repeat=9):
    """Median per-call time of each function, the runs interleaved (numpy, minigrad, ...,
    numpy, minigrad, ...) so that the machine's noise hits all of them alike."""
    numbers = [calls_per_run(fn) for fn in fns]
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, number, out in zip(fns, numbers, times):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - t0) / number)
    return [float(np.median(t)) for t in times]


def ops(n):
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((n, n)).astype(np.float32)
    b_np = rng.standard_normal((n, n)).astype(np.float32)
    a = mg.tensor(a_np, requires_grad=True)
    b = mg.tensor(b_np, requires_grad=True)
    return [
        ("add", lambda: a_np + b_np, lambda: a + b),
        ("mul", lambda: a_np * b_np, lambda: a * b),
        ("matmul", lambda: a_np @ b_np, lambda: a @ b),
        ("exp", lambda: np.exp(a_np), lambda: a.exp()),
        ("tanh", lambda: np.tanh(a_np), lambda: a.tanh()),
        ("relu", lambda: np.maximum(a_np, 0), lambda: a.relu()),
        ("sum", lambda: a_np.sum(), lambda: a.sum()),
        ("softmax", lambda: (lambda e: e / e.sum(-1, keepdims=True))(np.exp(a_np - a_np.max(-1, keepdims=True))),
         lambda: a.softmax(-1)),
        ("index", lambda: a_np[:, :1], lambda: a[:, :1]),
    ], (a, b)


def main():
    description = " ".join(__doc__.split("\n\n")[0].split())
    argparse.ArgumentParser(description=description).parse_args()  # --help only
    print(f"minigrad per-op overhead ({platform.machine()}, {platform.python_version()}, "
          f"numpy {np.__version__}); median of 9 interleaved runs, microseconds per call")
    header = f"{'op':<8} {'size':>7} {'numpy':>9} {'mg fwd':>9} {'overhead':>9} {'no_grad':>9} {'fwd+bwd':>9}"
    print(header)
    print("-" * len(header))
    for n in (1, 256):
        table, (a, b) = ops(n)
        for name, np_fn, mg_fn in table:
            seed = mg.Tensor._wrap(np.ones(mg_fn().shape, dtype=np.float32))

            def fwd_bwd():
                mg_fn().backward(seed)
                a.grad = b.grad = None

            def no_grad_fwd():
                with mg.no_grad():
                    mg_fn()

            t_np, t_fwd, t_ng, t_fb = interleaved_medians([np_fn, mg_fn, no_grad_fwd, fwd_bwd])
            us = 1e6
            print(f"{name:<8} {f'{n}x{n}':>7} {t_np * us:9.2f} {t_fwd * us:9.2f} "
                  f"{(t_fwd - t_np) * us:9.2f} {t_ng * us:9.2f} {t_fb * us:9.2f}")


if __name__ == "__main__":
    main()
