"""Apple's Metal backend: not available in minigrad."""


def is_available():
    """False: minigrad has no Metal backend."""
    return False


def is_built():
    """False: minigrad is not built with Metal."""
    return False
