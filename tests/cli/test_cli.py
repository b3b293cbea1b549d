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
    (["train", "--lr", "-1"], "--lr must be a finite number > 0, got -1.0"),
    (["train", "--lr", "inf"], "--lr must be a finite number > 0, got inf"),
    (["train", "--lr", "nan"], "--lr must be a finite number > 0, got nan"),
    (["train", "--momentum", "1"], "--momentum must be a finite number in [0, 1), got 1.0"),
    (["train", "--weight-decay", "inf"], "--weight-decay must be a finite number >= 0, got inf"),
    (["train", "--samples", "3"], "--samples must be >= 10, got 3"),
    (["train", "--dataset", "blobs", "--samples", "12"], "--samples 12 is too few for blobs"),
    (["train", "--save", "/nonexistent/x.npz"], "--save: folder /nonexistent does not exist"),
    (["train", "--plot", "/nonexistent/x.png"], "--plot: folder /nonexistent does not exist"),
    (["train", "--plot", "p.xyz"], "--plot: cannot write .xyz; use .png, .svg, .pdf"),
    (["demo", "--plot", "d.xyz"], "--plot: cannot write .xyz; use .png"),
    (["demo", "--out", "d.xyz"], "--plot: cannot write .xyz"),  # the former spelling
    (["demo", "--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["predict", "/nonexistent/c.npz"], "no checkpoint at /nonexistent/c.npz"),
    (["train", "--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["train", "--batch-size", "0"], "--batch-size must be >= 1"),
    (["train", "--hidden", "16,x"], "--hidden must be comma-separated positive ints"),
    (["train", "--model", "cnn"], "--model cnn needs the 8x8 digits"),
    (["train", "--optimizer", "nesterov", "--momentum", "0"], "nesterov needs --momentum > 0"),
    (["train", "--resume", "/nonexistent/ckpt.npz"], "--resume: no checkpoint at /nonexistent/ckpt.npz"),
    (["train", "--steps", "5"], "--steps does not apply to --model mlp"),
    (["train", "--layers", "2", "--dropout", "0.1"], "--layers, --dropout do not apply to --model mlp"),
    (["train", "--model", "cnn", "--dataset", "digits", "--hidden", "8"], "--hidden does not apply to --model cnn"),
])
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, message):
    # Every one of these is found before the first epoch.
    code, out, err = run_cli(capsys, *argv)
    assert "loss" not in out
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


def test_adamw_keeps_its_default_weight_decay(capsys, tmp_path):
    """`--optimizer adamw` without --weight-decay is torch's AdamW (weight_decay=0.01), not Adam."""
    runs = {}
    for name in ("adam", "adamw"):
        ckpt = tmp_path / f"{name}.npz"
        assert run_cli(capsys, "train", "--optimizer", name, "--samples", "100", "--epochs", "2",
                       "--quiet", "--save", str(ckpt))[0] == 0
        runs[name] = mg.load(ckpt)
    assert runs["adamw"]["optimizer"]["param_groups"][0]["weight_decay"] == 0.01
    assert runs["adam"]["optimizer"]["param_groups"][0]["weight_decay"] == 0
    w = {k: np.asarray(r["model"]["0.weight"]) for k, r in runs.items()}
    assert not np.array_equal(w["adam"], w["adamw"])
    ckpt = tmp_path / "wd.npz"
    assert run_cli(capsys, "train", "--optimizer", "adamw", "--weight-decay", "0.5", "--samples",
                   "100", "--epochs", "1", "--quiet", "--save", str(ckpt))[0] == 0
    assert mg.load(ckpt)["optimizer"]["param_groups"][0]["weight_decay"] == 0.5


def test_resume_refuses_a_new_learning_rate_and_keeps_the_saved_one(capsys, tmp_path):
    ckpt = tmp_path / "c.npz"
    common = ["train", "--samples", "100", "--quiet"]
    assert run_cli(capsys, *common, "--epochs", "1", "--lr", "0.003", "--save", str(ckpt))[0] == 0
    code, _, err = run_cli(capsys, *common, "--epochs", "2", "--lr", "0.1", "--resume", str(ckpt))
    assert code == 2 and "--lr 0.003 (now 0.1)" in err and err.count("\n") == 1
    # the same value, or none at all, continues with the saved one
    for extra in (["--lr", "0.003"], []):
        code, _, err = run_cli(capsys, *common, "--epochs", "2", *extra, "--resume", str(ckpt),
                               "--save", str(tmp_path / "next.npz"))
        assert code == 0, err
        assert mg.load(tmp_path / "next.npz")["optimizer"]["param_groups"][0]["lr"] == 0.003


@pytest.mark.parametrize("argv, message", [
    (["train", "--epochs", "1", "--save", "{tmp}"], "--save: {tmp} is a folder; give a file name"),
    (["train", "--epochs", "1", "--plot", "{tmp}"], "--plot: {tmp} is a folder"),
    (["demo", "--epochs", "1", "--plot", "{tmp}"], "--plot: {tmp} is a folder"),
])
def test_a_folder_is_not_an_output_file(capsys, tmp_path, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and message.replace("{tmp}", str(tmp_path)) in err and "loss" not in out


def test_demo_prints_the_path_it_wrote(capsys, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "demo", "--epochs", "1", "--quiet")
    assert code == 0 and out.splitlines()[-1] == "picture: minigrad_demo.png"
    assert (tmp_path / "minigrad_demo.png").read_bytes()[:4] == b"\x89PNG"


def test_version():
    out = subprocess.run([sys.executable, "-m", "minigrad", "--version"], capture_output=True,
                         text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"minigrad {mg.__version__}"


def test_help_shows_every_default_and_hides_former_spellings():
    from minigrad.cli import build_parser
    parser = build_parser()
    subparsers = parser._subparsers._group_actions[0].choices
    for name, sub in subparsers.items():
        text = " ".join(sub.format_help().split())
        for action in sub._actions:
            if action.help == "==SUPPRESS==":
                assert action.option_strings[0] not in text
            elif (action.option_strings and action.default is not None
                  and action.default is not False and action.dest != "help"):
                assert f"(default: {action.default}" in text or "default:" in action.help, \
                    (name, action.dest)
    for old, new in (("--n-samples", "--samples"), ("--out", "--plot")):
        cmd = "train" if old == "--n-samples" else "demo"
        value = "100" if cmd == "train" else "x.png"
        assert vars(parser.parse_args([cmd, old, value])) == \
            vars(parser.parse_args([cmd, new, value]))


def test_closed_stdout_pipe_is_quiet():
    """`minigrad race --list | head -1`: the reader leaves; no BrokenPipeError traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "minigrad", "race", "--list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the command writes anything
    err = proc.stderr.read().decode()
    proc.wait()
    assert err == "" and proc.returncode == 141


def test_progress_bar_overwrites_a_longer_previous_line():
    tty = FakeTTY()
    p = Progress(2, stream=tty)
    p.update(1, 0.5, 0.9, 10_000_000)  # a long steps/s figure
    p.update(2, 0.5, 0.9, 1)  # a short one
    first, second = tty.getvalue().split("\r")[1:]
    assert len(second.rstrip("\n")) >= len(first)


def test_training_picture_draws_the_data_in_its_units_with_equal_axes(tmp_path):
    """Circles come out as circles: equal axes, in the data's own units (not standardised)."""
    pytest.importorskip("matplotlib")
    from minigrad.cli.plots import save_training_figure
    from minigrad.cli.progress import Progress
    from minigrad.cli.recipes import load_split
    from minigrad.cli.trainer import TrainConfig, fit
    config = TrainConfig(dataset="circles", epochs=1, n_samples=200)
    result = fit(config, Progress(1, mode="quiet"))
    fig = save_training_figure(result, tmp_path / "c.png", "circles")
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0
    raw_train = load_split("circles", 0, 200)[0]
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), raw_train, atol=1e-5)
