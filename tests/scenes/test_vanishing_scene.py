"""The vanishing/exploding scene at 50 steps, rendered dry: chains, maps and plot are the
Trace's norms."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from manim import ImageMobject, ManimColor, tempconfig
from manim.utils.testing.frames_comparison import frames_comparison

from rnn.errors import UnrolledError
from rnn.model import text_model
from rnn.studies.problems import error_decay
from scenes.beats.inputs import SceneInput
from scenes.components.caption_band import BAND_HEIGHT
from scenes.components.heatmap import log_pixels, log_range
from scenes.components.limits import MAX_VANISHING_STEPS
from scenes.components.vanishing_map import numbered_steps, rgba_hex
from scenes.vanishing import VANISHING_TEXT, VanishingScene, prepare_input

__module_test__ = "vanishing"  # control frames live in control_data/vanishing/


@pytest.fixture(scope="module")
def render(dry_run):
    """``render(media_dir, scene_input)``: the scene after a dry run (animations jump to their
    end) on a small frame, where painting the maps costs little."""

    def run(media, inp):
        with tempconfig({"pixel_width": 320, "pixel_height": 180}):
            return dry_run(VanishingScene, inp, media)

    return run


@pytest.fixture(scope="module")
def default(tmp_path_factory, render):
    """The scene given no vanishing input: it builds its own, with the defaults."""
    scene = render(tmp_path_factory.mktemp("media"), SceneInput(trace=text_model().trace()))
    return scene, scene.board.inp


def _plotted(scene, key):
    """(x, y) of each dot of a curve, read back in axis coordinates."""
    plot = scene.board.plot
    return [tuple(plot.axes.point_to_coords(d.get_center())[:2]) for d in plot.curves[key].dots]


def _shown(scene):
    return scene.get_mobject_family_members()


def test_the_default_chain_is_fifty_steps(default):
    scene, inp = default
    assert len(VANISHING_TEXT) == 51
    assert inp.extra["small"].T == inp.extra["large"].T == scene.board.T == 50
    assert scene.board.plot.y_label.original_text == "‖∂L(50)/∂h(t)‖, log scale"


def test_beats_are_named_and_narrated(default):
    scene, inp = default
    assert scene.board.beats == ["two networks", "radius 0.5", "radius 1.8", "the maps",
                                 "log plot"]
    told = scene.narrated  # one sentence per beat
    assert len(told) == 5
    captions = [caption for _, caption, _ in told]
    assert "vanishes" in captions[1] and "explodes" in captions[2]
    row = inp.extra["small"].error_by_source_norms()[49]
    assert f"{row[49]:.1e} at step 50, {row[0]:.1e} at step 1" in captions[1]
    for _, _, spoken in told:
        assert not set("/()^_") & set(spoken), spoken


@pytest.mark.parametrize("key", ["small", "large"])
def test_map_pixels_are_the_error_norms_on_the_log_colour_map(default, key):
    scene, inp = default
    b = scene.board
    norms = inp.extra[key].error_by_source_norms()
    both = np.concatenate([inp.extra[k].error_by_source_norms().ravel()
                           for k in ("small", "large")])
    assert (b.lo, b.hi) == log_range(both)  # one scale for both maps
    pixels = b.maps[key].image.pixel_array
    assert pixels.shape == (50, 50, 4)
    np.testing.assert_array_equal(pixels, log_pixels(norms, b.lo, b.hi))
    upper = np.triu(np.ones((50, 50), dtype=bool), k=1)  # s < t: no error, transparent
    assert (pixels[upper][:, 3] == 0).all() and (pixels[~upper][:, 3] == 255).all()
    assert b.maps[key].image in _shown(scene)
    assert b.maps[key].curtain not in _shown(scene)  # every column uncovered at the end


def test_the_small_radius_fades_from_the_diagonal_and_the_large_does_not(default):
    b = default[0].board
    brightness = {k: m.image.pixel_array[-1, :, :3].astype(int).sum(axis=1)
                  for k, m in b.maps.items()}  # row L(50), t = 1..50
    assert brightness["small"][0] < brightness["small"][-1] - 200  # dark far from the diagonal
    assert brightness["large"][0] > brightness["large"][-1]  # brighter far from it


@pytest.mark.parametrize("key", ["small", "large"])
def test_chain_colours_and_numbers_are_the_recorded_decay(default, key):
    scene, inp = default
    b = scene.board
    trace = inp.extra[key]
    chain, numbers = b.chains[key], b.numbers[key]
    row = trace.error_by_source_norms()[49]  # dL(50)/dh(t), t = 1..50
    _, log_norm = error_decay(trace)  # t = 50 .. 1
    assert chain.log_norm == tuple(float(v) for v in log_norm[::-1])
    colors = log_pixels(row, b.lo, b.hi)  # the map's last row
    assert sorted(chain.segments) == list(range(1, 51))
    for t, segment in chain.segments.items():
        assert segment.get_color().to_hex() == rgba_hex(colors[t - 1])
        assert segment in _shown(scene)
    assert sorted(numbers) == [1, 25, 50] == sorted(numbered_steps(50))
    for t, number in numbers.items():
        assert number.original_text == f"{row[t - 1]:.1e}"
        assert number in _shown(scene)
        assert abs(number.get_x() - chain.dots[t - 1].get_x()) < 1e-9  # under its step


@pytest.mark.parametrize("key", ["small", "large"])
def test_plotted_points_are_the_log_of_the_traces_error_norms(default, key):
    scene, inp = default
    trace = inp.extra[key]
    T = trace.T
    norms = trace.error_by_source_norms()[T - 1]  # dL(T)/dh(t)
    points = _plotted(scene, key)
    assert len(points) == T
    for x, y in points:
        t = T - round(x)
        assert abs(x - (T - t)) < 1e-9
        assert abs(y - np.log10(norms[t - 1])) < 1e-9


def test_one_curve_fades_and_the_other_grows(default):
    scene, _ = default
    small, large = _plotted(scene, "small"), _plotted(scene, "large")
    assert small[-1][1] < small[0][1] - 10  # ten decades smaller after 49 steps back
    assert large[-1][1] > large[0][1] + 1  # ten times larger


def _box(mob):
    return (*mob.get_corner([-1, -1, 0])[:2], *mob.get_corner([1, 1, 0])[:2])


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_nothing_overlaps_and_the_caption_band_stays_clear(default):
    b = default[0].board
    parts = {"plot": b.plot, **{f"map {k}": m for k, m in b.maps.items()}}
    for key, chain in b.chains.items():
        parts[f"chain {key}"] = chain
        parts.update({f"number {key} {t}": n for t, n in b.numbers[key].items()})
    boxes = {name: _box(mob) for name, mob in parts.items()}
    clashes = [(p, q) for p in boxes for q in boxes if p < q and _overlap(boxes[p], boxes[q])
               and not (p.startswith("chain") and q.startswith(f"number {p[6:]}"))]
    assert clashes == []
    for mob in default[0].mobjects:
        x0, y0, x1, y1 = _box(mob)
        assert y0 > -4 + BAND_HEIGHT and y1 < 4 and x0 > -7.11 and x1 < 7.11, mob


def test_changing_the_radius_changes_the_picture(default, tmp_path, render):
    scene, _ = default
    inp = prepare_input({"radius": 1.2}, theme="light", seed=1, text="hello world")
    other = render(tmp_path, inp)
    assert ManimColor(other.camera.background_color).to_hex() == "#FFFFFF"  # light theme
    assert other.board.beats[2] == "radius 1.2"
    assert other.board.T == 10 and sorted(other.board.numbers["large"]) == [1, 5, 10]
    assert len(_plotted(other, "large")) == 10 < len(_plotted(scene, "large"))
    norms = inp.extra["large"].error_by_source_norms()[9]
    assert [y for _, y in _plotted(other, "large")] == pytest.approx(
        list(np.log10(norms[::-1])), abs=1e-9)
    assert inp.extra["large"].config.radius == 1.2


def test_without_a_vanishing_input_the_scene_uses_the_defaults(default):
    scene, inp = default
    assert inp.extra["scene"] == "vanishing"
    assert inp.extra["radii"] == {"small": 0.5, "large": 1.8}
    assert inp.extra["large"].config.radius == 1.8 and inp.extra["small"].config.radius == 0.5
    assert inp.extra["large"].T == len(VANISHING_TEXT) - 1
    assert len(scene.board.plot.curves) == 2


@pytest.mark.parametrize("options, match", [
    ({"radius": 0}, "radius"), ({"radius": -1.8}, "radius"), ({"radius": "big"}, "radius"),
    ({"clip": 1.0}, "unknown"),
])
def test_bad_options_are_refused_in_one_line(options, match):
    with pytest.raises(UnrolledError, match=match) as err:
        prepare_input(options)
    assert "\n" not in str(err.value)


def test_the_longest_drawable_text_is_accepted():
    inp = prepare_input({}, text="ab" * 50 + "a")
    assert inp.extra["small"].T == MAX_VANISHING_STEPS == 100


@pytest.mark.parametrize("text", ["hi", "ab" * 51])
def test_texts_outside_the_drawable_length_are_refused_in_one_line(text):
    with pytest.raises(UnrolledError, match=f"2 to {MAX_VANISHING_STEPS} steps") as err:
        prepare_input({}, text=text)
    assert "\n" not in str(err.value)


def test_the_command_line_refuses_a_text_too_long_in_one_line(tmp_path):
    root = Path(__file__).resolve().parents[2]
    res = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "render", "vanishing",
                          "--text", "ab" * 51, "--format", "png", "--out", str(tmp_path)],
                         check=False, cwd=root, capture_output=True, text=True)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), res.stderr
    assert "at most" in lines[0] or f"2 to {MAX_VANISHING_STEPS} steps" in lines[0]
    assert list(tmp_path.iterdir()) == []


@frames_comparison(last_frame=True, base_scene=VanishingScene)
def test_last_frame_with_the_defaults(scene):
    # No input set: the scene falls back to its own defaults (dark theme)
    VanishingScene.construct(scene)


def test_a_map_is_one_image(default):
    images = [m for m in default[0].get_mobject_family_members()
              if isinstance(m, ImageMobject)]
    assert len(images) == 3  # two maps and the colour bar, not thousands of squares
