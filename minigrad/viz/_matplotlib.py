"""Import matplotlib on demand, with an install hint instead of a bare ModuleNotFoundError.

Rendering builds ``matplotlib.figure.Figure`` objects directly (no pyplot), so it neither needs
nor changes a GUI backend: it works headless, in scripts, tests and notebooks alike.
"""

INSTALL_HINT = 'minigrad.viz rendering needs matplotlib: pip install "minigrad[viz]"'


def require_matplotlib():
    """Return the ``matplotlib`` module, or raise ImportError telling how to install it."""
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError(INSTALL_HINT) from e
    return matplotlib


def new_figure(figsize, dpi, file_only=False):
    """A Figure with an Agg canvas (renders to files without any GUI).

    ``file_only``: the canvas ignores ``draw_idle``. An animation saved to a file asks for an
    idle redraw after each frame *and* the writer redraws to grab it; on a canvas nobody looks
    at, the first is wasted (it doubled the time to write a GIF).
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    class FileCanvas(FigureCanvasAgg):
        def draw_idle(self, *args, **kwargs):
            pass

    fig = Figure(figsize=figsize, dpi=dpi)
    (FileCanvas if file_only else FigureCanvasAgg)(fig)
    return fig
