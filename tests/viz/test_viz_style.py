"""Every optimizer stays visible and keeps its colour: styles, draw order, the GIF palette."""
import numpy as np
import pytest

from minigrad import viz
from minigrad.viz.style import COLORS, style

pytest.importorskip("matplotlib")


def _rgb(name):
    from PIL import ImageColor
    return ImageColor.getrgb(name)[:3]


def test_lineup_paths_differ_in_colour_dash_and_marker_and_wider_ones_go_under():
    result = viz.race("saddle", list(viz.DEFAULT_LINEUP), steps=20)
    fig = viz.plot_race(result, figsize=(3, 3), dpi=40)
    paths = [ln for ln in fig.axes[0].get_lines() if ln.get_label() in
             {t.label for t in result} | {f"{t.label} ({t.status} at {t.stopped_at})"
                                           for t in result}]
    assert len(paths) == len(result) == 7
    looks = {(ln.get_color(), str(ln._unscaled_dash_pattern), ln.get_marker()) for ln in paths}
    assert len({c for c, _, _ in looks}) == 7
    assert len({d for _, d, _ in looks}) >= 4 and len({m for _, _, m in looks}) == 7
    widths = [ln.get_linewidth() for ln in paths]
    orders = [ln.get_zorder() for ln in paths]
    assert widths == sorted(widths, reverse=True) and orders == sorted(orders)
    assert widths[0] > widths[-1] + 1  # the widest shows as an outline round the narrowest


def test_styles_never_repeat_all_three_for_many_optimizers():
    looks = [style(i, 40) for i in range(40)]
    assert len({(s.color, str(s.linestyle), s.marker) for s in looks}) == 40
    assert not {"*", "X"} & {s.marker for s in looks}  # the minimum's and divergence's shapes


def test_shared_palette_keeps_a_colour_only_early_frames_show():
    from PIL import Image
    from minigrad.viz.animate import shared_palette
    ramp = np.linspace(0, 255, 96, dtype=np.uint8)
    background = np.stack(list(np.meshgrid(ramp, ramp)) + [np.full((96, 96), 128, np.uint8)], -1)
    frames = []
    for k in range(10):
        a = background.copy()
        if k < 3:
            a[40:44, 40:44] = (214, 39, 40)  # a small red mark, gone in the last frames
        frames.append(Image.fromarray(a))
    out = shared_palette(frames, reserved=["#d62728"])
    first = np.asarray(out[0].convert("RGB"))
    assert tuple(first[41, 41]) == (214, 39, 40)
    # the rest of the picture still gets a full palette: no colour is off by much
    error = np.abs(first.astype(int) - np.asarray(frames[0], int)).max()
    assert error <= 24


@pytest.mark.parametrize("surface", ["beale", "quadratic"])
def test_gif_keeps_every_path_colour_and_the_gold_minimum(tmp_path, surface):
    from PIL import Image
    result = viz.race(surface, list(viz.DEFAULT_LINEUP), steps=30)
    path = tmp_path / "race.gif"
    viz.animate_race(result, path, frames=6, dpi=80)
    seen = set()
    with Image.open(path) as im:
        for k in range(im.n_frames):
            im.seek(k)
            colours = {tuple(c) for c in np.asarray(im.convert("RGB")).reshape(-1, 3)}
            assert _rgb("gold") in colours, f"frame {k} lost the minimum's gold"
            seen |= colours
    for i in range(len(result)):
        assert _rgb(COLORS[i]) in seen, f"{result[i].label}'s colour is gone"
