"""``DataLoader``: iterate over a dataset in (optionally shuffled) batches."""

from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from ._random import resolve_generator
from .collate import collate


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    One pass over the loader (``for xb, yb in loader: ...``) is one epoch: it visits
    every sample exactly once. Each batch is what the dataset's samples look like,
    stacked: a :class:`TensorDataset` of ``(X, y)`` yields tuples ``(xb, yb)`` of
    Tensors of shapes ``(B, ...)``.

    The batch size picks the flavour of gradient descent, with one optimizer step
    per batch:

    * batch gradient descent: ``batch_size=len(dataset)``, one exact gradient of the
      full loss per epoch;
    * stochastic gradient descent: ``batch_size=1``, one step per sample (noisy,
      many cheap steps);
    * mini-batch gradient descent: ``batch_size`` typically 32 to 256, the usual
      compromise (a less noisy gradient, vectorised work per step).

    Args:
        dataset: a :class:`Dataset` or any object with ``__len__`` and
            ``__getitem__``. If it has ``get_batch(indices)`` (as ``TensorDataset``
            does) whole batches are fetched with one vectorised index; otherwise
            samples are fetched one by one and stacked.
        batch_size: positive int.
        shuffle: draw a new random order of the samples at the start of every epoch.
        drop_last: drop the final batch if it has fewer than ``batch_size`` samples
            (e.g. for BatchNorm, which needs more than one sample).
        seed: randomness of ``shuffle``. An int makes the sequence of epochs
            reproducible: two loaders with the same seed give the same orders, and
            each epoch of one loader still gets a new order. ``None`` draws from
            minigrad's global generator, so ``minigrad.manual_seed`` controls it. A
            ``numpy.random.Generator`` is used as is.

    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: Any = None,
    ):
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch_size must be a positive int; got {batch_size!r} of type {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive int; got {batch_size}")
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"dataset must have __len__ and __getitem__ (e.g. a minigrad.data.Dataset); got {type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        # With an explicit seed the loader owns its generator: it is created once, so
        # every epoch continues the same stream (new order each epoch, reproducible
        # across runs). Validated here so a bad seed fails at construction.
        self._generator = None if seed is None else resolve_generator(seed, "seed")

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        if self.shuffle:
            generator = self._generator if self._generator is not None else resolve_generator(None)
            order = generator.permutation(n)
        else:
            order = np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        get_batch = getattr(self.dataset, "get_batch", None)
        for start in range(0, stop, self.batch_size):
            indices = order[start : start + self.batch_size]
            if callable(get_batch):
                yield get_batch(indices)
            else:
                yield collate([self.dataset[int(i)] for i in indices])

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, seed={self.seed!r})"
        )
