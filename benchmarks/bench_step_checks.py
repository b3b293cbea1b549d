"""What the checks before a step cost: ``Optimizer._check_step`` against the syncs a step did
anyway, on a tiny model (2-16-2 MLP shapes: 4 parameters, one group), where they weigh most.

``_check_step`` compares each group's hyperparameters with the values last checked (one tuple
comparison) and syncs every flat buffer before any kernel runs; the syncs were done by
``step()`` before too, so the difference is the added cost. The two are timed back to back in
one process, round by round, and the minimum over rounds is reported (with the whole step for
scale).

Usage: ``python benchmarks/bench_step_checks.py [--rounds 15]``.
"""
import argparse
import timeit

import numpy as np

import minigrad
from minigrad import optim

SHAPES = [(16, 2), (16,), (2, 16), (2,)]


def measure(cls, kwargs, rounds):
    rng = np.random.default_rng(0)
    params = [minigrad.tensor(rng.standard_normal(s), requires_grad=True) for s in SHAPES]
    opt = cls(params, **kwargs)
    sum(((p * p).sum() for p in params), minigrad.tensor(0.0)).backward()
    opt.step()  # compiles the kernels; gradients stay in the flat buffer
    syncs_only = lambda: [[fb.sync() for fb in flats] for flats in opt._flats]  # noqa: E731
    best = {"step": [], "checks": [], "syncs": []}
    for _ in range(rounds):
        for name, fn, n in (("checks", opt._check_step, 5000), ("syncs", syncs_only, 5000),
                            ("step", opt.step, 2000)):
            best[name].append(min(timeit.repeat(fn, number=n, repeat=3)) / n * 1e6)
    return {k: min(v) for k, v in best.items()}


def main():
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    for cls, kwargs in ((optim.Adam, {}), (optim.SGD, dict(lr=0.1, momentum=0.9))):
        r = measure(cls, kwargs, args.rounds)
        print(f"{cls.__name__:5s} step {r['step']:6.2f} us   _check_step {r['checks']:5.2f} us "
              f"(syncs {r['syncs']:5.2f} us): added {r['checks'] - r['syncs']:5.2f} us per step")


if __name__ == "__main__":
    main()
