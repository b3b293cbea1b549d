"""The newer elementwise optimizers against Adam's kernel and the axpy yardstick, in one
process and the same interleaved rounds (1e7 float32 parameters, one tensor).

    python benchmarks/bench_zoo_vs_adam.py [--rounds 9]

bench_optim.py times each algorithm in its own table run, so its "% of axpy" mixes in the
machine's drift between runs (the yardstick itself moved from 89 to 94 GB/s between two of
them). Here every kernel is timed once per round, in a shuffled order, beside the axpy kernel:
if a rule reaches a lower share of axpy than Adam in the same rounds, its kernel is slower;
if the same share, it is at the same memory-bandwidth ceiling.
"""
import argparse
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_optim as b  # noqa: E402
from minigrad import optim  # noqa: E402

N = 10_000_000
NAMES = ("adam", "adamw", "radam", "rprop", "asgd", "lion", "sgd-sf", "adamw-sf")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    rounds = parser.parse_args().rounds
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(N).astype(np.float32)]
    grads = [rng.standard_normal(N).astype(np.float32)]
    keep = []
    steps = {"axpy": b.axpy_step(N)}
    nbytes = {"axpy": 12}
    for name in NAMES:
        cls, _, _, hyper, moved = b.ALGOS[name]
        steps[name] = b.minigrad_step(cls, hyper, arrays, grads, keep)
        nbytes[name] = moved
    times = {k: [] for k in steps}
    for r in range(rounds):
        order = list(steps)
        np.random.default_rng(r).shuffle(order)
        for k in order:
            times[k].append(b.time_step(steps[k], budget=0.3))
    axpy_gbs = 12 * N / statistics.median(times["axpy"]) / 1e9
    print(f"1e7 float32, one tensor, median over {rounds} interleaved rounds; {optim.__name__}")
    print(f"{'kernel':10s} {'ms':>7s} {'bytes/par':>9s} {'GB/s':>6s} {'% axpy':>7s}")
    for k, v in times.items():
        t = statistics.median(v)
        gbs = nbytes[k] * N / t / 1e9
        print(f"{k:10s} {t * 1e3:7.2f} {nbytes[k]:9d} {gbs:6.1f} {gbs / axpy_gbs * 100:6.1f}%")


if __name__ == "__main__":
    main()
