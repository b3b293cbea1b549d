"""``minigrad race``: optimizers racing across a 2-D loss surface, as a PNG or an animated GIF.

The defaults reproduce the seed article's saddle figure: SGD, Momentum, NAG, Adagrad, Adadelta,
RMSprop and Adam from just off the ridge of ``x^2 - y^2``; the adaptive methods escape the
saddle at once while SGD, Momentum and NAG hesitate.

    minigrad race                                          # race.gif, the saddle figure
    minigrad race --function rosenbrock --out rosenbrock.png
    minigrad race --optimizers "sgd:lr=0.05,adam:lr=0.1" --steps 100 --out mine.gif
    minigrad race --function beale --optimizers adam,lion,muon,prodigy,adamw-schedulefree
    minigrad race --list
"""
import os

HELP = "race optimizers across a 2-D loss surface and draw it (PNG, or an animated GIF)"

_DEFAULT_LINEUP = "sgd,momentum,nesterov,adagrad,adadelta,rmsprop,adam"
_MAX_STEPS = 100_000
_MAX_DPI, _MAX_DPI_GIF = 600, 160  # a 7x6-inch still at 600 dpi is 4200x3600 pixels
_FRAMES, _FPS = 100, 20


def add_arguments(p):
    p.add_argument("--function", "-f", default="saddle", metavar="NAME",
                   help="surface to race on (default: saddle; see --list)")
    p.add_argument("--optimizers", "-o", default=_DEFAULT_LINEUP, metavar="LIST",
                   help="comma-separated optimizers, each NAME or NAME:KEY=VALUE[:KEY=VALUE], "
                        "e.g. 'sgd:lr=0.05,adam:lr=0.1' (default: %(default)s)")
    p.add_argument("--steps", type=int, default=None, metavar="N",
                   help="number of steps (default: the surface's, 200 on the saddle)")
    p.add_argument("--start", default=None, metavar="X,Y",
                   help="start point (default: the surface's documented one)")
    p.add_argument("--out", default="race.gif", metavar="PATH",
                   help=".gif for an animation, .png/.svg/.pdf/.jpg for a still "
                        "(default: %(default)s)")
    p.add_argument("--kind", default="contour", metavar="KIND",
                   help="still pictures: contour or surface (3-D)")
    p.add_argument("--losses", default=None, metavar="PATH",
                   help="also write the loss-against-step plot to PATH")
    p.add_argument("--frames", type=int, default=_FRAMES, metavar="N",
                   help="GIF: at most this many frames")
    p.add_argument("--fps", type=int, default=_FPS, metavar="N", help="GIF: frames per second")
    p.add_argument("--dpi", type=int, default=None, metavar="N",
                   help=f"resolution (default: 80 for GIFs, at most {_MAX_DPI_GIF}; 100 for "
                        f"stills, at most {_MAX_DPI})")
    p.add_argument("--list", action="store_true", help="list the surfaces and optimizers")
    p.add_argument("--quiet", action="store_true", help="do not print the results table")


def run(args):
    from . import CLIError
    from .paths import PICTURES, check_output
    from ..viz.optimizers import available_optimizers, resolve, split_lineup
    from ..viz.surfaces import SURFACES

    if args.list:
        print(_listing(SURFACES, available_optimizers()))
        return 0
    surface = SURFACES.get(args.function)
    if surface is None:
        raise CLIError(f"--function: unknown function {args.function!r}; choose from "
                       f"{', '.join(SURFACES)}")
    lineup = split_lineup(args.optimizers)
    if not lineup:
        raise CLIError(f"--optimizers: give at least one of "
                       f"{', '.join(available_optimizers())}")
    try:
        for entry in lineup:
            resolve(entry, surface)  # validates names and hyperparameter syntax
    except (ValueError, TypeError) as e:
        raise CLIError(f"--optimizers: {e}") from None
    if args.steps is not None and args.steps < 1:
        raise CLIError(f"--steps must be a positive integer, got {args.steps}")
    if args.steps is not None and args.steps > _MAX_STEPS:
        raise CLIError(f"--steps must be at most {_MAX_STEPS}, got {args.steps}")
    start = _parse_start(args.start, CLIError)
    if start is not None:
        _check_inside(start, surface, CLIError)
    ext = os.path.splitext(args.out)[1].lower()
    check_output("--out", args.out, (".gif",) + PICTURES)
    check_output("--losses", args.losses, PICTURES)
    if args.kind not in ("contour", "surface"):
        raise CLIError(f"--kind: unknown kind {args.kind!r}; choose from contour, surface")
    for flag, value in (("--frames", args.frames), ("--fps", args.fps)):
        if value < 1:
            raise CLIError(f"{flag} must be a positive integer, got {value}")
    # Options the chosen output does not read are refused, not silently ignored.
    if ext == ".gif" and args.kind != "contour":
        raise CLIError(f"--kind {args.kind} draws a still picture; the GIF animation is a "
                       "contour plot (use --out NAME.png for a 3-D still)")
    if ext != ".gif" and (args.frames != _FRAMES or args.fps != _FPS):
        raise CLIError(f"--frames and --fps apply to a GIF (--out NAME.gif), not to {ext}")
    top = _MAX_DPI_GIF if ext == ".gif" else _MAX_DPI
    if args.dpi is not None and not 10 <= args.dpi <= top:
        kind = "a GIF (every frame is held in memory)" if ext == ".gif" else "a still"
        raise CLIError(f"--dpi must be in [10, {top}] for {kind}, got {args.dpi}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError('drawing needs matplotlib: pip install "minigrad[viz]"') from None

    from ..viz import animate_race, plot_losses, plot_race, race

    try:
        result = race(surface, lineup, steps=args.steps, start=start)
    except ValueError as e:  # a hyperparameter out of range, found when the optimizer is built
        raise CLIError(f"--optimizers: {e}") from None
    if not args.quiet:
        print(result.summary())
    if ext == ".gif":
        n = animate_race(result, args.out, frames=args.frames, fps=args.fps,
                         dpi=args.dpi or 80)
        print(f"wrote {args.out} ({n} frames)")
    else:
        plot_race(result, args.out, kind=args.kind, dpi=args.dpi or 100)
        print(f"wrote {args.out}")
    if args.losses:
        plot_losses(result, args.losses, dpi=args.dpi or 100)
        print(f"wrote {args.losses}")
    return 0


def _parse_start(text, CLIError):
    if text is None:
        return None
    parts = text.replace(" ", "").split(",")
    try:
        x, y = (float(v) for v in parts)
    except ValueError:
        raise CLIError(f"--start: expected X,Y (two numbers), got {text!r}") from None
    if x != x or y != y or abs(x) == float("inf") or abs(y) == float("inf"):
        raise CLIError(f"--start: expected two finite numbers, got {text!r}")
    return (x, y)


def _check_inside(start, surface, CLIError):
    (x0, x1), (y0, y1) = surface.xlim, surface.ylim
    if not (x0 <= start[0] <= x1 and y0 <= start[1] <= y1):
        raise CLIError(f"--start {start[0]:g},{start[1]:g} is outside the {surface.name} "
                       f"window x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]: nothing would "
                       f"be drawn")


def _listing(surfaces, optimizers):
    lines = ["functions (--function):"]
    for name, s in surfaces.items():
        title = s.title.replace("$", "")
        lines.append(f"  {name:<11} {title}; start ({s.start[0]:g}, {s.start[1]:g}), "
                     f"{s.steps} steps")
    lines.append("optimizers (--optimizers, NAME or NAME:KEY=VALUE[:KEY=VALUE]):")
    width = max([11] + [len(name) for name in optimizers])
    for name, e in optimizers.items():
        fixed = ", ".join(f"{k}={v}" for k, v in e.fixed.items())
        what = f"{e.class_name}({fixed})" if fixed else e.class_name
        lines.append(f"  {name:<{width}} {e.label:<9} minigrad.optim.{what}")
    lines.append("learning rates default to values tuned per function (see minigrad.viz.SURFACES)")
    return "\n".join(lines)
