"""See the optimizers: race them on classic 2-D loss surfaces, and draw computation graphs.

Nothing here needs matplotlib until you render: :func:`race`, the surfaces and :func:`graph`
(DOT text) use numpy and minigrad only. :func:`plot_race`, :func:`plot_losses` and
:func:`animate_race` import matplotlib when called (``pip install "minigrad[viz]"``);
:func:`save_graph` runs Graphviz's ``dot`` program when it is installed.

    >>> from minigrad import viz
    >>> result = viz.race("saddle", ["sgd", "momentum", "adam"], steps=100)
    >>> print(result.summary())                            # doctest: +SKIP
    >>> viz.plot_race(result, "race.png")                  # doctest: +SKIP
    >>> viz.animate_race(result, "race.gif")               # doctest: +SKIP
"""
from .compgraph import GraphCapture, capture, graph, save_graph
from .optimizers import DEFAULT_LINEUP, OPTIMIZERS, OptimizerEntry, parse_spec
from .racing import RaceResult, Trajectory, race
from .animate import animate_race, frame_steps
from .plot import plot_losses, plot_race
from .surfaces import SURFACES, LossSurface, get_surface

__all__ = ["race", "RaceResult", "Trajectory", "SURFACES", "LossSurface", "get_surface",
           "OPTIMIZERS", "OptimizerEntry", "DEFAULT_LINEUP", "parse_spec",
           "plot_race", "plot_losses", "animate_race", "frame_steps",
           "graph", "capture", "GraphCapture", "save_graph"]
