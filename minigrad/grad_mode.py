"""Gradient-recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The mode is process-global (PyTorch's is thread-local): minigrad is single-threaded at the
Python level, and a plain module attribute keeps the per-op check to one lookup.
"""
import functools

_enabled = True


def is_grad_enabled():
    """Return True when new operations record a graph for backward."""
    return _enabled


class _GradModeContext:
    """Sets the mode on ``__enter__``, restores it on exit; used as a decorator it wraps each
    call of the function in the same ``with``."""

    mode = True

    def __enter__(self):
        global _enabled
        self.prev = _enabled
        _enabled = self.mode
        return self

    def __exit__(self, *exc):
        global _enabled
        _enabled = self.prev
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager and decorator: operations inside build no graph.

    Use it for evaluation and for manual parameter updates::

        with minigrad.no_grad():
            y = model(x)          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns graph recording back on inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """Enable or disable graph recording, as a function, context manager or decorator.

    ``set_grad_enabled(False)`` takes effect at once (like PyTorch); used in a ``with``
    statement the previous mode is restored on exit.
    """

    def __init__(self, mode):
        global _enabled
        self.mode = bool(mode)
        self.prev = _enabled
        _enabled = self.mode

    def __enter__(self):
        return self  # the constructor already switched the mode

    def __call__(self, fn):
        # Used as a decorator: undo the constructor's switch until fn runs.
        self.__exit__()
        return super().__call__(fn)
