"""Classify the 8x8 handwritten digits with a two-hidden-layer MLP and Adam.

The 1797 digits (read from scikit-learn's bundled copy, no download) are split 80/20,
standardised with the training set's statistics, and a 64-128-64-10 ReLU network is trained
with cross-entropy. The default settings reach about 97-98% test accuracy in a few seconds.

    pip install "minigrad[datasets]"         # load_digits needs scikit-learn
    python examples/digits_mlp.py            # 30 epochs
    python examples/digits_mlp.py --epochs 10 --seed 1

MINIGRAD_EXAMPLES_QUICK=1 trains for 3 epochs (used by the tests).
"""
import os
import sys
import time

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import DataLoader, StandardScaler, TensorDataset, train_test_split
from minigrad.datasets import load_digits

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"

parser = _args.parser(__doc__)
parser.add_argument("--epochs", type=_args.positive_int, default=3 if QUICK else 30,
                    help="passes over the training set")
parser.add_argument("--lr", type=_args.positive_float, default=1e-3, help="learning rate")
parser.add_argument("--batch-size", type=_args.positive_int, default=32, help="examples per step")
parser.add_argument("--seed", type=int, default=0, help="random seed")
args = parser.parse_args()

try:
    X, y = load_digits()
except ImportError as e:  # scikit-learn is an optional extra
    sys.exit(f"digits_mlp: {e}")

mg.manual_seed(args.seed)  # weights and DataLoader shuffles draw from this generator
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, seed=args.seed)
scaler = StandardScaler().fit(X_train)  # statistics of the training set only
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=args.batch_size, shuffle=True)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(),
                      nn.Linear(128, 64), nn.ReLU(),
                      nn.Linear(64, 10))
opt = optim.Adam(model.parameters(), lr=args.lr)


def accuracy(X, y):
    with mg.no_grad():
        return float((model(mg.tensor(X)).numpy().argmax(1) == y).mean())


print(f"digits: {len(X_train)} train / {len(X_test)} test images; model 64-128-64-10, "
      f"Adam(lr={args.lr}), batch {args.batch_size}")
start = time.perf_counter()
for epoch in range(1, args.epochs + 1):
    total = 0.0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
    if epoch == 1 or epoch % 5 == 0 or epoch == args.epochs:
        print(f"epoch {epoch:3d}  loss {total / len(X_train):.4f}  "
              f"train acc {accuracy(X_train, y_train):.2%}")
seconds = time.perf_counter() - start
print(f"test accuracy: {accuracy(X_test, y_test):.2%} ({args.epochs} epochs, {seconds:.1f} s)")
