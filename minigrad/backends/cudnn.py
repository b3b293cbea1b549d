"""cuDNN flags: settable, without effect (minigrad has no cuDNN). ``is_available()`` is False."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: minigrad has no cuDNN."""
    return False


def version():
    """None: no cuDNN is loaded (PyTorch's answer without it)."""
    return None
