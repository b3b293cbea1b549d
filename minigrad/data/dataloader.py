"""``DataLoader``: iterate over a dataset in batches, with ``torch.utils.data.DataLoader``'s
arguments."""

from __future__ import annotations

import copy
import itertools
from typing import Any, Iterator

import numpy as np

from ._random import resolve_generator
from .collate import collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from .worker import WorkerInfo, acting_as

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    One pass over the loader (``for xb, yb in loader: ...``) is one epoch: it visits
    every sample exactly once (for the default samplers). Each batch is what the dataset's
    samples look like, stacked: a :class:`TensorDataset` of ``(X, y)`` yields tuples
    ``(xb, yb)`` of Tensors of shapes ``(B, ...)``. ``len(loader)`` is the number of
    batches per epoch.

    The batch size picks the flavour of gradient descent, with one optimizer step
    per batch:

    * batch gradient descent: ``batch_size=len(dataset)``, one exact gradient of the
      full loss per epoch;
    * stochastic gradient descent: ``batch_size=1``, one step per sample (noisy,
      many cheap steps);
    * mini-batch gradient descent: ``batch_size`` typically 32 to 256, the usual
      compromise (a less noisy gradient, vectorised work per step).

    Arguments, as PyTorch's:

    * ``dataset``: a map-style dataset (``__len__`` and ``__getitem__``; one with
      ``get_batch(indices)``, as :class:`TensorDataset`, is fetched a whole batch at once
      with one vectorised index) or an :class:`IterableDataset`.
    * ``batch_size`` (default 1), ``drop_last``: batches of ``batch_size``, dropping a final
      shorter one with ``drop_last``. ``batch_size=None`` turns batching off: each sample
      comes out on its own (numpy arrays converted to Tensors).
    * ``shuffle``: a new random order every epoch. ``sampler``: any iterable of indices
      instead (exclusive with ``shuffle``); ``batch_sampler``: an iterable of lists of
      indices (exclusive with ``batch_size``, ``shuffle``, ``sampler``, ``drop_last``).
    * ``collate_fn``: turns a list of samples into a batch (default
      :func:`~minigrad.data.default_collate`).
    * ``generator``: the randomness of the default shuffling and of the workers' base seed:
      None (minigrad's global generator, so ``minigrad.manual_seed`` controls it), a
      ``minigrad.Generator``, a ``numpy.random.Generator`` or an int seed. ``seed=`` is
      minigrad's older name for the same (pass at most one): an int makes the sequence of
      epochs reproducible, two loaders with the same seed give the same orders, and each
      epoch of one loader still gets a new order.
    * ``num_workers``, ``worker_init_fn``, ``persistent_workers``, ``prefetch_factor``:
      **workers run in the main process**, one after the other, not in subprocesses, so they
      neither speed loading up nor need pickling or a ``__main__`` guard. What a script
      observes is kept: each worker gets its own shallow copy of the dataset (attributes it
      sets stay its own; objects it mutates in place are shared with the others),
      ``worker_init_fn(worker_id)`` is called once per worker per epoch (once in total with
      ``persistent_workers``), ``get_worker_info()`` returns the worker's
      :class:`~minigrad.data.WorkerInfo` (``id``, ``num_workers``, ``seed`` = base seed +
      id, ``dataset``) while it initialises and fetches, and None in the training loop;
      batch ``i`` of a map-style dataset is fetched by worker ``i % num_workers``; an
      iterable dataset is read from every worker's copy in turn, so it must split itself
      with ``get_worker_info()``, as in PyTorch. Unlike PyTorch, the global random state is
      not re-seeded per worker.
    * ``pin_memory``, ``pin_memory_device``, ``timeout``, ``multiprocessing_context``,
      ``in_order``: accepted (and checked as PyTorch checks them) with no effect: there is
      no device memory to pin, nothing to wait for, and batches always come in order.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Any = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True, seed: Any = None):
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError("dataset must have __len__ and __getitem__ (e.g. a "
                            "minigrad.data.Dataset) or be an IterableDataset; got "
                            f"{type(dataset).__name__}")
        if batch_size is not None:
            if isinstance(batch_size, (bool, np.bool_)) \
                    or not isinstance(batch_size, (int, np.integer)):
                raise TypeError(f"batch_size must be a positive int or None; got {batch_size!r} of "
                                f"type {type(batch_size).__name__}")
            if batch_size < 1:
                raise ValueError(f"batch_size must be a positive int or None; got {batch_size}")
            batch_size = int(batch_size)
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) \
                or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if seed is not None and generator is not None:
            raise TypeError("DataLoader: pass either seed or generator (they mean the same), "
                            "not both")
        if seed is not None or isinstance(generator, (int, np.integer)):
            # an int: the loader owns the generator it seeds, so epochs continue one stream
            generator = resolve_generator(seed, "seed") if seed is not None else \
                resolve_generator(generator, "generator")
        else:
            resolve_generator(generator, "generator")  # fail early on a bad generator

        if iterable:
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = bool(drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = int(num_workers)
        self._auto_collation = batch_size is not None or batch_sampler is not None
        self.collate_fn = collate_fn if collate_fn is not None else (
            collate if self._auto_collation else default_convert)
        self._default_collate = collate_fn is None
        self.pin_memory = bool(pin_memory)
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.seed = seed
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.in_order = in_order
        self._persistent = None

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # TypeError when the stream has no length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler) if self._auto_collation else len(self.sampler)

    def __iter__(self) -> Iterator[Any]:
        return _LoaderIter(self)

    # ----- workers ---------------------------------------------------------------------
    def _workers(self) -> list | None:
        """This epoch's WorkerInfo per worker (initialised), or None without workers. The
        base seed is drawn from the loader's generator every epoch, as PyTorch's iterator
        does (with persistent workers, once)."""
        if self._persistent is not None:
            return self._persistent
        base_seed = int(resolve_generator(self.generator, "generator").integers(0, 2 ** 63 - 1))
        if self.num_workers == 0:
            return None
        infos = [WorkerInfo(w, self.num_workers, base_seed + w, _copy(self.dataset))
                 for w in range(self.num_workers)]
        if self.worker_init_fn is not None:
            for info in infos:
                with acting_as(info):
                    self.worker_init_fn(info.id)
        if self.persistent_workers:
            self._persistent = infos
        return infos

    def _fetch(self, dataset: Any, indices: Any) -> Any:
        if not self._auto_collation:
            return self.collate_fn(dataset[indices])
        get_batch = getattr(dataset, "get_batch", None)
        if self._default_collate and callable(get_batch):
            return get_batch(np.asarray(indices, dtype=np.intp))
        get_items = getattr(dataset, "__getitems__", None)
        samples = get_items(indices) if callable(get_items) else [dataset[i] for i in indices]
        return self.collate_fn(samples)

    def __repr__(self) -> str:
        return (f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"num_workers={self.num_workers}, seed={self.seed!r})")


def _copy(dataset: Any) -> Any:
    """A worker's own dataset: a shallow copy, so attributes it sets (shard bounds, file
    handles) stay its own, as a copy in a worker process would."""
    try:
        return copy.copy(dataset)
    except Exception:  # an uncopyable dataset is shared
        return dataset


class _LoaderIter:
    """One pass over a loader (what ``iter(loader)`` returns)."""

    def __init__(self, loader: DataLoader):
        self._loader = loader
        workers = loader._workers()
        if isinstance(loader.dataset, IterableDataset):
            self._batches = self._stream(workers)
        else:
            self._batches = self._indexed(workers)

    def __iter__(self) -> "_LoaderIter":
        return self

    def __next__(self) -> Any:
        return next(self._batches)

    def __len__(self) -> int:
        return len(self._loader)

    def _indexed(self, workers: list | None) -> Iterator[Any]:
        loader = self._loader
        indices = loader.batch_sampler if loader._auto_collation else loader.sampler
        for i, index in enumerate(indices):
            info = None if workers is None else workers[i % len(workers)]
            with acting_as(info):
                batch = loader._fetch(loader.dataset if info is None else info.dataset, index)
            yield batch  # outside the worker: the training loop is the main process

    def _stream(self, workers: list | None) -> Iterator[Any]:
        loader = self._loader
        infos = workers if workers is not None else [None]
        streams = []
        for info in infos:
            with acting_as(info):
                streams.append(iter(loader.dataset if info is None else info.dataset))
        active = list(range(len(infos)))
        turn = 0
        while active:
            w = active[turn % len(active)]
            with acting_as(infos[w]):
                batch, done = self._next_batch(streams[w])
            if done:
                active.remove(w)
                continue
            turn += 1
            yield batch

    def _next_batch(self, stream: Iterator) -> tuple:
        loader = self._loader
        if not loader._auto_collation:
            for sample in stream:
                return loader.collate_fn(sample), False
            return None, True
        samples = list(itertools.islice(stream, loader.batch_size))
        if not samples or (loader.drop_last and len(samples) < loader.batch_size):
            return None, True
        return loader.collate_fn(samples), False
