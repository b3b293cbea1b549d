"""How each optimizer looks in a picture: colour, dash pattern, marker, width and draw order.

Paths often run on top of each other (SGD, Momentum and NAG along the saddle's ridge; Adagrad
and RMSprop leaving it together; Momentum and Nesterov in the shootout), so colour alone loses
whole optimizers. Each contestant ``i`` of ``n`` gets:

* its own colour (tab10 without its grey, which vanishes on the contours);
* a dash pattern (solid, dashed, dotted, dash-dot, cycling): a line drawn over another lets the
  one below show through its gaps;
* a marker shape, placed every few points, so even identical paths are told apart;
* a width that shrinks with ``i`` while the draw order grows with it: earlier paths are wider
  and drawn first, so one that runs exactly on top of another leaves it visible as an outline.

The colours, dash patterns and markers cycle with different lengths (9, 4 and 8), so up to 72
contestants never share all three. Markers avoid the shapes with a fixed meaning in the race
pictures: the black circle of the start, the gold star of a minimum, the ``X`` of a divergence.
"""
from dataclasses import dataclass

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#bcbd22", "#17becf")
DASHES = ("-", (0, (5, 2)), (0, (1.2, 1.2)), (0, (6, 2, 1.2, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "<", "h")

#: Fixed colours of the race pictures (start, minimum, marker edges, boxes).
START_COLOR, MINIMUM_COLOR = "black", "gold"


@dataclass(frozen=True)
class Style:
    color: str
    linestyle: object
    marker: str
    linewidth: float
    zorder: float

    def line(self, **overrides):
        """Keyword arguments for ``ax.plot`` of a path or curve."""
        return {"color": self.color, "linestyle": self.linestyle, "marker": self.marker,
                "linewidth": self.linewidth, "zorder": self.zorder, "markersize": 4.5,
                "markeredgecolor": "white", "markeredgewidth": 0.5, **overrides}


def style(i, n):
    """The :class:`Style` of contestant ``i`` (0-based) among ``n``."""
    return Style(color=COLORS[i % len(COLORS)], linestyle=DASHES[i % len(DASHES)],
                 marker=MARKERS[i % len(MARKERS)],
                 linewidth=1.4 + 1.6 * (n - 1 - i) / max(1, n - 1), zorder=4 + i / max(1, n))


def markevery(i, n, points, marks=12):
    """``markevery`` for contestant ``i`` of ``n`` on a path of ``points`` points: about
    ``marks`` marks, staggered between contestants so that paths that start together do not
    stack their marks on the same points."""
    step = max(1, points // marks)
    return (i * step // max(1, n), step)
