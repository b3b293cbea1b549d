"""Random splits: ``train_test_split`` of arrays (scikit-learn's, optionally stratified)
and ``random_split`` of a dataset into ``Subset``s (PyTorch's)."""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

from ._convert import is_tensor, to_array, to_tensor
from ._random import resolve_generator
from .dataset import Subset


def train_test_split(
    *arrays: Any,
    test_size: float | int = 0.25,
    seed: Any = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list:
    """Split arrays into random train and test subsets, like scikit-learn's.

    ``X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)``

    Args:
        *arrays: numpy arrays, minigrad Tensors or array-likes, all of the same
            length; each is returned as a train part and a test part, in order.
            Tensors come back as Tensors (same dtype, ``requires_grad=False``),
            everything else as numpy arrays.
        test_size: a float in (0, 1), the fraction of samples in the test set
            (rounded up, as scikit-learn does), or an int, the number of test samples.
            Both parts must end up non-empty.
        seed: None (use minigrad's global generator, see ``minigrad.manual_seed``),
            an int, or a ``numpy.random.Generator``. ``random_state`` is accepted as
            scikit-learn's name for the same argument; pass at most one of them.
        shuffle: if False, the first samples form the training set and the last ones
            the test set (no randomness; cannot be combined with ``stratify``).
        stratify: class labels (length ``n``): each class gets the same proportion in
            the test set as in the whole data (up to rounding). Every class needs at
            least 2 samples.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``.
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    data = [to_array(a) for a in arrays]
    for i, a in enumerate(data):
        if a.ndim == 0:
            raise ValueError(f"train_test_split: arrays[{i}] is a scalar; expected a first (sample) dimension")
    lengths = [len(a) for a in data]
    if len(set(lengths)) > 1:
        raise ValueError(f"train_test_split: all arrays must have the same length; got lengths {lengths}")
    n = lengths[0]
    n_test = _test_count(test_size, n)
    n_train = n - n_test

    if seed is not None and random_state is not None:
        raise TypeError("pass either seed or random_state (they mean the same), not both")
    seed_name = "seed" if random_state is None else "random_state"
    seed = seed if random_state is None else random_state

    if not shuffle:
        if stratify is not None:
            raise ValueError("stratify requires shuffle=True")
        train_idx, test_idx = np.arange(n_train), np.arange(n_train, n)
    elif stratify is None:
        order = resolve_generator(seed, seed_name).permutation(n)
        train_idx, test_idx = order[:n_train], order[n_train:]
    else:
        train_idx, test_idx = _stratified(to_array(stratify), n, n_test, resolve_generator(seed, seed_name))

    result = []
    for original, a in zip(arrays, data):
        for idx in (train_idx, test_idx):
            part = a[idx]
            result.append(to_tensor(part) if is_tensor(original) else part)
    return result


def _test_count(test_size: Any, n: int) -> int:
    if isinstance(test_size, (bool, np.bool_)):
        raise TypeError(f"test_size must be a float in (0, 1) or a positive int; got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
        if not 0 < n_test < n:
            raise ValueError(f"test_size={n_test} must leave both parts non-empty: use an int in [1, {n - 1}] for {n} samples")
        return n_test
    if isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1); got {test_size}")
        n_test = math.ceil(test_size * n)
        if not 0 < n_test < n:
            raise ValueError(f"test_size={test_size} with {n} samples gives {n_test} test and {n - n_test} train samples; both must be non-empty")
        return n_test
    raise TypeError(f"test_size must be a float in (0, 1) or a positive int; got {test_size!r} of type {type(test_size).__name__}")


def _stratified(labels: np.ndarray, n: int, n_test: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"stratify must be a 1-d array of {n} labels; got shape {labels.shape}")
    classes, class_of = np.unique(labels, return_inverse=True)
    counts = np.bincount(class_of)
    if counts.min() < 2:
        rare = classes[np.argmin(counts)]
        raise ValueError(f"stratify: class {rare!r} has only 1 sample; every class needs at least 2")
    n_train = n - n_test
    if n_test < len(classes) or n_train < len(classes):
        raise ValueError(
            f"stratify: with {len(classes)} classes both parts need at least {len(classes)} samples; "
            f"got {n_train} train and {n_test} test"
        )
    # Largest-remainder rounding of the exact proportional counts, ties broken at
    # random, so the per-class test counts sum exactly to n_test.
    exact = n_test * counts / n
    test_counts = np.floor(exact).astype(np.int64)
    shortfall = n_test - int(test_counts.sum())
    candidates = rng.permutation(len(classes))
    by_remainder = candidates[np.argsort(-(exact - test_counts)[candidates], kind="stable")]
    test_counts[by_remainder[:shortfall]] += 1

    train_parts, test_parts = [], []
    for k, n_k_test in enumerate(test_counts):
        members = rng.permutation(np.flatnonzero(class_of == k))
        test_parts.append(members[:n_k_test])
        train_parts.append(members[n_k_test:])
    # Shuffle across classes too, so neither part is sorted by class.
    return rng.permutation(np.concatenate(train_parts)), rng.permutation(np.concatenate(test_parts))


def random_split(dataset: Any, lengths: Sequence[int | float], generator: Any = None) -> list:
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given
    ``lengths``, as ``torch.utils.data.random_split``.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing to 1:
    each split then gets ``floor(fraction * len(dataset))`` samples and the remainder is
    handed out one by one, round-robin from the first split. ``generator``: None (minigrad's
    global generator), an int seed, a ``numpy.random.Generator`` or a ``minigrad.Generator``.
    """
    lengths = list(lengths)
    n = len(dataset)
    total = sum(lengths)
    if lengths and math.isclose(total, 1) and total <= 1:
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must be in [0, 1], got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty "
                              "dataset.", stacklevel=2)
        lengths = counts
    if any(isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 0
           for k in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing "
                         f"to 1, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"Sum of input lengths does not equal the length of the input dataset! "
                         f"(lengths {lengths} sum to {sum(lengths)}, the dataset has {n} samples)")
    order = resolve_generator(generator, "generator").permutation(n).tolist()
    splits, start = [], 0
    for k in lengths:
        splits.append(Subset(dataset, order[start:start + int(k)]))
        start += int(k)
    return splits
