"""minigrad's random number generators: ``Generator`` objects (PyTorch's API) and the global
default one that ``manual_seed`` re-seeds and that rand/randn/init/dropout/DataLoader draw from.

Departure from PyTorch (deliberate): the bits come from numpy's PCG64, not PyTorch's
Mersenne Twister, so a seed gives the same *distribution* as in PyTorch but not the same
numbers. ``manual_seed(n)`` makes a minigrad program reproducible with itself.
"""
import numpy as np

DEFAULT_SEED = 67280421310721  # PyTorch's default seed of a new Generator
_STATE_BYTES = 48  # PCG64 state (16) + increment (16) + buffered uint32 flag and value (8) + seed (8)


def _check_seed(seed, name):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name}: seed must be a non-negative int, got {seed!r}")
    return int(seed)


class Generator:
    """A random number generator, as ``torch.Generator``: pass it as ``generator=`` to the
    random functions to draw from its own stream instead of the global one.

    ``device`` may only be the CPU. Methods: :meth:`manual_seed`, :meth:`seed`,
    :meth:`initial_seed`, :meth:`get_state`, :meth:`set_state`.
    """

    def __init__(self, device="cpu"):
        from ._device import resolve
        self.device = resolve(device, "Generator")
        self._rng = None
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Seed this generator with a non-negative int; returns the generator."""
        self._seed = _check_seed(seed, "manual_seed")
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed used."""
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (pass it to :meth:`set_state`)."""
        from .tensor import Tensor
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(4, "little") + int(st["uinteger"]).to_bytes(4, "little")
               + self._seed.to_bytes(8, "little"))
        return Tensor._wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by :meth:`get_state`; returns the generator."""
        data = getattr(new_state, "_data", None)
        if data is None or data.dtype != np.uint8 or data.shape != (_STATE_BYTES,):
            raise TypeError(f"set_state: expected the uint8 tensor of {_STATE_BYTES} bytes that "
                            f"get_state() returns, got {new_state!r}")
        raw = data.tobytes()
        rng = np.random.default_rng()
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[0:16], "little"),
                      "inc": int.from_bytes(raw[16:32], "little")},
            "has_uint32": int.from_bytes(raw[32:36], "little"),
            "uinteger": int.from_bytes(raw[36:40], "little")}
        self._rng = rng
        self._seed = int.from_bytes(raw[40:48], "little")
        return self

    def __repr__(self):
        return "<minigrad.Generator object>"


# As in PyTorch, a new Generator starts from this fixed seed, while the global generator is
# seeded from the operating system's entropy at import (until manual_seed)
default_generator_object = Generator()
default_generator_object.seed()


def manual_seed(seed):
    """Seed minigrad's global generator; returns it (a :class:`Generator`, as in PyTorch).
    ``seed`` must be a non-negative int."""
    return default_generator_object.manual_seed(_check_seed(seed, "manual_seed"))


def seed():
    """Seed the global generator from the operating system's entropy; returns the seed."""
    return default_generator_object.seed()


def initial_seed():
    """The seed the global generator was last seeded with."""
    return default_generator_object.initial_seed()


def get_rng_state():
    """The global generator's state (see :meth:`Generator.get_state`)."""
    return default_generator_object.get_state()


def set_rng_state(new_state):
    """Restore the global generator's state from :func:`get_rng_state`."""
    default_generator_object.set_state(new_state)


def default_generator():
    """The numpy Generator behind minigrad's global random functions. Looked up on every
    call: ``manual_seed`` replaces it."""
    return default_generator_object._rng


def numpy_generator(generator, name):
    """The numpy Generator to draw from for a ``generator=`` argument (None: the global one)."""
    if generator is None:
        return default_generator_object._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{name}: generator must be a minigrad.Generator, got "
                        f"{type(generator).__name__}")
    return generator._rng
