"""Recurrent training steps, minigrad against PyTorch CPU eager, float32, same initial weights:
forward, MSE loss of a linear head on the last step, backward, Adam step.

  (a) LSTM(32 -> 64), sequence 50, batch 32
  (b) GRU(32 -> 64), 2 layers, bidirectional, batch_first, sequence 50, batch 32
  (c) RNN(8 -> 16) tanh, sequence 20, batch 8 (tiny: per-op overhead dominates)
  (d) LSTMCell(64 -> 128) stepped by hand in a Python loop, 30 steps, batch 1

torch runs in its own process (torch_worker.py); the two are interleaved round by round, each
round timed after a pause (see bench_case), and each figure is the median ms/step over rounds.
The first losses are printed side by side to show both compute the same thing.

    python benchmarks/bench_rnn.py [--rounds 15] [--only a,b] [--steps N] [--pause 0.3]
"""
import argparse
import os
import platform
import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim

import torch_worker
from torch_worker import per_step_ms

torch = None  # imported only in the worker process

CASES = {
    "a": dict(name="(a) LSTM 32->64, T=50, B=32", kind="LSTM", I=32, H=64, T=50, B=32,
              layers=1, bidirectional=False, batch_first=False),
    "b": dict(name="(b) GRU 32->64 x2 bidir, batch_first, T=50, B=32", kind="GRU", I=32, H=64,
              T=50, B=32, layers=2, bidirectional=True, batch_first=True),
    "c": dict(name="(c) RNN 8->16, T=20, B=8", kind="RNN", I=8, H=16, T=20, B=8, layers=1,
              bidirectional=False, batch_first=False),
    "d": dict(name="(d) LSTMCell 64->128 loop, T=30, B=1", kind="LSTMCell", I=64, H=128, T=30,
              B=1, layers=1, bidirectional=False, batch_first=False),
}


def case_inputs(key):
    case = CASES[key]
    rng = np.random.default_rng(0)
    B, T, I = case["B"], case["T"], case["I"]
    shape = (B, T, I) if case["batch_first"] else (T, B, I)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.standard_normal((case["B"], 1)).astype(np.float32)
    return case, x, y


def build(lib, case):
    """The recurrent layer and linear head of ``lib`` (minigrad.nn or torch.nn)."""
    kw = dict(num_layers=case["layers"], bidirectional=case["bidirectional"],
              batch_first=case["batch_first"])
    if case["kind"] == "LSTMCell":
        rnn = lib.LSTMCell(case["I"], case["H"])
    else:
        rnn = getattr(lib, case["kind"])(case["I"], case["H"], **kw)
    head = lib.Linear(case["H"] * (2 if case["bidirectional"] else 1), 1)
    return rnn, head


def initial_state(case):
    """Weights every implementation starts from (minigrad's init, seed 0)."""
    mg.manual_seed(0)
    rnn, head = build(nn, case)
    return rnn.state_dict(), head.state_dict()


def last_step(case, out):
    if case["batch_first"]:
        return out[:, -1]
    return out[-1]


def minigrad_step(key):
    case, x, y = case_inputs(key)
    rnn, head = build(nn, case)
    rnn_sd, head_sd = initial_state(case)
    rnn.load_state_dict(rnn_sd)
    head.load_state_dict(head_sd)
    opt = optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    xt, yt = mg.tensor(x), mg.tensor(y)

    def step():
        opt.zero_grad()
        if case["kind"] == "LSTMCell":
            h = c = mg.zeros(case["B"], case["H"])
            for t in range(case["T"]):
                h, c = rnn(xt[t], (h, c))
            last = h
        else:
            last = last_step(case, rnn(xt)[0])
        loss = F.mse_loss(head(last), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def torch_step(key):
    case, x, y = case_inputs(key)
    rnn, head = build(torch.nn, case)
    rnn_sd, head_sd = initial_state(case)
    rnn.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in rnn_sd.items()})
    head.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in head_sd.items()})
    opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        if case["kind"] == "LSTMCell":
            h = c = torch.zeros(case["B"], case["H"])
            for t in range(case["T"]):
                h, c = rnn(xt[t], (h, c))
            last = h
        else:
            last = last_step(case, rnn(xt)[0])
        loss = torch.nn.functional.mse_loss(head(last), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def torch_worker_main():
    import json
    import sys
    global torch
    try:
        import torch as _torch
    except ImportError:
        print(json.dumps({"torch": None}), flush=True)
        return
    torch = _torch
    torch.set_num_threads(os.cpu_count())
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    steps = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        key = cmd["case"]
        if key not in steps:
            steps[key] = torch_step(key)
        if cmd["op"] == "first":
            reply = {"torch": float(steps[key]().detach())}
        else:
            reply = {"torch": per_step_ms(steps[key], cmd["steps"])}
        print(json.dumps(reply), flush=True)


def bench_case(key, rounds, n_steps, worker, pause):
    """Median ms/step per library. Every timed block starts after ``pause`` seconds of quiet:
    threads left spinning by the block before (OpenBLAS's after minigrad's matmuls, GNU
    OpenMP's after torch's ops) would otherwise take a core from the next one. Without the
    pause, torch's LSTM timed 3.2-4.9 ms a step here against 1.4 ms alone."""
    mine = minigrad_step(key)
    first = {"minigrad": float(mine().item())}
    if worker is not None:
        first.update(worker.ask(op="first", case=key))
    print(f"{CASES[key]['name']}: first loss " +
          ", ".join(f"{k} {v:.6f}" for k, v in first.items()))
    per_step_ms(mine, max(1, n_steps // 5))  # warm up
    if worker is not None:
        worker.ask(op="time", case=key, steps=max(1, n_steps // 5))
    times = {"minigrad": []}
    rng = np.random.default_rng(0)
    for _ in range(rounds):
        order = ["minigrad", "torch"] if worker is not None else ["minigrad"]
        for name in rng.permutation(order):
            time.sleep(pause)
            if name == "minigrad":
                times["minigrad"].append(per_step_ms(mine, n_steps))
            else:
                times.setdefault("torch", []).append(
                    worker.ask(op="time", case=key, steps=n_steps)["torch"])
    return {k: float(np.median(v)) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=20, help="training steps per timed round")
    ap.add_argument("--only", default="", help="comma-separated case keys, e.g. a,d")
    ap.add_argument("--pause", type=float, default=0.3,
                    help="seconds of quiet before every timed block")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        return torch_worker_main()
    keys = [k for k in CASES if not args.only or k in args.only.split(",")]
    worker = torch_worker.start(__file__)
    blas = os.environ.get("OPENBLAS_NUM_THREADS")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; torch "
          f"{worker.info['torch'] if worker else 'not installed'}"
          + (f"; OPENBLAS_NUM_THREADS={blas}" if blas else "") + f"; pause {args.pause} s")
    print(f"{'case':52s} {'minigrad ms':>12s} {'torch ms':>10s} {'ratio':>7s}")
    try:
        for key in keys:
            res = bench_case(key, args.rounds, args.steps, worker, args.pause)
            tm = res.get("torch")
            ratio = f"{res['minigrad'] / tm:6.2f}x" if tm else ""
            print(f"{CASES[key]['name']:52s} {res['minigrad']:12.3f} "
                  f"{tm if tm is not None else float('nan'):10.3f} {ratio:>7s}")
    finally:
        if worker is not None:
            worker.close()


if __name__ == "__main__":
    main()
