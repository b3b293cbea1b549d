"""``minigrad predict``: use a checkpoint written by ``minigrad train --save``.

    minigrad predict cnn.npz                  # accuracy on the run's own held-out test split
    minigrad predict cnn.npz --input X.csv    # the predicted class of every row of X (raw inputs)

The checkpoint carries the architecture and the input scaling fitted in training, so raw
inputs are scaled as the model saw them. From Python: ``minigrad.cli.checkpoint.load_trained``.
"""
HELP = "predict with a checkpoint from minigrad train --save (test accuracy, or classes of --input)"

INPUTS = (".csv", ".txt", ".npy")


def add_arguments(p):
    p.add_argument("checkpoint", metavar="CHECKPOINT", help="a file written by minigrad train --save")
    p.add_argument("--input", metavar="FILE", default=None,
                   help=f"rows of raw inputs ({', '.join(INPUTS)}; csv/txt: comma- or "
                        "space-separated numbers); print one predicted class per row "
                        "(default: report accuracy on the run's held-out test split)")


def _read_inputs(path, n_features):
    import os

    import numpy as np

    from . import CLIError

    ext = os.path.splitext(path)[1].lower()
    if ext not in INPUTS:
        raise CLIError(f"--input: cannot read {ext or 'a file without extension'}; use "
                       f"{', '.join(INPUTS)}")
    if not os.path.isfile(path):
        raise CLIError(f"--input: no file at {path}")
    try:
        if ext == ".npy":
            X = np.load(path, allow_pickle=False)
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read().replace(",", " ")
            X = np.loadtxt(text.splitlines(), ndmin=2)
    except ValueError as e:
        raise CLIError(f"--input: {path} is not a table of numbers: {e}") from None
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(1, -1)
    if X.ndim != 2 or X.shape[1] != n_features:
        raise CLIError(f"--input: the model takes {n_features} numbers per row; {path} has "
                       f"shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise CLIError(f"--input: {path} holds non-finite values (nan or inf)")
    return X


def run(args):
    from .checkpoint import load_trained
    from .recipes import load_split

    trained = load_trained(args.checkpoint)
    if args.input is not None:
        X = _read_inputs(args.input, trained.scaler.n_features_in_)
        print("\n".join(str(int(c)) for c in trained.predict(X)))
        return 0
    cfg = trained.config
    _, X_test, _, y_test = load_split(cfg["dataset"], cfg["seed"], cfg["n_samples"])
    accuracy = float((trained.predict(X_test) == y_test).mean())
    print(f"{cfg['model']} trained {trained.epoch} epochs on {cfg['dataset']} "
          f"({cfg['optimizer']}): test accuracy {100 * accuracy:.1f}% on {len(y_test)} "
          f"held-out examples")
    return 0
