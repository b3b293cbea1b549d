"""Per-op overhead and training steps of two minigrad checkouts, measured in one run.

Each checkout runs in its own worker process (its directory first on ``sys.path``); every
round the coordinator asks both workers, in a random order, to time every workload once, so
the machine's noise hits both alike. Prints the median per call of each and the ratio
new / old (above 1: the new checkout is slower).

    python benchmarks/compare_checkouts.py OLD_DIR NEW_DIR [--rounds 9]

For example, with the commit before a change checked out as a worktree:
``git worktree add /tmp/before HEAD~1`` then ``python benchmarks/compare_checkouts.py
/tmp/before .``.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time


# ----------------------------------------------------------------------------- worker side
def workloads():
    """Name -> zero-argument callable, built with the minigrad found on sys.path."""
    import numpy as np

    import minigrad as mg
    import minigrad.nn.functional as F
    from minigrad import nn, optim

    rng = np.random.default_rng(0)
    a = mg.tensor(rng.standard_normal((16, 16)).astype(np.float32), requires_grad=True)
    b = mg.tensor(rng.standard_normal((16, 16)).astype(np.float32))
    x = mg.tensor(rng.standard_normal((64, 32)).astype(np.float32))
    w = mg.tensor(rng.standard_normal((32, 32)).astype(np.float32), requires_grad=True)

    def backward_chain():
        y = a
        for _ in range(10):
            y = (y * b + a).tanh()
        y.sum().backward()

    def train_case(sizes, batch, loss, seed=0):
        mg.manual_seed(seed)
        layers = []
        for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(m, n))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        opt = optim.Adam(model.parameters(), lr=1e-3)
        xb = mg.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
        if loss == "bce":
            yb = mg.tensor((rng.random((batch, 1)) > 0.5).astype(np.float32))
            lossf = F.binary_cross_entropy_with_logits
        else:
            yb = mg.tensor(rng.integers(0, sizes[-1], batch))
            lossf = F.cross_entropy

        def step():
            opt.zero_grad()
            lossf(model(xb), yb).backward()
            opt.step()

        return step

    def cnn_case(batch=64):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(128, 10))
        opt = optim.Adam(model.parameters(), lr=1e-3)
        xb = mg.tensor(rng.standard_normal((batch, 1, 8, 8)).astype(np.float32))
        yb = mg.tensor(rng.integers(0, 10, batch))

        def step():
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()

        return step

    step_a = train_case([2, 16, 16, 1], 100, "bce")
    mg.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                        nn.Linear(16, 1))
    opt_a = optim.Adam(mlp.parameters(), lr=1e-3)
    xa = mg.tensor(rng.standard_normal((100, 2)).astype(np.float32))
    ya = mg.tensor((rng.random((100, 1)) > 0.5).astype(np.float32))

    def forward_a():
        return F.binary_cross_entropy_with_logits(mlp(xa), ya)

    def backward_a():
        opt_a.zero_grad()
        forward_a().backward()

    backward_a()

    return {
        "(a) forward + loss": forward_a,
        "(a) zero_grad + fwd + bwd": backward_a,
        "(a) optimizer.step()": opt_a.step,
        "a + b": lambda: a + b,
        "a * b": lambda: a * b,
        "a.sum()": lambda: a.sum(),
        "a.exp()": lambda: a.exp(),
        "a[2:5]": lambda: a[2:5],
        "a.view(256)": lambda: a.view(256),
        "a.T": lambda: a.T,
        "x @ w": lambda: x @ w,
        "F.linear": lambda: F.linear(x, w),
        "10-op chain fwd+bwd": backward_chain,
        "step (a) 2-16-16-1 bce b100": step_a,
        "step (b) 784-256-128-10 b128": train_case([784, 256, 128, 10], 128, "ce"),
        "step (d) digits CNN b64": cnn_case(),
    }


def calls_for(fn, min_time=0.02):
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 > min_time / 4:
            return number * 4
        number *= 4


def worker():
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    loads = workloads()
    for fn in loads.values():  # warm up: compile kernels, fill caches
        for _ in range(3):
            fn()
    numbers = {k: calls_for(fn) for k, fn in loads.items()}
    print(json.dumps(list(loads)), flush=True)
    for line in sys.stdin:
        name = json.loads(line)
        fn, number = loads[name], numbers[name]
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        print(json.dumps((time.perf_counter() - t0) / number), flush=True)


# ----------------------------------------------------------------------------- coordinator
class Worker:
    def __init__(self, checkout):
        env = dict(os.environ, PYTHONPATH=os.path.abspath(checkout), OPENBLAS_NUM_THREADS="1")
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env, cwd=os.path.abspath(checkout))
        self.names = json.loads(self.proc.stdout.readline())

    def time(self, name):
        self.proc.stdin.write(json.dumps(name) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    if "--worker" in sys.argv:
        return worker()
    args = ap.parse_args()
    workers = {"old": Worker(args.old), "new": Worker(args.new)}
    names = [n for n in workers["old"].names if n in workers["new"].names]
    times = {(w, n): [] for w in workers for n in names}
    for _ in range(args.rounds):
        for name in names:
            order = list(workers)
            random.shuffle(order)
            for w in order:
                time.sleep(0.01)
                times[w, name].append(workers[w].time(name))
    for w in workers.values():
        w.close()
    print(f"old: {os.path.abspath(args.old)}\nnew: {os.path.abspath(args.new)}\n"
          f"{args.rounds} rounds, each library in its own process, median time per call")
    print(f"{'workload':32s} {'old':>12s} {'new':>12s} {'new/old':>8s}")
    for name in names:
        old = statistics.median(times["old", name])
        new = statistics.median(times["new", name])
        unit, scale = ("us", 1e6) if old < 1e-3 else ("ms", 1e3)
        print(f"{name:32s} {old * scale:9.2f} {unit} {new * scale:9.2f} {unit} "
              f"{new / old:8.3f}")


if __name__ == "__main__":
    main()
