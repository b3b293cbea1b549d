"""``minigrad train``: train a model on a built-in dataset with a named optimizer."""

from . import CLIError, hidden_alias
from . import recipes
from .paths import PICTURES, check_output

HELP = ("train an MLP or CNN on a built-in dataset with any minigrad optimizer, or a GPT on a "
        "text corpus (--model gpt)")


def _number(text):
    import argparse
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def add_arguments(p):
    p.add_argument("--dataset", default="moons", metavar="NAME",
                   help=f"one of: {', '.join(recipes.DATASETS)}; for --model gpt: stdlib, "
                        "names or a text file")
    p.add_argument("--model", default="mlp", metavar="KIND",
                   help="mlp, cnn (digits only) or gpt (a text corpus)")
    p.add_argument("--hidden", default="16,16", metavar="SIZES",
                   help="MLP hidden sizes, comma-separated")
    p.add_argument("--optimizer", default="adam", metavar="NAME",
                   help=f"one of: {', '.join(recipes.OPTIMIZERS)}")
    p.add_argument("--lr", type=_number, default=None,
                   help="learning rate (default: per optimizer, " + ", ".join(
                       f"{k} {v:g}" for k, v in recipes.DEFAULT_LR.items()) + ")")
    p.add_argument("--momentum", type=_number, default=None,
                   help="momentum for sgd/momentum/nesterov/rmsprop (default: 0.9 for momentum "
                        "and nesterov, else 0)")
    p.add_argument("--weight-decay", type=_number, default=None,
                   help="weight decay (default: the optimizer's own: 0.01 for adamw, else 0)")
    p.add_argument("--batch-size", type=int, default=32, metavar="N", help="examples per step")
    p.add_argument("--epochs", type=int, default=50, metavar="N",
                   help="passes over the training set")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seeds the data, the split, the initial weights and the shuffles")
    p.add_argument("--samples", type=int, default=1000, metavar="N",
                   help="points for the generated datasets (not digits)")
    hidden_alias(p, "--n-samples", "samples", type=int)
    p.add_argument("--save", metavar="PATH",
                   help="write a checkpoint after every epoch (atomic); use it with --resume or "
                        "minigrad predict")
    p.add_argument("--resume", metavar="PATH", help="continue from a checkpoint up to --epochs")
    p.add_argument("--plot", metavar="PNG",
                   help="write the decision boundary and loss curve here "
                        f"({', '.join(PICTURES)})")
    p.add_argument("--quiet", action="store_true", help="print only the final result")
    from . import gpt
    gpt.add_arguments(p)
    p.set_defaults(_defaults={d: p.get_default(d) for ds in _UNUSED.values() for d in ds})


#: The options each model does not read: given anyway, they are refused rather than ignored.
_GPT_OPTIONS = ("steps", "minutes", "block_size", "layers", "heads", "width", "dropout",
                "warmup", "grad_clip", "eval_every", "eval_batches")
_UNUSED = {"mlp": _GPT_OPTIONS, "cnn": ("hidden",) + _GPT_OPTIONS,
           "gpt": ("hidden", "epochs", "samples", "momentum")}


def _refuse_unused_options(args):
    """A CLIError for options given with a value other than their default that ``--model``
    does not use (an option equal to its default cannot be told apart from one not given)."""
    defaults = getattr(args, "_defaults", {})
    unused = [f"--{d.replace('_', '-')}" for d in _UNUSED.get(args.model, ())
              if d in defaults and getattr(args, d) != defaults[d]]
    if unused:
        raise CLIError(f"{', '.join(unused)} {'does' if len(unused) == 1 else 'do'} not apply "
                       f"to --model {args.model}")


def config_from_args(args):
    from .trainer import TrainConfig
    return TrainConfig(dataset=args.dataset, model=args.model, hidden=recipes.parse_hidden(args.hidden),
                       optimizer=args.optimizer, lr=args.lr, momentum=args.momentum,
                       weight_decay=args.weight_decay, batch_size=args.batch_size,
                       epochs=args.epochs, seed=args.seed, n_samples=args.samples)


def report(result):
    """Print the one-line final result of a training run."""
    print(f"final: train accuracy {100 * result.train_accuracy:.1f}%, test accuracy "
          f"{100 * result.test_accuracy:.1f}%, {result.steps} steps in {result.seconds:.2f} s "
          f"({result.steps / max(result.seconds, 1e-9):,.0f} steps/s)")


def run(args):
    _refuse_unused_options(args)
    if args.model == "gpt":
        from . import gpt
        return gpt.run(args)
    from .progress import Progress
    from .trainer import fit

    config = config_from_args(args)
    config.validate()
    check_output("--save", args.save)
    if args.plot:
        from .plots import have_matplotlib
        check_output("--plot", args.plot, PICTURES)
        if not have_matplotlib():
            raise CLIError('--plot needs matplotlib: pip install "minigrad[viz]"')
    progress = Progress(config.epochs, mode="quiet" if args.quiet else "auto")
    progress.message(f"training {config.model} on {config.dataset} with {config.optimizer} "
                     f"(batch {config.batch_size}, {config.epochs} epochs, seed {config.seed})")
    result = fit(config, progress, save=args.save, resume=args.resume)
    report(result)
    if args.save:
        progress.message(f"checkpoint: {args.save} (minigrad predict {args.save})")
    if args.plot:
        from .plots import save_training_figure
        save_training_figure(result, args.plot, f"minigrad: {config.model} on {config.dataset}, {config.optimizer}")
        print(f"picture: {args.plot}")
    return 0
