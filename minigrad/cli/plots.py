"""Pictures of a finished training run (matplotlib, the optional ``viz`` extra)."""
import numpy as np


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save_training_figure(result, path, title):
    """Decision boundary over the training points (2-D data only) beside the loss curve."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import minigrad as mg

    X_train, _, y_train, _ = result.data
    two_d = X_train.shape[1] == 2
    fig, axes = plt.subplots(1, 2 if two_d else 1, figsize=(10 if two_d else 5, 4.2), dpi=100)
    axes = np.atleast_1d(axes)
    if two_d:
        ax = axes[0]
        lo, hi = X_train.min(0) - 0.5, X_train.max(0) + 0.5
        xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
        grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
        result.model.eval()
        with mg.no_grad():
            pred = result.model(mg.Tensor(grid))._data.argmax(1).reshape(xx.shape)
        ax.contourf(xx, yy, pred, alpha=0.3, cmap="coolwarm")
        ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, s=8, cmap="coolwarm", edgecolors="k",
                   linewidths=0.2)
        ax.set_title(f"decision boundary (train acc {100 * result.train_accuracy:.1f}%, "
                     f"test {100 * result.test_accuracy:.1f}%)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
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
    plt.close(fig)
