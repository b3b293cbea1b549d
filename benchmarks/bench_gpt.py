"""One GPT training step (forward, cross-entropy, backward, clip_grad_norm_, AdamW),
float32, minigrad against PyTorch eager on the same model, weights, batches and threads.

Model: minigrad.models.GPT with 4 layers, 4 heads, 128 wide, context 64 (822k parameters
with the stdlib corpus's vocabulary); batch 32, so 2,048 tokens per step. The torch model is
the same module tree (nn.Embedding x2, nn.TransformerEncoder of norm-first GELU layers with a
causal mask, nn.LayerNorm, a head tied to the token embedding), loaded with minigrad's
initial state_dict; the first losses must agree.

torch runs in its own process (benchmarks/torch_worker.py), with as many threads as the
machine has cores; the two are interleaved round by round in a fresh random order, and each
figure is the median over rounds of the mean step time of a round.

    python benchmarks/bench_gpt.py [--rounds 15] [--steps 10] [--threads N] [--batch 32] ...

``--threads N`` (default: all cores) sets torch's intra-op threads and, for minigrad,
``OPENBLAS_NUM_THREADS`` and ``NUMBA_NUM_THREADS`` (set here before numpy is imported).
"""
import argparse
import os
import platform
import sys
import time


def _threads_from_argv(argv):
    """``--threads N`` must act before numpy loads OpenBLAS, i.e. before argparse runs."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return None


if _threads_from_argv(sys.argv) is not None:
    for _var in ("OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[_var] = _threads_from_argv(sys.argv)

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.data.text import CharTokenizer, TextBlocks, load_corpus  # noqa: E402
from minigrad.models import GPT, GPTConfig  # noqa: E402

import torch_worker  # noqa: E402
from torch_worker import per_step_ms  # noqa: E402

torch = None  # imported only in the torch worker process (see torch_worker.py)

LR, WEIGHT_DECAY, BETAS, CLIP = 1e-3, 0.1, (0.9, 0.99), 1.0


def setup(batch, block, layers, heads, width, n_batches=8):
    """The model's initial weights and config, and fixed batches (the same in both
    processes: everything derives from seeds)."""
    text = load_corpus("stdlib")
    tok = CharTokenizer.from_text(text)
    blocks = TextBlocks(tok.encode(text), block)
    rng = np.random.default_rng(0)
    data = [tuple(t.numpy() for t in blocks.random_batch(batch, rng)) for _ in range(n_batches)]
    config = GPTConfig(tok.vocab_size, block, layers, heads, width)
    mg.manual_seed(0)
    model = GPT(config)
    return model, config, data


def minigrad_step(model, data):
    opt = model.configure_optimizer(lr=LR, weight_decay=WEIGHT_DECAY, betas=BETAS)
    params = list(model.parameters())
    i = [0]

    def step():
        x, y = data[i[0] % len(data)]
        i[0] += 1
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        mg.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        return loss.item()

    return step


def torch_model(config, state):
    tnn = torch.nn

    class TorchGPT(tnn.Module):
        def __init__(self, c):
            super().__init__()
            self.wte = tnn.Embedding(c.vocab_size, c.n_embd)
            self.wpe = tnn.Embedding(c.block_size, c.n_embd)
            self.drop = tnn.Dropout(c.dropout)
            layer = tnn.TransformerEncoderLayer(c.n_embd, c.n_head, 4 * c.n_embd, c.dropout,
                                                activation="gelu", batch_first=True,
                                                norm_first=True)
            self.blocks = tnn.TransformerEncoder(layer, c.n_layer, enable_nested_tensor=False)
            self.ln_f = tnn.LayerNorm(c.n_embd)
            self.lm_head = tnn.Linear(c.n_embd, c.vocab_size, bias=False)
            self.lm_head.weight = self.wte.weight
            self.register_buffer("mask", tnn.Transformer.generate_square_subsequent_mask(
                c.block_size), persistent=False)

        def forward(self, idx, targets):
            t = idx.shape[1]
            x = self.drop(self.wte(idx) + self.wpe(torch.arange(t)))
            x = self.blocks(x, mask=self.mask[:t, :t], is_causal=True)
            logits = self.lm_head(self.ln_f(x))
            return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                     targets.reshape(-1))

    model = TorchGPT(config)
    missing = model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    assert not missing.missing_keys and not missing.unexpected_keys, missing
    return model


def torch_step(config, state, data):
    model = torch_model(config, state)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=BETAS)
    tdata = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in data]
    i = [0]

    def step():
        x, y = tdata[i[0] % len(tdata)]
        i[0] += 1
        loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        return loss.item()

    return step


def torch_worker_main(args):
    import json
    global torch
    try:
        import torch as _torch
    except ImportError:
        print(json.dumps({"torch": None}), flush=True)
        return
    torch = _torch
    torch.set_num_threads(args.threads or os.cpu_count())
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    model, config, data = setup(args.batch, args.block, args.layers, args.heads, args.width)
    state = {k: np.asarray(v) for k, v in model.state_dict().items()}
    step = torch_step(config, state, data)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "first":
            reply = {"torch": step()}
        else:
            reply = {"torch": per_step_ms(step, cmd["steps"])}
        print(json.dumps(reply), flush=True)


def main():
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=10, help="steps per implementation per round")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for both libraries (default: all cores)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--block", type=int, default=64)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        return torch_worker_main(args)
    worker = torch_worker.start(__file__, _forwarded(args))
    model, config, data = setup(args.batch, args.block, args.layers, args.heads, args.width)
    step = minigrad_step(model, data)
    first = {"minigrad": step()}
    if worker is not None:
        first.update(worker.ask(op="first"))
        assert abs(first["torch"] - first["minigrad"]) < 1e-4 * abs(first["minigrad"]), first
    tokens = args.batch * args.block
    print(f"GPT training step, float32: {config.n_layer} layers, {config.n_head} heads, width "
          f"{config.n_embd}, context {config.block_size}, batch {args.batch} ({tokens} tokens), "
          f"vocabulary {config.vocab_size}, {model.num_parameters():,} parameters")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}"
          + (f", torch {worker.info['torch']} eager in a separate process "
             f"({worker.info['threads']} threads)" if worker else ", torch absent"))
    print("first loss: " + ", ".join(f"{k} {v:.6f}" for k, v in first.items()))
    per_step_ms(step, args.steps)  # warm up
    times = {"minigrad": []}
    if worker is not None:
        worker.ask(op="time", steps=args.steps)
        times["torch"] = []
    order = np.random.default_rng(1)
    for _ in range(args.rounds):
        for name in order.permutation(list(times)):
            if name == "minigrad":
                times[name].append(per_step_ms(step, args.steps))
            else:
                times[name].append(worker.ask(op="time", steps=args.steps)["torch"])
                time.sleep(0.3)  # let torch's OpenMP workers stop spinning
    print(f"median over {args.rounds} interleaved rounds of {args.steps} steps:")
    med = {k: float(np.median(v)) for k, v in times.items()}
    for name, ms in med.items():
        print(f"  {name:<9} {ms:8.1f} ms/step  {tokens / ms * 1e3:9,.0f} tokens/s")
    if "torch" in med:
        print(f"  minigrad is {med['torch'] / med['minigrad']:.2f}x torch eager's speed "
              "(higher is better)")
    if worker is not None:
        worker.close()


def _forwarded(args):
    threads = ["--threads", str(args.threads)] if args.threads else []
    return threads + ["--batch", str(args.batch), "--block", str(args.block), "--layers",
            str(args.layers), "--heads", str(args.heads), "--width", str(args.width)]


if __name__ == "__main__":
    main()
