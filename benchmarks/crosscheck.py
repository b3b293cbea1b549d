"""A second, independent measurement of the minigrad-vs-PyTorch training-step figures.

``bench_train.py`` and ``bench_gpt.py`` keep one worker process per library alive and time
short blocks of steps, with pauses, in interleaved rounds. This script measures differently,
so that a figure is published only when both methods agree: every measurement is a fresh
Python process that imports one library, builds the case (the same weights and data as the
benchmark, from the same builders), runs a few untimed steps, then times one long run of
back-to-back steps with the wall clock. The libraries alternate in a random order, round by
round; the figure is the median over rounds.

    python benchmarks/crosscheck.py [--rounds 5] [--cases a,b,c,d,gpt]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# steps per timed run: long enough that the clock's resolution and a stray hiccup vanish
STEPS = {"a": 3000, "b": 300, "c": 40, "d": 300, "gpt": 30}


def measure(lib, case):
    """Run in the child process: ms per step of ``case`` with ``lib``."""
    sys.path.insert(0, HERE)
    if case == "gpt":
        import bench_gpt as bench
        model, config, data = bench.setup(32, 64, 4, 4, 128)
        if lib == "torch":
            import numpy as np
            import torch
            bench.torch = torch
            state = {k: np.asarray(v) for k, v in model.state_dict().items()}
            step = bench.torch_step(config, state, data)
        else:
            step = bench.minigrad_step(model, data)
    else:
        import bench_train as bench
        case_, weights, x, y = bench.case_inputs(case)
        if lib == "torch":
            import torch
            bench.torch = torch
            step = bench.torch_step(case_, weights, x, y, fused=False)
        else:
            step = bench.minigrad_step(case_, weights, x, y)
    if lib == "torch":
        torch.set_num_threads(os.cpu_count())
    for _ in range(5):
        step()
    time.sleep(0.3)
    n = STEPS[case]
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n * 1e3


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cases", default="a,b,c,d,gpt")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    cases = args.cases.split(",")
    times = {(lib, c): [] for lib in ("minigrad", "torch") for c in cases}
    for _ in range(args.rounds):
        for case in cases:
            libs = ["minigrad", "torch"]
            random.shuffle(libs)
            for lib in libs:
                out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", lib,
                                      case], capture_output=True, text=True, check=True)
                times[lib, case].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"fresh process per measurement, {args.rounds} rounds, libraries alternating in a "
          f"random order; torch default Adam path, {os.cpu_count()} threads")
    print(f"{'case':6s} {'minigrad ms':>12s} {'torch ms':>10s} {'minigrad speed vs torch':>24s}")
    for case in cases:
        m = statistics.median(times["minigrad", case])
        t = statistics.median(times["torch", case])
        print(f"{case:6s} {m:12.3f} {t:10.3f} {t / m:23.2f}x")


if __name__ == "__main__":
    main()
