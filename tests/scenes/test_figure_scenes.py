"""The article's section-2 figures (neurons, unfolding, blackboxed graph) draw the Trace."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from manim import ManimColor, tempconfig
from manim.utils.testing.frames_comparison import frames_comparison

from rnn.errors import UnrolledError
from rnn.model import text_model
from scenes.beats.inputs import SceneInput, set_scene_input
from scenes.blackbox import BlackboxScene
from scenes.components.network import UnrolledNetwork
from scenes.components.textbook import FoldedGraph, TwoStepGraph
from scenes.components.theme import THEMES, format_value
from scenes.neurons import NeuronsScene
from scenes.output.still import save_stills
from scenes.registry import SCENES
from scenes.unfold import UnfoldScene

__module_test__ = "figures"  # control frames live in control_data/figures/


def render(scene_cls, inp: SceneInput, media):
    """The scene after a dry run in which every animation jumps to its end."""
    set_scene_input(inp)
    settings = {"dry_run": True, "from_animation_number": sys.maxsize, "media_dir": str(media),
                "notify_outdated_version": False, "disable_caching": True,
                "progress_bar": "none", "verbosity": "WARNING"}
    try:
        with tempconfig(settings):
            scene = scene_cls()
            scene.render()
    finally:
        set_scene_input(None)
    return scene


def on_screen(scene) -> set[int]:
    return {id(m) for m in scene.get_mobject_family_members()}


@pytest.fixture(scope="module")
def hello():
    return text_model("hello", hidden=3, seed=0).trace()


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def unfolded(hello, media):
    return render(UnfoldScene, SceneInput(hello), media)


@pytest.fixture(scope="module")
def blackbox(hello, media):
    return render(BlackboxScene, SceneInput(hello), media)


def fills(scene) -> dict[str, list]:
    net = scene.board.net
    return {layer: [n.circle.get_fill_color() for n in net.neurons(layer)] for layer in "xho"}


# Neurons ---------------------------------------------------------------------------------
@pytest.mark.parametrize("theme, step", [("dark", 1), ("light", 3)])
def test_neurons_are_filled_with_the_theme_colour_of_the_shown_step(hello, media, theme, step):
    scene = render(NeuronsScene, SceneInput(hello, theme=theme, extra={"step": step}), media)
    th, t = THEMES[theme], step
    shown = on_screen(scene)
    want = {"x": hello.X[t - 1], "h": hello.h[t - 1], "o": hello.yhat[t - 1]}
    for layer, values in want.items():
        row = scene.board.net.neurons(layer)
        assert row.shown_values == [float(v) for v in values]
        assert fills(scene)[layer] == [th.value_color(v, 1.0) for v in values]
        assert all(id(n.circle) in shown for n in row)
    assert scene.camera.background_color.to_hex() == th.background.upper()


def test_every_hidden_neuron_feeds_every_hidden_neuron(hello, media):
    scene = render(NeuronsScene, SceneInput(hello), media)
    net, H = scene.board.net, hello.h.shape[1]
    loops = net.loops
    assert len(loops.arrows) == len(loops.submobjects) == H * H == 9
    assert set(loops.arrows) == {(j, i) for j in range(H) for i in range(H)}
    shown = on_screen(scene)
    for (j, i), arrow in loops.arrows.items():
        assert id(arrow) in shown
        assert arrow.get_color() == ManimColor(THEMES["dark"].recurrent)
        # it leaves unit j's circle and its tip touches unit i's circle
        src, dst = net.points["h"][j], net.points["h"][i]
        assert np.linalg.norm(arrow.get_start() - src) == pytest.approx(net.radius, abs=0.02)
        assert np.linalg.norm(arrow.tip.tip_point - dst) == pytest.approx(net.radius, abs=0.05)
    assert scene.board.beats == ["layers", "forward", "recurrent", "figure"]


def test_a_smaller_hidden_layer_draws_fewer_recurrent_arrows(media):
    trace = text_model("hey", hidden=2, seed=0).trace()
    scene = render(NeuronsScene, SceneInput(trace), media)
    assert len(scene.board.net.loops.arrows) == 4


def test_another_seed_gives_other_fill_colours(hello, media):
    other = text_model("hello", hidden=3, seed=1).trace()
    a = render(NeuronsScene, SceneInput(hello), media)
    b = render(NeuronsScene, SceneInput(other), media)
    assert fills(b)["h"] == [THEMES["dark"].value_color(v, 1.0) for v in other.h[0]]
    assert fills(a)["h"] != fills(b)["h"]
    assert fills(a)["o"] != fills(b)["o"]


@pytest.mark.parametrize("step", [0, 5, "1", True])
def test_a_step_outside_the_trace_is_refused_in_one_line(hello, media, step):
    with pytest.raises(UnrolledError, match="step") as err:
        render(NeuronsScene, SceneInput(hello, extra={"step": step}), media)
    assert "\n" not in str(err.value)


# Unfold ----------------------------------------------------------------------------------
def test_unfold_ends_with_one_copy_per_step_and_shared_labels(unfolded, hello):
    net, T, H = unfolded.stage.net, hello.T, hello.h.shape[1]
    nets = [m for m in unfolded.mobjects if isinstance(m, UnrolledNetwork)]
    assert nets == [net] and net.T == T == 4
    shown = on_screen(unfolded)
    for name, copies in (("U", T), ("V", T), ("W", T - 1)):
        labels = [lab for lab in net.param_labels(name) if len(lab)]
        assert len(labels) == copies
        assert {lab[0].text for lab in labels} == {name}  # the same name on every copy
        assert all(id(lab[0]) in shown for lab in labels)
    # the loops became the W arrows between consecutive hidden layers
    assert len(net.connections("W").family_members_with_points()) == (T - 1) * H * H
    assert not any(id(a) in shown for a in unfolded.folded.loops.arrows.values())
    for t in range(1, T + 1):
        assert net.neurons("h", t).shown_values == [float(v) for v in hello.h[t - 1]]
        assert net.neurons("o", t).shown_values == [float(v) for v in hello.yhat[t - 1]]
    assert not any(net.highlighted_steps(p) for p in ("U", "W", "V"))  # all switched off
    assert unfolded.stage.beats == ["folded", "unfold", "values", "shared", "figure"]


# Blackbox --------------------------------------------------------------------------------
def test_blackbox_nodes_carry_the_textbook_labels_and_the_trace_losses(blackbox, hello):
    g, T = blackbox.graph, hello.T
    assert isinstance(g, TwoStepGraph) and g.steps == ("t−1", "t")
    names = {f"{n}({s})" for n in "xhoLy" for s in ("t−1", "t")}
    assert names <= set(g.labels())
    assert sorted(g.params()) == sorted(["U", "U", "V", "V", "W", "W", "W"])
    assert blackbox.numbers["L", "t−1"].original_text == format_value(hello.losses[T - 2])
    assert blackbox.numbers["L", "t"].original_text == format_value(hello.losses[T - 1])
    assert blackbox.numbers["y", "t"].original_text == "'o'"  # "hello": after 'l' comes 'o'
    assert blackbox.numbers["t", "t"].original_text == f"t = {T}"
    shown = on_screen(blackbox)
    assert all(id(m) in shown for m in blackbox.numbers.values())
    assert all(id(n.circle) in shown for n in g.nodes.values())


def test_blackbox_ends_on_the_folded_graph_with_its_delay(blackbox):
    f = blackbox.folded
    assert isinstance(f, FoldedGraph)
    assert f.labels() == ["x", "h", "o", "L", "y"]
    assert sorted(f.params()) == ["U", "V", "W"]
    shown = on_screen(blackbox)
    assert id(f.delay.square) in shown and id(f.delay.arrow) in shown
    # the square sits on the loop, right of h
    assert f.delay.square.get_center()[0] > f.nodes["h"].get_center()[0]
    assert blackbox.stage.beats == ["neurons", "collapse", "two steps", "fold", "delay"]
    # no neuron of the unrolled picture is left behind
    assert not any(id(n) in shown for n in blackbox.stage.net.all_neurons.get_family())


def test_the_two_steps_stage_ends_with_two_time_columns(hello, media):
    inp = SceneInput(hello, theme="light", extra={"stage": "two_steps", "step": 2})
    scene = render(BlackboxScene, inp, media)
    assert scene.folded is None
    assert scene.stage.beats[-1] == "two steps"
    assert list(scene.graph.columns) == ["t−1", "t"]
    shown = on_screen(scene)
    assert all(id(col) in shown for col in scene.graph.columns.values())
    assert not any(isinstance(m, FoldedGraph) for m in scene.get_mobject_family_members())
    # step 2 as t: the losses of steps 1 and 2
    assert scene.numbers["L", "t−1"].original_text == format_value(hello.losses[0])
    assert scene.numbers["L", "t"].original_text == format_value(hello.losses[1])


@pytest.mark.parametrize("extra, match", [({"stage": "three_steps"}, "stage"),
                                          ({"step": 1}, "step")])
def test_bad_blackbox_options_are_refused_in_one_line(hello, media, extra, match):
    with pytest.raises(UnrolledError, match=match) as err:
        render(BlackboxScene, SceneInput(hello, extra=extra), media)
    assert "\n" not in str(err.value)


def test_the_three_scenes_are_registered():
    assert {SCENES[n].cls for n in ("neurons", "unfold", "blackbox")} == {
        NeuronsScene, UnfoldScene, BlackboxScene}


# Stills and golden frames ----------------------------------------------------------------
@pytest.mark.parametrize("scene_cls, extra", [(NeuronsScene, {}), (UnfoldScene, {}),
                                              (BlackboxScene, {"stage": "two_steps"}),
                                              (BlackboxScene, {})])
def test_final_frames_are_vector_stills(hello, tmp_path, scene_cls, extra):
    set_scene_input(SceneInput(hello, extra=extra))
    [path] = save_stills(scene_cls, {"svg": tmp_path / "figure.svg"}, width_px=640)
    svg = path.read_text(encoding="utf-8")
    assert "<path" in svg and "<image" not in svg


@frames_comparison(last_frame=True, base_scene=NeuronsScene)
def test_neurons_last_frame(scene):
    NeuronsScene.construct(scene)


@frames_comparison(last_frame=True, base_scene=UnfoldScene)
def test_unfold_last_frame(scene):
    UnfoldScene.construct(scene)


@frames_comparison(last_frame=True, base_scene=BlackboxScene)
def test_blackbox_last_frame(scene):
    BlackboxScene.construct(scene)
