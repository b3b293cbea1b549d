"""The training loop behind ``minigrad train`` and ``minigrad demo``, with checkpoints.

Each epoch's shuffle comes from ``(seed, epoch)`` alone, so a run resumed from a checkpoint
visits the same batches as one that never stopped and ends with the same weights.
"""
import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import CLIError
from . import recipes
from .checkpoint import load_checkpoint, save_checkpoint

#: The command-line flag of each setting, for error messages.
FLAGS = {"batch_size": "--batch-size", "epochs": "--epochs", "n_samples": "--samples",
         "seed": "--seed", "lr": "--lr", "momentum": "--momentum",
         "weight_decay": "--weight-decay"}


@dataclass
class TrainConfig:
    dataset: str = "moons"
    model: str = "mlp"
    hidden: list = field(default_factory=lambda: [16, 16])
    optimizer: str = "adam"
    lr: float = None
    momentum: float = None
    weight_decay: float = None
    batch_size: int = 32
    epochs: int = 50
    seed: int = 0
    n_samples: int = 1000

    def validate(self):
        recipes.check_choice(self.dataset, recipes.DATASETS, "dataset")
        recipes.check_choice(self.model, recipes.MODELS, "model")
        recipes.check_choice(self.optimizer, recipes.OPTIMIZERS, "optimizer")
        for name, low in (("batch_size", 1), ("epochs", 1), ("n_samples", 10), ("seed", 0)):
            if getattr(self, name) < low:
                raise CLIError(f"{FLAGS[name]} must be >= {low}, got {getattr(self, name)}")
        for name, (ok, what) in _HYPER_RANGES.items():
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and ok(value)):
                raise CLIError(f"{FLAGS[name]} must be a finite number {what}, got {value}")


_HYPER_RANGES = {"lr": (lambda v: v > 0, "> 0"), "momentum": (lambda v: 0 <= v < 1, "in [0, 1)"),
                 "weight_decay": (lambda v: v >= 0, ">= 0")}


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
    scaler: object = None


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


def fit(config, progress, save=None, resume=None):
    """Train per ``config``; report through ``progress``; return a :class:`TrainResult`."""
    import minigrad as mg
    import minigrad.nn.functional as F

    config.validate()
    X_train, X_test, y_train, y_test, scaler = recipes.load_dataset(
        config.dataset, config.seed, config.n_samples)
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
            save_checkpoint(save, config, epoch + 1, model, optimizer, history, scaler, n_classes)
    seconds = time.perf_counter() - began
    return TrainResult(model, optimizer, history, accuracy(model, X_train, y_train),
                       accuracy(model, X_test, y_test), seconds, steps,
                       (X_train, X_test, y_train, y_test), scaler)
