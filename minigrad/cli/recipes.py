"""Named datasets, models and optimizers for ``minigrad train`` and ``minigrad demo``."""
import numpy as np

from . import CLIError

DATASETS = ("moons", "circles", "spirals", "blobs", "digits")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw",
              "adamax", "nadam")
MODELS = ("mlp", "cnn")
#: Learning rates that train every dataset here in the default 50 epochs.
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.05, "adadelta": 1.0,
              "rmsprop": 0.005, "adam": 0.01, "adamw": 0.01, "adamax": 0.02, "nadam": 0.01}


def check_choice(value, choices, what):
    if value not in choices:
        raise CLIError(f"unknown {what} {value!r}; choose one of: {', '.join(choices)}")
    return value


def load_split(name, seed, n_samples=1000):
    """``(X_train, X_test, y_train, y_test)``: the raw inputs and int64 labels of a stratified
    20% test split."""
    from .. import datasets
    from ..data import train_test_split

    check_choice(name, DATASETS, "dataset")
    if name == "moons":
        X, y = datasets.make_moons(n_samples, noise=0.2, seed=seed)
    elif name == "circles":
        X, y = datasets.make_circles(n_samples, noise=0.08, factor=0.5, seed=seed)
    elif name == "spirals":
        X, y = datasets.make_spirals(n_samples, noise=0.05, seed=seed)
    elif name == "blobs":
        X, y = datasets.make_blobs(n_samples, centers=4, seed=seed)
    else:
        try:
            X, y = datasets.load_digits()
        except ImportError as e:
            raise CLIError(str(e)) from None
    try:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=seed,
                                                            stratify=y)
    except ValueError as e:  # too few points to hold 20% of every class out
        raise CLIError(f"--samples {n_samples} is too few for {name} (20% of every class is "
                       f"held out): {e}") from None
    return X_train, X_test, np.asarray(y_train, np.int64), np.asarray(y_test, np.int64)


def load_dataset(name, seed, n_samples=1000):
    """``(X_train, X_test, y_train, y_test, scaler)``: :func:`load_split` with float32 inputs
    standardised by ``scaler``, the StandardScaler fitted on the training inputs."""
    from ..data import StandardScaler

    X_train, X_test, y_train, y_test = load_split(name, seed, n_samples)
    scaler = StandardScaler().fit(X_train)
    X_train = np.asarray(scaler.transform(X_train), dtype=np.float32)
    X_test = np.asarray(scaler.transform(X_test), dtype=np.float32)
    return X_train, X_test, y_train, y_test, scaler


def parse_hidden(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = None
    if not sizes or any(s <= 0 for s in sizes):
        raise CLIError(f"--hidden must be comma-separated positive ints such as 16,16; got {text!r}")
    return sizes


def build_model(kind, n_features, n_classes, hidden):
    """An MLP (Linear-ReLU stack) or, for 8x8 images, a small CNN."""
    from .. import nn

    check_choice(kind, MODELS, "model")
    if kind == "cnn":
        if n_features != 64:
            raise CLIError("--model cnn needs the 8x8 digits (--dataset digits)")
        return DigitsCNN(n_classes)
    layers, width = [], n_features
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def build_optimizer(name, params, lr=None, momentum=None, weight_decay=None):
    """The named optimizer with a tuned default ``lr`` (:data:`DEFAULT_LR`) and PyTorch's
    other defaults unless ``lr``/``momentum``/``weight_decay`` are given (AdamW's weight decay
    is then 0.01, the others' 0). ``momentum`` and ``nesterov`` are SGD with momentum 0.9
    (unless given). Values are checked by :meth:`TrainConfig.validate`."""
    from .. import optim

    check_choice(name, OPTIMIZERS, "optimizer")
    kw = {"lr": DEFAULT_LR[name] if lr is None else lr}
    if weight_decay is not None:
        kw["weight_decay"] = weight_decay
    if name in ("sgd", "momentum", "nesterov"):
        mu = momentum if momentum is not None else (0.0 if name == "sgd" else 0.9)
        if name == "nesterov" and mu == 0:
            raise CLIError("--optimizer nesterov needs --momentum > 0")
        return optim.SGD(params, momentum=mu, nesterov=name == "nesterov", **kw)
    if momentum is not None and name != "rmsprop":
        raise CLIError(f"--momentum applies to sgd, momentum, nesterov and rmsprop, not {name}")
    cls = {"adagrad": optim.Adagrad, "adadelta": optim.Adadelta, "rmsprop": optim.RMSprop,
           "adam": optim.Adam, "adamw": optim.AdamW, "adamax": optim.Adamax,
           "nadam": optim.NAdam}[name]
    if name == "rmsprop" and momentum is not None:
        kw["momentum"] = momentum
    return cls(params, **kw)


def _digits_cnn_class():
    from .. import nn

    class DigitsCNN(nn.Module):
        """Two 3x3 conv blocks (16 and 32 channels, ReLU, 2x2 max-pool) and a linear head,
        for flattened 8x8 images."""

        def __init__(self, n_classes=10):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
            self.head = nn.Linear(32 * 2 * 2, n_classes)

        def forward(self, x):
            return self.head(self.features(x.reshape(-1, 1, 8, 8)))

    return DigitsCNN


def DigitsCNN(n_classes=10):  # noqa: N802  (builds the class on first use: nn loads lazily)
    return _digits_cnn_class()(n_classes)
