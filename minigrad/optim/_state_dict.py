"""``Optimizer.load_state_dict`` in two phases: check everything, then apply everything.

:func:`stage` reads a state dict and returns what would be applied (hyperparameters per group,
a converted copy of every state value), raising ``ValueError`` or ``TypeError`` on anything it
cannot use; it modifies nothing. :func:`apply` then writes the staged values, and cannot fail
on the data (shapes and dtypes were checked). So a ``load_state_dict`` that raises leaves the
optimizer exactly as it was, as ``Module.load_state_dict`` does.
"""
import math
import numbers

import numpy as np

from ._flat import FlatBuffer

#: Key of ``state_dict()`` naming the optimizer class that wrote it. PyTorch's state dicts have
#: no such key; dicts without it load as in PyTorch (without the class check).
CLASS_KEY = "optimizer_class"


def check_class(optimizer, state_dict):
    """Raise ValueError if ``state_dict`` was written by another optimizer class."""
    saved = state_dict.get(CLASS_KEY)
    mine = type(optimizer).__name__
    if saved is not None and saved != mine:
        raise ValueError(
            f"loaded state dict is from a {saved} optimizer, not {mine}: its state would be "
            f"misread (e.g. {mine}'s moments restarting from zero); load it into a {saved}")


def check_structure(optimizer, state_dict):
    """Raise unless ``state_dict`` has the shape of an optimizer state dict of this class:
    ``{'state': dict, 'param_groups': [dict with 'params', ...]}``."""
    if not isinstance(state_dict, dict):
        raise TypeError(f"load_state_dict expects a dict, got {type(state_dict).__name__}")
    for key in ("state", "param_groups"):
        if key not in state_dict:
            raise ValueError(f"loaded state dict has no {key!r} entry (not an optimizer "
                             "state dict?)")
    check_class(optimizer, state_dict)
    if not isinstance(state_dict["state"], dict):
        raise ValueError("loaded state dict's 'state' is a "
                         f"{type(state_dict['state']).__name__}, not a dict")
    groups = state_dict["param_groups"]
    if not isinstance(groups, (list, tuple)):
        raise ValueError(f"loaded state dict's 'param_groups' is a {type(groups).__name__}, "
                         "not a list")
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("params"), (list, tuple)):
            raise ValueError(f"loaded state dict's param_groups[{i}] is not a dict with a "
                             "'params' list")


def index_of(key, what):
    """A parameter index (int) from a state key or a group's 'params' entry."""
    if isinstance(key, (bool, np.bool_)):
        raise ValueError(f"loaded state dict: {what} {key!r} is not a parameter index")
    try:
        index = int(key)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"loaded state dict: {what} {key!r} is not a parameter index") from None
    if index != key and not isinstance(key, str):  # 1.5 is not an index; "3" is (JSON keys)
        raise ValueError(f"loaded state dict: {what} {key!r} is not a parameter index")
    return index


def stage(optimizer, state_dict):
    """Check ``state_dict`` against ``optimizer``; return ``(groups, staged)``: the new
    hyperparameters per group and ``(group_index, fb, k, values)`` for every parameter with
    saved state. Modifies nothing."""
    check_structure(optimizer, state_dict)
    groups = state_dict["param_groups"]
    mine_groups = optimizer.param_groups
    if len(groups) != len(mine_groups):
        raise ValueError(f"loaded state dict has a different number of parameter groups "
                         f"({len(groups)}, this optimizer has {len(mine_groups)})")
    for i, (mine, saved) in enumerate(zip(mine_groups, groups)):
        if len(mine["params"]) != len(saved["params"]):
            raise ValueError(f"loaded state dict contains a parameter group that doesn't match "
                             f"the size of optimizer's group (param_groups[{i}] has "
                             f"{len(saved['params'])} parameters, expected {len(mine['params'])})")
    saved_state = {index_of(k, "state key"): v for k, v in state_dict["state"].items()}
    has_class = CLASS_KEY in state_dict

    new_groups = []
    for i, (mine, saved) in enumerate(zip(mine_groups, groups)):
        group = {k: (tuple(v) if isinstance(v, list) and isinstance(mine.get(k), tuple) else v)
                 for k, v in saved.items() if k != "params"}
        try:
            optimizer._check_group({**mine, **group})
        except ValueError as exc:
            raise ValueError(f"loaded state dict: param_groups[{i}]: {exc}") from None
        new_groups.append(group)

    staged = []
    for i, (mine, saved, group, flats) in enumerate(
            zip(mine_groups, groups, new_groups, optimizer._flats)):
        merged = {**mine, **group}
        where = {id(p): (fb, k) for fb in flats for k, p in enumerate(fb.params)}
        templates = {}
        for p, idx in zip(mine["params"], saved["params"]):
            st = saved_state.get(index_of(idx, "parameter index"))
            if st is None:
                continue
            if not isinstance(st, dict):
                raise ValueError(f"loaded state dict: state of parameter {idx} is a "
                                 f"{type(st).__name__}, not a dict")
            if not st:
                continue
            fb, k = where[id(p)]
            template = templates.get(fb.dtype)
            if template is None:
                template = templates[fb.dtype] = _template(optimizer, fb.dtype, merged)
            if not has_class and template and not set(st) & set(template):
                raise ValueError(
                    f"loaded state dict: state of parameter {idx} has {sorted(map(str, st))}, "
                    f"none of which {type(optimizer).__name__} keeps ({sorted(template)}): a state dict "
                    "from another optimizer?")
            values = {name: _stage_value(name, value, template,
                                         optimizer._state_shape(name, p._data.shape, merged),
                                         fb.dtype, idx)
                      for name, value in st.items()}
            staged.append((i, fb, k, values))
    return new_groups, staged


def apply(optimizer, new_groups, staged):
    """Write what :func:`stage` returned into ``optimizer``."""
    for mine, group in zip(optimizer.param_groups, new_groups):
        mine.update(group)
    optimizer.state.clear()
    for i, fb, k, values in staged:
        fresh = optimizer._new_state(fb, k, optimizer.param_groups[i])
        for name, value in values.items():
            target = fresh.get(name)
            if isinstance(target, np.ndarray):
                np.copyto(target, value)
            elif isinstance(value, np.ndarray):  # e.g. a buffer of an option switched off
                fb.state_buffer(name)
                view = fb.state_view(name, k)
                np.copyto(view, value)
                fresh[name] = view
            else:
                fresh[name] = value
        optimizer.state[fb.params[k]] = fresh


def _template(optimizer, dtype, group):
    """The state a new parameter of ``dtype`` would get (names and kinds of values), made on a
    zero-size scratch buffer so no real state is touched."""
    from ..tensor import Tensor

    scratch = FlatBuffer([Tensor._wrap(np.zeros(0, dtype))], dtype)
    return optimizer._new_state(scratch, 0, group)


def _stage_value(name, value, template, shape, dtype, idx):
    """``value`` converted to what the optimizer keeps (an array copy of the parameter's shape
    and dtype, an int step count, a float or None), or ValueError naming the problem."""
    where = f"loaded state dict: state {name!r} of parameter {idx}"
    if hasattr(value, "_data") and not isinstance(value, np.ndarray):  # a Tensor
        value = value._data
    expected = template.get(name)
    if name == "step":  # an int, or a float where the optimizer counts in floats (Adafactor)
        count = _step_count(value, where)
        return float(count) if isinstance(expected, float) else count
    if isinstance(expected, np.ndarray) or (
            expected is None and isinstance(value, (np.ndarray, list, tuple))):
        if value is None and not isinstance(expected, np.ndarray):
            return None
        if value is None:
            raise ValueError(f"{where} is None, expected an array of shape {shape}")
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            arr = np.empty(0, object)
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"{where} has dtype {arr.dtype}, expected real numbers ({dtype})")
        if arr.shape != shape:
            raise ValueError(f"{where} has shape {arr.shape}, expected {shape}")
        return arr.astype(dtype, copy=True)
    if value is None:
        return None
    number = _real_number(value)
    if number is None:
        raise ValueError(f"{where} is a {type(value).__name__}, expected "
                         f"{'a number' if name in template else 'a number or an array'}")
    return number


def _real_number(value):
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        value = value.reshape(()).item()
    elif isinstance(value, np.generic) and value.dtype.kind in "biuf":
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value
    return None


def _step_count(value, where):
    number = _real_number(value)
    if number is None or not math.isfinite(number) or number < 0 or number != int(number):
        raise ValueError(f"{where} is {value!r}, expected a step count (an integer >= 0)")
    return int(number)
