"""The vanishing/exploding scene, rendered dry: arrows and plot are the Trace's norms."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor
from manim.utils.testing.frames_comparison import frames_comparison

from rnn.errors import UnrolledError
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.components.arrows import arrow_width
from scenes.vanishing import VanishingScene, prepare_input

__module_test__ = "vanishing"  # control frames live in control_data/vanishing/


@pytest.fixture(scope="module")
def render(dry_run):
    """``render(media_dir, scene_input)``: the scene after a dry run (animations jump to their end)."""
    return lambda media, inp: dry_run(VanishingScene, inp, media)


@pytest.fixture(scope="module")
def default(tmp_path_factory, render):
    inp = prepare_input({})
    return render(tmp_path_factory.mktemp("media"), inp), inp


def _plotted(scene, key):
    """(x, y) of each dot of a curve, read back in axis coordinates."""
    plot = scene.board.plot
    return [tuple(plot.axes.point_to_coords(d.get_center())[:2]) for d in plot.curves[key].dots]


def test_beats_are_named_and_narrated(default):
    scene, _ = default
    assert scene.board.beats == ["two networks", "radius 0.5", "radius 1.8", "log plot"]
    captions = [caption for _, caption, _ in scene.narrated]  # one sentence per beat
    assert len(captions) == 4
    assert "vanishes" in captions[1] and "explodes" in captions[2]


@pytest.mark.parametrize("key", ["small", "large"])
def test_plotted_points_are_the_log_of_the_traces_error_norms(default, key):
    scene, inp = default
    trace = inp.extra[key]
    T = trace.T
    norms = trace.error_by_source_norms()[T - 1]  # dL(T)/dh(t)
    points = _plotted(scene, key)
    assert len(points) == T
    for x, y in points:
        t = T - int(round(x))
        assert abs(x - (T - t)) < 1e-9
        assert abs(y - np.log10(norms[t - 1])) < 1e-9


def test_one_curve_fades_and_the_other_grows(default):
    scene, _ = default
    small, large = _plotted(scene, "small"), _plotted(scene, "large")
    assert small[-1][1] < small[0][1] - 2  # a hundred times smaller after 7 steps back
    assert large[-1][1] > large[0][1] + 1  # ten times larger


def test_arrows_follow_the_real_norms(default):
    scene, inp = default
    for key, chain in scene.board.chains.items():
        trace = inp.extra[key]
        norms = trace.error_by_source_norms()[trace.T - 1]
        top = float(norms.max())
        assert sorted(chain.arrows) == list(range(1, trace.T + 1))
        for t, arrow in chain.arrows.items():
            assert arrow.source == trace.T  # (.target is manim's own attribute, reset by it)
            assert arrow.magnitude == float(norms[t - 1])
            assert arrow.get_stroke_width() == pytest.approx(arrow_width(norms[t - 1], top))
            assert chain.numbers[t].original_text == f"{norms[t - 1]:.1e}"
            assert arrow in scene.mobjects
    small, large = scene.board.chains["small"].arrows, scene.board.chains["large"].arrows
    assert small[1].get_stroke_width() < small[8].get_stroke_width()
    assert large[1].get_stroke_width() > large[8].get_stroke_width()
    assert small[1].get_color() != large[1].get_color()


def test_axes_say_what_is_plotted(default):
    scene, _ = default
    plot = scene.board.plot
    assert "log" in plot.y_label.original_text and "L(8)" in plot.y_label.original_text
    assert "s − t" in plot.x_label.original_text
    assert plot in scene.mobjects


def test_changing_the_radius_changes_the_picture(default, tmp_path, render):
    scene, _ = default
    inp = prepare_input({"radius": 1.2}, theme="light", seed=1)
    other = render(tmp_path, inp)
    assert ManimColor(other.camera.background_color).to_hex() == "#FFFFFF"  # light theme
    assert other.board.beats[2] == "radius 1.2"
    assert _plotted(other, "large") != _plotted(scene, "large")
    norms = inp.extra["large"].error_by_source_norms()[7]
    assert [y for _, y in _plotted(other, "large")] == pytest.approx(
        list(np.log10(norms[::-1])), abs=1e-9)
    assert inp.extra["large"].config.radius == 1.2


def test_without_a_vanishing_input_the_scene_uses_the_defaults(tmp_path, render):
    scene = render(tmp_path, SceneInput(trace=text_model().trace()))
    assert scene.board.inp.extra["radii"] == {"small": 0.5, "large": 1.8}
    assert len(scene.board.plot.curves) == 2


@pytest.mark.parametrize("options, match", [
    ({"radius": 0}, "radius"), ({"radius": -1.8}, "radius"), ({"radius": "big"}, "radius"),
    ({"clip": 1.0}, "unknown"),
])
def test_bad_options_are_refused_in_one_line(options, match):
    with pytest.raises(UnrolledError, match=match) as err:
        prepare_input(options)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text", ["hi", "hello world, hello"])
def test_texts_outside_the_drawable_length_are_refused(text):
    with pytest.raises(UnrolledError, match="characters"):
        prepare_input({}, text=text)


@frames_comparison(last_frame=True, base_scene=VanishingScene)
def test_last_frame_with_the_defaults(scene):
    # No input set: the scene falls back to its own defaults (dark theme)
    VanishingScene.construct(scene)
