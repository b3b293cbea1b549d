"""Automatic differentiation: ``grad``, ``backward``, ``Function``, ``gradcheck``."""
from . import functional
from .engine import backward, grad
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import Node
from ..legacy import Variable

__all__ = ["backward", "grad", "Function", "gradcheck", "gradgradcheck", "GradcheckError",
           "Node", "Variable"]
