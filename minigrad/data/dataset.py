"""Datasets: ``Dataset`` (the map-style interface), ``IterableDataset`` (a stream),
``TensorDataset`` (samples stored as arrays), and the views ``Subset`` and
``ConcatDataset``, as ``torch.utils.data``."""

from __future__ import annotations

import bisect
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ._convert import to_array, to_tensor
from .collate import collate


class Dataset:
    """A map-style dataset: ``len(ds)`` samples, ``ds[i]`` returns sample ``i``.

    Subclass it and implement ``__len__`` and ``__getitem__``; a sample is usually a
    tuple such as ``(features, label)`` of Tensors, numpy arrays or numbers.
    :class:`~minigrad.data.DataLoader` batches samples through :meth:`get_batch`,
    whose default fetches the samples one by one and stacks them; override it when a
    whole batch can be fetched at once (as :class:`TensorDataset` does).
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__()")

    def get_batch(self, indices: np.ndarray) -> Any:
        """Return the samples at ``indices`` (a 1-d int array) stacked into a batch."""
        return collate([self[int(i)] for i in indices])


class TensorDataset(Dataset):
    """A dataset whose ``i``-th sample is ``tuple(t[i] for t in tensors)``.

    ``tensors`` are minigrad Tensors or numpy arrays (anything ``np.asarray`` accepts)
    with the same length (size of their first dimension), e.g.
    ``TensorDataset(X, y)``. Batches are cut from them with one vectorised fancy-index
    per tensor, not a Python loop over samples, and are new Tensors with the same
    dtype and ``requires_grad=False`` (data, not parameters). The original objects are
    kept in ``.tensors``.
    """

    def __init__(self, *tensors: Any):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        arrays = []
        for i, t in enumerate(tensors):
            arr = to_array(t)
            if arr.ndim == 0:
                raise ValueError(f"TensorDataset: tensors[{i}] is a scalar; every tensor needs a first (sample) dimension")
            arrays.append(arr)
        lengths = [len(a) for a in arrays]
        if len(set(lengths)) > 1:
            raise ValueError(
                "TensorDataset: all tensors must have the same length (size of the first dimension); "
                f"got lengths {lengths}"
            )
        self.tensors = tuple(tensors)
        self._arrays = arrays

    def __len__(self) -> int:
        return len(self._arrays[0])

    def __getitem__(self, index: Any) -> tuple:
        if isinstance(index, (int, np.integer)) and not -len(self) <= index < len(self):
            raise IndexError(f"TensorDataset index {index} is out of range for {len(self)} samples")
        return tuple(to_tensor(np.asarray(a[index])) for a in self._arrays)

    def get_batch(self, indices: np.ndarray) -> tuple:
        """The samples at ``indices``, already stacked: one Tensor per array, cut with one
        fancy index (what :class:`DataLoader` uses instead of collating ``ds[i]`` one by one)."""
        indices = np.asarray(indices, dtype=np.intp)
        return tuple(to_tensor(a[indices]) for a in self._arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(a.shape)) for a in self._arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


class IterableDataset(Dataset):
    """A dataset that is a stream: implement ``__iter__`` (``__len__`` is optional). A
    :class:`~minigrad.data.DataLoader` batches what the iterator yields; with
    ``num_workers > 0`` every worker iterates its own copy, so split the stream with
    :func:`~minigrad.data.get_worker_info` (as in PyTorch) or each sample is seen once per
    worker."""

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, it has "
                        "no indices")

    def __len__(self) -> int:
        raise TypeError(f"object of type '{type(self).__name__}' has no len() (an "
                        "IterableDataset may define __len__)")


class Subset(Dataset):
    """The samples ``dataset[indices[i]]``, ``i = 0 .. len(indices) - 1``."""

    def __init__(self, dataset: Any, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)

    def get_batch(self, indices: np.ndarray) -> Any:
        """The samples at ``indices`` of the subset, stacked: the wrapped dataset's own
        ``get_batch`` when it has one, else its samples collated."""
        indices = np.asarray(indices, dtype=np.intp)
        source = self.indices
        source = getattr(source, "_data", source)  # a Tensor of indices: its array
        if isinstance(source, np.ndarray):
            mapped = source[indices]
        else:
            # Only the batch's own entries: converting the whole index list on every batch
            # made an epoch over a random_split half cost O(n^2 / batch_size).
            mapped = np.asarray([source[i] for i in indices.tolist()], dtype=np.intp)
        get_batch = getattr(self.dataset, "get_batch", None)
        if callable(get_batch):
            return get_batch(mapped)
        return collate([self.dataset[int(i)] for i in mapped])


class ConcatDataset(Dataset):
    """The samples of ``datasets`` one after the other."""

    def __init__(self, datasets: Iterable[Any]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += n
        if idx >= n:
            raise IndexError(f"ConcatDataset index {idx} is out of range for {n} samples")
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]
