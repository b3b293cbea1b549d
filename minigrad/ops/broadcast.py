"""Broadcasting support shared by every binary op."""
import numpy as np


def unbroadcast(g, shape):
    """Reduce gradient ``g`` to ``shape``: sum over the leading dims that broadcasting added
    and over the dims where ``shape`` has size 1 but ``g`` does not."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if axes:
        g = g.sum(dim=axes)
    return g.reshape(shape) if g.shape != shape else g


def broadcast_error(op, a, b):
    return ValueError(
        f"{op}: shapes {tuple(np.shape(a))} and {tuple(np.shape(b))} cannot be broadcast together")
