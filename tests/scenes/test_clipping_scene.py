"""The clipping scene, rendered dry: norms and steps are the engine's Updates."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor
from manim.utils.testing.frames_comparison import frames_comparison

from rnn.errors import UnrolledError
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.clipping import BAR_LENGTH, ClippingScene, norm_text, prepare_input
from scenes.components.theme import format_value

__module_test__ = "clipping"  # control frames live in control_data/clipping/


@pytest.fixture(scope="module")
def render(dry_run):
    """``render(media_dir, scene_input)``: the scene after a dry run (animations jump to their end)."""
    return lambda media, inp: dry_run(ClippingScene, inp, media)


@pytest.fixture(scope="module")
def default(tmp_path_factory, render):
    inp = prepare_input({})
    return render(tmp_path_factory.mktemp("media"), inp), inp


def _matrix(values) -> str:
    return "\n".join(" ".join(format_value(v) for v in row) for row in values)


def test_the_default_case_explodes_and_is_clipped():
    e = prepare_input({}).extra
    assert e["plain"].update.clip is None and e["clipped"].update.clip == 1.0
    assert e["clipped"].update.clip_mode == "norm"
    assert e["plain"].update.grad_norm > 10  # far beyond the threshold
    assert e["clipped"].update.grad_norm_clipped == pytest.approx(1.0)
    assert e["plain"].config.radius == 1.8


def test_beats_are_named_and_narrated(default):
    scene, inp = default
    assert scene.board.beats == ["exploding", "clip", "steps"]
    captions = [caption for _, caption, _ in scene.narrated]  # one sentence per beat
    assert len(captions) == 3
    assert norm_text(inp.extra["plain"].update.grad_norm) in captions[0]


def test_bars_show_the_norms_before_and_after_clipping(default):
    scene, inp = default
    e, bars = inp.extra, scene.board.bars
    before, after = e["plain"].update.grad_norm, e["clipped"].update.grad_norm_clipped
    assert bars["plain"].value == before and bars["clipped"].value == after
    assert bars["plain"].number.original_text == f"‖g‖ = {norm_text(before)}"
    assert bars["clipped"].number.original_text == f"‖g‖ = {norm_text(after)}"
    # lengths are proportional to the norms; the threshold sits at C on the same scale
    assert bars["plain"].bar.width == pytest.approx(BAR_LENGTH)
    assert bars["clipped"].bar.width / bars["plain"].bar.width == pytest.approx(after / before)
    wall_x = scene.board.threshold[0].get_center()[0]
    assert wall_x == pytest.approx(bars["clipped"].bar.get_right()[0])  # clipped to exactly C
    assert all(b.bar in scene.mobjects and b.number in scene.mobjects for b in bars.values())


def test_steps_are_the_engines_parameter_steps(default):
    scene, inp = default
    e = inp.extra
    for key, trace in (("plain", e["plain"]), ("clipped", e["clipped"])):
        column = scene.board.steps[key]
        step = trace.update.params_after.W - trace.params.W  # independent of rnn.studies.problems
        np.testing.assert_allclose(e["step"][key]["W"], step, atol=1e-15)
        assert column.matrix.original_text == _matrix(e["step"][key]["W"])
        assert column.size.original_text == f"‖Δθ‖ = {norm_text(e['step_norm'][key])}"
        assert column in scene.mobjects
    assert e["step_norm"]["plain"] == pytest.approx(0.1 * e["plain"].update.grad_norm)
    assert e["step_norm"]["clipped"] == pytest.approx(0.1 * 1.0)


def test_changing_the_threshold_changes_the_picture(default, tmp_path, render):
    scene, _ = default
    inp = prepare_input({"clip": 5.0, "radius": 2.5}, theme="light")
    other = render(tmp_path, inp)
    assert ManimColor(other.camera.background_color).to_hex() == "#FFFFFF"  # light theme
    after = inp.extra["clipped"].update.grad_norm_clipped
    assert after == pytest.approx(5.0)
    assert other.board.bars["clipped"].number.original_text == f"‖g‖ = {norm_text(after)}"
    assert other.board.bars["plain"].value != scene.board.bars["plain"].value
    assert other.board.steps["clipped"].matrix.original_text != \
        scene.board.steps["clipped"].matrix.original_text


def test_without_a_clipping_input_the_scene_uses_the_defaults(tmp_path, render):
    scene = render(tmp_path, SceneInput(trace=text_model().trace()))
    assert scene.board.inp.extra["clip"] == 1.0 and scene.board.inp.extra["radius"] == 1.8


@pytest.mark.parametrize("options, match", [
    ({"clip": 0}, "clip"), ({"clip": -1.0}, "clip"), ({"radius": 0}, "radius"),
    ({"radius": -2}, "radius"), ({"clip": None}, "clip"), ({"window": 4}, "unknown"),
])
def test_bad_options_are_refused_in_one_line(options, match):
    with pytest.raises(UnrolledError, match=match) as err:
        prepare_input(options)
    assert "\n" not in str(err.value)


@frames_comparison(last_frame=True, base_scene=ClippingScene)
def test_last_frame_with_the_defaults(scene):
    # No input set: the scene falls back to its own defaults (dark theme)
    ClippingScene.construct(scene)
