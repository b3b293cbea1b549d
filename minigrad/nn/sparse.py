"""``Embedding``: a lookup table of learnable vectors."""
import numpy as np

from .. import _device
from .._default_dtype import get_default_dtype
from .. import grad_mode
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """Maps integer indices to rows of ``weight`` (num_embeddings, embedding_dim),
    initialised N(0, 1) as in PyTorch. Input of any shape gives output
    ``input.shape + (embedding_dim,)``; indices outside ``[0, num_embeddings)`` raise an
    IndexError naming them. Repeated indices accumulate gradient. The row at
    ``padding_idx`` (if given) starts at zero and receives no gradient."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, device=None, dtype=None):
        super().__init__()
        _device.resolve(device, "Embedding")
        for name, v in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"Embedding: {name} must be a positive int, got {v!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be in [-{num_embeddings}, "
                                 f"{num_embeddings}), got {padding_idx}")
            padding_idx = padding_idx % num_embeddings
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = padding_idx
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim),
                                         dtype=np.dtype(dtype or get_default_dtype())))
        self.reset_parameters()

    def reset_parameters(self):
        with grad_mode.no_grad():
            init.normal_(self.weight)
            if self.padding_idx is not None:
                self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
