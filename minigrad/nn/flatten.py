"""``Flatten``: merge a range of dims, by default all but the batch dim."""
from .module import Module


class Flatten(Module):
    """Reshape ``(N, d1, d2, ...)`` to ``(N, d1 * d2 * ...)`` (dims ``start_dim`` to
    ``end_dim``, default 1 to -1, as PyTorch)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
