"""PyTorch's ``torch.utils`` path: ``minigrad.utils.data`` is :mod:`minigrad.data`."""
import sys

from .. import data

# `import minigrad.utils.data` finds the same module as `minigrad.data`
sys.modules.setdefault(__name__ + ".data", data)
