"""``minigrad.accelerator``: PyTorch's device-generic accelerator probe. minigrad has no
accelerator: ``is_available()`` is False and ``current_accelerator()`` is None."""


def is_available():
    """False: minigrad has no accelerator."""
    return False


def device_count():
    """0: minigrad has no accelerator."""
    return 0


def current_accelerator(check_available=False):
    """None: minigrad has no accelerator."""
    return None
