"""End to end: a small MLP learns make_moons with plain SGD, using only minigrad."""

import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import DataLoader, StandardScaler, TensorDataset
from minigrad.datasets import make_moons


def test_mlp_reaches_97_percent_training_accuracy_on_moons_with_sgd():
    minigrad.manual_seed(0)
    X, y = make_moons(300, noise=0.1, random_state=0)
    X = StandardScaler().fit_transform(X)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)  # plain SGD: no momentum, no weight decay

    for epoch in range(100):
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()

    with minigrad.no_grad():
        predictions = model(minigrad.tensor(X)).numpy().argmax(axis=1)
    accuracy = float(np.mean(predictions == y))
    assert accuracy >= 0.97, accuracy
