"""The dense scene, rendered dry: every number it shows is the DenseTrace's, beat by beat."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from manim import ManimColor, tempconfig

from rnn.errors import UnrolledError
from rnn.model import text_model
from rnn.studies import dense
from rnn.studies.dense import DenseConfig, dense_trace
from scenes.beats.inputs import SceneInput, set_scene_input
from scenes.components import ErrorArrow, Neuron
from scenes.components.theme import format_value, get_theme
from scenes.dense_scene import DenseScene, prepare_input

BEATS = ["network", "forward", "output_errors", "backward", "hidden_errors", "gradients"]


@pytest.fixture(scope="module")
def rnn_trace():
    return text_model().trace()  # SceneInput needs one; the dense scene ignores it


def _render(tmp_path, rnn_trace, trace, theme="dark") -> DenseScene:
    set_scene_input(SceneInput(trace=rnn_trace, theme=theme, extra={"dense": trace}))
    settings = {
        "dry_run": True, "media_dir": str(tmp_path), "notify_outdated_version": False,
        "verbosity": "WARNING", "progress_bar": "none",
        "from_animation_number": sys.maxsize,  # every animation jumps to its end: fast
        # manim 0.21 writes the .srt of a dry run beside output_file and fails without one
        "output_file": str(tmp_path / "dense"),
    }
    try:
        with tempconfig(settings):
            scene = DenseScene()
            scene.render()
    finally:
        set_scene_input(None)
    return scene


CASES = {  # name -> (trace, theme)
    "sigmoid-4-3-3-dark": lambda: (dense_trace(DenseConfig(), target=0), "dark"),
    "tanh-2-5-4-light": lambda: (dense_trace(
        DenseConfig(input_size=2, hidden=5, output_size=4, activation="tanh", seed=3), target=2
    ), "light"),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def rendered(request, tmp_path_factory, rnn_trace):
    trace, theme = CASES[request.param]()
    scene = _render(tmp_path_factory.mktemp("media"), rnn_trace, trace, theme)
    assert scene.theme.name == theme
    return scene, trace


def _check_row(shown: dict, layer: str, values) -> None:
    """The neurons of ``layer`` hold these exact values and print them formatted."""
    assert shown["values"][layer] == [float(v) for v in values]
    assert shown["numbers"][layer] == [format_value(v) for v in values]


def test_every_beat_ran_in_order(rendered):
    scene, _ = rendered
    assert list(scene.shown) == BEATS
    captions = [c.content for c in scene.renderer.file_writer.subcaptions]
    # each beat's sentence, cut into captions that fit
    assert [name for name, _, _ in scene.narrated] == BEATS
    assert len(captions) >= len(BEATS) and "converge" in scene.narrated[3][1]


def test_forward_numbers_are_the_trace(rendered):
    scene, trace = rendered
    shown = scene.shown["forward"]
    _check_row(shown, "x", trace.x)
    _check_row(shown, "h", trace.h1)
    _check_row(shown, "o", trace.yhat)
    assert shown["texts"][-1].endswith(format_value(trace.loss).lstrip("+"))
    assert shown["labels"] == {"x": "x", "h": "h", "o": "ŷ"}


def test_backward_numbers_are_the_trace(rendered):
    scene, trace = rendered
    _check_row(scene.shown["output_errors"], "o", trace.dL_dz2)
    _check_row(scene.shown["output_errors"], "h", trace.h1)  # unchanged until errors arrive
    _check_row(scene.shown["backward"], "h", trace.dL_dh1)
    _check_row(scene.shown["hidden_errors"], "h", trace.dL_dz1)
    assert scene.shown["hidden_errors"]["labels"] == {"x": "x", "h": "δ₁", "o": "δ₂"}


def test_error_arrows_converge_on_each_hidden_neuron(rendered):
    scene, trace = rendered
    D, H, K = trace.sizes
    terms = trace.error_contributions()
    # One fan per hidden neuron j, one arrow from every output k, carrying W2[k, j] dL/dz2[k]
    assert scene.shown["backward"]["arrows"] == [[float(terms[k, j]) for k in range(K)]
                                                 for j in range(H)]
    for j, fan in enumerate(scene.arrows):
        assert len(fan) == K and all(isinstance(a, ErrorArrow) for a in fan)
        target = scene.rows["h"][j].get_center()
        for k, arrow in enumerate(fan):
            source = scene.rows["o"][k].get_center()
            assert np.linalg.norm(arrow.get_end() - target) < 0.5  # ends at neuron j
            assert np.linalg.norm(arrow.get_start() - source) < 0.5  # starts at output k
            assert arrow.get_start()[1] > arrow.get_end()[1]  # pointing down, backwards
            assert arrow.get_color().to_hex().upper() == scene.theme.positive.upper()


def test_gradient_lines_and_matrices_are_the_trace(rendered):
    scene, trace = rendered
    for name, links in scene.links.items():
        grads = trace.grads[name]
        for line in links:
            assert line.value == float(grads[line.above, line.below])
        assert len(links) == grads.size  # every connection shows its own gradient
        rows = [" ".join(format_value(v) for v in row) for row in grads]
        assert scene.shown["gradients"]["panels"][name] == "\n".join(rows)


def test_final_frame_shows_the_errors(rendered):
    scene, trace = rendered
    on_screen = [m for top in scene.mobjects for m in top.get_family() if isinstance(m, Neuron)]
    D, H, K = trace.sizes
    assert len(on_screen) == D + H + K
    assert [n.value for n in scene.rows["x"]] == list(trace.x)
    assert [n.value for n in scene.rows["h"]] == list(trace.dL_dz1)
    assert [n.value for n in scene.rows["o"]] == list(trace.dL_dz2)
    assert all(n in on_screen for row in scene.rows.values() for n in row)


def test_theme_sets_the_background(rendered):
    scene, _ = rendered
    background = ManimColor(scene.camera.background_color).to_hex().upper()
    assert background == scene.theme.background.upper()
    assert scene.theme == get_theme(scene.theme.name)


def test_a_network_too_big_to_draw_is_refused(tmp_path, rnn_trace):
    with pytest.raises(UnrolledError, match="hidden units"):
        _render(tmp_path, rnn_trace, dense_trace(DenseConfig(hidden=7)))


def test_prepare_input_builds_the_trace_from_options():
    inp = prepare_input({"inputs": 2, "activation": "tanh"}, theme="light", hidden=5, seed=3)
    outputs = DenseScene.contract.defaults["outputs"]
    expected = dense_trace(DenseConfig(input_size=2, hidden=5, output_size=outputs,
                                       activation="tanh", seed=3), target=0)
    got = inp.extra["dense"]
    assert got.config == expected.config and got.loss == expected.loss
    for name in ("x", "h1", "yhat", "dL_dz1"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), strict=True)
    for name in dense.DENSE_PARAM_NAMES:
        np.testing.assert_array_equal(got.grads[name], expected.grads[name], strict=True)
    assert inp.theme == "light" and inp.extra["scene"] == "dense"


@pytest.mark.parametrize(
    "options, message",
    [({"colour": 1}, "unknown dense option"), ({"inputs": 9}, "input or output units"),
     ({"activation": "relu"}, "activation must be one of")],
)
def test_prepare_input_refuses_bad_options(options, message):
    with pytest.raises(UnrolledError, match=message):
        prepare_input(options)


def test_registered_with_its_options():
    from scenes.output.lecture_file import prepare_hook, scene_options
    from scenes.registry import SCENES

    assert SCENES["dense"].cls is DenseScene
    assert set(scene_options("dense", SCENES)) == {"values", "inputs", "outputs", "activation",
                                                   "init_scale"}
    assert prepare_hook("dense", SCENES) is prepare_input


def test_errors_stage_ends_on_the_converging_red_arrows(tmp_path, dry_run):
    from scenes.dense_scene import prepare_input

    inp = prepare_input({})
    inp.extra["stage"] = "errors"
    scene = dry_run(DenseScene, inp, tmp_path)
    assert list(scene.shown)[-1] == "backward"  # stopped before the hidden errors and gradients
    with pytest.raises(UnrolledError, match="unknown stage"):
        inp.extra["stage"] = "half"
        dry_run(DenseScene, inp, tmp_path)
