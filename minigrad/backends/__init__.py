"""``minigrad.backends``: the backend flags scripts probe or set (``backends.cudnn.deterministic
= True``, ``backends.mps.is_available()``). minigrad has one backend, numpy on the CPU: the
accelerator backends report unavailable and their settings are accepted and have no effect."""
from . import cuda, cudnn, mkldnn, mps  # noqa: F401
