"""Rendering: PNG and GIF files are produced and valid; matplotlib stays optional."""
import subprocess
import sys

import pytest

from minigrad import viz
from minigrad.viz.animate import frame_steps

SMALL = dict(figsize=(3.0, 2.6), dpi=40)


@pytest.fixture(scope="module")
def result():
    return viz.race("rosenbrock", ["sgd", "adam", "sgd:lr=0.1"], steps=12)


@pytest.fixture(scope="module")
def saddle():
    return viz.race("saddle", ["sgd", "adam"], steps=8)


def test_import_does_not_need_matplotlib():
    code = ("import sys, minigrad as mg, minigrad.viz as v; v.race('saddle', ['sgd'], steps=2); "
            "v.graph(mg.tensor([1.0], requires_grad=True) * 2); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_gives_an_install_hint(monkeypatch, result, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(ImportError, match=r'pip install "minigrad\[viz\]"'):
        viz.plot_race(result, tmp_path / "x.png")


def test_frame_steps():
    assert frame_steps(10, 100) == list(range(11))
    assert frame_steps(200, 5) == [0, 50, 100, 150, 200]
    assert frame_steps(0, 10) == [0]
    assert frame_steps(7, 1) == [7]
    steps = frame_steps(1500, 100)
    assert len(steps) == 100 and steps[0] == 0 and steps[-1] == 1500
    assert steps == sorted(set(steps))
    with pytest.raises(ValueError, match="frames"):
        frame_steps(10, 0)


@pytest.mark.parametrize("kind", ["contour", "surface"])
def test_png_is_written_and_valid(result, tmp_path, kind):
    pytest.importorskip("matplotlib")
    from PIL import Image
    path = tmp_path / f"race_{kind}.png"
    fig = viz.plot_race(result, path, kind=kind, **SMALL)
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (120, 104)
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert "SGD" in labels and "Adam" in labels
    if kind == "contour":
        assert "minimum" in labels and "start" in labels
        assert any(label.startswith("SGD (lr=0.1) (diverged at") for label in labels)


def test_loss_plot_is_written(result, saddle, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image
    fig = viz.plot_losses(result, tmp_path / "loss.png", **SMALL)
    assert fig.axes[0].get_yscale() == "log"  # Rosenbrock has a known minimum value
    fig = viz.plot_losses(saddle, tmp_path / "saddle_loss.png", **SMALL)
    assert fig.axes[0].get_yscale() == "linear"  # the saddle falls without bound
    for name in ("loss.png", "saddle_loss.png"):
        with Image.open(tmp_path / name) as im:
            im.verify()


@pytest.mark.parametrize("frames, expected", [(5, 5), (100, 9)])
def test_gif_has_the_expected_number_of_frames(saddle, tmp_path, frames, expected):
    pytest.importorskip("matplotlib")
    from PIL import Image
    path = tmp_path / "race.gif"
    n = viz.animate_race(saddle, path, frames=frames, fps=10, **SMALL)
    assert n == expected == len(frame_steps(saddle.steps, frames))
    with Image.open(path) as im:
        assert im.format == "GIF" and im.is_animated and im.n_frames == expected
        assert im.size == (120, 104)
        assert im.info.get("loop") == 0 and im.info.get("duration") == 100


def test_gif_of_a_race_with_a_divergent_optimizer(result, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image
    n = viz.animate_race(result, tmp_path / "div.gif", frames=4, **SMALL)
    with Image.open(tmp_path / "div.gif") as im:
        assert im.n_frames == n == 4


def test_bad_render_arguments(result, tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(ValueError, match="contour.*surface"):
        viz.plot_race(result, kind="heatmap")
    with pytest.raises(ValueError, match=".gif"):
        viz.animate_race(result, tmp_path / "x.mp4")
