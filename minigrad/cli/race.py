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
_STILL = (".png", ".svg", ".pdf", ".jpg", ".jpeg")


def add_arguments(p):
    p.add_argument("--function", "-f", default="saddle", metavar="NAME",
                   help="surface to race on (default: saddle; see --list)")
    p.add_argument("--optimizers", "-o", default=_DEFAULT_LINEUP, metavar="LIST",
                   help="comma-separated optimizers, each NAME or NAME:KEY=VALUE[:KEY=VALUE], "
                        "e.g. 'sgd:lr=0.05,adam:lr=0.1' (default: %(default)s)")
    p.add_argument("--steps", type=int, default=None,
                   help="number of steps (default: the surface's, 200 on the saddle)")
    p.add_argument("--start", default=None, metavar="X,Y",
                   help="start point (default: the surface's documented one)")
    p.add_argument("--out", default="race.gif", metavar="PATH",
                   help=".gif for an animation, .png/.svg/.pdf for a still (default: %(default)s)")
    p.add_argument("--kind", default="contour", metavar="KIND",
                   help="still pictures: contour (default) or surface (3-D)")
    p.add_argument("--losses", default=None, metavar="PATH",
                   help="also write the loss-against-step plot to PATH")
    p.add_argument("--frames", type=int, default=100, help="GIF: at most this many frames")
    p.add_argument("--fps", type=int, default=20, help="GIF: frames per second")
    p.add_argument("--dpi", type=int, default=None,
                   help="resolution (default: 80 for GIFs, 100 for stills)")
    p.add_argument("--list", action="store_true", help="list the surfaces and optimizers")
    p.add_argument("--quiet", action="store_true", help="do not print the results table")


def run(args):
    from . import CLIError
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
    start = _parse_start(args.start, CLIError)
    ext = os.path.splitext(args.out)[1].lower()
    if ext != ".gif" and ext not in _STILL:
        raise CLIError(f"--out: cannot write {ext or 'a file without extension'}; use "
                       f".gif (animation) or {', '.join(_STILL)} (still)")
    if args.kind not in ("contour", "surface"):
        raise CLIError(f"--kind: unknown kind {args.kind!r}; choose from contour, surface")
    for flag, value in (("--frames", args.frames), ("--fps", args.fps), ("--dpi", args.dpi)):
        if value is not None and value < 1:
            raise CLIError(f"{flag} must be a positive integer, got {value}")
    for flag, path in (("--out", args.out), ("--losses", args.losses)):
        folder = os.path.dirname(os.path.abspath(path)) if path else None
        if folder and not os.path.isdir(folder):
            raise CLIError(f"{flag}: folder {folder} does not exist")
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
