"""minigrad's global random number generator (``manual_seed``) used by rand/randn/init/DataLoader."""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed minigrad's global generator; returns it. ``seed`` must be a non-negative int."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator():
    """The numpy Generator behind minigrad's random functions."""
    return _generator
