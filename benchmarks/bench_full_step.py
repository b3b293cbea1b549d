"""Full training step benchmark: does the parallel optimizer slow down the rest of the step?

A 784-256-128-10 MLP (235,146 float32 parameters), batch of 128 random MNIST-shaped inputs:
zero_grad, forward, cross-entropy, backward (numpy matmuls on OpenBLAS threads), Adam step.
Each configuration runs in a fresh process, because OpenMP reads its environment once, when
numba's OpenMP pool is loaded:

* ``serial``       -- MINIGRAD_PARALLEL=0: serial fused kernel (the baseline to match);
* ``minigrad``     -- parallel kernel with minigrad's default configuration (see
                      minigrad/optim/_threading.py: OpenMP started with a passive wait policy);
* ``omp-plain``    -- parallel kernel, GNU OpenMP's own defaults (MINIGRAD_OMP_CONFIG=none);
* ``omp-active``   -- parallel kernel, ``OMP_WAIT_POLICY=active`` (workers always spin);
* ``omp-spin1e4``  -- parallel kernel, a short spin (``GOMP_SPINCOUNT=10000``) then sleep;
* ``workqueue``    -- parallel kernel on numba's workqueue threading layer.

Usage: ``python benchmarks/bench_full_step.py [--steps 300] [--batch 128] [--out FILE]``.
Prints medians (ms) of the whole step, of forward+backward alone, and of ``opt.step()``.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CONFIGS = {
    "serial": {"MINIGRAD_PARALLEL": "0"},
    "minigrad": {},
    "omp-plain": {"MINIGRAD_OMP_CONFIG": "none"},
    "omp-active": {"OMP_WAIT_POLICY": "active"},
    "omp-spin1e4": {"MINIGRAD_OMP_CONFIG": "spin:10000"},
    "workqueue": {"NUMBA_THREADING_LAYER": "workqueue"},
}
# Variables that would leak a configuration into the others.
_SCRUB = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "NUMBA_THREADING_LAYER", "MINIGRAD_PARALLEL",
          "MINIGRAD_PARALLEL_THRESHOLD", "MINIGRAD_OMP_CONFIG")


def child(steps, batch):
    import numpy as np

    import minigrad
    from minigrad import nn, optim
    from minigrad.nn import functional as F

    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = minigrad.tensor(rng.integers(0, 10, batch))
    total, fwd_bwd, upd = [], [], []
    for i in range(steps + 20):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        t1 = time.perf_counter()
        opt.step()
        t2 = time.perf_counter()
        if i >= 20:  # warm-up: compilation / cache load, page faults
            total.append(t2 - t0)
            fwd_bwd.append(t1 - t0)
            upd.append(t2 - t1)
    import numba
    layer = numba.threading_layer() if os.environ.get("MINIGRAD_PARALLEL") != "0" else "-"
    n_params = sum(p.detach().numpy().size for p in model.parameters())
    print(json.dumps({
        "step_ms": 1e3 * statistics.median(total),
        "step_p90_ms": 1e3 * sorted(total)[int(0.9 * len(total))],
        "fwd_bwd_ms": 1e3 * statistics.median(fwd_bwd),
        "optim_ms": 1e3 * statistics.median(upd),
        "loss": float(loss.detach().numpy()), "layer": layer, "params": int(n_params),
        "omp": optim._threading.threading_info(),
    }))


def run_config(name, steps, batch):
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(CONFIGS[name])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, __file__, "--child", "--steps", str(steps),
                          "--batch", str(batch)], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3,
                    help="rounds over all configurations (the machine is noisy)")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--out", default=None, help="also write the table to this file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.steps, args.batch)
        return
    names = args.configs.split(",")
    results = {n: [] for n in names}
    for _ in range(args.repeats):  # interleave configurations so drift hits all alike
        for n in names:
            results[n].append(run_config(n, args.steps, args.batch))
    lines = [f"Full step: 784-256-128-10 MLP, batch {args.batch}, Adam, float32; "
             f"median of {args.steps} steps, median over {args.repeats} processes; "
             f"{os.cpu_count()} CPUs",
             f"{'config':<12} {'layer':<10} {'step ms':>8} {'p90 ms':>8} {'fwd+bwd ms':>11} "
             f"{'optim ms':>9}"]
    for n in names:
        rs = results[n]
        med = {k: statistics.median(r[k] for r in rs)
               for k in ("step_ms", "step_p90_ms", "fwd_bwd_ms", "optim_ms")}
        lines.append(f"{n:<12} {rs[0]['layer']:<10} {med['step_ms']:8.2f} "
                     f"{med['step_p90_ms']:8.2f} {med['fwd_bwd_ms']:11.2f} "
                     f"{med['optim_ms']:9.3f}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
