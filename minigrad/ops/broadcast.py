"""Broadcasting support shared by every binary op."""
import numpy as np

from .. import grad_mode


def _reduced_axes(gshape, shape):
    lead = len(gshape) - len(shape)
    return tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)


def unbroadcast_array(g, shape):
    """numpy form of :func:`unbroadcast`, for backward rules running without a graph."""
    if g.shape == shape:
        return g
    axes = _reduced_axes(g.shape, shape)
    if axes:
        g = g.sum(axis=axes)
    return g.reshape(shape)


def unbroadcast(g, shape):
    """Reduce gradient ``g`` to ``shape``: sum over the leading dims that broadcasting added
    and over the dims where ``shape`` has size 1 but ``g`` does not."""
    if g.shape == shape:
        return g
    if not grad_mode.enabled():  # first-order backward: skip the Tensor wrappers
        return type(g)._wrap(unbroadcast_array(g._data, shape))
    axes = _reduced_axes(g.shape, shape)
    if axes:
        g = g.sum(dim=axes)
    return g.reshape(shape) if g.shape != shape else g


def broadcast_error(op, a, b):
    return ValueError(
        f"{op}: shapes {tuple(np.shape(a))} and {tuple(np.shape(b))} cannot be broadcast together")
