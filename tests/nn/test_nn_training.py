"""End to end: a small MLP learns two moons with plain SGD, using only minigrad."""
import numpy as np

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.datasets import make_moons


def test_mlp_learns_two_moons_with_plain_sgd():
    mg.manual_seed(0)
    X_np, y_np = make_moons(200, noise=0.1, random_state=0)
    X, y = mg.tensor(X_np), mg.tensor(y_np)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 2))
    lr = 0.5
    for step in range(500):
        loss = F.cross_entropy(model(X), y)
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p.data -= lr * p.grad.numpy()
    model.eval()
    with mg.no_grad():
        accuracy = (model(X).argmax(dim=1).numpy() == y_np).mean()
    assert accuracy >= 0.97, f"training accuracy {accuracy:.3f} after 500 steps (loss {loss.item():.4f})"


def test_small_cnn_forward_backward_and_step_reduce_loss():
    mg.manual_seed(1)
    x = mg.randn(8, 1, 8, 8)
    y = mg.tensor(np.arange(8) % 3)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, stride=2, padding=1),
                          nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(0.1), nn.Linear(4, 3))
    losses = []
    for _ in range(60):
        loss = nn.CrossEntropyLoss()(model(x), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p.data -= 0.2 * p.grad.numpy()
    assert losses[-1] < 0.5 * losses[0]
