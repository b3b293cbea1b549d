"""Turning a ``seed`` argument into a ``numpy.random.Generator``.

Shared by the data loader, the dataset generators and ``train_test_split`` so that
every seeded function in minigrad accepts the same things and fails the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def resolve_generator(seed: Any, argname: str = "seed") -> np.random.Generator:
    """Return a Generator for ``seed``.

    * ``None``: minigrad's global generator, so ``minigrad.manual_seed(n)`` makes the
      call reproducible (like ``torch.manual_seed``);
    * a non-negative ``int``: a fresh ``numpy.random.default_rng(seed)``;
    * a ``numpy.random.Generator``: used as is (and advanced);
    * a ``minigrad.Generator`` (PyTorch's ``torch.Generator``): the numpy generator behind
      it, as it is now. Callers holding such an object resolve it at every draw, because its
      ``manual_seed`` replaces that numpy generator.
    """
    if seed is None:
        return global_generator()
    if isinstance(seed, np.random.Generator):
        return seed
    behind = getattr(seed, "_rng", None)  # minigrad.Generator
    if isinstance(behind, np.random.Generator):
        return behind
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"{argname} must be None, a non-negative int, a numpy.random.Generator or a "
            f"minigrad.Generator; got {seed!r} of type {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"{argname} must be a non-negative int; got {seed}")
    return np.random.default_rng(int(seed))


def global_generator() -> np.random.Generator:
    """minigrad's global Generator (the one ``minigrad.manual_seed`` re-seeds).

    Looked up on every call, not cached, because ``manual_seed`` may replace it.
    """
    from minigrad.random import default_generator

    return default_generator()
