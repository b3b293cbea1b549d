"""cuDNN flags: settable, without effect (minigrad has no cuDNN). ``is_available()`` is False."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
