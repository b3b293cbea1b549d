"""Networks shared by the interop tests, written once against the nn API that minigrad and
PyTorch share: ``digits_cnn(minigrad.nn)`` and ``digits_cnn(torch.nn)`` are the same network
with the same state_dict keys, as a user porting a model would write it."""


def mlp(nn):
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))


def digits_cnn(nn):
    """The network of examples/digits_cnn.py."""

    class DigitsCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
            self.head = nn.Linear(32 * 2 * 2, 10)

        def forward(self, x):
            return self.head(self.features(x))

    return DigitsCNN()


def bn_net(nn, momentum=0.1):
    """Conv2d, BatchNorm2d, Linear and BatchNorm1d on (N, 2, 5, 5) input, 3 outputs."""

    class BNNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 4, 3, padding=1)
            self.bn2 = nn.BatchNorm2d(4, momentum=momentum)
            self.fc = nn.Linear(4 * 5 * 5, 8)
            self.bn1 = nn.BatchNorm1d(8, momentum=momentum)
            self.out = nn.Linear(8, 3)
            self.act = nn.ReLU()

        def forward(self, x):
            x = self.act(self.bn2(self.conv(x))).flatten(1)
            return self.out(self.act(self.bn1(self.fc(x))))

    return BNNet()
