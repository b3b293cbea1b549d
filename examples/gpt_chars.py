"""A character-level GPT trained on a CPU, end to end, on Python's own source code.

The corpus is the source of a fixed list of standard-library modules (about 3 MB, already on
every machine that runs Python: nothing to download). The model reads 64 characters and
predicts the next one at every position; after a few minutes it writes plausible Python.

    python examples/gpt_chars.py                   # 2000 steps, ~3 minutes on 2 idle cores
    python examples/gpt_chars.py --steps 300       # a quick look

``minigrad train --dataset stdlib --model gpt`` is the same run with checkpoints and a
loss picture. MINIGRAD_EXAMPLES_QUICK=1 runs a tiny model for a few steps (the tests).
"""
import os
import time

import numpy as np

import minigrad as mg
from minigrad.data.text import CharTokenizer, TextBlocks, load_corpus, split_text, unigram_entropy
from minigrad.models import GPT, GPTConfig, WarmupCosine, estimate_loss
from minigrad.nn.utils import clip_grad_norm_
from minigrad.optim.lr_scheduler import LambdaLR

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"
parser = _args.parser(__doc__)
parser.add_argument("--steps", type=_args.positive_int, default=30 if QUICK else 2000,
                    help="optimizer steps")
parser.add_argument("--batch-size", type=_args.positive_int, default=32, help="examples per step")
parser.add_argument("--lr", type=_args.positive_float, default=1e-3, help="learning rate")
parser.add_argument("--seed", type=int, default=0, help="random seed")
args = parser.parse_args()

# 1. Data: characters -> ids, 90% to train on, the last 10% to validate on.
text = load_corpus("stdlib")
tokenizer = CharTokenizer.from_text(text)
train_text, val_text = split_text(text, 0.1)
block_size = 16 if QUICK else 64
train = TextBlocks(tokenizer.encode(train_text), block_size)  # (64 chars, the 64 next ones)
val = TextBlocks(tokenizer.encode(val_text), block_size)
print(f"corpus: {len(text):,} characters, vocabulary {tokenizer.vocab_size}, unigram entropy "
      f"{unigram_entropy(train_text):.3f} nats (the loss of a model that ignores context)")

# 2. Model: embeddings, 4 pre-norm transformer blocks, a head tied to the token embedding.
mg.manual_seed(args.seed)
config = GPTConfig(tokenizer.vocab_size, block_size, n_layer=1 if QUICK else 4,
                   n_head=4, n_embd=32 if QUICK else 128)
model = GPT(config)
print(f"model: {config.n_layer} layers, {config.n_head} heads, width {config.n_embd}, "
      f"{model.num_parameters():,} parameters")

# 3. Optimizer: AdamW (decay on matrices only), warmup then cosine decay, clipped gradients.
optimizer = model.configure_optimizer(lr=args.lr, weight_decay=0.1)
scheduler = LambdaLR(optimizer, WarmupCosine(warmup=min(100, args.steps // 10), total=args.steps))
rng = np.random.default_rng(args.seed)
start = time.perf_counter()
for step in range(args.steps + 1):
    if step % (10 if QUICK else 250) == 0 or step == args.steps:
        val_loss = estimate_loss(model, val, batches=5 if QUICK else 20, batch_size=args.batch_size)
        print(f"step {step:5d}  val loss {val_loss:.4f}  {time.perf_counter() - start:6.1f} s")
    if step == args.steps:
        break
    x, y = train.random_batch(args.batch_size, rng)
    _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()

# 4. Sample: continue a prompt, one character at a time.
prompt = tokenizer.encode("def ")[None]
out = model.generate(prompt, 100 if QUICK else 600, temperature=0.8, top_k=20,
                     generator=mg.Generator().manual_seed(args.seed))
print("sample:\n" + tokenizer.decode(out[0]))
