"""Regression with MSE: an MLP fits a noisy 1-D curve.

Samples y = sin(2x) + 0.3 x + noise on [-3, 3], holds out 20%, and trains a 1-64-64-1 tanh
MLP with Adam on the mean squared error. Reports the test MSE and R^2, beside a straight
line fitted by least squares (np.polyfit) as the baseline a network has to beat.

    python examples/regression.py                   # 300 epochs, full batch
    python examples/regression.py --plot fit.png    # also draw the fitted curve

MINIGRAD_EXAMPLES_QUICK=1 runs 60 epochs (used by the tests).
"""
import importlib.util
import os
import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import train_test_split

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"

parser = _args.parser(__doc__)
parser.add_argument("--epochs", type=_args.positive_int, default=60 if QUICK else 300,
                    help="full-batch steps")
parser.add_argument("--lr", type=_args.positive_float, default=0.01, help="learning rate")
parser.add_argument("--noise", type=_args.nonnegative_float, default=0.1,
                    help="standard deviation of the noise added to the curve")
parser.add_argument("--seed", type=int, default=0, help="random seed")
parser.add_argument("--plot", metavar="PATH", help="save a picture of the fit")
args = parser.parse_args()
if args.plot and importlib.util.find_spec("matplotlib") is None:
    parser.error('--plot needs matplotlib: pip install "minigrad[viz]"')
if args.plot and not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
    parser.error(f"--plot: the folder of {args.plot} does not exist")

mg.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
x = rng.uniform(-3, 3, size=(500, 1)).astype(np.float32)
y = (np.sin(2 * x) + 0.3 * x + args.noise * rng.standard_normal(x.shape)).astype(np.float32)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, seed=args.seed)

model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
opt = optim.Adam(model.parameters(), lr=args.lr)


def r2(pred, target):
    """Coefficient of determination: 1 - SSE / (variance of the target); 1 is a perfect fit."""
    return 1 - ((pred - target) ** 2).sum() / ((target - target.mean()) ** 2).sum()


start = time.perf_counter()
X, Y = mg.tensor(x_train), mg.tensor(y_train)
for epoch in range(1, args.epochs + 1):  # 400 points: one full batch per step
    loss = F.mse_loss(model(X), Y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch == 1 or epoch % 50 == 0:
        print(f"epoch {epoch:4d}  train MSE {loss.item():.4f}")
seconds = time.perf_counter() - start

with mg.no_grad():
    pred = model(mg.tensor(x_test)).numpy()
line = np.polyval(np.polyfit(x_train[:, 0], y_train[:, 0], 1), x_test)  # baseline
print(f"straight line (least squares): test MSE {((line - y_test) ** 2).mean():.4f}  "
      f"R^2 {r2(line, y_test):.3f}")
print(f"test MSE: {((pred - y_test) ** 2).mean():.4f}  R^2 {r2(pred, y_test):.3f}  "
      f"(noise variance {args.noise ** 2:.4f}; {args.epochs} epochs, {seconds:.1f} s)")

if args.plot:
    import matplotlib
    matplotlib.use("Agg")  # no window: write the file only
    import matplotlib.pyplot as plt

    grid = np.linspace(-3, 3, 300, dtype=np.float32)[:, None]
    with mg.no_grad():
        curve = model(mg.tensor(grid)).numpy()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x_train, y_train, s=6, alpha=0.5, label="training points")
    ax.plot(grid, np.sin(2 * grid) + 0.3 * grid, "k--", lw=1, label="true curve")
    ax.plot(grid, curve, "r", lw=2, label="MLP")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot, dpi=100)
    print(f"picture: {args.plot}")
