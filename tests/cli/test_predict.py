"""Checkpoints of `minigrad train --save` rebuild the model and its input scaling:
`minigrad predict` and `minigrad.cli.checkpoint.load_trained`."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.cli import main
from minigrad.cli.checkpoint import load_trained
from minigrad.cli.recipes import load_split


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _test_accuracy(out):
    line = [ln for ln in out.splitlines() if "test accuracy" in ln][-1]
    return float(line.split("test accuracy ")[1].split("%")[0])


@pytest.mark.parametrize("argv", [
    ["--dataset", "digits", "--model", "cnn", "--lr", "2e-3", "--epochs", "3"],
    ["--dataset", "blobs", "--hidden", "8", "--samples", "300", "--epochs", "2"],
])
def test_predict_reproduces_the_runs_test_accuracy(capsys, tmp_path, argv):
    if "digits" in argv:
        pytest.importorskip("sklearn")
    ckpt = str(tmp_path / "run.npz")
    code, out, err = run_cli(capsys, "train", *argv, "--save", ckpt, "--quiet")
    assert code == 0, err
    code, predicted, err = run_cli(capsys, "predict", ckpt)
    assert code == 0, err
    # predict starts from the raw inputs and the saved scaler; train from its own scaled arrays
    assert _test_accuracy(predicted) == _test_accuracy(out)


def test_predict_input_rows_are_scaled_as_in_training(capsys, tmp_path):
    ckpt = str(tmp_path / "moons.npz")
    assert run_cli(capsys, "train", "--samples", "200", "--epochs", "3", "--save", ckpt,
                   "--quiet")[0] == 0
    X_train, X_test, _, _ = load_split("moons", 0, 200)
    rows = X_test[:7]
    csv = tmp_path / "rows.csv"
    np.savetxt(csv, rows, delimiter=",")
    code, out, err = run_cli(capsys, "predict", ckpt, "--input", str(csv))
    assert code == 0, err
    got = [int(v) for v in out.split()]
    # independent reference: the training set's statistics and the saved weights, by hand
    mean, std = X_train.mean(0), X_train.std(0)
    h = ((rows - mean) / std).astype(np.float32)
    weights = mg.load(ckpt)["model"]
    for i in (0, 2, 4):
        h = h @ np.asarray(weights[f"{i}.weight"]).T + np.asarray(weights[f"{i}.bias"])
        h = np.maximum(h, 0) if i < 4 else h
    assert got == h.argmax(1).tolist()
    npy = tmp_path / "rows.npy"
    np.save(npy, rows)
    assert run_cli(capsys, "predict", ckpt, "--input", str(npy))[1] == out
    assert load_trained(ckpt).predict(rows).tolist() == got


def test_the_weights_alone_need_the_saved_scaling(tmp_path, capsys):
    """Why the scaler is saved: the same weights on raw inputs do much worse."""
    ckpt = str(tmp_path / "blobs.npz")
    assert run_cli(capsys, "train", "--dataset", "blobs", "--samples", "400", "--epochs", "5",
                   "--save", ckpt, "--quiet")[0] == 0
    trained = load_trained(ckpt)
    _, X_test, _, y_test = load_split("blobs", 0, 400)
    assert (trained.predict(X_test) == y_test).mean() >= 0.95
    with mg.no_grad():
        raw = trained.model(mg.tensor(X_test.astype(np.float32)))._data.argmax(1)
    assert (raw == y_test).mean() < 0.9


@pytest.mark.parametrize("content, message", [
    (b"1,2,3\n4,5,6\n", "the model takes 2 numbers per row"),
    (b"1,x\n", "is not a table of numbers"),
    (b"1,nan\n", "non-finite"),
])
def test_predict_bad_input_is_one_line(capsys, tmp_path, content, message):
    ckpt = str(tmp_path / "m.npz")
    assert run_cli(capsys, "train", "--samples", "100", "--epochs", "1", "--save", ckpt,
                   "--quiet")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, out, err = run_cli(capsys, "predict", ckpt, "--input", str(bad))
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_predict_refuses_other_files(capsys, tmp_path):
    other = tmp_path / "other.npz"
    mg.save({"weights": np.zeros(3)}, str(other))
    code, _, err = run_cli(capsys, "predict", str(other))
    assert code == 2 and "is not a checkpoint written by minigrad train --save" in err
    code, _, err = run_cli(capsys, "predict", str(tmp_path))
    assert code == 2 and "is a folder" in err
