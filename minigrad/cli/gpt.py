"""``minigrad train --model gpt``: a character-level GPT on a text corpus, with live progress,
periodic validation loss, checkpoints (``--save``/``--resume``) and a loss-curve picture.

The training loop: AdamW (decoupled weight decay on the matrices only) with a linear warmup
and a cosine decay of the learning rate over ``--steps``, gradient clipping, random
(context, next-character) batches. Batch ``i`` and the dropout mask of step ``i`` come from
``(seed, i)`` alone, so a run resumed from a checkpoint continues exactly as one that never
stopped. Checkpoints hold what ``minigrad sample`` needs to rebuild the model and tokenizer.
"""
import sys
import time

import numpy as np

from . import CLIError
from .paths import PICTURES, check_output

CHECKPOINT_FORMAT = "minigrad-gpt-1"
# the settings a resumed run must share with the run that saved the checkpoint
_RESUME_KEYS = ("dataset", "block_size", "layers", "heads", "width", "dropout", "batch_size",
                "seed", "steps", "warmup", "lr", "weight_decay")


def _positive_int(text):
    import argparse
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}")
    return value


def add_arguments(p):
    """The GPT options, as an argument group of ``minigrad train``."""
    g = p.add_argument_group(
        "language model (--model gpt)",
        "--dataset is a text corpus: stdlib (Python's standard-library source), names (its "
        "function and class names, one per line) or a UTF-8 text file. Trains with AdamW "
        "(--optimizer must be left at its default or be adamw), warmup + cosine learning "
        "rate, gradient clipping; --lr defaults to 1e-3, --weight-decay to 0.1 (on matrices "
        "only). --save writes a checkpoint at every evaluation; --plot draws the loss curves.")
    g.add_argument("--steps", type=_positive_int, default=2000, metavar="N", help="optimizer steps")
    g.add_argument("--minutes", type=float, default=None, metavar="M",
                   help="also stop after this many minutes of training")
    g.add_argument("--block-size", type=_positive_int, default=64, metavar="N",
                   help="context length")
    g.add_argument("--layers", type=_positive_int, default=4, metavar="N", help="transformer blocks")
    g.add_argument("--heads", type=_positive_int, default=4, metavar="N", help="attention heads")
    g.add_argument("--width", type=_positive_int, default=128, metavar="N", help="embedding width")
    g.add_argument("--dropout", type=float, default=0.0, metavar="P", help="dropout probability")
    g.add_argument("--warmup", type=int, default=None, metavar="N",
                   help="warmup steps (default: 100, or a tenth of --steps if less)")
    g.add_argument("--grad-clip", type=float, default=1.0, metavar="NORM",
                   help="gradient norm limit")
    g.add_argument("--eval-every", type=_positive_int, default=200, metavar="N",
                   help="steps between validation losses")
    g.add_argument("--eval-batches", type=_positive_int, default=20, metavar="N",
                   help="batches per validation estimate")


def _settings(args):
    return {"dataset": args.dataset, "block_size": args.block_size, "layers": args.layers,
            "heads": args.heads, "width": args.width, "dropout": args.dropout,
            "batch_size": args.batch_size, "seed": args.seed, "steps": args.steps,
            "warmup": min(100, args.steps // 10) if args.warmup is None else args.warmup,
            "lr": 1e-3 if args.lr is None else args.lr,
            "weight_decay": 0.1 if args.weight_decay is None else args.weight_decay,
            "grad_clip": args.grad_clip}


def _validate(args, s):
    if args.optimizer not in ("adam", "adamw"):
        raise CLIError(f"--model gpt trains with AdamW; --optimizer {args.optimizer} is not "
                       "supported for it")
    if not 0 <= s["dropout"] < 1:
        raise CLIError(f"--dropout must be in [0, 1), got {s['dropout']}")
    if not 0 <= s["warmup"] < s["steps"]:
        raise CLIError(f"--warmup must be in [0, --steps), got {s['warmup']}")
    if s["width"] % s["heads"]:
        raise CLIError(f"--width ({s['width']}) must be divisible by --heads ({s['heads']})")
    if not s["lr"] > 0 or not s["weight_decay"] >= 0 or not s["grad_clip"] > 0:
        raise CLIError("--lr and --grad-clip must be > 0 and --weight-decay >= 0")
    if args.batch_size < 1 or args.seed < 0:
        raise CLIError("--batch-size must be >= 1 and --seed >= 0")
    if args.minutes is not None and not args.minutes > 0:
        raise CLIError(f"--minutes must be > 0, got {args.minutes}")


def load_data(name, block_size):
    """``(tokenizer, train blocks, val blocks, corpus info)`` of a corpus, split 90/10."""
    from ..data.text import (CharTokenizer, TextBlocks, corpus_info, load_corpus, split_text,
                             unigram_entropy)
    try:
        text = load_corpus(name)
    except (FileNotFoundError, ValueError, UnicodeDecodeError) as e:
        raise CLIError(f"--dataset: {e}") from None
    tok = CharTokenizer.from_text(text)
    train, val = split_text(text)
    info = dict(corpus_info(text), unigram_entropy=unigram_entropy(train))
    try:
        return tok, TextBlocks(tok.encode(train), block_size), TextBlocks(tok.encode(val),
                                                                          block_size), info
    except ValueError as e:
        raise CLIError(f"--dataset {name}: {e}") from None


def build(settings, vocab_size):
    """Model, optimizer and learning-rate scheduler for ``settings``."""
    from ..models import GPT, GPTConfig, WarmupCosine
    from ..optim.lr_scheduler import LambdaLR
    config = GPTConfig(vocab_size, settings["block_size"], settings["layers"], settings["heads"],
                       settings["width"], settings["dropout"])
    model = GPT(config)
    opt = model.configure_optimizer(lr=settings["lr"], weight_decay=settings["weight_decay"])
    sched = LambdaLR(opt, WarmupCosine(settings["warmup"], settings["steps"]))
    return model, opt, sched


class LMProgress:
    """A live line on a terminal (redrawn a few times a second), plain lines otherwise."""

    def __init__(self, total, quiet=False, stream=None):
        self.stream = stream or sys.stdout
        self.total = total
        self.live = not quiet and getattr(self.stream, "isatty", lambda: False)()
        self.quiet = quiet
        self.last_draw = 0.0

    def step(self, step, loss, tokens_per_s, lr):
        now = time.perf_counter()
        if self.live and (now - self.last_draw > 0.25 or step == self.total):
            self.last_draw = now
            self.stream.write(f"\rstep {step:>{len(str(self.total))}}/{self.total}  loss "
                              f"{loss:.4f}  lr {lr:.2e}  {tokens_per_s:,.0f} tokens/s   ")
            self.stream.flush()

    def message(self, text):
        if self.quiet:
            return
        if self.live:
            self.stream.write("\r" + " " * 78 + "\r")
        self.stream.write(text + "\n")
        self.stream.flush()


def _load_checkpoint(path, settings):
    from .checkpoint import load_file
    ckpt = load_file(path, "--resume")
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise CLIError(f"--resume: {path} is not a minigrad GPT checkpoint")
    saved = ckpt["settings"]
    diff = [f"{k}={saved.get(k)!r} (now {settings[k]!r})" for k in _RESUME_KEYS
            if saved.get(k) != settings[k]]
    if diff:
        raise CLIError(f"--resume: the checkpoint was trained with different settings: "
                       f"{', '.join(diff)}")
    return ckpt


def run(args):
    """Train a GPT as ``args`` say; returns the exit status."""
    import minigrad as mg
    from ..models import estimate_loss
    from ..nn.utils import clip_grad_norm_

    s = _settings(args)
    _validate(args, s)
    check_output("--save", args.save)
    if args.plot:
        from .plots import have_matplotlib
        check_output("--plot", args.plot, PICTURES)
        if not have_matplotlib():
            raise CLIError('--plot needs matplotlib: pip install "minigrad[viz]"')
    tok, train, val, info = load_data(args.dataset, s["block_size"])
    mg.manual_seed(s["seed"])
    model, opt, sched = build(s, tok.vocab_size)
    history = {"step": [], "seconds": [], "train_loss": [], "val_loss": []}
    start, spent = 0, 0.0
    if args.resume:
        ckpt = _load_checkpoint(args.resume, s)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        history = {k: list(v) for k, v in ckpt["history"].items()}
        start = int(ckpt["step"])
        spent = history["seconds"][-1] if history["seconds"] else 0.0
    progress = LMProgress(s["steps"], quiet=args.quiet)
    progress.message(
        f"training a GPT on {args.dataset} ({info['characters']:,} characters, vocabulary "
        f"{tok.vocab_size}, unigram entropy {info['unigram_entropy']:.3f} nats): "
        f"{s['layers']} layers, {s['heads']} heads, width {s['width']}, context "
        f"{s['block_size']}, {model.num_parameters():,} parameters; batch {s['batch_size']}, "
        f"{s['steps']} steps, lr {s['lr']:g}" + (f", resumed at step {start}" if start else ""))
    params = list(model.parameters())
    tokens = s["batch_size"] * s["block_size"]
    began = time.perf_counter() - spent
    window_start, window_steps, running = time.perf_counter(), 0, None
    step = start

    def evaluate():
        train_loss = estimate_loss(model, train, args.eval_batches, s["batch_size"], seed=1)
        val_loss = estimate_loss(model, val, args.eval_batches, s["batch_size"], seed=2)
        history["step"].append(step)
        history["seconds"].append(time.perf_counter() - began)
        history["train_loss"].append(train_loss)
        history["val_loss"].append(val_loss)
        progress.message(f"step {step:>{len(str(s['steps']))}}/{s['steps']}  train "
                         f"{train_loss:.4f}  val {val_loss:.4f}  "
                         f"{_clock(history['seconds'][-1])} elapsed")
        if args.save:
            _save(args.save, s, step, model, opt, sched, history, tok, info)

    if start == 0:
        evaluate()
    while step < s["steps"]:
        if args.minutes is not None and time.perf_counter() - began > 60 * args.minutes:
            progress.message(f"--minutes {args.minutes:g} reached at step {step}")
            break
        rng = np.random.default_rng([s["seed"], step])
        mg.manual_seed(s["seed"] * 1_000_003 + step)  # this step's dropout masks
        x, y = train.random_batch(s["batch_size"], rng)
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        clip_grad_norm_(params, s["grad_clip"])
        opt.step()
        sched.step()
        step += 1
        value = loss.item()
        running = value if running is None else 0.9 * running + 0.1 * value
        window_steps += 1
        now = time.perf_counter()
        progress.step(step, running, window_steps * tokens / max(now - window_start, 1e-9),
                      opt.param_groups[0]["lr"])
        if now - window_start > 5:
            window_start, window_steps = now, 0
        if step % args.eval_every == 0 or step == s["steps"]:
            evaluate()
    if history["step"][-1] != step:
        evaluate()
    progress.message(f"final: val loss {history['val_loss'][-1]:.4f} nats/char "
                     f"({history['val_loss'][-1] / np.log(2):.3f} bits) after {step} steps in "
                     f"{_clock(history['seconds'][-1])}; unigram entropy "
                     f"{info['unigram_entropy']:.3f}")
    if args.save:
        progress.message(f"checkpoint: {args.save} (minigrad sample {args.save})")
    if args.plot:
        save_loss_figure(history, info["unigram_entropy"], args.plot,
                         f"minigrad GPT on {args.dataset}: {s['layers']} layers, width "
                         f"{s['width']}, context {s['block_size']}")
        progress.message(f"picture: {args.plot}")
    return 0


def _clock(seconds):
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _save(path, settings, step, model, opt, sched, history, tok, info):
    import minigrad as mg
    mg.save({"format": CHECKPOINT_FORMAT, "settings": settings, "step": step,
             "config": model.config.to_dict(), "tokenizer": tok.chars, "corpus": info,
             "model": model.state_dict(), "optimizer": opt.state_dict(),
             "scheduler": sched.state_dict(), "history": history}, path)


def save_loss_figure(history, entropy, path, title):
    """Training and validation loss against minutes of training, with the corpus's unigram
    entropy (the best loss without context) for reference."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = np.asarray(history["seconds"]) / 60
    fig, ax = plt.subplots(figsize=(6.4, 4), dpi=100)
    ax.plot(minutes, history["train_loss"], label="training loss", color="tab:blue", alpha=0.6)
    ax.plot(minutes, history["val_loss"], label="validation loss", color="tab:orange", lw=2)
    ax.axhline(entropy, color="gray", ls="--", lw=1,
               label=f"unigram entropy {entropy:.2f} (no context)")
    last = history["val_loss"][-1]
    ax.annotate(f"{last:.3f} after {minutes[-1]:.1f} min", (minutes[-1], last),
                textcoords="offset points", xytext=(-80, 12), fontsize=8)
    ax.set_xlabel("minutes of training (2-core CPU)")
    ax.set_ylabel("cross-entropy (nats per character)")
    ax.set_ylim(0, max(history["val_loss"][0], entropy) * 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
