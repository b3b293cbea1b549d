"""The race as an animated GIF: matplotlib's FuncAnimation saved with the Pillow writer.

No ffmpeg or ImageMagick is needed: Pillow (a matplotlib dependency) writes the GIF.
"""
import numpy as np

from ._matplotlib import new_figure
from .plot import draw_contours, draw_start, race_title
from .style import COLORS, MINIMUM_COLOR, START_COLOR, markevery, style


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
            one step, and a counter in the corner shows which.
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
    n = len(result)
    for i, traj in enumerate(result):
        look = style(i, n)
        # Plain labels: the legend should not give away who escapes or diverges, and when.
        (line,) = ax.plot([], [], label=traj.label,
                          **look.line(markevery=markevery(i, n, result.steps + 1)))
        # Earlier heads bigger: heads at the same point stay visible as rings.
        (head,) = ax.plot([], [], linestyle="none", marker=look.marker,
                          markersize=9 - 3 * i / n, color=look.color, markeredgecolor="black",
                          markeredgewidth=0.6, zorder=7 + i / n)
        lines.append(line)
        heads.append(head)
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.set_title(title if title is not None else race_title(result), fontsize=9)
    # The step counter sits inside the axes: a moving axes *title* cannot be blitted (hidden
    # during the background draw, it loses its place above the axes).
    text = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize=9, zorder=8,
                   bbox=dict(boxstyle="round,pad=0.25", facecolor="white", alpha=0.85,
                             edgecolor="none"))
    fig.tight_layout()
    fig.set_layout_engine("none")  # the layout is final; no re-layout per frame
    moving = lines + heads + [text]  # drawn per frame over a background drawn once

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
        text.set_text(f"step {step}/{result.steps}")
        return moving

    anim = FuncAnimation(fig, draw, frames=len(shown), blit=False, repeat=False)
    reserved = [style(i, n).color for i in range(min(n, len(COLORS)))]
    reserved += [MINIMUM_COLOR, START_COLOR, "white"]
    anim.save(path, writer=_gif_writer(fps, moving, reserved), dpi=fig.dpi)
    return len(shown)


def shared_palette(frames, reserved, samples=8):
    """Quantize RGB ``frames`` to one 256-colour palette, undithered.

    The palette holds the ``reserved`` colours exactly (the paths', the minimum's), and the
    rest come from a median cut over a sheet of about ``samples`` frames spread over the
    animation (the last included). A palette cut from one frame alone loses every colour that
    frame lacks or shows in few pixels (a path hidden under another, the small gold star): they
    were drawn in their nearest neighbour's colour in every frame (Adagrad's red as RMSprop's
    maroon, the star as Momentum's orange).
    """
    from PIL import Image, ImageColor

    fixed = [ImageColor.getrgb(c)[:3] for c in dict.fromkeys(reserved)]
    sample = frames[::max(1, len(frames) // samples)] + [frames[-1]]
    width, height = frames[0].size
    sheet = Image.new("RGB", (width, height * len(sample)))
    for k, frame in enumerate(sample):
        sheet.paste(frame, (0, k * height))
    free = 256 - len(fixed)
    rest = sheet.quantize(colors=free, method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE).getpalette()[:3 * free]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for rgb in fixed for v in rgb] + rest)
    return [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]


def _gif_writer(fps, moving, reserved):
    """matplotlib's PillowWriter, made fast and small for races.

    * Blitting: the stock writer grabs each frame with ``savefig``, which redraws the whole
      figure (contours, axes, legend: ~90% of the work). Here the figure is drawn once without
      the ``moving`` artists, that background is kept, and each frame restores it and draws
      only the moving artists on top (8x faster).
    * One shared palette, undithered (:func:`shared_palette`): the stock writer lets Pillow pick
      a palette and dither each frame on its own; the dither noise differs from frame to frame,
      so every frame is stored whole (a 200-step race came to ~3 MB). With one palette and no
      dither the unchanged background is identical between frames, and Pillow stores only the
      changed rectangle.
    """
    from matplotlib.animation import PillowWriter
    from PIL import Image

    class RaceGifWriter(PillowWriter):
        def setup(self, fig, outfile, dpi=None):
            super().setup(fig, outfile, dpi=dpi)
            self._background = None

        def grab_frame(self, **savefig_kwargs):
            canvas = self.fig.canvas
            if self._background is None:
                # Hide the moving artists for this one full draw. (Marking them "animated"
                # does not work here: while an animation is being saved, matplotlib draws
                # animated artists too.)
                for artist in moving:
                    artist.set_visible(False)
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                for artist in moving:
                    artist.set_visible(True)
            else:
                canvas.restore_region(self._background)
            for artist in moving:
                self.fig.draw_artist(artist)
            width, height = canvas.get_width_height()
            # convert() copies: the canvas buffer is overwritten by the next frame.
            self._frames.append(Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(),
                                                 "raw", "RGBA", 0, 1).convert("RGB"))

        def finish(self):
            self._frames = shared_palette(self._frames, reserved)
            super().finish()

    return RaceGifWriter(fps=fps)
