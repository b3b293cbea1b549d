"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict`` and ``Identity``."""
import operator
from collections import OrderedDict

from .module import Module


def _check_module(value, where):
    if not isinstance(value, Module):
        raise TypeError(f"{where}: expected a Module, got {type(value).__name__}")
    return value


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: positional indexing, ``len``, iteration,
    ``append``, and renumbering children '0'..'n-1' after a deletion, as PyTorch does."""

    def _index(self, idx):
        n = len(self._modules)
        try:
            i = operator.index(idx)
        except TypeError:
            raise TypeError(f"{type(self).__name__} indices must be ints or slices, "
                            f"got {type(idx).__name__}") from None
        if not -n <= i < n:
            raise IndexError(f"{type(self).__name__} index {i} out of range for {n} modules")
        return i % n

    def __delitem__(self, idx):
        items = list(self._modules.values())
        if isinstance(idx, slice):
            del items[idx]
        else:
            del items[self._index(idx)]
        self._reset(items)

    def _reset(self, items):
        for key in list(self._modules):
            delattr(self, key)
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), _check_module(module, f"{type(self).__name__}.append"))
        return self


class Sequential(_ModuleSequence):
    """Modules applied in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Children are named ``'0'``, ``'1'``, ... (or by the keys of an ``OrderedDict`` passed
    as the only argument). Supports ``len``, iteration, ``seq[i]`` (a module),
    ``seq[i:j]`` (a new Sequential sharing the modules) and ``append``.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, _check_module(m, f"Sequential[{name!r}]"))
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), _check_module(m, f"Sequential argument {i}"))

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx, module):
        key = list(self._modules)[self._index(idx)]
        setattr(self, key, _check_module(module, "Sequential.__setitem__"))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide
    them from ``parameters()``). Indexing, ``len``, iteration, ``append``, ``extend``,
    ``insert``; it has no ``forward``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[str(self._index(idx))]

    def __setitem__(self, idx, module):
        setattr(self, str(self._index(idx)), _check_module(module, "ModuleList.__setitem__"))

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        items = list(self._modules.values())
        items.insert(index, _check_module(module, "ModuleList.insert"))
        self._reset(items)


class ModuleDict(Module):
    """An ordered dict of modules whose parameters are registered: ``md[key]``, ``in``,
    ``len``, iteration over keys, ``keys()``, ``values()``, ``items()``, ``update``, ``pop``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict has no key {key!r} (keys: {list(self._modules)})") from None

    def __setitem__(self, key, module):
        self.add_module(key, _check_module(module, f"ModuleDict[{key!r}]"))

    def __delitem__(self, key):
        self[key]  # noqa: B018  (raises the clear KeyError)
        delattr(self, key)

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules):
        items = modules.items() if hasattr(modules, "items") else modules
        for key, m in items:
            self[key] = m

    def pop(self, key):
        m = self[key]
        del self[key]
        return m

    def clear(self):
        for key in list(self._modules):
            delattr(self, key)
