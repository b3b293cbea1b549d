"""``minigrad.cuda``: the answers scripts probe for, from a library that runs on the CPU only.

``is_available()`` is False and ``device_count()`` is 0; seeding functions do nothing (as
PyTorch's do when CUDA is absent); anything that needs a GPU raises naming what was asked.
"""


def is_available():
    """False: minigrad has no CUDA device."""
    return False


def device_count():
    """0: minigrad has no CUDA device."""
    return 0


def is_initialized():
    """False: there is no CUDA context."""
    return False


def manual_seed(seed):
    """Does nothing: there is no CUDA generator to seed (PyTorch ignores it too without CUDA)."""


def manual_seed_all(seed):
    """Does nothing: there is no CUDA generator to seed."""


def seed():
    """Does nothing: there is no CUDA generator."""


def seed_all():
    """Does nothing: there is no CUDA generator."""


def empty_cache():
    """Does nothing: there is no CUDA memory to release."""


def _unavailable(what):
    raise RuntimeError(f"minigrad.cuda.{what}: CUDA is not available: minigrad runs on the CPU "
                       "only (minigrad.cuda.is_available() is False)")


def current_device():
    """Always an error: there is no CUDA device."""
    _unavailable("current_device()")


def get_device_name(device=None):
    """Always an error: there is no CUDA device."""
    _unavailable("get_device_name()")


def set_device(device):
    """Always an error: there is no CUDA device."""
    _unavailable("set_device()")


def synchronize(device=None):
    """Always an error: there is no CUDA device."""
    _unavailable("synchronize()")
