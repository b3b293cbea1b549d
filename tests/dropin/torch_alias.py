"""Make ``import torch`` (and its submodules) import minigrad: a rename table, nothing more.

Each entry maps a torch module name to the minigrad module that has the same API. The alias
implements nothing: an attribute minigrad lacks raises minigrad's own AttributeError, and a
torch submodule with no minigrad counterpart raises an ImportError naming both.
"""
import importlib
import importlib.abc
import sys

TORCH_TO_MINIGRAD = {
    "torch": "minigrad",
    "torch.autograd": "minigrad.autograd",
    "torch.nn": "minigrad.nn",
    "torch.nn.functional": "minigrad.nn.functional",
    "torch.nn.init": "minigrad.nn.init",
    "torch.nn.utils": "minigrad.nn.utils",
    "torch.nn.utils.rnn": "minigrad.nn.utils.rnn",
    "torch.nn.parameter": "minigrad.nn.parameter",
    "torch.optim": "minigrad.optim",
    "torch.optim.lr_scheduler": "minigrad.optim.lr_scheduler",
    "torch.utils": "minigrad.utils",
    "torch.utils.data": "minigrad.data",
    "torch.cuda": "minigrad.cuda",
    "torch.backends": "minigrad.backends",
    "torch.backends.cudnn": "minigrad.backends.cudnn",
    "torch.backends.mps": "minigrad.backends.mps",
    "torch.backends.cuda": "minigrad.backends.cuda",
    "torch.random": "minigrad.random",
    "torch.linalg": "minigrad.linalg",
    "torch.distributions": "minigrad.distributions",
}


class TorchToMinigrad(importlib.abc.MetaPathFinder):
    """Refuses, with a clear error, a torch submodule that has no entry in the table (the
    table's modules are put in ``sys.modules`` by :func:`install`, so they never reach here)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            target_name = TORCH_TO_MINIGRAD.get(fullname)
            why = (f"minigrad has no {target_name}" if target_name else
                   "not in the alias table of tests/dropin/torch_alias.py")
            raise ImportError(f"{fullname}: minigrad has no counterpart of this torch module "
                              f"({why})", name=fullname)
        return None


def install():
    """Route every later ``import torch...`` to minigrad: each torch name of the table is
    bound in ``sys.modules`` to the minigrad module (imported now), so ``import torch.nn as
    nn`` and ``from torch.utils.data import DataLoader`` find minigrad's."""
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
    for torch_name, minigrad_name in TORCH_TO_MINIGRAD.items():
        try:
            sys.modules[torch_name] = importlib.import_module(minigrad_name)
        except ImportError:
            continue  # left to the finder, which names what is missing
    sys.meta_path.insert(0, TorchToMinigrad())
