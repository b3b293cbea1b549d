"""The training loop behind ``minigrad train`` and ``minigrad demo``, with checkpoints.

Each epoch's shuffle comes from ``(seed, epoch)`` alone, so a run resumed from a checkpoint
visits the same batches as one that never stopped and ends with the same weights.
"""
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from . import CLIError
from . import recipes

CHECKPOINT_FORMAT = "minigrad-train-1"


@dataclass
class TrainConfig:
    dataset: str = "moons"
    model: str = "mlp"
    hidden: list = field(default_factory=lambda: [16, 16])
    optimizer: str = "adam"
    lr: float = None
    momentum: float = None
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 50
    seed: int = 0
    n_samples: int = 1000

    def validate(self):
        recipes.check_choice(self.dataset, recipes.DATASETS, "dataset")
        recipes.check_choice(self.model, recipes.MODELS, "model")
        recipes.check_choice(self.optimizer, recipes.OPTIMIZERS, "optimizer")
        for name, low in (("batch_size", 1), ("epochs", 1), ("n_samples", 10)):
            if getattr(self, name) < low:
                raise CLIError(f"--{name.replace('_', '-')} must be >= {low}, got {getattr(self, name)}")
        if self.seed < 0:
            raise CLIError(f"--seed must be >= 0, got {self.seed}")


@dataclass
class TrainResult:
    model: object
    optimizer: object
    history: dict
    train_accuracy: float
    test_accuracy: float
    seconds: float
    steps: int
    data: tuple


def accuracy(model, X, y, batch=2048):
    import minigrad as mg
    model.eval()
    correct = 0
    with mg.no_grad():
        for i in range(0, len(X), batch):
            logits = model(mg.Tensor(X[i:i + batch]))
            correct += int((logits._data.argmax(1) == y[i:i + batch]).sum())
    model.train()
    return correct / len(X)


def _checkpoint_config(config):
    """The settings a resumed run must share with the run that saved the checkpoint."""
    keep = ("dataset", "model", "hidden", "optimizer", "batch_size", "seed", "n_samples")
    return {k: v for k, v in asdict(config).items() if k in keep}


def save_checkpoint(path, config, epoch, model, optimizer, history):
    import minigrad as mg
    mg.save({"format": CHECKPOINT_FORMAT, "config": _checkpoint_config(config), "epoch": epoch,
             "model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "history": history}, path)


def load_checkpoint(path, config, model, optimizer):
    """Restore model and optimizer; returns (epoch, history)."""
    import minigrad as mg
    try:
        ckpt = mg.load(path)
    except FileNotFoundError:
        raise CLIError(f"--resume: no checkpoint at {path}") from None
    except ValueError as e:
        raise CLIError(f"--resume: {e}") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise CLIError(f"--resume: {path} is not a minigrad train checkpoint")
    saved, now = ckpt["config"], _checkpoint_config(config)
    diff = [f"{k}={saved.get(k)!r} (now {now[k]!r})" for k in now if saved.get(k) != now[k]]
    if diff:
        raise CLIError(f"--resume: the checkpoint was trained with different settings: {', '.join(diff)}")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    return int(ckpt["epoch"]), {k: list(v) for k, v in ckpt["history"].items()}


def fit(config, progress, save=None, resume=None):
    """Train per ``config``; report through ``progress``; return a :class:`TrainResult`."""
    import minigrad as mg
    import minigrad.nn.functional as F

    config.validate()
    X_train, X_test, y_train, y_test = recipes.load_dataset(config.dataset, config.seed, config.n_samples)
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    mg.manual_seed(config.seed)
    model = recipes.build_model(config.model, X_train.shape[1], n_classes, config.hidden)
    optimizer = recipes.build_optimizer(config.optimizer, model.parameters(), config.lr,
                                        config.momentum, config.weight_decay)
    history = {"loss": [], "train_accuracy": []}
    start_epoch = 0
    if resume:
        start_epoch, history = load_checkpoint(resume, config, model, optimizer)
        if start_epoch >= config.epochs:
            raise CLIError(f"--resume: the checkpoint already has {start_epoch} epochs; "
                           f"ask for more with --epochs (now {config.epochs})")
        progress.message(f"resumed from {resume} at epoch {start_epoch}")
    n = len(X_train)
    steps = 0
    began = time.perf_counter()
    for epoch in range(start_epoch, config.epochs):
        order = np.random.default_rng([config.seed, epoch]).permutation(n)
        total, batches = 0.0, 0
        for i in range(0, n, config.batch_size):
            idx = order[i:i + config.batch_size]
            loss = F.cross_entropy(model(mg.Tensor(X_train[idx])), mg.Tensor(y_train[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        steps += batches
        history["loss"].append(total / batches)
        history["train_accuracy"].append(accuracy(model, X_train, y_train))
        progress.update(epoch + 1, history["loss"][-1], history["train_accuracy"][-1], batches)
        if save:
            save_checkpoint(save, config, epoch + 1, model, optimizer, history)
    seconds = time.perf_counter() - began
    return TrainResult(model, optimizer, history, accuracy(model, X_train, y_train),
                       accuracy(model, X_test, y_test), seconds, steps,
                       (X_train, X_test, y_train, y_test))
