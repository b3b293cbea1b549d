"""Worker information for :class:`DataLoader` workers: ``get_worker_info()`` and
``WorkerInfo``, as ``torch.utils.data``.

minigrad's loader runs its workers in the main process, one after the other (see
:class:`~minigrad.data.DataLoader`). While a worker's ``worker_init_fn`` runs, while it
fetches and collates a batch and while its iterable dataset advances, ``get_worker_info()``
returns that worker's :class:`WorkerInfo`; everywhere else (the training loop) it returns
None, as in PyTorch's main process. The current worker is per thread.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Any, Iterator

__all__ = ["WorkerInfo", "get_worker_info"]

_current = contextvars.ContextVar("minigrad_data_worker", default=None)


@dataclass(frozen=True)
class WorkerInfo:
    """``id`` (0 to ``num_workers - 1``), ``num_workers``, ``seed`` (the loader's base seed
    for this pass plus ``id``, as PyTorch's) and ``dataset`` (this worker's copy of the
    dataset)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """The current worker's :class:`WorkerInfo`, or None outside a worker."""
    return _current.get()


@contextlib.contextmanager
def acting_as(info: WorkerInfo | None) -> Iterator[None]:
    """Run the body as worker ``info`` (None: as the main process)."""
    token = _current.set(info)
    try:
        yield
    finally:
        _current.reset(token)
