"""The whole training pipeline written out, with no nn.Module and no optimizer class.

Weights are plain tensors with requires_grad=True; the forward pass is matrix products and
tanh; the loss is cross-entropy written from log_softmax; backward() fills every weight's
.grad; the update is hand-written gradient descent under mg.no_grad(). Data: two moons.

    python examples/train_from_scratch.py
    python examples/train_from_scratch.py --epochs 500

MINIGRAD_EXAMPLES_QUICK=1 runs 50 steps (used by the tests).
"""
import os

import numpy as np

import minigrad as mg
from minigrad.datasets import make_moons

import _args  # examples/_args.py: argument types with one-line errors

QUICK = os.environ.get("MINIGRAD_EXAMPLES_QUICK") == "1"
parser = _args.parser(__doc__)
parser.add_argument("--epochs", type=_args.positive_int, default=50 if QUICK else 300,
                    help="full-batch steps")
parser.add_argument("--lr", type=_args.positive_float, default=0.5, help="learning rate")
args = parser.parse_args()

# ---- the pipeline -----------------------------------------------------------------------
mg.manual_seed(0)
X_np, y_np = make_moons(500, noise=0.1, seed=0)
X, onehot = mg.tensor(X_np), mg.tensor(np.eye(2, dtype=np.float32)[y_np])  # targets as rows of I


def weight(n_in, n_out):  # scaled so each layer keeps activations near unit size
    return (mg.randn(n_in, n_out) / np.sqrt(n_in)).requires_grad_()


params = [weight(2, 32), mg.zeros(32, requires_grad=True),
          weight(32, 32), mg.zeros(32, requires_grad=True),
          weight(32, 2), mg.zeros(2, requires_grad=True)]
W1, b1, W2, b2, W3, b3 = params

for step in range(args.epochs):
    h = (X @ W1 + b1).tanh()                                  # forward
    h = (h @ W2 + b2).tanh()
    logits = h @ W3 + b3
    loss = -(onehot * logits.log_softmax(dim=1)).sum(dim=1).mean()  # cross-entropy
    for p in params:
        p.grad = None                                         # forget the last step's grads
    loss.backward()                                           # backward: fills p.grad
    with mg.no_grad():                                        # update: no graph for this
        for p in params:
            p.copy_(p - args.lr * p.grad)                     # in place: p stays a leaf
    if step % 50 == 0 or step == args.epochs - 1:
        accuracy = float((logits.detach().numpy().argmax(1) == y_np).mean())
        print(f"step {step:4d}  loss {loss.item():.4f}  accuracy {accuracy:.1%}")
# -----------------------------------------------------------------------------------------
print(f"final loss: {loss.item():.4f}, training accuracy {accuracy:.1%}")
