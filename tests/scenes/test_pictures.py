"""Trace to picture: after a dry run, what is on screen equals what the Trace recorded."""

import copy

import numpy as np
import pytest
from frame_geometry import assert_frames_readable
from manim import Scene, tempconfig

from rnn import run
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import scale_of
from scenes.bptt import BPTTScene
from scenes.components import ErrorArrow, UnrolledNetwork, arrow_width
from scenes.components.theme import THEMES, format_value
from scenes.forward import ForwardScene
from scenes.gradients import GradientsScene
from scenes.lecture import LectureScene


def on_screen(scene) -> list:
    return scene.get_mobject_family_members()


def test_forward_prints_the_trace_values_inside_the_neurons(hello_trace, tmp_path, dry_run):
    scene = dry_run(ForwardScene, SceneInput(hello_trace, values=True), tmp_path)
    net, shown = scene.stage.net, on_screen(scene)
    for layer, t, i, arr in [("h", 1, 0, hello_trace.h), ("h", 4, 2, hello_trace.h),
                             ("o", 2, 1, hello_trace.yhat), ("x", 3, 2, hello_trace.X)]:
        neuron = net.neurons(layer, t)[i]
        assert neuron.label in shown  # the Text drawn is the one built for this value
        assert neuron.label.text == format_value(arr[t - 1, i])
    losses = [m.text for m in scene.stage.loss_labels]
    assert losses == [f"L={format_value(v)}" for v in hello_trace.losses]
    sources = THEMES["dark"].source_colors(hello_trace.T)
    assert [m[0].get_fill_color() for m in scene.stage.loss_labels] == sources
    assert scene.stage.band.loss_total.text.endswith(format_value(hello_trace.cumulative_losses[-1]))


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_forward_fills_neurons_with_the_theme_colour_of_their_value(hello_trace, tmp_path,
                                                                   dry_run, theme):
    scene = dry_run(ForwardScene, SceneInput(hello_trace, theme=theme), tmp_path)
    th, net = THEMES[theme], scene.stage.net
    assert scene.camera.background_color.to_hex() == th.background.upper()
    for t in range(1, hello_trace.T + 1):
        for i, v in enumerate(hello_trace.h[t - 1]):
            assert net.neurons("h", t)[i].circle.get_fill_color() == th.value_color(v, 1.0)
        for i, v in enumerate(hello_trace.yhat[t - 1]):
            assert net.neurons("o", t)[i].circle.get_fill_color() == th.value_color(v, 1.0)


def test_bptt_draws_one_arrow_per_source_and_earlier_step_in_the_source_colour(
        hello_trace, tmp_path, dry_run):
    scene = dry_run(BPTTScene, SceneInput(hello_trace), tmp_path)
    arrows = [m for m in on_screen(scene) if isinstance(m, ErrorArrow)]
    norms = hello_trace.error_by_source_norms()
    T = hello_trace.T
    assert len({id(a) for a in arrows}) == np.count_nonzero(~np.isnan(norms)) == T * (T + 1) // 2
    colors = THEMES["dark"].source_colors(T)
    top = np.nanmax(norms)
    pairs = set()
    for a in {id(a): a for a in arrows}.values():
        assert a.source >= a.step
        assert a.get_color() == colors[a.source - 1]
        norm = norms[a.source - 1, a.step - 1]
        assert a.get_stroke_width() == pytest.approx(arrow_width(norm, top))
        pairs.add((a.source, a.step))
    assert pairs == {(s, t) for s in range(1, T + 1) for t in range(1, s + 1)}
    # backward arrows point from step t+1 to step t: right to left
    for a in arrows:
        if a.source > a.step:
            assert a.get_start()[0] > a.get_end()[0]
    # hidden neurons end on dL/da, outputs on dL/do
    th, net = THEMES["dark"], scene.stage.net
    for t in range(1, T + 1):
        for i, v in enumerate(hello_trace.dL_da[t - 1]):
            want = th.value_color(v, scale_of(hello_trace.dL_da))
            assert net.neurons("h", t)[i].circle.get_fill_color() == want


def test_changing_a_weight_in_the_trace_changes_what_is_drawn(hello_trace, tmp_path, dry_run):
    params = copy.deepcopy(hello_trace.params)
    params.W[0, 0] += 1.0
    changed = run(params, hello_trace.X, hello_trace.targets, hello_trace.h0)
    before = dry_run(ForwardScene, SceneInput(hello_trace, values=True), tmp_path / "a")
    after = dry_run(ForwardScene, SceneInput(changed, values=True), tmp_path / "b")
    label_a = before.stage.net.neurons("h", 3)[0].label.text
    label_b = after.stage.net.neurons("h", 3)[0].label.text
    assert label_b == format_value(changed.h[2, 0])
    assert label_a != label_b


def test_highlighting_W_highlights_every_copy_and_nothing_else(hello_trace, tmp_path):
    net = UnrolledNetwork(hello_trace)
    T, H = hello_trace.h.shape
    assert net.highlighted_steps("W") == []

    class Highlight(Scene):
        def construct(self):
            self.add(net)
            self.play(*net.highlight_animations("W"))

    with tempconfig({"dry_run": True, "media_dir": str(tmp_path)}):
        scene = Highlight()
        scene.render()
    assert net.highlighted_steps("W") == list(range(2, T + 1))  # every drawn copy (h(0) is not)
    assert net.highlighted_steps("U") == [] and net.highlighted_steps("V") == []
    shown = scene.get_mobject_family_members()
    color = THEMES["dark"].param_color("W")
    for t in range(2, T + 1):
        lines, label = net.overlays["W", t]
        assert lines in shown and len(lines) == H * H == len(net.connections("W", t))
        assert all(line.get_stroke_color() == color for line in lines)
        assert label[0].original_text == "W"  # the same name at every step
    labels = net.param_labels("W")
    assert {lab[0].original_text for lab in labels if len(lab)} == {"W"}


def test_gradients_show_the_trace_contributions_totals_and_new_parameters(hello_trace, tmp_path,
                                                                         dry_run):
    scene = dry_run(GradientsScene, SceneInput(hello_trace), tmp_path)
    panel = scene.stage.panel[1]  # the last panel: new parameters
    after = hello_trace.update.params_after
    for name in ("U", "W", "V", "b", "c"):
        assert panel.shown[name] == [format_value(v) for v in np.ravel(getattr(after, name))]
    texts = [m.original_text for m in on_screen(scene) if hasattr(m, "original_text")]
    assert "new parameters (one update per pass)" in texts


def test_lecture_runs_all_three_parts_on_one_drawing(tiny_trace, tmp_path, dry_run):
    scene = dry_run(LectureScene, SceneInput(tiny_trace), tmp_path)
    beats = scene.stage.beats
    assert beats[0] == "unfold" and "backward" in beats and beats[-1] == "one update"
    assert beats.index("total loss") < beats.index("backward") < beats.index("gradients")
    nets = [m for m in on_screen(scene) if isinstance(m, UnrolledNetwork)]
    assert len({id(n) for n in nets}) == 1


def test_gradient_frames_stage_ends_on_one_step_with_every_error_it_needs(
        hello_trace, tmp_path, dry_run):
    scene = dry_run(GradientsScene, SceneInput(hello_trace, extra={"stage": "frames", "step": 2}),
                    tmp_path)
    flow = scene.stage.flow
    bright = {(a.source, a.step) for a in flow if a.get_stroke_opacity() > 0.9}
    # step 2's gradient needs every error that reaches steps 2..T, from every later loss term
    assert bright == {(s, t) for s in range(1, 5) for t in range(2, s + 1)}
    shown = {m.text for m in on_screen(scene) if hasattr(m, "text")}  # Text drops spaces
    assert "contributionsofstep2" in shown
    w2 = hello_trace.contributions("W")[1]
    assert "".join(format_value(v) for v in w2.ravel()) in shown
    assert not any(str(t).startswith("newparameters") for t in shown)  # stopped before update
    # the article's figure: each gradient in one frame, none crossing another or a neuron
    for t in range(1, hello_trace.T + 1):
        boxes = assert_frames_readable(scene.stage, t)
        assert set(boxes) == ({"U", "W", "V", "b", "c"} if t > 1 else {"U", "V", "b", "c"})
    drawn = [f for f in scene.stage.frames]  # step 2's frames, as drawn
    assert len(drawn) == 5 and {f.get_stroke_color().to_hex() for f in drawn} == {
        THEMES["dark"].param_color(n).to_hex() for n in ("U", "W", "V", "b", "c")}


def test_gradient_stage_options_are_checked(hello_trace, tmp_path, dry_run):
    from rnn import UnrolledError

    with pytest.raises(UnrolledError, match="unknown stage"):
        dry_run(GradientsScene, SceneInput(hello_trace, extra={"stage": "half"}), tmp_path)
    with pytest.raises(UnrolledError, match="step must be in 1..4"):
        dry_run(GradientsScene, SceneInput(hello_trace, extra={"stage": "frames", "step": 9}),
                tmp_path)
    from rnn.model import text_model

    network = text_model("hey", 2, num_layers=2).trace()
    with pytest.raises(UnrolledError, match="one step of one layer") as err:  # before drawing
        dry_run(GradientsScene, SceneInput(network, extra={"stage": "frames", "step": 1}),
                tmp_path)
    assert "\n" not in str(err.value)
