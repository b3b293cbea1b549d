"""``race``: run several optimizers from the same start on a 2-D surface and record their paths.

Each contestant gets its own fresh parameter (a 2-element float64 tensor at the start point, as
the field notes insist: reset for each optimizer, same start and step count for all) and its own
optimizer. Every step is ``opt.step(closure)`` with a PyTorch-style closure (``zero_grad``,
forward, ``backward``, return the loss; no backward for Newton's methods, which differentiate
the loss twice themselves), so closure-based second-order optimizers race too.

A contestant whose position or loss becomes non-finite, whose step raises an arithmetic error,
or who flies further than ``blowup`` window-sizes from the window's centre is stopped and marked
``"diverged"``; the others run on. Divergence never raises. On a surface that is unbounded below
(the saddles: no minima), flying far away *downhill* (below the starting loss) is the way down
rather than a failure: it is marked ``"escaped"`` instead (still stopped, since the numbers only
grow from there). Flying far away uphill is diverging on any surface.
"""
from dataclasses import dataclass, field

import numpy as np

from ..tensor import Tensor
from .optimizers import DEFAULT_LINEUP, closure_calls_backward, resolve
from .surfaces import get_surface


@dataclass
class Trajectory:
    """The path of one optimizer.

    Attributes:
        label: legend label (``"Adam"``, ``"SGD (lr=0.1)"``).
        positions: ``(n + 1, 2)`` array, the start then the position after each step.
        losses: ``(n + 1,)`` array, the loss at each of those positions.
        hyperparameters: what the optimizer was built with.
        status: ``"ok"`` (ran every step), ``"diverged"`` (non-finite, arithmetic error, or
            flew off uphill or on a surface with a minimum) or ``"escaped"`` (ran far off
            downhill on a surface that is unbounded below).
        stopped_at: the step at which it stopped early (a non-finite position there is not
            recorded), or None.
        reason: why it stopped early ("" when it did not).
        evaluations: number of closure calls (one per step for first-order methods).
    """

    label: str
    positions: np.ndarray
    losses: np.ndarray
    hyperparameters: dict = field(default_factory=dict)
    status: str = "ok"
    stopped_at: int = None
    reason: str = ""
    evaluations: int = 0

    @property
    def diverged(self):
        return self.status == "diverged"

    @property
    def steps(self):
        """Number of steps recorded (fewer than asked for when diverged)."""
        return len(self.positions) - 1


@dataclass
class RaceResult:
    """All trajectories of a race, with the surface, start and number of steps asked for."""

    surface: object
    start: tuple
    steps: int
    trajectories: list

    def __iter__(self):
        return iter(self.trajectories)

    def __len__(self):
        return len(self.trajectories)

    def __getitem__(self, key):
        """By position or by label."""
        if isinstance(key, str):
            for t in self.trajectories:
                if t.label == key:
                    return t
            raise KeyError(f"no trajectory labelled {key!r}; labels: "
                           f"{', '.join(t.label for t in self.trajectories)}")
        return self.trajectories[key]

    def summary(self):
        """A plain-text table: final position, loss, distance to the nearest minimum, status."""
        minima = np.asarray(self.surface.minima, float).reshape(-1, 2)
        width = max([len(t.label) for t in self.trajectories] + [9])
        head = f"{'optimizer':<{width}}  {'final x':>9} {'final y':>9} {'loss':>11}"
        head += f" {'to min':>8}  status" if len(minima) else "  status"
        lines = [head]
        for t in self.trajectories:
            x, y = t.positions[-1]
            row = f"{t.label:<{width}}  {x:9.4f} {y:9.4f} {t.losses[-1]:11.4g}"
            if len(minima):
                row += f" {np.min(np.hypot(*(minima - (x, y)).T)):8.4f}"
            status = f"{t.status} at step {t.stopped_at}: {t.reason}" if t.stopped_at else "ok"
            lines.append(row + "  " + status)
        return "\n".join(lines)


def race(function, optimizers=DEFAULT_LINEUP, steps=None, start=None, *, blowup=100.0):
    """Run each optimizer for ``steps`` steps from ``start`` on ``function``.

    Args:
        function: a surface name (``"saddle"``, ``"rosenbrock"``, ...; see
            ``minigrad.viz.SURFACES``) or a :class:`LossSurface`.
        optimizers: race entries: names (``"adam"``, ``"adam:lr=0.05"``), ``(name, dict)``
            pairs, optimizer classes, factories ``params -> Optimizer`` or optimizer instances
            (see :mod:`minigrad.viz.optimizers`); or a dict ``{label: entry}`` to set labels.
        steps: number of steps (default: the surface's).
        start: ``(x, y)`` (default: the surface's documented start point).
        blowup: a contestant further than ``blowup`` times the window's half-diagonal from the
            window's centre is stopped: "diverged", or "escaped" when it got there downhill on
            a surface unbounded below.

    Returns:
        a :class:`RaceResult`; ``result.trajectories`` in the order given.
    """
    surface = get_surface(function)
    steps = surface.steps if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    start = surface.start if start is None else start
    start = np.asarray(start, dtype=np.float64)
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"start must be two finite numbers (x, y), got {start.tolist()!r}")
    if _is_single(optimizers):
        optimizers = [optimizers]
    labels = None
    if isinstance(optimizers, dict):
        labels, optimizers = list(optimizers), list(optimizers.values())
    optimizers = list(optimizers)
    if not optimizers:
        raise ValueError("race needs at least one optimizer")
    # Resolve every entry before running any, so a bad name fails fast.
    contestants = [resolve(e, surface) for e in optimizers]
    if labels is not None:
        for c, label in zip(contestants, labels):
            c.label = str(label)
    centre = np.array([np.mean(surface.xlim), np.mean(surface.ylim)])
    limit = blowup * 0.5 * np.hypot(np.ptp(surface.xlim), np.ptp(surface.ylim))
    runs = [_run(surface, c, steps, start, centre, limit, blowup) for c in contestants]
    return RaceResult(surface, tuple(start.tolist()), steps, runs)


def _is_pair(entry):
    return isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], dict)


def _is_single(entry):
    """One entry (a name, pair, class, factory or instance) rather than a collection of them."""
    if isinstance(entry, str) or _is_pair(entry) or callable(entry):
        return True
    try:
        iter(entry)
    except TypeError:
        return True  # an optimizer instance (or something resolve() will reject clearly)
    return False


def _run(surface, contestant, steps, start, centre, limit, blowup):
    unbounded = not surface.minima
    if contestant.instance is not None:
        opt = contestant.instance
        params = [p for g in opt.param_groups for p in g["params"]]
        if sum(p.numel() for p in params) != 2:
            raise ValueError(f"optimizer {contestant.label} must hold one 2-element tensor or "
                             f"two 1-element tensors, got shapes {[p.shape for p in params]}")
        offset = 0
        for p in params:  # in place: the optimizer's flat buffers alias p._data
            n = p.numel()
            p._data[...] = start[offset:offset + n].reshape(p.shape).astype(p.dtype)
            offset += n
    else:
        params = [Tensor(start.copy().reshape(contestant.shape), dtype=np.float64,
                         requires_grad=True)]
        opt = contestant.make(params)
    hyper = contestant.hyperparameters or _group_hyper(opt)

    def xy():
        if len(params) == 1:
            flat = params[0].reshape(-1)
            return flat[0], flat[1]
        return params[0].reshape(()), params[1].reshape(())

    def position():
        return np.concatenate([p._data.ravel() for p in params]).astype(np.float64)

    evaluations = 0
    backward = closure_calls_backward(opt)

    def closure():
        nonlocal evaluations
        evaluations += 1
        opt.zero_grad()
        loss = surface.fn(*xy())
        if backward:
            loss.backward()
        return loss

    positions = [start.copy()]
    losses = [float(surface(*start))]
    stopped_at, status, reason = None, "ok", ""
    # Overflow on the way to divergence is expected here; it is detected below, not warned.
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            try:
                opt.step(closure)
            except ArithmeticError as e:
                stopped_at, status, reason = t, "diverged", f"{type(e).__name__}: {e}"
                break
            pos = position()
            if not np.all(np.isfinite(pos)):
                stopped_at, status, reason = t, "diverged", "position is not finite"
                break
            loss = float(surface(*pos))
            positions.append(pos)
            losses.append(loss)
            if not np.isfinite(loss):
                stopped_at, status, reason = t, "diverged", "loss is not finite"
                break
            if np.hypot(*(pos - centre)) > limit:
                stopped_at, reason = t, f"more than {blowup:g} window sizes away"
                # Escaping means going downhill for good; flying off uphill (an lr too large
                # for the bounded direction of a saddle) is diverging, whatever the surface.
                status = "escaped" if unbounded and loss < losses[0] else "diverged"
                break
    return Trajectory(contestant.label, np.array(positions), np.array(losses), hyper,
                      status, stopped_at, reason, evaluations)


def _group_hyper(opt):
    group = opt.param_groups[0]
    return {k: v for k, v in group.items() if k != "params"}
