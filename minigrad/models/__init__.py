"""Ready-made models built from ``minigrad.nn``: :class:`GPT` (a character-level language
model, see :mod:`minigrad.models.gpt`)."""
from .gpt import GPT, GPTConfig, WarmupCosine, estimate_loss

__all__ = ["GPT", "GPTConfig", "WarmupCosine", "estimate_loss"]
