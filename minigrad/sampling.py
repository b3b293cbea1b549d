"""Random sampling functions with PyTorch's names and signatures: multinomial, normal,
bernoulli, randperm and the ``*_like`` forms. Each takes ``generator=`` (a
:class:`minigrad.Generator`; None draws from the global one that ``manual_seed`` seeds).

The numbers come from numpy's PCG64: the same distributions as PyTorch, not the same
numbers for a given seed (see :mod:`minigrad.random`).
"""
import numpy as np

from .random import numpy_generator
from .tensor import Tensor


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categories of each row of ``input`` (non-negative weights,
    1-D or 2-D, not necessarily summing to 1), as ``torch.multinomial``: an int64 tensor of
    shape ``(num_samples,)`` or ``(rows, num_samples)``.

    Without replacement no index repeats in a row; once the categories of non-zero weight
    run out, the zero-weight ones follow (as PyTorch does).
    """
    from ._out import write_out
    p = input._data if isinstance(input, Tensor) else np.asarray(input)
    if p.dtype.kind != "f":
        raise TypeError(f"multinomial: input must be a floating-point tensor, got dtype {p.dtype}")
    if p.ndim not in (1, 2):
        raise ValueError(f"multinomial: input must be 1-D or 2-D, got shape {p.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) \
            or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from {n} categories")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("multinomial: probabilities must be finite and non-negative "
                         "(the input contains inf, nan or a negative value)")
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise ValueError("multinomial: every row needs a positive sum of probabilities "
                         f"(row {int(np.argmax(totals <= 0))} sums to 0)")
    rng = numpy_generator(generator, "multinomial")
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows.shape[0], int(num_samples)))
        # the first category whose cumulative weight exceeds u; zero-weight categories are
        # never chosen because their cdf equals the previous one
        idx = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        idx = np.minimum(idx, n - 1)
    else:
        # exponential race: sorting Exp(1)/p is sampling without replacement in proportion to p
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(rows.shape) / rows
        idx = np.argsort(keys, axis=1, kind="stable")[:, :int(num_samples)]
    idx = idx.astype(np.int64).reshape(p.shape[:-1] + (int(num_samples),))
    return write_out(Tensor._wrap(idx), out, "multinomial")
