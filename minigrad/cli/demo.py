"""``minigrad demo``: train a small MLP on two moons with Adam, show it, draw it."""
HELP = "train a 2-16-16-2 MLP on two moons with Adam and draw the decision boundary"

DEFAULT_PLOT = "minigrad_demo.png"


def add_arguments(p):
    from . import hidden_alias
    from .paths import PICTURES

    p.add_argument("--epochs", type=int, default=60, metavar="N",
                   help="passes over the training set")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seeds the data, the split, the initial weights and the shuffles")
    p.add_argument("--plot", default=DEFAULT_PLOT, metavar="PNG",
                   help=f"where to write the picture ({', '.join(PICTURES)}) when matplotlib "
                        f"is installed")
    hidden_alias(p, "--out", "plot")  # its former spelling
    p.add_argument("--quiet", action="store_true", help="print only the final result")


def run(args):
    from .paths import PICTURES, check_output
    from .plots import have_matplotlib, save_training_figure
    from .progress import Progress
    from .train import report
    from .trainer import TrainConfig, fit

    config = TrainConfig(dataset="moons", model="mlp", hidden=[16, 16], optimizer="adam",
                         lr=0.01, batch_size=32, epochs=args.epochs, seed=args.seed)
    config.validate()
    check_output("--plot", args.plot, PICTURES)
    progress = Progress(config.epochs, mode="quiet" if args.quiet else "auto")
    progress.message("minigrad demo: a 2-16-16-2 MLP learns two moons (1000 points, 20% held out) "
                     "with Adam(lr=0.01), batch 32")
    result = fit(config, progress)
    report(result)
    if have_matplotlib():
        save_training_figure(result, args.plot, "minigrad demo: MLP on two moons, Adam")
        print(f"picture: {args.plot}")
    else:
        print('no picture: install matplotlib for one (pip install "minigrad[viz]")')
    return 0
