"""The minigrad command: demo, train, errors, progress output and checkpoint resume."""
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.cli import main
from minigrad.cli.progress import Progress


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_trains_and_reports(capsys, tmp_path):
    out_png = tmp_path / "demo.png"
    code, out, err = run_cli(capsys, "demo", "--epochs", "12", "--out", str(out_png))
    assert code == 0, err
    assert "epoch 12/12" in out and "steps/s" in out
    line = [ln for ln in out.splitlines() if ln.startswith("final:")][0]
    train_acc = float(line.split("train accuracy ")[1].split("%")[0])
    assert train_acc >= 90.0
    pytest.importorskip("matplotlib")
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"picture: {out_png}" in out


def test_quiet_prints_only_the_result(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "train", "--epochs", "2", "--quiet")
    assert code == 0
    assert out.strip().startswith("final:") and len(out.strip().splitlines()) == 1


@pytest.mark.parametrize("argv,message", [
    (["train", "--dataset", "mnist"], "unknown dataset 'mnist'; choose one of: moons, circles, spirals, blobs, digits"),
    (["train", "--optimizer", "adamx"], "unknown optimizer 'adamx'; choose one of: sgd, momentum, nesterov"),
    (["train", "--model", "rnn"], "unknown model 'rnn'; choose one of: mlp, cnn"),
    (["train", "--lr", "-1"], "--lr must be > 0, got -1.0"),
    (["train", "--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["train", "--batch-size", "0"], "--batch-size must be >= 1"),
    (["train", "--hidden", "16,x"], "--hidden must be comma-separated positive ints"),
    (["train", "--model", "cnn"], "--model cnn needs the 8x8 digits"),
    (["train", "--optimizer", "nesterov", "--momentum", "0"], "nesterov needs --momentum > 0"),
    (["train", "--resume", "/nonexistent/ckpt.npz"], "--resume: no checkpoint at /nonexistent/ckpt.npz"),
])
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert "Traceback" not in err


def test_argparse_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--epochs", "ten"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--epochs" in err


def test_resume_matches_uninterrupted_run(capsys, tmp_path):
    full, part = tmp_path / "full.npz", tmp_path / "part.npz"
    common = ["train", "--dataset", "circles", "--optimizer", "adam", "--samples", "200",
              "--batch-size", "16", "--quiet"]
    assert run_cli(capsys, *common, "--epochs", "4", "--save", str(full))[0] == 0
    assert run_cli(capsys, *common, "--epochs", "2", "--save", str(part))[0] == 0
    code, out, err = run_cli(capsys, *common, "--epochs", "4", "--resume", str(part), "--save", str(part))
    assert code == 0, err
    a, b = mg.load(full), mg.load(part)
    assert a["epoch"] == b["epoch"] == 4
    for key in a["model"]:
        np.testing.assert_array_equal(a["model"][key], b["model"][key])
    assert a["history"]["loss"] == b["history"]["loss"]


def test_resume_refuses_different_settings(capsys, tmp_path):
    ckpt = tmp_path / "c.npz"
    assert run_cli(capsys, "train", "--epochs", "1", "--samples", "100", "--quiet", "--save", str(ckpt))[0] == 0
    code, _, err = run_cli(capsys, "train", "--epochs", "2", "--samples", "100", "--optimizer", "sgd",
                           "--resume", str(ckpt))
    assert code == 2 and "optimizer='adam' (now 'sgd')" in err
    code, _, err = run_cli(capsys, "train", "--epochs", "1", "--samples", "100", "--resume", str(ckpt))
    assert code == 2 and "already has 1 epochs" in err
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a checkpoint")
    code, _, err = run_cli(capsys, "train", "--epochs", "2", "--resume", str(bad))
    assert code == 2 and "--resume" in err and len(err.strip().splitlines()) == 1


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_tty_and_lines_otherwise():
    tty = FakeTTY()
    p = Progress(3, stream=tty)
    for e in (1, 2, 3):
        p.update(e, 0.5, 0.9, 10)
    text = tty.getvalue()
    assert p.mode == "bar" and text.count("\r") == 3 and "[########################] epoch 3/3" in text
    plain = io.StringIO()
    p = Progress(100, stream=plain)
    for e in range(1, 101):
        p.update(e, 0.5, 0.9, 10)
    lines = plain.getvalue().splitlines()
    assert p.mode == "lines" and "\r" not in plain.getvalue() and 10 <= len(lines) <= 12


def test_python_dash_m_and_console_script():
    out = subprocess.run([sys.executable, "-m", "minigrad", "train", "--dataset", "nope"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "unknown dataset 'nope'" in out.stderr
    exe = os.path.join(os.path.dirname(sys.executable), "minigrad")
    if os.path.exists(exe):
        out = subprocess.run([exe, "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "demo" in out.stdout and "train" in out.stdout
