"""One full training step (forward, loss, backward, Adam update), float32: minigrad against a
hand-written numpy floor and PyTorch, in one run.

  minigrad                    the library as a user runs it (nn + F + optim.Adam)
  numpy floor                 hand-written numpy forward/backward + a serial numba Adam kernel:
                              what any numpy-based engine costs before its own overhead
  torch default / torch fused PyTorch CPU eager with torch.optim.Adam (default, fused=True),
                              when torch is installed; same initial weights and thread count

Networks: (a) 2-16-16-1 MLP on moons, batch 100, BCE-with-logits; (b) 784-256-128-10 ReLU
MLP, batch 128, cross-entropy; (c) 784-1024-1024-10, batch 256; (d) the digits CNN
(conv3x3(1->16) relu maxpool2, conv3x3(16->32) relu maxpool2, linear 128->10), batch 64.

Each library runs in its own process (minigrad and the numpy floor in one, torch in another;
this process only coordinates). Implementations are interleaved round by round, in a new random
order each round, each timed block preceded by a pause (see :func:`bench_case`), and each figure
is the median ms/step over rounds, so the machine's noise hits all of them alike.

    python benchmarks/bench_train.py [--rounds 15] [--only a,b] [--pause 0.3]
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

torch = None  # imported only in the torch worker process (see torch_worker.py)

LR = 1e-3


# ----------------------------------------------------------------------------- networks
def mlp_weights(sizes, rng):
    """PyTorch-style U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights (out, in) and biases."""
    ws = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        ws.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        ws.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return ws


def cnn_weights(rng):
    def u(shape, fan_in):
        b = 1 / np.sqrt(fan_in)
        return rng.uniform(-b, b, shape).astype(np.float32)
    return [u((16, 1, 3, 3), 9), u(16, 9), u((32, 16, 3, 3), 144), u(32, 144),
            u((10, 128), 128), u(10, 128)]


CASES = {
    "a": dict(name="(a) 2-16-16-1 moons, batch 100", kind="mlp", sizes=[2, 16, 16, 1], batch=100, loss="bce"),
    "b": dict(name="(b) 784-256-128-10, batch 128", kind="mlp", sizes=[784, 256, 128, 10], batch=128, loss="ce"),
    "c": dict(name="(c) 784-1024-1024-10, batch 256", kind="mlp", sizes=[784, 1024, 1024, 10], batch=256, loss="ce"),
    "d": dict(name="(d) digits CNN, batch 64", kind="cnn", batch=64, loss="ce"),
}


def make_data(case, rng):
    n = case["batch"]
    if case["kind"] == "cnn":
        x = rng.standard_normal((n, 1, 8, 8)).astype(np.float32)
        return x, rng.integers(0, 10, n)
    if case["loss"] == "bce":
        x, y = mg.datasets.make_moons(n, noise=0.2, seed=0)
        return x.astype(np.float32), y.astype(np.float32).reshape(-1, 1)
    return rng.standard_normal((n, case["sizes"][0])).astype(np.float32), rng.integers(0, 10, n)


# ----------------------------------------------------------------------------- minigrad
class MinigradCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def minigrad_step(case, weights, x, y):
    if case["kind"] == "cnn":
        model = MinigradCNN()
    else:
        layers = []
        for i in range(len(case["sizes"]) - 1):
            layers += [nn.Linear(case["sizes"][i], case["sizes"][i + 1]), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])
    with mg.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(w)
    opt = optim.Adam(model.parameters(), lr=LR)
    xt, yt = mg.Tensor(x), mg.Tensor(y)
    loss_fn = F.binary_cross_entropy_with_logits if case["loss"] == "bce" else F.cross_entropy

    def step():
        loss = loss_fn(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


# ----------------------------------------------------------------------------- numpy floor
def _numba_adam():
    from numba import njit

    @njit(cache=True, error_model="numpy")
    def adam_serial(p, g, m, v, lr, b1, b2, eps, bc1, bc2_sqrt):
        for i in range(p.size):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            p[i] -= lr / bc1 * m[i] / (np.sqrt(v[i]) / bc2_sqrt + eps)

    return adam_serial


def numpy_step(case, weights, x, y):
    """Hand-written forward/backward; parameters and grads live in flat buffers so the
    update is one serial numba Adam call, like a perfectly fused optimizer."""
    sizes = [w.size for w in weights]
    flat = np.concatenate([w.ravel() for w in weights]).astype(np.float32)
    gflat = np.zeros_like(flat)
    m, v = np.zeros_like(flat), np.zeros_like(flat)
    offsets = np.cumsum([0] + sizes)
    params = [flat[a:b].reshape(w.shape) for a, b, w in zip(offsets[:-1], offsets[1:], weights)]
    grads = [gflat[a:b].reshape(w.shape) for a, b, w in zip(offsets[:-1], offsets[1:], weights)]
    adam = _numba_adam()
    f32 = np.float32
    t = [0]
    n = case["batch"]
    onehot = None
    if case["loss"] == "ce":
        onehot = np.zeros((n, 10), np.float32)
        onehot[np.arange(n), y] = 1

    def loss_grad(logits):
        if case["loss"] == "bce":
            z = logits
            loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
            return loss, ((1 / (1 + np.exp(-z))) - y) / z.size
        shifted = logits - logits.max(1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(1, keepdims=True)
        loss = -np.mean((shifted - np.log(s))[np.arange(n), y])
        return loss, (e / s - onehot) / n

    if case["kind"] == "mlp":
        def forward_backward():
            acts, h = [x], x
            L = len(params) // 2
            for i in range(L):
                h = h @ params[2 * i].T + params[2 * i + 1]
                if i < L - 1:
                    h = np.maximum(h, 0)
                acts.append(h)
            loss, g = loss_grad(h)
            for i in reversed(range(L)):
                np.matmul(g.T, acts[i], out=grads[2 * i])
                np.sum(g, axis=0, out=grads[2 * i + 1])
                if i > 0:
                    g = (g @ params[2 * i]) * (acts[i] > 0)
            return loss
    else:
        def im2col(a):  # (N, C, 8|4, 8|4) padded by 1 -> (N*H*W, C*9)
            N, C, H, W = a.shape
            ap = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
            win = np.lib.stride_tricks.sliding_window_view(ap, (3, 3), axis=(2, 3))  # N,C,H,W,3,3
            return win.transpose(0, 2, 3, 1, 4, 5).reshape(N * H * W, C * 9)

        def col2im(cols, shape):
            N, C, H, W = shape
            c = cols.reshape(N, H, W, C, 3, 3)
            out = np.zeros((N, C, H + 2, W + 2), np.float32)
            for i in range(3):
                for j in range(3):
                    out[:, :, i:i + H, j:j + W] += c[:, :, :, :, i, j].transpose(0, 3, 1, 2)
            return out[:, :, 1:-1, 1:-1]

        def conv_fwd(a, w, b):
            N, C, H, W = a.shape
            cols = im2col(a)
            out = cols @ w.reshape(w.shape[0], -1).T + b
            return out.reshape(N, H, W, -1).transpose(0, 3, 1, 2), cols

        def conv_bwd(g, cols, a_shape, w, gw, gb):
            N, O, H, W = g.shape
            g2 = g.transpose(0, 2, 3, 1).reshape(-1, O)
            gw[...] = (g2.T @ cols).reshape(w.shape)
            gb[...] = g2.sum(0)
            return col2im(g2 @ w.reshape(O, -1), a_shape)

        def pool_fwd(a):
            N, C, H, W = a.shape
            r = a.reshape(N, C, H // 2, 2, W // 2, 2)
            out = r.max(axis=(3, 5))
            mask = r == out[:, :, :, None, :, None]
            return out, mask

        def pool_bwd(g, mask):
            N, C, H2, _, W2, _ = mask.shape
            gg = mask * g[:, :, :, None, :, None]
            return gg.reshape(N, C, H2 * 2, W2 * 2)

        def forward_backward():
            z1, c1 = conv_fwd(x, params[0], params[1])
            a1 = np.maximum(z1, 0)
            p1, m1 = pool_fwd(a1)
            z2, c2 = conv_fwd(p1, params[2], params[3])
            a2 = np.maximum(z2, 0)
            p2, m2 = pool_fwd(a2)
            flatp = p2.reshape(n, -1)
            logits = flatp @ params[4].T + params[5]
            loss, g = loss_grad(logits)
            np.matmul(g.T, flatp, out=grads[4])
            np.sum(g, axis=0, out=grads[5])
            g = (g @ params[4]).reshape(p2.shape)
            g = pool_bwd(g, m2) * (z2 > 0)
            g = conv_bwd(g, c2, p1.shape, params[2], grads[2], grads[3])
            g = pool_bwd(g, m1) * (z1 > 0)
            conv_bwd(g, c1, x.shape, params[0], grads[0], grads[1])
            return loss

    def step():
        loss = forward_backward()
        t[0] += 1
        b1, b2 = 0.9, 0.999
        adam(flat, gflat, m, v, f32(LR), f32(b1), f32(b2), f32(1e-8),
             f32(1 - b1 ** t[0]), f32(np.sqrt(1 - b2 ** t[0])))
        return loss

    return step


# ----------------------------------------------------------------------------- torch
def torch_step(case, weights, x, y, fused):
    tnn = torch.nn
    if case["kind"] == "cnn":
        model = tnn.Sequential(tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                               tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                               tnn.Flatten(), tnn.Linear(128, 10))
    else:
        layers = []
        for i in range(len(case["sizes"]) - 1):
            layers += [tnn.Linear(case["sizes"][i], case["sizes"][i + 1]), tnn.ReLU()]
        model = tnn.Sequential(*layers[:-1])
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True if fused else None)
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y)
    loss_fn = (torch.nn.functional.binary_cross_entropy_with_logits if case["loss"] == "bce"
               else torch.nn.functional.cross_entropy)

    def step():
        loss = loss_fn(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


# ----------------------------------------------------------------------------- timing
def case_inputs(key):
    case = CASES[key]
    rng = np.random.default_rng(0)
    weights = mlp_weights(case["sizes"], rng) if case["kind"] == "mlp" else cnn_weights(rng)
    x, y = make_data(case, rng)
    return case, weights, x, y


def _serve(info, make_steps):
    """A worker's loop: print ``info``, then answer JSON commands on stdin, one line each.

    ``{"op": "first", "case": K}``: the first loss of every implementation this worker has.
    ``{"op": "time", "case": K, "impl": NAME, "steps": N}``: ms/step of N back-to-back steps,
    after a few untimed ones (the threads of this process wake up before the clock starts).
    """
    import json
    import sys
    print(json.dumps(info), flush=True)
    steps = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        key = cmd["case"]
        if key not in steps:
            steps[key] = make_steps(*case_inputs(key))
        if cmd["op"] == "first":
            reply = {k: float(getattr(loss, "detach", lambda: loss)())
                     for k, loss in ((k, s()) for k, s in steps[key].items())}
        else:
            step = steps[key][cmd["impl"]]
            per_step_ms(step, max(2, cmd["steps"] // 20))
            reply = {cmd["impl"]: per_step_ms(step, cmd["steps"])}
        print(json.dumps(reply), flush=True)


def torch_worker_main():
    global torch
    try:
        import torch as _torch
    except ImportError:
        return _serve({"torch": None}, None)
    torch = _torch
    torch.set_num_threads(os.cpu_count())
    _serve({"torch": torch.__version__, "threads": torch.get_num_threads()},
           lambda case, w, x, y: {"torch default": torch_step(case, w, x, y, fused=False),
                                  "torch fused": torch_step(case, w, x, y, fused=True)})


def numpy_worker_main():
    _serve({"numpy": np.__version__},
           lambda case, w, x, y: {"minigrad": minigrad_step(case, w, x, y),
                                  "numpy floor": numpy_step(case, w, x, y)})


def bench_case(key, rounds, workers, pause):
    """Median ms/step of every implementation over ``rounds`` rounds.

    Each library runs in its own process (``workers``: one for minigrad and the numpy floor, one
    for torch); this process only coordinates. Every round times each implementation once, in a
    new random order, and every timed block starts after ``pause`` seconds of quiet: threads
    left spinning by whatever ran before (OpenBLAS's after a matmul, GNU OpenMP's after a torch
    op) would otherwise take the cores from the next block. Without the pause, torch timed
    right after numpy's matmuls ran 14x slower here (173 ms instead of 12 ms a step on case (b),
    a loaded machine); in the earlier version of this benchmark, which paused only after torch
    and timed torch's default path first in every torch block, that inflated "vs default".
    """
    case = CASES[key]
    owner, first = {}, {}
    for w in workers:
        reply = w.ask(op="first", case=key)  # same weights, data and loss everywhere
        first.update(reply)
        owner.update(dict.fromkeys(reply, w))
    ref = first["numpy floor"]
    for k, v in first.items():
        assert abs(v - ref) < 1e-4 * max(1, abs(ref)), f"{case['name']}: {k} first loss {v} != {ref}"
    probe = owner["numpy floor"].ask(op="time", case=key, impl="numpy floor", steps=3)
    n_steps = max(3, int(60 / max(probe["numpy floor"], 0.01)))  # ~60 ms of floor work a block
    for impl, w in owner.items():
        w.ask(op="time", case=key, impl=impl, steps=n_steps)  # warm up
    times = {impl: [] for impl in owner}
    order = np.random.default_rng(1)
    for _ in range(rounds):
        for impl in order.permutation(list(owner)):
            time.sleep(pause)
            times[impl].append(owner[impl].ask(op="time", case=key, impl=impl,
                                               steps=n_steps)[impl])
    return case["name"], {k: float(np.median(v)) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--only", default="a,b,c,d")
    ap.add_argument("--pause", type=float, default=0.3,
                    help="seconds of quiet before every timed block")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--numpy-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        return torch_worker_main()
    if args.numpy_worker:
        return numpy_worker_main()
    script = os.path.abspath(__file__)
    workers = [torch_worker.TorchWorker(script, flag="--numpy-worker")]
    torch_info = torch_worker.start(script)
    workers += [torch_info] if torch_info else []
    print(f"full training step, float32, median ms/step over {args.rounds} interleaved rounds "
          f"(each library in its own process, {args.pause:g} s of quiet before every block)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}" + (f", torch {torch_info.info['torch']} "
                                      f"({torch_info.info['threads']} threads)"
                                      if torch_info else ", torch absent"))
    cols = ["minigrad", "numpy floor", "torch default", "torch fused"]
    print(f"{'network':<34}" + "".join(f"{c:>14}" for c in cols) +
          f"{'vs default':>12}{'vs fused':>10}{'vs floor':>10}")
    for key in args.only.split(","):
        name, t = bench_case(key.strip(), args.rounds, workers, args.pause)
        cells = "".join(f"{t[c]:>14.3f}" if c in t else f"{'-':>14}" for c in cols)
        ratios = ""
        for other in ("torch default", "torch fused"):
            ratios += f"{t[other] / t['minigrad']:>11.2f}x" if other in t else f"{'-':>12}"
        ratios += f"{t['minigrad'] / t['numpy floor']:>9.2f}x"
        print(f"{name:<34}{cells}{ratios}", flush=True)
    for w in workers:
        w.close()
    print("vs default / vs fused: how many times faster minigrad is than torch (higher is better);"
          " vs floor: minigrad's time over the hand-written numpy floor (1.00x = no engine overhead)")
    print("torch default: torch.optim.Adam(params, lr) as written, which on the CPU is the "
          "single-tensor loop (foreach and fused are opt-in there); torch fused: fused=True")


if __name__ == "__main__":
    main()
