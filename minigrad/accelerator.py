"""``minigrad.accelerator``: PyTorch's device-generic accelerator probe. minigrad has no
accelerator: ``is_available()`` is False and ``current_accelerator()`` is None."""


def is_available():
    return False


def device_count():
    return 0


def current_accelerator(check_available=False):
    return None
