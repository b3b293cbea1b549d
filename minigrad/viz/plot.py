"""Static pictures of a race: the paths over the surface (contour or 3-D) and loss against step.

matplotlib is imported when a function here is called, not when this module is imported.
"""
import numpy as np

from ._matplotlib import new_figure
from .style import MINIMUM_COLOR, START_COLOR, markevery, style


def legend_label(traj):
    """The label, plus how the trajectory stopped when it stopped early."""
    if traj.stopped_at is None:
        return traj.label
    return f"{traj.label} ({traj.status} at {traj.stopped_at})"


def contour_levels(surface, Z, n=30):
    """Log-spaced levels for surfaces whose interesting part spans decades (Rosenbrock, Beale),
    evenly spaced ones otherwise."""
    if surface.log_levels:
        shifted = Z - (surface.min_value or 0.0)
        top = float(np.max(shifted))
        positive = shifted[shifted > 0]
        low = max(float(np.min(positive)) if positive.size else top * 1e-8, top * 1e-7)
        return np.logspace(np.log10(low), np.log10(top), n) + (surface.min_value or 0.0)
    return np.linspace(float(np.min(Z)), float(np.max(Z)), n)


def surface_height(surface, Z):
    """What the 3-D plot shows as height: log10(1 + f - f*) on log-levelled surfaces."""
    if surface.log_levels:
        return np.log10(1.0 + np.maximum(Z - (surface.min_value or 0.0), 0.0))
    return Z


def draw_contours(ax, surface, grid=200, levels=30):
    """Filled log- or linear-spaced contours of ``surface`` over its window, and its minima."""
    from matplotlib.colors import BoundaryNorm
    X, Y, Z = surface.grid(grid)
    lv = contour_levels(surface, Z, levels)
    # A BoundaryNorm gives each band its own colour step whatever the spacing of the levels.
    norm = BoundaryNorm(lv, 256, extend="both")
    ax.contourf(X, Y, Z, levels=lv, cmap="Blues_r", norm=norm, alpha=0.55, extend="both")
    ax.contour(X, Y, Z, levels=lv, colors="#4a6b8a", linewidths=0.4, alpha=0.6)
    draw_minima(ax, surface)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal" if _similar(surface.xlim, surface.ylim) else "auto")


def draw_minima(ax, surface):
    if surface.minima:
        mx, my = np.asarray(surface.minima, float).reshape(-1, 2).T
        ax.plot(mx, my, linestyle="none", marker="*", markersize=15, color=MINIMUM_COLOR,
                markeredgecolor="black", markeredgewidth=0.8, label="minimum", zorder=5)


def draw_start(ax, start):
    ax.plot([start[0]], [start[1]], linestyle="none", marker="o", markersize=7,
            color=START_COLOR, label="start", zorder=6)


def plot_race(result, path=None, *, kind="contour", figsize=(7.0, 6.0), dpi=100, levels=30,
              grid=200, title=None):
    """Draw every trajectory of ``result`` over its surface; save to ``path`` if given.

    Args:
        result: a :class:`minigrad.viz.RaceResult`.
        path: file to write (format from the extension: .png, .svg, .pdf ...), or None.
        kind: ``"contour"`` (top view, log-spaced levels where the surface asks for them) or
            ``"surface"`` (3-D; log-levelled surfaces show log10(1 + f - f*) as height).
        figsize, dpi, levels, grid: figure size in inches, resolution, number of contour levels,
            grid points per axis.
        title: default: the surface's title, start and number of steps.

    Returns:
        the matplotlib Figure.
    """
    if kind not in ("contour", "surface"):
        raise ValueError(f"kind must be 'contour' or 'surface', got {kind!r}")
    surface = result.surface
    fig = new_figure(figsize, dpi)
    if kind == "contour":
        ax = fig.add_subplot()
        draw_contours(ax, surface, grid, levels)
        draw_start(ax, result.start)
        n = len(result)
        for i, traj in enumerate(result):
            xs, ys = traj.positions.T
            look = style(i, n)
            ax.plot(xs, ys, label=legend_label(traj),
                    **look.line(markevery=markevery(i, n, len(xs))))
            ax.plot(xs[-1:], ys[-1:], linestyle="none", color=look.color,
                    marker="X" if traj.diverged else look.marker, markersize=9 - 2 * i / n,
                    markeredgecolor="black", markeredgewidth=0.6, zorder=7 + i / n)
        ax.legend(loc="best", fontsize=8, framealpha=0.85)
    else:
        ax = fig.add_subplot(projection="3d")
        _draw_3d(ax, result, grid)
    ax.set_title(title if title is not None else race_title(result), fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=dpi)
    return fig


def _draw_3d(ax, result, grid):
    surface = result.surface
    n = min(grid, 80)
    X, Y, Z = surface.grid(n)
    H = surface_height(surface, Z)
    # rcount/ccount: plot_surface otherwise resamples to 50 x 50, which saw-tooths the valleys.
    ax.plot_surface(X, Y, H, cmap="Blues_r", alpha=0.6, linewidth=0, antialiased=False,
                    rcount=n, ccount=n)
    x0, y0 = result.start
    ax.plot([x0], [y0], surface_height(surface, np.asarray(surface(x0, y0))).reshape(1),
            linestyle="none", marker="o", markersize=6, color=START_COLOR, label="start", zorder=6)
    if surface.minima:
        mx, my = np.asarray(surface.minima, float).reshape(-1, 2).T
        ax.plot(mx, my, surface_height(surface, np.asarray(surface(mx, my))).reshape(-1),
                linestyle="none", marker="*", markersize=13, color=MINIMUM_COLOR,
                markeredgecolor="black", markeredgewidth=0.8, label="minimum", zorder=6)
    for i, traj in enumerate(result):
        xs, ys = traj.positions.T
        hs = surface_height(surface, traj.losses).astype(float)
        inside = _inside(surface, xs, ys)
        hs = np.where(inside, hs, np.nan)  # leave out what is off the drawn window
        look = style(i, len(result))
        ax.plot(np.where(inside, xs, np.nan), np.where(inside, ys, np.nan), hs,
                color=look.color, linestyle=look.linestyle, linewidth=look.linewidth,
                label=legend_label(traj), zorder=4)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("log10(1 + f - f*)" if surface.log_levels else "f(x, y)")
    ax.legend(loc="upper left", fontsize=8)


def plot_losses(result, path=None, *, figsize=(7.0, 4.0), dpi=100, log=None, title=None):
    """Loss against step for every trajectory; save to ``path`` if given.

    Args:
        log: log-scale the gap ``f - f*`` to the known minimum value; default: when the surface
            has one (on the saddles the loss falls without bound, so the y-range is the losses
            seen inside the plotting window instead).

    Returns:
        the matplotlib Figure.
    """
    surface = result.surface
    if log is None:
        log = surface.min_value is not None
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    seen = []
    for i, traj in enumerate(result):
        steps = np.arange(len(traj.losses))
        loss = traj.losses.astype(float)
        if log:
            # Floor the gap so exact hits (0.0) stay on a log axis.
            loss = np.maximum(loss - (surface.min_value or 0.0), 1e-16)
        ax.plot(steps, loss, label=legend_label(traj),
                **style(i, len(result)).line(markevery=markevery(i, len(result), len(steps))))
        inside = _inside(surface, *traj.positions.T)
        seen.append(loss[inside & np.isfinite(loss)])
    if log:
        ax.set_yscale("log")
        ax.set_ylabel("f - f*" if surface.min_value else "loss")
    else:
        ax.set_ylabel("loss")
        values = np.concatenate(seen) if seen else np.zeros(0)
        if values.size:
            lo, hi = float(values.min()), float(values.max())
            pad = 0.05 * (hi - lo or 1.0)
            ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel("step")
    ax.set_xlim(0, max(1, result.steps))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.set_title(title if title is not None else race_title(result), fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=dpi)
    return fig


def race_title(result):
    x, y = result.start
    return f"{result.surface.title}: {result.steps} steps from ({x:g}, {y:g})"


def _inside(surface, xs, ys):
    return ((xs >= surface.xlim[0]) & (xs <= surface.xlim[1])
            & (ys >= surface.ylim[0]) & (ys <= surface.ylim[1]))


def _similar(xlim, ylim):
    a, b = xlim[1] - xlim[0], ylim[1] - ylim[0]
    return 0.5 <= a / b <= 2.0
