"""Which optimizers can race, by name, and how a race entry is turned into an optimizer.

A race entry (one element of ``race(..., optimizers=[...])``) may be:

* a registry name, ``"adam"``, optionally with hyperparameters: ``"adam:lr=0.05"``,
  ``"sgd:lr=0.02:momentum=0.5"``, ``"adam:betas=(0.9,0.99)"`` (values are Python literals);
* a pair ``("adam", {"lr": 0.05})``;
* an optimizer class (``minigrad.optim.Adam``): instantiated with the surface's tuned
  hyperparameters when the registry has a plain entry for that class, else with its own defaults;
* a factory ``params -> Optimizer`` (``lambda ps: minigrad.optim.Adam(ps, lr=0.1)``);
* an optimizer instance over one 2-element tensor (or two 1-element tensors): raced as it is,
  its parameters set to the start point in place (its state is *not* reset).

Hyperparameters of a named entry are layered: the registry's fixed ones (``momentum=0.9`` for
``"momentum"``), then the surface's tuned ones (:attr:`LossSurface.lr`), then the caller's.

Second-order optimizers (``"lbfgs"``, ``"newton"``, ``"newton-cg"``) are listed only when
this minigrad has the class (``minigrad.optim.LBFGS``, ``Newton``, ``NewtonCG``, or the same in
the submodules ``minigrad.optim.lbfgs`` / ``minigrad.optim.newton``). Every optimizer is stepped
as ``opt.step(closure)``, so methods that re-evaluate the loss several times per step work
unchanged. The closure follows PyTorch (``zero_grad``, forward, ``backward``, return the loss),
except for optimizers that differentiate the loss twice themselves (Newton's, whose closure must
return the loss *without* backward): see :func:`closure_calls_backward`.
"""
import importlib
import ast
import inspect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptimizerEntry:
    """A named optimizer configuration.

    Attributes:
        name: registry key (``minigrad race --optimizers NAME``).
        label: legend label.
        class_name: attribute of :mod:`minigrad.optim`.
        fixed: hyperparameters that define this entry (``momentum=0.9`` for "momentum").
        defaults: hyperparameters used when neither the surface nor the caller sets them.
        module: submodule of :mod:`minigrad.optim` that may define the class when the package
            does not export it.
        backward_in_closure: whether the race's closure calls ``loss.backward()`` (PyTorch's
            convention) or returns the loss graph untouched (Newton's methods differentiate it
            twice themselves, and a backward would free the graph they need).
        shape: the shape of the raced parameter: ``(2,)``, or ``(1, 2)`` for Muon, which
            takes matrices only (on a 1 x 2 matrix its orthogonalized step is the momentum's
            direction: a normalized-momentum method, steps of a constant length, ~0.7 ``lr``
            after 5 Newton-Schulz iterations).
        like: another entry whose per-surface tuned hyperparameters this one takes when the
            surface tunes none for it (plain-gradient methods share SGD's step size scale).
    """

    name: str
    label: str
    class_name: str
    fixed: dict = field(default_factory=dict)
    defaults: dict = field(default_factory=dict)
    module: str = None
    backward_in_closure: bool = True
    shape: tuple = (2,)
    like: str = None

    @property
    def cls(self):
        """The optimizer class, or None when this minigrad has no such class."""
        from .. import optim
        found = getattr(optim, self.class_name, None)
        if found is None and self.module:
            try:
                found = getattr(importlib.import_module(f"minigrad.optim.{self.module}"),
                                self.class_name, None)
            except ImportError:
                found = None
        return found


_ALL = (
    OptimizerEntry("sgd", "SGD", "SGD", defaults={"lr": 0.01}),
    OptimizerEntry("momentum", "Momentum", "SGD", fixed={"momentum": 0.9},
                   defaults={"lr": 0.01}),
    OptimizerEntry("nesterov", "NAG", "SGD", fixed={"momentum": 0.9, "nesterov": True},
                   defaults={"lr": 0.01}),
    OptimizerEntry("adagrad", "Adagrad", "Adagrad", defaults={"lr": 0.1}),
    OptimizerEntry("adadelta", "Adadelta", "Adadelta", defaults={"lr": 1.0}),
    OptimizerEntry("rmsprop", "RMSprop", "RMSprop", defaults={"lr": 0.01}),
    OptimizerEntry("adam", "Adam", "Adam", defaults={"lr": 0.01}),
    OptimizerEntry("adamw", "AdamW", "AdamW", defaults={"lr": 0.01}),
    OptimizerEntry("adamax", "Adamax", "Adamax", defaults={"lr": 0.02}),
    OptimizerEntry("nadam", "NAdam", "NAdam", defaults={"lr": 0.01}),
    OptimizerEntry("radam", "RAdam", "RAdam", defaults={"lr": 0.02}),
    OptimizerEntry("rprop", "Rprop", "Rprop", defaults={"lr": 0.01}),
    OptimizerEntry("asgd", "ASGD", "ASGD", defaults={"lr": 0.01}, like="sgd"),
    OptimizerEntry("adafactor", "Adafactor", "Adafactor", defaults={"lr": 0.05}),
    OptimizerEntry("muon", "Muon", "Muon", defaults={"lr": 0.02, "weight_decay": 0.0},
                   shape=(1, 2)),
    OptimizerEntry("lion", "Lion", "Lion", defaults={"lr": 0.01}),
    # Schedule-free: switched to train mode when built; the race follows y, the point where
    # gradients are taken.
    OptimizerEntry("sgd-schedulefree", "SGD-SF", "SGDScheduleFree", defaults={"lr": 0.01},
                   like="sgd"),
    OptimizerEntry("adamw-schedulefree", "AdamW-SF", "AdamWScheduleFree",
                   defaults={"lr": 0.05}),
    OptimizerEntry("prodigy", "Prodigy", "Prodigy", defaults={"lr": 1.0}),
    # Second-order, closure-based (one race step = one optimizer step, which may evaluate the
    # loss several times). Listed only when minigrad.optim provides the class.
    # One L-BFGS iteration per race step (PyTorch's default runs 20 per step()), with room for
    # a full line search in it (the default max_eval, 5/4 of max_iter, would allow one call).
    OptimizerEntry("lbfgs", "L-BFGS", "LBFGS", module="lbfgs",
                   defaults={"lr": 1.0, "max_iter": 1, "max_eval": 25, "history_size": 10,
                             "line_search_fn": "strong_wolfe"}),
    OptimizerEntry("newton", "Newton", "Newton", module="newton", defaults={"lr": 1.0},
                   backward_in_closure=False),
    OptimizerEntry("newton-cg", "Newton-CG", "NewtonCG", module="newton",
                   defaults={"lr": 1.0}, backward_in_closure=False),
)


def closure_calls_backward(optimizer):
    """False for optimizers whose ``step(closure)`` wants the loss graph without backward
    (instances of a registry class marked so, e.g. Newton), True otherwise."""
    for entry in _ALL:
        cls = entry.cls if not entry.backward_in_closure else None
        if cls is not None and isinstance(optimizer, cls):
            return False
    return True



def available_optimizers():
    """``{name: OptimizerEntry}`` for the entries whose class this minigrad has, in order."""
    return {e.name: e for e in _ALL if e.cls is not None}


#: The optimizers available by name in this installation (as at import), in legend order.
OPTIMIZERS = available_optimizers()

#: The seed figure's line-up (and the CLI default).
DEFAULT_LINEUP = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam")


@dataclass
class Contestant:
    """One resolved race entry: a label and how to get its optimizer for given parameters."""

    label: str
    make: object  # params (list of Tensors) -> optimizer
    hyperparameters: dict = field(default_factory=dict)
    instance: object = None  # a ready-made optimizer (then ``make`` is None)
    shape: tuple = (2,)  # of the parameter ``make`` is given


def parse_spec(text):
    """Split ``"adam:lr=0.05:betas=(0.9,0.99)"`` into ``("adam", {"lr": 0.05, ...})``.

    Raises ValueError for a malformed ``key=value`` or a value that is not a Python literal
    (``true``/``false`` are accepted as booleans).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"empty optimizer name; choose from "
                         f"{', '.join(available_optimizers())}")
    name, *pairs = [part.strip() for part in text.split(":")]
    hyper = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key.isidentifier():
            raise ValueError(f"bad hyperparameter {pair!r} in {text!r}: write KEY=VALUE, "
                             f"e.g. {name}:lr=0.01")
        hyper[key] = _literal(value.strip(), key, text)
    return name.lower(), hyper


def _literal(value, key, text):
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(f"bad value {value!r} for {key} in {text!r}: expected a number, "
                         f"true/false or a tuple such as (0.9,0.99)") from None


def split_lineup(text):
    """Split a comma-separated line-up, keeping commas inside brackets: ``"sgd,adam:betas=(0.9,
    0.99)"`` -> ``["sgd", "adam:betas=(0.9,0.99)"]``."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def get_entry(name):
    """The :class:`OptimizerEntry` called ``name``; ValueError lists the valid names."""
    available = available_optimizers()
    try:
        return available[name]
    except (KeyError, TypeError):
        known = {e.name for e in _ALL}
        hint = (f" (minigrad.optim has no {_by_name(name).class_name} yet)"
                if name in known else "")
        raise ValueError(f"unknown optimizer {name!r}{hint}; choose from "
                         f"{', '.join(available)}") from None


def _by_name(name):
    return next(e for e in _ALL if e.name == name)


def resolve(entry, surface):
    """Turn one race entry (see the module docstring) into a :class:`Contestant`."""
    from ..optim import Optimizer

    if isinstance(entry, str):
        name, hyper = parse_spec(entry)
        return _named(name, hyper, surface)
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
        name, hyper = entry
        parsed_name, parsed = parse_spec(name)
        return _named(parsed_name, {**parsed, **dict(hyper)}, surface)
    if isinstance(entry, Optimizer):
        return Contestant(type(entry).__name__, None, _group_hyper(entry), instance=entry)
    if isinstance(entry, type) and issubclass(entry, Optimizer):
        plain = [e for e in available_optimizers().values() if e.cls is entry and not e.fixed]
        if plain:
            return _named(plain[0].name, {}, surface)
        return Contestant(entry.__name__, lambda params: entry(params))
    if callable(entry):
        label = getattr(entry, "__name__", "") or "custom"
        return Contestant("custom" if label == "<lambda>" else label, entry)
    raise TypeError(f"an optimizer entry must be a name such as 'adam:lr=0.01', a "
                    f"(name, dict) pair, an Optimizer class or instance, or a factory "
                    f"params -> Optimizer; got {type(entry).__name__}")


def _named(name, hyper, surface):
    entry = get_entry(name)
    tuned = {}
    if surface is not None:
        tuned = dict(surface.lr.get(name) or surface.lr.get(entry.like) or {})
    final = {**entry.defaults, **tuned, **hyper, **entry.fixed}
    clash = {k for k in entry.fixed if k in hyper and hyper[k] != entry.fixed[k]}
    if clash:
        raise ValueError(f"{name} fixes {', '.join(sorted(clash))}; use another entry "
                         f"(e.g. sgd:momentum=...) to change it")
    cls = entry.cls
    final = _accepted(cls, final, name, given=set(hyper))
    label = entry.label
    if hyper:
        label += " (" + ", ".join(f"{k}={v}" for k, v in hyper.items()) + ")"

    def make(params, cls=cls, final=final):
        opt = cls(params, **final)
        if callable(getattr(opt, "train", None)):  # schedule-free starts in eval mode
            opt.train()
        return opt

    return Contestant(label, make, final, shape=entry.shape)


def _accepted(cls, hyper, name, given):
    """Drop registry/surface defaults the class does not take (say a second-order optimizer
    written without ``history_size``); a key the caller gave that the class does not take is an
    error naming the valid ones."""
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return hyper
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return hyper
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    valid = [k for k, p in params.items() if k != "params" and p.kind in named]
    unknown = sorted(given - set(valid))
    if unknown:
        raise ValueError(f"{name} has no hyperparameter {unknown[0]!r}; choose from "
                         f"{', '.join(valid)}")
    return {k: v for k, v in hyper.items() if k in params}


def _group_hyper(opt):
    group = opt.param_groups[0]
    return {k: v for k, v in group.items() if k != "params"}
