"""makemore, three ways: a bigram table, an MLP over a context window, then a GPT, each
learning to make more names, compared by validation loss.

The names are the ~10,000 function and class names defined in Python's standard library
(``minigrad.data.text.stdlib_names``): no installed package ships a list of people's names,
and these need no download. All three models read the same stream ``name\\nname\\n...``
(shuffled with a fixed seed, 90% train / 10% validation) and predict each next character;
they differ only in how much context they use: 1 character, 8 characters, 32 characters
with attention.

    python examples/makemore.py                 # about 3 minutes on 2 cores

MINIGRAD_EXAMPLES_QUICK=1 trains for a few steps only (the tests).
"""
import math
import os

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.data.text import CharTokenizer, TextBlocks, load_corpus, split_text
from minigrad.models import GPT, GPTConfig, WarmupCosine, estimate_loss
from minigrad.optim.lr_scheduler import LambdaLR

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"
parser = _args.parser(__doc__)
parser.add_argument("--steps", type=_args.positive_int, default=20 if QUICK else 3000,
                    help="training steps of the MLP and of the GPT")
parser.add_argument("--seed", type=int, default=0, help="random seed")
args = parser.parse_args()

text = load_corpus("names")
tok = CharTokenizer.from_text(text)
train_text, val_text = split_text(text, 0.1)
train_ids, val_ids = tok.encode(train_text), tok.encode(val_text)
V = tok.vocab_size
print(f"{text.count(chr(10)):,} names, {V} characters (letters, digits, _ and the newline that "
      f"ends a name); a uniform guess costs ln {V} = {math.log(V):.3f} nats per character")
gen = mg.Generator().manual_seed(args.seed)


def show(samples):
    names = [s for s in samples.split("\n") if s][:8]
    print("    samples: " + ", ".join(names))


# 1. Bigram: count which character follows which, normalise the rows (add-one smoothing).
counts = np.ones((V, V))
np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
probs = counts / counts.sum(1, keepdims=True)
bigram_loss = -np.log(probs[val_ids[:-1], val_ids[1:]]).mean()
print(f"bigram  val loss {bigram_loss:.4f}")
row, out = tok.encode("\n")[0], []
for _ in range(120):
    row = int(mg.multinomial(mg.tensor(probs[row]), 1, generator=gen).item())
    out.append(row)
show(tok.decode(out))


# 2. MLP (Bengio et al. 2003): embed the last 8 characters, concatenate, one tanh layer.
class MLP(nn.Module):
    def __init__(self, vocab, context, dim=16, hidden=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.hidden = nn.Linear(context * dim, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, idx, targets=None):  # idx (B, context) -> logits for the next character
        h = self.hidden(self.emb(idx).flatten(1)).tanh()
        logits = self.out(h)
        return logits, None if targets is None else F.cross_entropy(logits, targets[:, -1])


def train_model(model, blocks, lr):
    opt = mg.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = LambdaLR(opt, WarmupCosine(min(100, args.steps // 10), args.steps))
    rng = np.random.default_rng(args.seed)
    for _ in range(args.steps):
        x, y = blocks.random_batch(64, rng)
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()


mg.manual_seed(args.seed)
context = 8
mlp = MLP(V, context)
train_model(mlp, TextBlocks(train_ids, context), 3e-3)
val_blocks = TextBlocks(val_ids, context)
mlp_loss = estimate_loss(mlp, val_blocks, 20, 256)
print(f"MLP     val loss {mlp_loss:.4f}")
window, out = list(tok.encode("\n" * context)), []
with mg.no_grad():
    for _ in range(120):
        logits, _ = mlp(np.array([window[-context:]]))
        window.append(int(mg.multinomial(logits.softmax(-1), 1, generator=gen).item()))
show(tok.decode(window[context:]))

# 3. GPT: attention over the last 32 characters (the whole name and the one before).
mg.manual_seed(args.seed)
gpt = GPT(GPTConfig(V, block_size=32, n_layer=2, n_head=4, n_embd=64, dropout=0.1))
train_model(gpt, TextBlocks(train_ids, 32), 2e-3)
gpt_loss = estimate_loss(gpt, TextBlocks(val_ids, 32), 20, 64)
print(f"GPT     val loss {gpt_loss:.4f}")
show(tok.decode(gpt.generate(tok.encode("\n")[None], 150, generator=gen)[0]))
