"""A GPT (decoder-only transformer) for character-level language modelling, built from
minigrad's PyTorch-compatible layers.

    tokens (B, T) -> token embedding + position embedding -> dropout
                  -> n_layer pre-norm blocks (nn.TransformerEncoderLayer, norm_first=True,
                     GELU, causal self-attention)
                  -> LayerNorm -> linear head tied to the token embedding -> logits (B, T, V)

Initialisation as GPT-2: weights N(0, 0.02), biases 0, and the two projections that write
into the residual stream (attention ``out_proj`` and ``linear2``) N(0, 0.02 / sqrt(2 n_layer)),
so the residual stream's variance does not grow with depth. Training helpers: AdamW with
weight decay on matrices only (:meth:`GPT.configure_optimizer`), a warmup + cosine learning
rate (:class:`WarmupCosine` for ``LambdaLR``) and :func:`estimate_loss`.
"""
import math
from dataclasses import asdict, dataclass

import numpy as np

from .. import grad_mode, nn, optim
from ..nn import functional as F
from ..ops.reduction import softmax
from ..random import Generator
from ..sampling import multinomial
from ..tensor import Tensor


@dataclass
class GPTConfig:
    """Sizes of a :class:`GPT`. ``block_size`` is the longest context; ``n_embd`` must be
    divisible by ``n_head``. The defaults are the 4-layer, 4-head, 128-wide model of the
    README and the benchmark."""
    vocab_size: int
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0

    def validate(self):
        """Return ``self`` if the sizes make a model, else raise ValueError naming the field."""
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"GPTConfig: {name} must be a positive int, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig: n_embd ({self.n_embd}) must be divisible by n_head "
                             f"({self.n_head})")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout!r}")
        return self

    def to_dict(self):
        """The fields as a plain dict: ``GPTConfig(**d)`` rebuilds it (checkpoints store it)."""
        return asdict(self)


class GPT(nn.Module):
    """A decoder-only transformer: ``forward(idx, targets=None) -> (logits, loss)``.

    ``idx`` is an int array/Tensor (B, T) of token ids, T <= block_size. With ``targets``
    (B, T) the loss is the mean cross-entropy of the next-token predictions, else None.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config.validate()
        c = config
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.block_size, c.n_embd)
        self.drop = nn.Dropout(c.dropout)
        layer = nn.TransformerEncoderLayer(c.n_embd, c.n_head, 4 * c.n_embd, dropout=c.dropout,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, c.n_layer)
        self.ln_f = nn.LayerNorm(c.n_embd)
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one matrix, two uses
        self._init_weights()
        self._positions = np.arange(c.block_size)

    def _init_weights(self):
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layer)
        norms = {id(m.weight) for m in self.modules() if isinstance(m, nn.LayerNorm)}
        with grad_mode.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("out_proj.weight") or name.endswith("linear2.weight"):
                    nn.init.normal_(p, 0.0, residual_std)
                elif p.ndim == 2:
                    nn.init.normal_(p, 0.0, 0.02)
                elif id(p) in norms:
                    nn.init.ones_(p)
                else:
                    nn.init.zeros_(p)

    def num_parameters(self):
        """Trainable parameters, the tied embedding counted once."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx, targets=None):
        idx = idx._data if isinstance(idx, Tensor) else np.asarray(idx)
        if idx.ndim != 2:
            raise ValueError(f"GPT: idx must be (batch, time) token ids, got shape {idx.shape}")
        t = idx.shape[1]
        if t > self.config.block_size:
            raise ValueError(f"GPT: sequence length {t} exceeds block_size "
                             f"{self.config.block_size}")
        x = self.drop(self.wte(idx) + self.wpe(self._positions[:t]))
        x = self.blocks(x, mask=_causal_mask(t), is_causal=True)
        logits = self.lm_head(self.ln_f(x))
        loss = None
        if targets is not None:
            targets = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                   Tensor._wrap(targets.reshape(-1)))
        return logits, loss

    def configure_optimizer(self, lr=1e-3, weight_decay=0.1, betas=(0.9, 0.99)):
        """AdamW with two parameter groups: weight decay on the matrices (linear weights
        and embeddings), none on biases and LayerNorm parameters."""
        params = list(self.parameters())
        decay = [p for p in params if p.ndim >= 2]
        no_decay = [p for p in params if p.ndim < 2]
        return optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                            {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=betas)

    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        """Extend each row of ``idx`` (B, T) by ``max_new_tokens`` sampled tokens; returns an
        int64 Tensor (B, T + max_new_tokens).

        Each step feeds the last ``block_size`` tokens, divides the last logits by
        ``temperature`` (0 picks the most likely token), keeps the ``top_k`` largest (if
        given) and draws from the softmax with ``minigrad.multinomial`` using ``generator``
        (a :class:`minigrad.Generator`; None: the global one): a seeded generator gives the
        same text every time. The model is put in eval mode for the call.
        """
        idx = idx._data if isinstance(idx, Tensor) else np.asarray(idx)
        if idx.ndim != 2 or idx.dtype.kind not in "iu" or idx.shape[1] == 0:
            raise ValueError(f"generate: idx must be a non-empty (batch, time) int array, got "
                             f"shape {idx.shape} and dtype {idx.dtype}")
        if not temperature >= 0:
            raise ValueError(f"generate: temperature must be >= 0, got {temperature!r}")
        if top_k is not None and not 1 <= top_k:
            raise ValueError(f"generate: top_k must be a positive int or None, got {top_k!r}")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"generate: generator must be a minigrad.Generator, got "
                            f"{type(generator).__name__}")
        was_training = self.training
        self.eval()
        out = idx.astype(np.int64)
        try:
            with grad_mode.no_grad():
                for _ in range(int(max_new_tokens)):
                    logits, _ = self(out[:, -self.config.block_size:])
                    out = np.concatenate([out, _next_tokens(logits[:, -1, :], temperature, top_k,
                                                            generator)], axis=1)
        finally:
            self.train(was_training)
        return Tensor._wrap(out)


def _next_tokens(logits, temperature, top_k, generator):
    """One sampling step: (B, V) logits -> (B, 1) token ids."""
    if temperature == 0:
        return logits._data.argmax(-1)[:, None]
    logits = logits * (1.0 / temperature)
    if top_k is not None and top_k < logits.shape[-1]:
        kth = logits.topk(int(top_k), dim=-1).values[:, -1:]
        logits = logits.where(logits >= kth, -np.inf)
    return multinomial(softmax(logits, -1), 1, generator=generator)._data


_MASKS = {}


def _causal_mask(t):
    """The (t, t) causal mask for ``TransformerEncoder`` (which is told ``is_causal=True``,
    so the fused attention builds the same mask itself)."""
    if t not in _MASKS:
        _MASKS[t] = nn.generate_square_subsequent_mask(t)
    return _MASKS[t]


class WarmupCosine:
    """Learning-rate multiplier for ``LambdaLR``: linear warmup from ``1 / warmup`` to 1 over
    ``warmup`` steps, then a cosine from 1 down to ``min_ratio`` at ``total`` steps (and
    ``min_ratio`` after). A callable object, so the scheduler's state_dict keeps its settings."""

    def __init__(self, warmup, total, min_ratio=0.1):
        if not 0 <= warmup < total:
            raise ValueError(f"WarmupCosine: need 0 <= warmup < total, got warmup={warmup}, "
                             f"total={total}")
        self.warmup, self.total, self.min_ratio = int(warmup), int(total), float(min_ratio)

    def __call__(self, step):
        if step < self.warmup:
            return (step + 1) / self.warmup
        progress = min(1.0, (step - self.warmup) / max(1, self.total - self.warmup))
        return self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def estimate_loss(model, blocks, batches, batch_size, seed=0):
    """Mean loss of ``model`` on ``batches`` random batches of the :class:`TextBlocks`
    ``blocks``, drawn with ``seed`` (the same batches at every call, so successive
    estimates differ only through the model), in eval mode and without a graph."""
    rng = np.random.default_rng(seed)
    was_training = model.training
    model.eval()
    total = 0.0
    with grad_mode.no_grad():
        for _ in range(batches):
            x, y = blocks.random_batch(batch_size, rng)
            total += model(x, y)[1].item()
    model.train(was_training)
    return total / batches
