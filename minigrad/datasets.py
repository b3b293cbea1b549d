"""Built-in datasets that need no download.

Synthetic generators (seeded): :func:`make_moons`, :func:`make_circles`,
:func:`make_spirals`, :func:`make_blobs`, :func:`make_regression`; and
:func:`load_digits`, the 8x8 handwritten digits read from scikit-learn's bundled copy.
Nothing here ever downloads anything.

Every function returns numpy arrays, as scikit-learn does: ``X`` float32 of shape
``(n_samples, n_features)`` and ``y`` int64 class labels (float32 targets for
:func:`make_regression`). Wrap them with ``minigrad.tensor(X)``, or pass them straight
to ``minigrad.data.TensorDataset(X, y)``, which yields Tensor batches::

    X, y = make_moons(200, noise=0.1, random_state=0)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)

Argument names follow scikit-learn's, so its examples port unchanged. Randomness:
``random_state`` (scikit-learn's name; ``seed`` is accepted as minigrad's name for the
same thing, pass at most one) is None, an int or a ``numpy.random.Generator``. None
draws from minigrad's global generator, so ``minigrad.manual_seed`` makes it
reproducible. The numbers differ from scikit-learn's for the same seed (minigrad uses
``numpy.random.Generator``, scikit-learn the legacy ``RandomState``); the shapes of
the data are the same.

:func:`train_test_split` and :class:`StandardScaler` (from ``minigrad.data``) are
re-exported here so an example can import everything it needs from one place.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from minigrad.data._random import resolve_generator
from minigrad.data.scaler import StandardScaler
from minigrad.data.split import train_test_split

__all__ = [
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_blobs",
    "make_regression",
    "load_digits",
    "train_test_split",
    "StandardScaler",
]


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Any = None,
    seed: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (a classic non-linearly-separable problem).

    Class 0 is the upper moon (centre (0, 0), radius 1), class 1 the lower one
    (centre (1, 0.5)). Points are evenly spaced along each moon, then shuffled, then
    moved by Gaussian noise of standard deviation ``noise``.

    Args:
        n_samples: total number of points, split as evenly as possible (class 0
            gets ``n_samples // 2``), or a pair ``(n_class0, n_class1)``.
        shuffle: shuffle the samples (else class 0 comes first).
        noise: standard deviation of the Gaussian noise added to X (None: none).
        random_state, seed: see the module docstring.

    Returns:
        ``X`` float32 of shape ``(n_samples, 2)`` and ``y`` int64 of shape ``(n_samples,)``.
    """
    n_out, n_in = _two_class_sizes(n_samples)
    rng = _generator(random_state, seed)
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            np.column_stack([1.0 - np.cos(t_in), 1.0 - np.sin(t_in) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _finish(X, y, shuffle, noise, rng)


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Any = None,
    seed: Any = None,
    factor: float = 0.8,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (class 0, radius 1) around a smaller one (class 1, radius ``factor``).

    Args:
        n_samples: total number of points (class 0 gets ``n_samples // 2``) or a
            pair ``(n_outer, n_inner)``.
        shuffle, noise, random_state, seed: as in :func:`make_moons`.
        factor: radius of the inner circle relative to the outer one, in [0, 1).

    Returns:
        ``X`` float32 of shape ``(n_samples, 2)`` and ``y`` int64 of shape ``(n_samples,)``.
    """
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"factor must be in [0, 1); got {factor}")
    n_out, n_in = _two_class_sizes(n_samples)
    rng = _generator(random_state, seed)
    t_out = np.linspace(0.0, 2.0 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2.0 * np.pi, n_in, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_out), np.sin(t_out)]),
            factor * np.column_stack([np.cos(t_in), np.sin(t_in)]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _finish(X, y, shuffle, noise, rng)


def make_spirals(
    n_samples: int = 100,
    *,
    n_classes: int = 2,
    n_turns: float = 1.0,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Any = None,
    seed: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n spiral; not in scikit-learn).

    Along arm ``k`` the radius grows evenly from 0 to 1 while the angle turns
    ``n_turns`` full turns; arm ``k`` is rotated by ``2*pi*k / n_classes``. A linear
    model scores about chance on it; a small MLP can separate it.

    Args:
        n_samples: total number of points, split as evenly as possible over the
            classes (the first ``n_samples % n_classes`` classes get one more).
        n_classes: number of arms (classes), at least 2.
        n_turns: how many turns each arm makes (> 0); more turns are harder.
        shuffle, noise, random_state, seed: as in :func:`make_moons`.

    Returns:
        ``X`` float32 of shape ``(n_samples, 2)`` and ``y`` int64 of shape ``(n_samples,)``.
    """
    n_samples = _count(n_samples, "n_samples")
    n_classes = _count(n_classes, "n_classes", minimum=2)
    if not n_turns > 0:
        raise ValueError(f"n_turns must be > 0; got {n_turns}")
    rng = _generator(random_state, seed)
    sizes = _even_split(n_samples, n_classes)
    parts, labels = [], []
    for k, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        angle = 2.0 * np.pi * (n_turns * r + k / n_classes)
        parts.append(np.column_stack([r * np.cos(angle), r * np.sin(angle)]))
        labels.append(np.full(m, k, dtype=np.int64))
    return _finish(np.concatenate(parts), np.concatenate(labels), shuffle, noise, rng)


def make_blobs(
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    *,
    centers: int | Any = None,
    cluster_std: float | Sequence[float] = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: Any = None,
    seed: Any = None,
    return_centers: bool = False,
) -> tuple[np.ndarray, ...]:
    """Isotropic Gaussian blobs, one class per blob.

    Args:
        n_samples: total number of points, split as evenly as possible over the
            blobs, or a sequence with the number of points of each blob.
        n_features: dimension of each point (ignored when ``centers`` is an array).
        centers: number of blobs (their centres drawn uniformly from
            ``center_box``), or an array ``(n_centers, n_features)`` of centres. None
            means 3 blobs, or ``len(n_samples)`` if that is a sequence.
        cluster_std: standard deviation of every blob, or one per blob.
        center_box: bounds ``(low, high)`` for random centres.
        shuffle, random_state, seed: as in :func:`make_moons`.
        return_centers: also return the centres (float32 ``(n_centers, n_features)``).

    Returns:
        ``X`` float32 of shape ``(n_samples, n_features)``, ``y`` int64 of shape
        ``(n_samples,)`` (the blob index), and the centres if ``return_centers``.
    """
    rng = _generator(random_state, seed)
    per_blob = None
    if isinstance(n_samples, (list, tuple, np.ndarray)):
        per_blob = [_count(m, "n_samples[i]", minimum=0) for m in n_samples]
        if not per_blob:
            raise ValueError("n_samples as a sequence must not be empty")
    if centers is None or isinstance(centers, (int, np.integer)):
        n_centers = (3 if per_blob is None else len(per_blob)) if centers is None else _count(centers, "centers")
        n_features = _count(n_features, "n_features")
        low, high = center_box
        centre_array = rng.uniform(low, high, size=(n_centers, n_features))
    else:
        centre_array = np.asarray(centers, dtype=np.float64)
        if centre_array.ndim != 2 or len(centre_array) == 0:
            raise ValueError(f"centers must be an int or an array of shape (n_centers, n_features); got shape {centre_array.shape}")
        n_centers, n_features = centre_array.shape
    if per_blob is None:
        per_blob = _even_split(_count(n_samples, "n_samples"), n_centers)
    elif len(per_blob) != n_centers:
        raise ValueError(f"n_samples has {len(per_blob)} entries but there are {n_centers} centers")
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (n_centers,)) if np.ndim(cluster_std) == 0 else np.asarray(cluster_std, dtype=np.float64)
    if stds.shape != (n_centers,):
        raise ValueError(f"cluster_std must be a number or have one entry per center ({n_centers}); got {len(stds)}")
    if np.any(stds < 0):
        raise ValueError(f"cluster_std must be >= 0; got {cluster_std}")

    X = np.concatenate([rng.normal(centre_array[k], stds[k], size=(m, n_features)) for k, m in enumerate(per_blob)])
    y = np.concatenate([np.full(m, k, dtype=np.int64) for k, m in enumerate(per_blob)])
    X, y = _finish(X, y, shuffle, None, rng)
    if return_centers:
        return X, y, centre_array.astype(np.float32)
    return X, y


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    random_state: Any = None,
    seed: Any = None,
) -> tuple[np.ndarray, ...]:
    """A random linear regression problem: ``y = X @ w + bias + noise``.

    ``X`` is standard normal; only ``n_informative`` features have non-zero weights
    (drawn uniformly from [0, 100), as in scikit-learn), the rest are distractors.

    Args:
        n_samples, n_features: shape of ``X``.
        n_informative: number of features with a non-zero weight (capped at
            ``n_features``).
        n_targets: number of regression targets (columns of ``y``).
        bias: constant added to ``y``.
        noise: standard deviation of the Gaussian noise added to ``y``.
        shuffle: shuffle the samples and the features (else the informative
            features come first).
        coef: also return the true weights ``w``.
        random_state, seed: as in :func:`make_moons`.

    Returns:
        ``X`` float32 ``(n_samples, n_features)``, ``y`` float32 ``(n_samples,)`` (or
        ``(n_samples, n_targets)`` if ``n_targets > 1``), and ``w`` float32
        ``(n_features,)`` (or ``(n_features, n_targets)``) if ``coef``.
    """
    n_samples = _count(n_samples, "n_samples")
    n_features = _count(n_features, "n_features")
    n_informative = min(_count(n_informative, "n_informative", minimum=0), n_features)
    n_targets = _count(n_targets, "n_targets")
    noise = _noise(noise)
    rng = _generator(random_state, seed)

    X = rng.standard_normal((n_samples, n_features))
    w = np.zeros((n_features, n_targets))
    w[:n_informative] = 100.0 * rng.uniform(size=(n_informative, n_targets))
    y = X @ w + bias
    if noise:
        y += rng.normal(scale=noise, size=y.shape)
    if shuffle:
        rows = rng.permutation(n_samples)
        cols = rng.permutation(n_features)
        X, y = X[rows][:, cols], y[rows]
        w = w[cols]
    if n_targets == 1:
        y, w = y[:, 0], w[:, 0]
    X, y, w = X.astype(np.float32), y.astype(np.float32), w.astype(np.float32)
    return (X, y, w) if coef else (X, y)


def load_digits(*, flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits: 1797 images, 10 classes (0-9), about 180 each.

    Read from the copy bundled with scikit-learn (no download; install it with
    ``pip install "minigrad[datasets]"``). Pixels are grey levels 0-16; divide by 16
    (or use :class:`StandardScaler`) before training.

    Args:
        flatten: return images as 64-vectors ``(1797, 64)``; False gives
            ``(1797, 8, 8)`` (use ``X[:, None]`` for a channel axis for ``Conv2d``).

    Returns:
        ``X`` float32 and ``y`` int64 of shape ``(1797,)``.

    Raises:
        ImportError: scikit-learn is not installed.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        raise ImportError(
            "load_digits() reads the digits data bundled with scikit-learn, which is not installed "
            '(minigrad never downloads data). Install it with: pip install "minigrad[datasets]" '
            "(or: pip install scikit-learn)"
        ) from None
    bunch = sklearn_load_digits()
    images = np.asarray(bunch.images, dtype=np.float32)
    X = images.reshape(len(images), -1) if flatten else images
    return X, np.asarray(bunch.target, dtype=np.int64)


# --------------------------------------------------------------------------- helpers


def _generator(random_state: Any, seed: Any) -> np.random.Generator:
    if random_state is not None and seed is not None:
        raise TypeError("pass either random_state or seed (they mean the same), not both")
    if seed is not None:
        return resolve_generator(seed, "seed")
    return resolve_generator(random_state, "random_state")


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= {minimum}; got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value}")
    return int(value)


def _noise(noise: Any) -> float:
    if noise is None:
        return 0.0
    if not isinstance(noise, (int, float, np.integer, np.floating)) or isinstance(noise, bool) or not noise >= 0:
        raise ValueError(f"noise must be None or a number >= 0; got {noise!r}")
    return float(noise)


def _two_class_sizes(n_samples: Any) -> tuple[int, int]:
    if isinstance(n_samples, (tuple, list)):
        if len(n_samples) != 2:
            raise ValueError(f"n_samples as a sequence must have 2 entries (one per class); got {len(n_samples)}")
        return _count(n_samples[0], "n_samples[0]", 0), _count(n_samples[1], "n_samples[1]", 0)
    n = _count(n_samples, "n_samples")
    return n // 2, n - n // 2


def _even_split(n: int, parts: int) -> list[int]:
    """Sizes of ``parts`` groups totalling ``n``; the first ``n % parts`` get one extra."""
    return [n // parts + (1 if k < n % parts else 0) for k in range(parts)]


def _finish(X: np.ndarray, y: np.ndarray, shuffle: bool, noise: Any, rng: np.random.Generator):
    noise = _noise(noise)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X.astype(np.float32), y.astype(np.int64)
