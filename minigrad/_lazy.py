"""Op modules loaded on first use: the op groups most programs never touch (more math,
products, scatter, statistics, introspection, decompositions) would add about 30 ms to
``import minigrad`` (85 ms without them, measured with ``python -X importtime``)."""
import importlib


class LazyModule:
    """Stands in for the module ``name`` in the namespace ``owner`` under ``alias``: the first
    attribute read imports it and puts the real module in its place, so later calls pay
    nothing."""

    __slots__ = ("_name", "_owner", "_alias")

    def __init__(self, name, owner, alias):
        self._name, self._owner, self._alias = name, owner, alias

    def __getattr__(self, attr):
        module = importlib.import_module(self._name)
        self._owner[self._alias] = module
        return getattr(module, attr)
