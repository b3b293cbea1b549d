"""``Dropout``: random zeroing during training only."""
from . import functional as F
from .module import Module


class Dropout(Module):
    """Inverted dropout: in training mode each element is zeroed with probability ``p``
    and the survivors are scaled by ``1 / (1 - p)``; in eval mode the input passes through
    unchanged. Randomness comes from minigrad's global generator (``manual_seed``)."""

    def __init__(self, p=0.5):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
