"""``minigrad race``: listing, user errors (one line, exit 2, the valid choices), small runs."""
import pytest

from minigrad.cli import main
from minigrad.viz import SURFACES
from minigrad.viz.optimizers import available_optimizers


def run(capsys, *argv):
    code = main(["race", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_function_and_optimizer(capsys):
    code, out, err = run(capsys, "--list")
    assert code == 0 and err == ""
    for name in list(SURFACES) + list(available_optimizers()):
        assert f"  {name} " in out


@pytest.mark.parametrize("argv, needle, choices", [
    (["--function", "banana"], "unknown function 'banana'", list(SURFACES)),
    (["--optimizers", "sgd,adamm"], "unknown optimizer 'adamm'", ["sgd", "momentum", "adam"]),
    (["--optimizers", "adam:lrr=1"], "no hyperparameter 'lrr'", ["lr", "betas", "eps"]),
    (["--optimizers", "adam:lr=-1"], "Invalid learning rate", []),
    (["--optimizers", ","], "give at least one of", ["sgd", "adam"]),
    (["--steps", "0"], "--steps must be a positive integer", []),
    (["--start", "1"], "--start: expected X,Y", []),
    (["--start", "1,nan"], "finite", []),
    (["--out", "race.mp4"], "cannot write .mp4", [".gif", ".png"]),
    (["--kind", "heatmap"], "unknown kind 'heatmap'", ["contour", "surface"]),
    (["--frames", "0"], "--frames must be a positive integer", []),
    (["--out", "/no/such/folder/race.gif"], "does not exist", []),
    (["--losses", "b.xyz"], "--losses: cannot write .xyz", [".png", ".svg"]),
    (["--out", "."], "--out: . is a folder", []),
    (["--start", "100,100"], "outside the saddle window", ["[-1.5, 1.5]"]),
    (["--dpi", "100000"], "--dpi must be in [10, 160] for a GIF", []),
    (["--dpi", "100000", "--out", "r.png"], "--dpi must be in [10, 600] for a still", []),
    (["--steps", "10000000"], "--steps must be at most 100000", []),
    (["--kind", "surface"], "--kind surface draws a still picture", []),
    (["--fps", "5", "--out", "r.png"], "--frames and --fps apply to a GIF", []),
])
def test_user_errors_are_one_line_with_choices(capsys, argv, needle, choices):
    if needle == "Invalid learning rate":  # found when the optimizers are built, after the
        pytest.importorskip("matplotlib")  # check that drawing is possible
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("minigrad race: error: ")
    assert needle in err
    for choice in choices:
        assert choice in err


def test_argparse_errors_are_one_line_too(capsys):
    with pytest.raises(SystemExit) as e:
        main(["race", "--steps", "many"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "invalid int value" in err


def test_png_run_with_loss_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image
    out_png, loss_png = tmp_path / "r.png", tmp_path / "loss.png"
    code, out, err = run(capsys, "--function", "beale", "--optimizers", "sgd,adam:lr=0.1",
                         "--steps", "5", "--out", str(out_png), "--losses", str(loss_png),
                         "--dpi", "30")
    assert code == 0, err
    assert "Adam (lr=0.1)" in out and f"wrote {out_png}" in out
    for path in (out_png, loss_png):
        with Image.open(path) as im:
            im.verify()


def test_gif_run(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image
    gif = tmp_path / "r.gif"
    code, out, err = run(capsys, "--optimizers", "sgd,rmsprop", "--steps", "6", "--frames",
                         "4", "--dpi", "30", "--quiet", "--out", str(gif))
    assert code == 0, err
    assert out.strip() == f"wrote {gif} (4 frames)"
    with Image.open(gif) as im:
        assert im.n_frames == 4


def test_missing_matplotlib_is_a_one_line_error(capsys, monkeypatch, tmp_path):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run(capsys, "--steps", "2", "--out", str(tmp_path / "r.png"))
    assert code == 2 and 'pip install "minigrad[viz]"' in err and err.count("\n") == 1
