"""micrograd's demo, at tensor scale: an MLP separates two moons.

Karpathy's micrograd trains a 2-16-16-1 MLP on 100 moons, one scalar Value at a time, with a
max-margin (SVM) loss, L2 regularisation and SGD whose learning rate decays from 1.0 to 0.1.
Here the same recipe runs on whole tensors: 1000 points (80% to train, 20% held out), every
step a full-batch forward and backward pass through matrix products.

    python examples/moons_mlp.py                       # 100 steps, as in micrograd
    python examples/moons_mlp.py --plot moons.png      # also draw the decision boundary

MINIGRAD_EXAMPLES_QUICK=1 runs 20 steps (used by the tests).
"""
import importlib.util
import os
import time

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import train_test_split
from minigrad.datasets import make_moons

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"

parser = _args.parser(__doc__)
parser.add_argument("--epochs", type=_args.positive_int, default=20 if QUICK else 100,
                    help="full-batch steps")
parser.add_argument("--samples", type=_args.positive_int, default=1000,
                    help="number of two-moons points")
parser.add_argument("--seed", type=int, default=0, help="random seed")
parser.add_argument("--plot", metavar="PATH", help="save a picture of the decision boundary")
args = parser.parse_args()
if args.plot and importlib.util.find_spec("matplotlib") is None:
    parser.error('--plot needs matplotlib: pip install "minigrad[viz]"')
if args.plot and not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
    parser.error(f"--plot: the folder of {args.plot} does not exist")

mg.manual_seed(args.seed)
X, y = make_moons(args.samples, noise=0.1, seed=args.seed)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=args.seed)
X_train, X_test = mg.tensor(X_train), mg.tensor(X_test)
targets = mg.tensor(2.0 * y_train - 1.0)  # labels -1 / +1 for the max-margin loss

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
opt = optim.SGD(model.parameters(), lr=1.0)


def predict(X):
    """Class 0/1 from the sign of the score."""
    with mg.no_grad():
        return (model(X).numpy()[:, 0] > 0).astype(np.int64)


start = time.perf_counter()
for k in range(args.epochs):
    scores = model(X_train)[:, 0]
    data_loss = mg.relu(1 - targets * scores).mean()                # hinge loss, as micrograd
    reg_loss = 1e-4 * sum((p * p).sum() for p in model.parameters())  # L2 regularisation
    loss = data_loss + reg_loss
    opt.zero_grad()
    loss.backward()
    opt.param_groups[0]["lr"] = 1.0 - 0.9 * k / args.epochs         # micrograd's decay
    opt.step()
    if k % 10 == 0 or k == args.epochs - 1:
        acc = float((predict(X_train) == y_train).mean())
        print(f"step {k:3d}  loss {loss.item():.4f}  train accuracy {acc:.1%}")
seconds = time.perf_counter() - start
test_acc = float((predict(X_test) == y_test).mean())
print(f"test accuracy: {test_acc:.1%} on {len(y_test)} held-out points "
      f"({args.epochs} steps, {seconds:.2f} s)")

if args.plot:
    import matplotlib
    matplotlib.use("Agg")  # no window: write the file only
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-1.6, 2.6, 250), np.linspace(-1.1, 1.6, 250))
    grid = mg.tensor(np.c_[xs.ravel(), ys.ravel()].astype(np.float32))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.contourf(xs, ys, predict(grid).reshape(xs.shape), alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="coolwarm", edgecolors="k", linewidths=0.2)
    ax.set_title(f"2-16-16-1 MLP on two moons: test accuracy {test_acc:.1%}")
    fig.tight_layout()
    fig.savefig(args.plot, dpi=100)
    print(f"picture: {args.plot}")
