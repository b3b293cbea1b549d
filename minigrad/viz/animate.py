"""The race as an animated GIF: matplotlib's FuncAnimation saved with the Pillow writer.

No ffmpeg or ImageMagick is needed: Pillow (a matplotlib dependency) writes the GIF.
"""
import numpy as np

from ._matplotlib import new_figure
from .plot import color, draw_contours, draw_start, line_width, race_title


def frame_steps(steps, frames=100):
    """The step shown by each frame: ``min(frames, steps + 1)`` steps from 0 to ``steps``,
    evenly spread (all of them when there are few), always ending on the last step.

    The GIF has exactly ``len(frame_steps(steps, frames))`` frames.
    """
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be a positive integer, got {frames!r}")
    n = min(int(frames), steps + 1)
    if n == 1:
        return [steps]
    return [int(round(i * steps / (n - 1))) for i in range(n)]


def animate_race(result, path, *, frames=100, fps=20, figsize=(6.0, 5.4), dpi=80, levels=25,
                 grid=150, title=None):
    """Write an animated GIF of ``result`` to ``path``: the paths grow step by step.

    Args:
        result: a :class:`minigrad.viz.RaceResult`.
        path: the .gif file to write.
        frames: at most this many frames (see :func:`frame_steps`); each shows every path up to
            one step, and the title counts the steps.
        fps: frames per second.
        figsize, dpi, levels, grid: size (inches), resolution, contour levels, grid points.

    Returns:
        the number of frames written.
    """
    from matplotlib.animation import FuncAnimation

    if not str(path).lower().endswith(".gif"):
        raise ValueError(f"animate_race writes GIF files; path must end in .gif, got {path!r}")
    shown = frame_steps(result.steps, frames)
    fig = new_figure(figsize, dpi, file_only=True)
    ax = fig.add_subplot()
    draw_contours(ax, result.surface, grid, levels)
    draw_start(ax, result.start)
    lines, heads = [], []
    for i, traj in enumerate(result):
        # Plain labels: the legend should not give away who escapes or diverges, and when.
        (line,) = ax.plot([], [], color=color(i), linewidth=line_width(i, len(result)),
                          label=traj.label, zorder=4)
        (head,) = ax.plot([], [], linestyle="none", marker="o", markersize=7, color=color(i),
                          markeredgecolor="black", markeredgewidth=0.6, zorder=7)
        lines.append(line)
        heads.append(head)
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    base_title = title if title is not None else race_title(result)
    # Lay out with the longest title the frames will show, so tight_layout leaves it room.
    text = ax.set_title(f"{base_title}\nstep {result.steps}/{result.steps}", fontsize=9)
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine, and with any engine set savefig runs a
    # dry-run draw before the real one: once per frame, for nothing (the layout is final).
    fig.set_layout_engine("none")

    def draw(k):
        step = shown[k]
        for traj, line, head in zip(result, lines, heads):
            upto = traj.positions[:step + 1]  # a stopped path keeps its last position
            line.set_data(upto[:, 0], upto[:, 1])
            head.set_data(upto[-1:, 0], upto[-1:, 1])
            if traj.diverged and step >= traj.stopped_at:
                head.set_marker("X")
        # The step counter also keeps consecutive frames distinct: Pillow merges identical
        # frames, which would make the frame count depend on the picture.
        text.set_text(f"{base_title}\nstep {step}/{result.steps}")
        return lines + heads + [text]

    anim = FuncAnimation(fig, draw, frames=len(shown), blit=False, repeat=False)
    anim.save(path, writer=_gif_writer(fps), dpi=dpi)
    return len(shown)


def _gif_writer(fps):
    """matplotlib's PillowWriter, with every frame mapped onto one shared palette, undithered.

    The stock writer lets Pillow pick a palette and dither each frame on its own; the dither
    noise differs from frame to frame, so every frame is stored whole (a 200-step race came to
    ~3 MB). With one palette and no dither, the unchanged background is identical between frames
    and Pillow stores only the changed rectangle: the same GIF is ~10x smaller.
    """
    from matplotlib.animation import PillowWriter
    from PIL import Image

    class SharedPaletteWriter(PillowWriter):
        def finish(self):
            frames = [im.convert("RGB") for im in self._frames]
            # The palette comes from the last frame, which shows every path.
            palette = frames[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT,
                                          dither=Image.Dither.NONE)
            self._frames = [im.quantize(palette=palette, dither=Image.Dither.NONE)
                            for im in frames]
            super().finish()

    return SharedPaletteWriter(fps=fps)
