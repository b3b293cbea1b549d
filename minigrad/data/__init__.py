"""Data loading: datasets, batching, splitting and standardising.

* :class:`Dataset`, :class:`TensorDataset`: samples, indexed ``ds[i]``;
* :class:`DataLoader`: batches of Tensors, shuffled per epoch, seeded;
* :func:`train_test_split`, :class:`StandardScaler`: preprocessing for examples;
* :mod:`minigrad.data.text`: :class:`CharTokenizer`, :class:`TextBlocks` and text corpora
  for language models.

Built-in toy data (``make_moons``, ``load_digits``, ...) lives in
``minigrad.datasets``.
"""

from .collate import collate
from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset
from .scaler import StandardScaler
from .split import train_test_split
from .text import CharTokenizer, TextBlocks

__all__ = ["Dataset", "TensorDataset", "DataLoader", "collate", "train_test_split", "StandardScaler",
           "CharTokenizer", "TextBlocks"]
