"""Samplers: which dataset indices a :class:`DataLoader` visits, and in what order, with
``torch.utils.data``'s names, arguments and errors.

Random samplers take ``generator=``: None draws from minigrad's global generator (so
``minigrad.manual_seed`` makes them reproducible), or a ``minigrad.Generator``, a
``numpy.random.Generator`` or an int seed (a fresh numpy generator, created once). The
numbers differ from PyTorch's for the same seed; the distributions are the same.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from ._convert import to_array
from ._random import resolve_generator

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _generator_source(generator: Any, argname: str = "generator") -> Any:
    """What to resolve at every draw: None (the global generator) and minigrad.Generator
    objects are looked up each time; an int seed becomes a generator owned from now on.
    Validates eagerly so a bad argument fails at construction."""
    rng = resolve_generator(generator, argname)
    return rng if isinstance(generator, (int, np.integer)) else generator


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")
    return int(value)


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} should be a boolean value, but got {name}={value}")
    return bool(value)


class Sampler:
    """Base class: subclasses implement ``__iter__`` (yielding indices, or lists of indices
    for a batch sampler) and usually ``__len__``."""

    def __init__(self, data_source: Any = None):
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Sequence):
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices each pass; with ``replacement`` (or a
    ``num_samples`` larger than the dataset) indices may repeat: ``num_samples`` draws
    with replacement, or whole permutations followed by part of one."""

    def __init__(self, data_source: Sequence, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None):
        self.data_source = data_source
        self.replacement = _bool(replacement, "replacement")
        self._num_samples = num_samples
        if num_samples is not None:
            _positive_int(num_samples, "num_samples")
        self.generator = generator
        self._source = _generator_source(generator)
        if self.num_samples <= 0:  # as PyTorch, which checks it here (an empty dataset)
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """Indices per pass: the given ``num_samples``, else the dataset's length now."""
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        n, k = len(self.data_source), self.num_samples
        rng = resolve_generator(self._source, "generator")
        if self.replacement:
            if n == 0 and k:
                raise ValueError("RandomSampler: cannot draw samples from an empty dataset")
            yield from rng.integers(0, n, size=k).tolist()
            return
        for _ in range(k // n if n else 0):
            yield from rng.permutation(n).tolist()
        if n:
            yield from rng.permutation(n)[:k % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, a new one each pass."""

    def __init__(self, indices: Sequence[int], generator: Any = None):
        self.indices = indices
        self.generator = generator
        self._source = _generator_source(generator)

    def __iter__(self) -> Iterator[int]:
        order = resolve_generator(self._source, "generator").permutation(len(self.indices))
        for i in order.tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (need
    not sum to 1), with or without replacement."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None):
        self.num_samples = _positive_int(num_samples, "num_samples")
        self.replacement = _bool(replacement, "replacement")
        w = np.asarray(to_array(weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and "
                             "not all zero")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw {self.num_samples} samples "
                             f"without replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights = w
        self.generator = generator
        self._source = _generator_source(generator)

    def __iter__(self) -> Iterator[int]:
        rng = resolve_generator(self._source, "generator")
        p = self.weights / self.weights.sum()
        yield from rng.choice(len(p), size=self.num_samples, replace=self.replacement,
                              p=p).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the last, shorter
    list is dropped with ``drop_last``."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool):
        self.sampler = sampler
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.drop_last = _bool(drop_last, "drop_last")

    def __iter__(self) -> Iterator[list]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
