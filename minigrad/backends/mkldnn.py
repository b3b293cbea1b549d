"""oneDNN flags: settable, without effect; ``is_available()`` is False (minigrad computes with
numpy)."""
enabled = True
deterministic = False


def is_available():
    """False: minigrad computes with numpy, not oneDNN."""
    return False
