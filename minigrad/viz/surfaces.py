"""Classic 2-D test functions for optimizers, written as minigrad Tensor expressions.

Each :class:`LossSurface` is a function ``f(x, y)`` built from minigrad operators only, so the
gradients an optimizer sees in :func:`minigrad.viz.race` come from minigrad's own autograd. The
same expression evaluates a whole grid at once for contour plots (the operators are elementwise).

Every surface knows its plotting window, a documented start point, its known minima and the
learning rates that make a readable race on it (one learning rate does not fit all: the
gradients at Beale's start are ~10^4 times those of the saddle).

Add your own::

    from minigrad.viz import LossSurface, SURFACES
    SURFACES["bowl"] = LossSurface(
        name="bowl", title="x^2 + y^2", fn=lambda x, y: x**2 + y**2,
        xlim=(-2, 2), ylim=(-2, 2), start=(1.5, 1.5), minima=((0.0, 0.0),))
"""
import math
from dataclasses import dataclass, field

import numpy as np

from .. import grad_mode
from ..ops.elementwise import cos
from ..tensor import Tensor


@dataclass(frozen=True)
class LossSurface:
    """A 2-D test function and everything needed to race optimizers on it.

    Attributes:
        name: registry key (used by ``minigrad race --function``).
        title: human-readable formula, shown as the plot title.
        fn: ``fn(x, y) -> Tensor``, written with minigrad operators (elementwise).
        xlim, ylim: the plotting window.
        start: the default start point of a race (see ``start_note`` for why).
        minima: known global minima, as ``(x, y)`` pairs (empty when unbounded below).
        min_value: the value at the minima (None when unbounded below).
        log_levels: contour levels spaced logarithmically (for valleys spanning decades).
        steps: default number of steps of a race.
        lr: per-optimizer default hyperparameters (keys of ``minigrad.viz.OPTIMIZERS``); these
            override the optimizer's own defaults and are overridden by the caller's.
        start_note: why this start point.
    """

    name: str
    title: str
    fn: object
    xlim: tuple
    ylim: tuple
    start: tuple
    minima: tuple = ()
    min_value: float = None
    log_levels: bool = False
    steps: int = 200
    lr: dict = field(default_factory=dict)
    start_note: str = ""

    def __call__(self, x, y):
        """``f(x, y)`` on Tensors (records a graph) or numbers/arrays (returns a numpy value)."""
        if isinstance(x, Tensor) or isinstance(y, Tensor):
            return self.fn(x, y)
        with grad_mode.no_grad():
            out = self.fn(Tensor(np.asarray(x, np.float64)), Tensor(np.asarray(y, np.float64)))
        return out._data

    def grid(self, n=200):
        """``(X, Y, Z)`` on an ``n`` x ``n`` grid over the window, for contour/surface plots."""
        xs = np.linspace(*self.xlim, n)
        ys = np.linspace(*self.ylim, n)
        X, Y = np.meshgrid(xs, ys)
        return X, Y, self(X, Y)


# ----- the functions (plain operators, so they work on scalars and on grids alike) -----------

def saddle(x, y):
    """x^2 - y^2: a saddle point at the origin, unbounded below along y."""
    return x ** 2 - y ** 2


def monkey_saddle(x, y):
    """x^3 - 3xy^2: a degenerate saddle (zero gradient and zero curvature) with three valleys."""
    return x ** 3 - 3 * x * y ** 2


def rosenbrock(x, y):
    """(1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed valley; minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def beale(x, y):
    """(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum 0 at (3, 0.5)."""
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def himmelblau(x, y):
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2: four global minima of value 0."""
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def rastrigin(x, y):
    """20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y): a grid of local minima; global 0 at 0."""
    two_pi = 2 * math.pi
    return 20 + x ** 2 - 10 * cos(two_pi * x) + y ** 2 - 10 * cos(two_pi * y)


def quadratic(x, y):
    """(x + y)^2 / 4 + 25 (x - y)^2: a valley along y = x with condition number 100."""
    # = (u^2 + 100 v^2) / 2 with u = (x + y)/sqrt(2), v = (x - y)/sqrt(2): curvatures 1 and 100,
    # rotated 45 degrees so that per-coordinate (diagonal) scaling cannot undo the conditioning.
    # Condition 100, not less: SGD's best rate is (k-1)/(k+1) = 0.98 per step, momentum 0.9's is
    # sqrt(0.9) = 0.95 whatever k; at k = 25 plain SGD (0.92) would beat momentum 0.9.
    return 0.25 * (x + y) ** 2 + 25 * (x - y) ** 2


# ----- the registry ------------------------------------------------------------------------

SURFACES = {
    "saddle": LossSurface(
        name="saddle", title="saddle  $x^2 - y^2$", fn=saddle,
        xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), start=(-1.0, 1e-3), steps=200,
        lr={"sgd": {"lr": 0.01}, "momentum": {"lr": 0.01}, "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 0.1}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.01},
            "adam": {"lr": 0.02}},
        start_note="just off the ridge y = 0: an exactly symmetric start has zero escape "
                   "gradient, and 1e-3 is small enough that plain gradient methods hesitate "
                   "while adaptive ones, which rescale the tiny gradient, escape at once"),
    "monkey": LossSurface(
        name="monkey", title="monkey saddle  $x^3 - 3xy^2$", fn=monkey_saddle,
        xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), start=(1.0, 0.05), steps=200,
        lr={"sgd": {"lr": 0.01}, "momentum": {"lr": 0.01}, "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 0.1}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.01},
            "adam": {"lr": 0.02}},
        start_note="on the ridge between two of the three valleys, slightly to one side: the "
                   "gradient vanishes quadratically near the origin, so methods that follow the "
                   "raw gradient crawl there"),
    "rosenbrock": LossSurface(
        name="rosenbrock", title="Rosenbrock  $(1-x)^2 + 100(y-x^2)^2$", fn=rosenbrock,
        xlim=(-2.5, 2.0), ylim=(-1.0, 3.5), start=(-2.0, 2.0), minima=((1.0, 1.0),),
        min_value=0.0, log_levels=True, steps=1500,
        lr={"sgd": {"lr": 1e-3}, "momentum": {"lr": 3e-4}, "nesterov": {"lr": 3e-4},
            "adagrad": {"lr": 1.0}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.01},
            "adam": {"lr": 0.1}},
        start_note="(-2, 2), a classic start across the valley from the minimum: the path "
                   "must drop into the curved valley, then follow its flat floor round to "
                   "(1, 1)"),
    "beale": LossSurface(
        name="beale", title="Beale", fn=beale,
        xlim=(-4.5, 4.5), ylim=(-4.5, 4.5), start=(1.0, 1.5), minima=((3.0, 0.5),),
        min_value=0.0, log_levels=True, steps=400,
        lr={"sgd": {"lr": 0.01}, "momentum": {"lr": 0.002}, "nesterov": {"lr": 0.002},
            "adagrad": {"lr": 0.5}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.01},
            "adam": {"lr": 0.05}},
        start_note="(1, 1.5), in the basin's flat middle. The classic start (3, 4) sits on a "
                   "wall where gradients are ~1e4, so that no single learning rate lets "
                   "first-order methods both survive the first step and then move: try "
                   "--start 3,4 to watch them diverge or stall"),
    "himmelblau": LossSurface(
        name="himmelblau", title="Himmelblau  $(x^2+y-11)^2 + (x+y^2-7)^2$", fn=himmelblau,
        xlim=(-5.0, 5.0), ylim=(-5.0, 5.0), start=(-0.3, -0.9),
        minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                (3.584428, -1.848127)),
        min_value=0.0, log_levels=True, steps=300,
        lr={"sgd": {"lr": 0.001}, "momentum": {"lr": 0.001}, "nesterov": {"lr": 0.001},
            "adagrad": {"lr": 0.5}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.03},
            "adam": {"lr": 0.1}},
        start_note="next to the local maximum near (-0.27, -0.92): from there each of the four "
                   "minima is downhill, and different optimizers may pick different ones"),
    "rastrigin": LossSurface(
        name="rastrigin", title="Rastrigin", fn=rastrigin,
        xlim=(-4.5, 4.5), ylim=(-4.5, 4.5), start=(-2.0, 3.5), minima=((0.0, 0.0),),
        min_value=0.0, steps=300,
        lr={"sgd": {"lr": 0.002}, "momentum": {"lr": 0.002}, "nesterov": {"lr": 0.002},
            "adagrad": {"lr": 0.5}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.02},
            "adam": {"lr": 0.1}},
        start_note="(-2, 3.5), a classic start several local minima away from the global one: "
                   "most methods settle in a nearby local minimum"),
    "quadratic": LossSurface(
        name="quadratic", title="ill-conditioned quadratic  $(x+y)^2/4 + 25(x-y)^2$",
        fn=quadratic, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), start=(-2.5, -1.5),
        minima=((0.0, 0.0),), min_value=0.0, log_levels=True, steps=150,
        lr={"sgd": {"lr": 0.019}, "momentum": {"lr": 0.01}, "nesterov": {"lr": 0.01},
            "adagrad": {"lr": 1.0}, "adadelta": {"lr": 1.0}, "rmsprop": {"lr": 0.03},
            "adam": {"lr": 0.1}},
        start_note="on the valley wall far from the minimum: plain SGD, with a learning rate "
                   "just under the stability limit 2/100 of the steep direction, zig-zags "
                   "across the valley and crawls along it; momentum crosses the valley floor "
                   "with the same gradients ~100x closer in 150 steps"),
}


def get_surface(name):
    """The :class:`LossSurface` called ``name``; a LossSurface is returned as is.

    Raises ValueError naming the valid choices.
    """
    if isinstance(name, LossSurface):
        return name
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown function {name!r}; choose from "
                         f"{', '.join(SURFACES)}") from None
