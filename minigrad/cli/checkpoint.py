"""The checkpoints ``minigrad train --save`` writes: resuming a run, and predicting with it.

A checkpoint is a plain :func:`minigrad.save` dict::

    format        "minigrad-train-2"
    config        the run's settings (dataset, model, hidden, optimizer, seed, ...)
    architecture  {"model": "mlp" | "cnn", "n_features", "n_classes", "hidden"}
    scaler        {"mean", "scale", "var"}: the StandardScaler fitted on the training inputs
    epoch, model (state_dict), optimizer (state_dict), history

Everything needed to predict is in it: :func:`load_trained` rebuilds the model and its input
scaling (``minigrad predict`` uses it). The model's weights alone are not enough: they expect
standardised inputs (the digits CNN on raw pixels falls from 98% to about 50%).
"""
from dataclasses import dataclass

import numpy as np

from . import CLIError
from . import recipes

FORMAT = "minigrad-train-2"
_RESUMABLE = ("minigrad-train-1", FORMAT)  # format 1: the same without architecture and scaler

#: Settings a resumed run must share with the run that saved the checkpoint.
_SAME_ON_RESUME = ("dataset", "model", "hidden", "optimizer", "batch_size", "seed", "n_samples")
#: Optimizer hyperparameters compared on resume when given again (loading the saved optimizer
#: state would silently overwrite a new value; when not given, the saved one goes on).
_SAME_HYPER = {"lr": "--lr", "momentum": "--momentum", "weight_decay": "--weight-decay"}


def save_checkpoint(path, config, epoch, model, optimizer, history, scaler, n_classes):
    import minigrad as mg
    settings = {k: getattr(config, k) for k in _SAME_ON_RESUME}
    mg.save({"format": FORMAT, "config": settings,
             "architecture": {"model": config.model, "n_features": int(scaler.n_features_in_),
                              "n_classes": int(n_classes), "hidden": list(config.hidden)},
             "scaler": {"mean": scaler.mean_, "scale": scaler.scale_, "var": scaler.var_},
             "epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "history": history}, path)


def load_file(path, flag):
    """``minigrad.load(path)``; a missing file, a folder, an unreadable or damaged file is a
    one-line :class:`CLIError` starting with ``flag``. Shared by every command that reads a
    checkpoint (train --resume, predict, sample)."""
    import minigrad as mg
    try:
        return mg.load(path)
    except FileNotFoundError:
        raise CLIError(f"{flag}: no checkpoint at {path}") from None
    except IsADirectoryError:
        raise CLIError(f"{flag}: {path} is a folder, not a checkpoint") from None
    except (ValueError, OSError) as e:  # CheckpointError is a ValueError
        raise CLIError(f"{flag}: {e}") from None


def _read(path, flag):
    ckpt = load_file(path, flag)
    if not isinstance(ckpt, dict) or ckpt.get("format") not in _RESUMABLE:
        raise CLIError(f"{flag}: {path} is not a checkpoint written by minigrad train --save")
    return ckpt


def load_checkpoint(path, config, model, optimizer):
    """Restore model and optimizer for ``--resume``; returns (epoch, history).

    Refuses a checkpoint trained with other settings, including an optimizer hyperparameter
    given now that differs from the saved one (loading the optimizer's state would overwrite it).
    """
    ckpt = _read(path, "--resume")
    saved = ckpt["config"]
    diff = [f"{k}={saved.get(k)!r} (now {getattr(config, k)!r})" for k in _SAME_ON_RESUME
            if saved.get(k) != getattr(config, k)]
    saved_group, group = ckpt["optimizer"]["param_groups"][0], optimizer.param_groups[0]
    diff += [f"{flag} {saved_group[k]!r} (now {group[k]!r})" for k, flag in _SAME_HYPER.items()
             if getattr(config, k) is not None and k in saved_group and saved_group[k] != group[k]]
    if diff:
        raise CLIError(f"--resume: the checkpoint was trained with different settings: "
                       f"{', '.join(diff)}; resume with the same ones or start a new run")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    return int(ckpt["epoch"]), {k: list(v) for k, v in ckpt["history"].items()}


@dataclass
class TrainedModel:
    """A model rebuilt from a ``minigrad train`` checkpoint, with its input scaling.

    Attributes:
        model: the :class:`minigrad.nn.Module`, in eval mode.
        scaler: the :class:`minigrad.data.StandardScaler` fitted on the training inputs.
        config: the run's settings (dataset, model, hidden, optimizer, seed, ...).
        epoch: how many epochs it was trained for.
    """

    model: object
    scaler: object
    config: dict
    epoch: int

    def predict_proba(self, X):
        """Class probabilities for raw (unscaled) inputs ``X`` of shape (n, n_features)."""
        import minigrad as mg
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        x = np.asarray(self.scaler.transform(X), dtype=np.float32)
        with mg.no_grad():
            return self.model(mg.Tensor(x)).softmax(-1)._data

    def predict(self, X):
        """Predicted class (an int64 array) for each row of the raw inputs ``X``."""
        return self.predict_proba(X).argmax(-1).astype(np.int64)


def load_trained(path):
    """Rebuild the model and the input scaling saved by ``minigrad train --save PATH``.

    ``load_trained(path).predict(X)`` gives the classes of raw inputs, scaled as in training.
    Raises :class:`CLIError` (a one-line message) for a file that is not such a checkpoint.
    """
    from ..data import StandardScaler

    ckpt = _read(path, "checkpoint")
    if "architecture" not in ckpt:
        raise CLIError(f"{path} was written by an older minigrad train (format "
                       f"{ckpt['format']!r}) that did not save the input scaling; "
                       f"train again with --save to predict with it")
    arch = ckpt["architecture"]
    model = recipes.build_model(arch["model"], arch["n_features"], arch["n_classes"],
                                arch["hidden"])
    model.load_state_dict(ckpt["model"])
    model.eval()
    scaler = StandardScaler()
    scaler.mean_ = np.asarray(ckpt["scaler"]["mean"], dtype=np.float64)
    scaler.scale_ = np.asarray(ckpt["scaler"]["scale"], dtype=np.float64)
    scaler.var_ = np.asarray(ckpt["scaler"]["var"], dtype=np.float64)
    scaler.n_features_in_ = arch["n_features"]
    return TrainedModel(model, scaler, dict(ckpt["config"]), int(ckpt["epoch"]))
