"""Data loading, with ``torch.utils.data``'s names: datasets, samplers, batching,
splitting, and standardising.

* :class:`Dataset`, :class:`IterableDataset`, :class:`TensorDataset`, :class:`Subset`,
  :class:`ConcatDataset`: samples, indexed ``ds[i]`` (or streamed);
* :class:`DataLoader`: batches of Tensors, shuffled per epoch, seeded, with the samplers
  :class:`SequentialSampler`, :class:`RandomSampler`, :class:`SubsetRandomSampler`,
  :class:`WeightedRandomSampler`, :class:`BatchSampler`; workers emulated in the main
  process (:func:`get_worker_info`);
* :func:`random_split` (PyTorch's), :func:`train_test_split`, :class:`StandardScaler`
  (scikit-learn's): preprocessing for examples;
* :mod:`minigrad.data.text`: :class:`CharTokenizer`, :class:`TextBlocks` and text corpora
  for language models.

Built-in toy data (``make_moons``, ``load_digits``, ...) lives in
``minigrad.datasets``.
"""

from .collate import collate, default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .scaler import StandardScaler
from .split import random_split, train_test_split
from .text import CharTokenizer, TextBlocks
from .worker import WorkerInfo, get_worker_info

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "DataLoader", "collate", "default_collate", "default_convert", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "random_split", "train_test_split", "StandardScaler", "WorkerInfo",
           "get_worker_info", "CharTokenizer", "TextBlocks"]
