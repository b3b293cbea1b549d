"""Pictures of a finished training run (matplotlib, the optional ``viz`` extra)."""
import numpy as np


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save_training_figure(result, path, title):
    """Decision boundary over the training points (2-D data only) beside the loss curve; returns
    the Figure. The boundary panel shows the data in its own units with equal axes: circles draw
    as circles."""
    import minigrad as mg
    from ..viz._matplotlib import new_figure

    X_train, _, y_train, _ = result.data
    two_d = X_train.shape[1] == 2
    fig = new_figure((10 if two_d else 5, 4.2), 100)
    axes = fig.subplots(1, 2 if two_d else 1, squeeze=False)[0]
    if two_d:
        ax = axes[0]
        # In the data's own units (the model sees them standardised), so that with equal axes
        # the moons and circles keep their shapes.
        raw = result.scaler.inverse_transform(X_train.astype(np.float64))
        pad = 0.08 * (raw.max(0) - raw.min(0))
        lo, hi = raw.min(0) - pad, raw.max(0) + pad
        xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
        grid = result.scaler.transform(np.c_[xx.ravel(), yy.ravel()]).astype(np.float32)
        result.model.eval()
        with mg.no_grad():
            pred = result.model(mg.Tensor(grid))._data.argmax(1).reshape(xx.shape)
        ax.contourf(xx, yy, pred, alpha=0.3, cmap="coolwarm")
        ax.scatter(raw[:, 0], raw[:, 1], c=y_train, s=8, cmap="coolwarm", edgecolors="k",
                   linewidths=0.2)
        ax.set_title(f"decision boundary (train acc {100 * result.train_accuracy:.1f}%, "
                     f"test {100 * result.test_accuracy:.1f}%)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    ax = axes[-1]
    epochs = np.arange(1, len(result.history["loss"]) + 1)
    ax.plot(epochs, result.history["loss"], label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    return fig
