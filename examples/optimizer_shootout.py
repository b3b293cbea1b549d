"""Which optimizer should I use? Eighteen of them train the same network on the 8x8 digits.

Every run starts from the same initial weights (one state_dict, loaded into a fresh model)
and sees the same shuffled batches, so only the update rule and the batch size differ:
gradient descent (full batch: one step per epoch), SGD with batch 1 (one step per image),
mini-batch SGD, Momentum and Nesterov (batch 32), Adagrad, Adadelta, RMSprop and Adam
(batch 32); then the newer ones: RAdam, Rprop (full batch, as it is meant to run), ASGD,
Adafactor, Muon (on the weight matrices, with AdamW for the biases, as its authors use it),
Lion, schedule-free SGD and AdamW (no learning-rate schedule; evaluated at their averaged
weights, switched with eval()) and Prodigy (no learning rate to tune). After every epoch the
loss over the whole training set is measured. The script
prints a table of final loss, test accuracy and training wall time, and with --plot draws
the loss against epochs and against wall time.

SGD with batch 1 makes 1437 tiny steps per epoch, each paying the Python overhead of a whole
forward/backward pass, so it runs a quarter of the epochs (the output says so).

    pip install "minigrad[datasets]"                    # load_digits needs scikit-learn
    python examples/optimizer_shootout.py               # 20 epochs, about 10 s
    python examples/optimizer_shootout.py --plot shootout.png   # needs matplotlib

MINIGRAD_EXAMPLES_QUICK=1 runs 2 epochs on 300 training images (used by the tests).
"""
import importlib.util
import os
import sys
import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import DataLoader, StandardScaler, TensorDataset, train_test_split
from minigrad.datasets import load_digits

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"

parser = _args.parser(__doc__)
parser.add_argument("--epochs", type=_args.positive_int, default=2 if QUICK else 20,
                    help="passes over the training set")
parser.add_argument("--seed", type=int, default=0, help="random seed")
parser.add_argument("--plot", metavar="PATH", help="save loss-vs-epoch and loss-vs-time plots")
args = parser.parse_args()
if args.epochs < 1:
    parser.error("--epochs must be >= 1")
if args.plot and importlib.util.find_spec("matplotlib") is None:
    parser.error('--plot needs matplotlib: pip install "minigrad[viz]"')
if args.plot and not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
    parser.error(f"--plot: the folder of {args.plot} does not exist")

try:
    X, y = load_digits()
except ImportError as e:  # scikit-learn is an optional extra
    sys.exit(f"optimizer_shootout: {e}")
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, seed=args.seed)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
if QUICK:
    X_train, y_train = X_train[:300], y_train[:300]
n = len(X_train)

# name, batch size, optimizer factory. Learning rates are `minigrad train`'s defaults (one
# sensible value per method, not tuned for this task), but full-batch GD gets a larger one
# and batch-1 SGD a smaller one (single-sample gradients are noisy).
RUNS = [
    ("GD (full batch)", n, lambda p: optim.SGD(p, lr=0.5)),
    ("SGD (batch 1)", 1, lambda p: optim.SGD(p, lr=0.01)),
    ("SGD (batch 32)", 32, lambda p: optim.SGD(p, lr=0.1)),
    ("Momentum 0.9", 32, lambda p: optim.SGD(p, lr=0.05, momentum=0.9)),
    ("Nesterov 0.9", 32, lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    ("Adagrad", 32, lambda p: optim.Adagrad(p, lr=0.05)),
    ("Adadelta", 32, lambda p: optim.Adadelta(p, lr=1.0)),
    ("RMSprop", 32, lambda p: optim.RMSprop(p, lr=0.005)),
    ("Adam", 32, lambda p: optim.Adam(p, lr=0.01)),
    # The newer optimizers (not tuned either: their authors' or PyTorch's usual values).
    ("RAdam", 32, lambda p: optim.RAdam(p, lr=0.01)),
    ("Rprop (full batch)", n, lambda p: optim.Rprop(p, lr=0.01)),
    ("ASGD", 32, lambda p: optim.ASGD(p, lr=0.1)),
    ("Adafactor", 32, lambda p: optim.Adafactor(p, lr=0.01)),
    ("Muon + AdamW", 32, lambda p: MuonWithAdamW(p, lr=0.02, adamw_lr=0.01)),
    ("Lion", 32, lambda p: optim.Lion(p, lr=1e-3)),
    ("SGD schedule-free", 32, lambda p: optim.SGDScheduleFree(p, lr=0.5)),
    ("AdamW schedule-free", 32, lambda p: optim.AdamWScheduleFree(p, lr=0.01)),
    ("Prodigy", 32, lambda p: optim.Prodigy(p)),
]
SGD1_EPOCHS = max(1, args.epochs // 4)  # batch 1 is slow per epoch: fewer epochs


class MuonWithAdamW:
    """Muon for the 2-D weights, AdamW for the rest (biases): Muon orthogonalizes matrices
    only, and its authors train the other parameters with AdamW."""

    def __init__(self, params, lr, adamw_lr):
        params = list(params)
        self.opts = [optim.Muon([p for p in params if p.ndim == 2], lr=lr),
                     optim.AdamW([p for p in params if p.ndim != 2], lr=adamw_lr)]

    def zero_grad(self):
        for opt in self.opts:
            opt.zero_grad()

    def step(self):
        for opt in self.opts:
            opt.step()


def make_model():
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


mg.manual_seed(args.seed)
initial = make_model().state_dict()  # every run starts from these weights
Xtr, ytr = mg.tensor(X_train), mg.tensor(y_train)


def evaluate(model):
    """(loss over the whole training set, test accuracy)."""
    with mg.no_grad():
        loss = F.cross_entropy(model(Xtr), ytr).item()
        acc = float((model(mg.tensor(X_test)).numpy().argmax(1) == y_test).mean())
    return loss, acc


class Run:
    """One optimizer's training run: a model from the initial weights, its optimizer and
    loader, and the training loss after every epoch with the training time spent so far."""

    def __init__(self, name, batch_size, make_opt):
        self.name, self.batch_size = name, batch_size
        self.epochs = SGD1_EPOCHS if batch_size == 1 else args.epochs
        self.model = make_model()
        self.model.load_state_dict(initial)
        self.opt = make_opt(self.model.parameters())
        # The same seed gives every run the same sequence of shuffles.
        self.loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size,
                                 shuffle=True, seed=args.seed)
        self.losses, self.times = [evaluate(self.model)[0]], [0.0]

    def train_one_epoch(self):
        start = time.perf_counter()
        schedule_free = hasattr(self.opt, "train")  # the parameters hold y while training
        if schedule_free:
            self.opt.train()
        for xb, yb in self.loader:
            loss = F.cross_entropy(self.model(xb), yb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
        if schedule_free:
            self.opt.eval()  # evaluate (and keep) the averaged weights x
        # Training time only, not the evaluation.
        self.times.append(self.times[-1] + time.perf_counter() - start)
        self.losses.append(evaluate(self.model)[0])


# Compile each optimizer's Numba kernel before timing anything (the first step() of a kind
# compiles it), so that compile time is not counted as training time.
for _, _, make_opt in RUNS:
    scratch = make_model()
    F.cross_entropy(scratch(Xtr[:8]), ytr[:8]).backward()
    warm = make_opt(scratch.parameters())
    if hasattr(warm, "train"):
        warm.train()
    warm.step()

runs = [Run(*spec) for spec in RUNS]
# Round robin, one epoch of each run in turn: a burst of load from other programs on the
# machine then slows every run alike instead of spoiling one run's wall time.
for epoch in range(args.epochs):
    for run in runs:
        if epoch < run.epochs:
            run.train_one_epoch()

print(f"digits: {n} train / {len(X_test)} test images, MLP 64-64-10, {args.epochs} epochs "
      f"(SGD batch 1: {SGD1_EPOCHS} epochs), same initial weights and batches for every run")
print(f"{'optimizer':<20} {'batch':>5} {'epochs':>6} {'steps':>6} {'train loss':>10} "
      f"{'test acc':>8} {'time (s)':>8}")
for run in runs:
    steps = run.epochs * len(run.loader)
    print(f"{run.name:<20} {run.batch_size:>5} {run.epochs:>6} {steps:>6} {run.losses[-1]:>10.4f} "
          f"{evaluate(run.model)[1]:>8.2%} {run.times[-1]:>8.2f}")
print(f"lowest final training loss: {min(runs, key=lambda r: r.losses[-1]).name}")

if args.plot:
    import matplotlib
    matplotlib.use("Agg")  # no window: write the file only
    import matplotlib.pyplot as plt

    from minigrad.viz.style import style  # distinct colour, dashes, marker; wider ones below

    fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(12, 5))
    for i, run in enumerate(runs):
        look = style(i, len(runs)).line(markersize=4)
        ax_epoch.plot(np.arange(len(run.losses)), run.losses, label=run.name, **look)
        # Log time: the runs span 0.03 s to seconds. Epoch 0 (time 0) has no place on it.
        ax_time.plot(run.times[1:], run.losses[1:], label=run.name, **look)
    ax_epoch.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log")
    ax_epoch.xaxis.get_major_locator().set_params(integer=True)
    ax_time.set(xlabel="training wall time (s, log scale), from the end of epoch 1",
                xscale="log", yscale="log")
    for ax in (ax_epoch, ax_time):
        ax.grid(alpha=0.3)
    ax_time.legend(fontsize=7, ncol=2)
    fig.suptitle(f"Optimizer shootout: MLP 64-64-10 on 8x8 digits ({n} training images)")
    fig.tight_layout()
    fig.savefig(args.plot, dpi=100)
    print(f"picture: {args.plot}")
