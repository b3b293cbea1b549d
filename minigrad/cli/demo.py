"""``minigrad demo``: train a small MLP on two moons with Adam, show it, draw it."""
import os

HELP = "train a 2-16-16-2 MLP on two moons with Adam and draw the decision boundary"


def add_arguments(p):
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="minigrad_demo.png", metavar="PNG",
                   help="where to write the picture when matplotlib is installed")
    p.add_argument("--quiet", action="store_true", help="print only the final result")


def run(args):
    from . import CLIError
    from .plots import have_matplotlib, save_training_figure
    from .progress import Progress
    from .train import report
    from .trainer import TrainConfig, fit

    config = TrainConfig(dataset="moons", model="mlp", hidden=[16, 16], optimizer="adam",
                         lr=0.01, batch_size=32, epochs=args.epochs, seed=args.seed)
    config.validate()
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise CLIError(f"--out: folder {folder} does not exist")
    progress = Progress(config.epochs, mode="quiet" if args.quiet else "auto")
    progress.message("minigrad demo: a 2-16-16-2 MLP learns two moons (1000 points, 20% held out) "
                     "with Adam(lr=0.01), batch 32")
    result = fit(config, progress)
    report(result)
    if have_matplotlib():
        save_training_figure(result, args.out, "minigrad demo: MLP on two moons, Adam")
        print(f"picture: {os.path.abspath(args.out)}")
    else:
        print('no picture: install matplotlib for one (pip install "minigrad[viz]")')
    return 0
