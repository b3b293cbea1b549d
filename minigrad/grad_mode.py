"""Gradient-recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``.

The mode is per thread, as in PyTorch: a DataLoader thread, an evaluation thread under
``no_grad`` and a training thread do not see each other's mode. It is kept in a
:class:`contextvars.ContextVar`, which a new thread starts at its default (recording on) and
whose ``get()`` costs about as much as a module attribute lookup, so the per-op check stays
cheap. (A ContextVar is also per asyncio task; PyTorch's thread-local mode is shared by the
tasks of one thread. Nothing here depends on that difference.)
"""
import contextvars
import functools
import inspect

_mode = contextvars.ContextVar("minigrad_grad_enabled", default=True)

#: ``enabled()`` is the hot-path form of :func:`is_grad_enabled` (a bound C method).
enabled = _mode.get
_set = _mode.set


def is_grad_enabled():
    """Return True when new operations in this thread record a graph for backward."""
    return _mode.get()


class _GradModeContext:
    """Sets the mode on ``__enter__``, restores it on exit; used as a decorator it wraps each
    call of the function in the same ``with``."""

    mode = True

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            # Used as a decorator without parentheses (``@no_grad``), as PyTorch allows.
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self.prev = _mode.get()
        _mode.set(self.mode)
        return self

    def __exit__(self, *exc):
        _mode.set(self.prev)
        return False

    def __call__(self, fn):
        mode = self.mode
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


def _wrap_generator(fn, mode):
    """A generator function whose body runs in ``mode`` at every resumption, while the code
    that drives it keeps its own mode between items (PyTorch does the same): setting the mode
    only while the generator object is created would leave the body in the caller's mode."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with set_grad_enabled(mode):
            gen = fn(*args, **kwargs)
        try:
            with set_grad_enabled(mode):
                item = next(gen)
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with set_grad_enabled(mode):
                        gen.close()
                    raise
                except BaseException as e:
                    with set_grad_enabled(mode):
                        item = gen.throw(e)
                else:
                    with set_grad_enabled(mode):
                        item = gen.send(sent)
        except StopIteration as stop:
            return stop.value

    return wrapper


class no_grad(_GradModeContext):
    """Context manager and decorator: operations inside build no graph (in this thread).

    Use it for evaluation and for manual parameter updates::

        with minigrad.no_grad():
            y = model(x)          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns graph recording back on inside ``no_grad``."""

    mode = True


class inference_mode(_GradModeContext):
    """``inference_mode(mode=True)``: as :class:`no_grad` (minigrad has no separate inference
    tensors; PyTorch's also skips version counting, an optimisation minigrad does not need)."""

    def __init__(self, mode=True):
        self.mode = not mode


class set_grad_enabled(_GradModeContext):
    """Enable or disable graph recording in this thread, as a function, context manager or
    decorator.

    ``set_grad_enabled(False)`` takes effect at once (like PyTorch); used in a ``with``
    statement the previous mode is restored on exit.
    """

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = _mode.get()
        _mode.set(self.mode)

    def __enter__(self):
        return self  # the constructor already switched the mode

    def __call__(self, fn):
        # Used as a decorator: undo the constructor's switch until fn runs.
        self.__exit__()
        return super().__call__(fn)
