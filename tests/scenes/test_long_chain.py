"""Long chains and wide layers: the camera travels, wide layers are strips, values from the Trace."""

import numpy as np
import pytest
from frame_geometry import assert_frames_readable
from manim import BLUE, RED, Indicate, Square, VGroup, config, tempconfig

from rnn import UnrolledError, text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import scale_of
from scenes.beats.travel import plan_play
from scenes.bptt import BPTTScene
from scenes.components import ErrorArrow, FoldedNetwork, UnrolledNetwork
from scenes.components.chain_camera import ChainCamera, overview
from scenes.components.heatmap import diverging_pixels
from scenes.components.layout import MAX_HIDDEN, MAX_STEPS
from scenes.components.strips import LayerStrip
from scenes.components.theme import format_value
from scenes.forward import ForwardScene
from scenes.gradients import GradientsScene
from scenes.unfold import UnfoldScene

LONG_TEXT = "the quick brown fox jumps over it."  # 34 characters: 33 steps


@pytest.fixture(scope="module")
def long_trace():
    return text_model(LONG_TEXT[:33], hidden=3, seed=0).trace()  # 32 steps


@pytest.fixture(scope="module")
def wide_trace():
    return text_model("hello", hidden=100, seed=0).trace()  # 4 steps, 100 hidden units


def test_a_32_step_forward_draws_every_step_with_the_trace_values(long_trace, tmp_path, dry_run):
    assert long_trace.T == 32
    scene = dry_run(ForwardScene, SceneInput(long_trace), tmp_path)
    net = scene.stage.net
    assert net.T == 32 and net.layout.long
    for t in range(1, 33):
        assert net.neurons("h", t).shown_values == pytest.approx(long_trace.h[t - 1])
    assert [m.text for m in scene.stage.loss_labels] == [
        f"L={format_value(v)}" for v in long_trace.losses]
    assert scene.stage.band.loss_total.text.endswith(format_value(long_trace.cumulative_losses[-1]))


def test_the_long_forward_is_a_few_beats_and_the_camera_ends_on_the_whole_chain(
        long_trace, tmp_path, dry_run):
    scene = dry_run(ForwardScene, SceneInput(long_trace), tmp_path)
    assert scene.stage.beats == ["unfold", "forward step 1", "forward step 2", "forward step 3",
                                 "forward steps 4-32", "total loss"]
    assert isinstance(scene.camera, ChainCamera)
    frame, net = scene.camera.frame, scene.stage.net
    center, width = overview(net.layout)
    assert frame.get_center() == pytest.approx(center) and frame.width == pytest.approx(width)
    assert width > 3 * config.frame_width
    assert frame.get_left()[0] < net.get_left()[0] and net.get_right()[0] < frame.get_right()[0]


def test_a_short_chain_keeps_the_still_frame(hello_trace, tmp_path, dry_run):
    scene = dry_run(ForwardScene, SceneInput(hello_trace), tmp_path)
    assert scene.camera.at_home()
    assert len(scene.stage.beats) == hello_trace.T + 2  # every step its own beat


def test_a_100_unit_layer_is_a_strip_whose_cells_are_the_trace_values(wide_trace, tmp_path,
                                                                        dry_run):
    scene = dry_run(ForwardScene, SceneInput(wide_trace), tmp_path)
    net = scene.stage.net
    for t in range(1, wide_trace.T + 1):
        strip = net.neurons("h", t)
        assert isinstance(strip, LayerStrip)
        pixels = strip.image.pixel_array
        assert pixels.shape == (100, 1, 4)
        want = diverging_pixels(wide_trace.h[t - 1].reshape(-1, 1))  # tanh states: scale 1
        assert np.array_equal(pixels, want)
    assert not isinstance(net.neurons("x", 1), LayerStrip)  # 4 symbols: still circles


def test_long_bptt_grows_every_arrow_in_a_few_beats(long_trace, tmp_path, dry_run):
    scene = dry_run(BPTTScene, SceneInput(long_trace), tmp_path)
    T = long_trace.T
    arrows = {id(m) for m in scene.get_mobject_family_members() if isinstance(m, ErrorArrow)}
    assert len(arrows) == T * (T + 1) // 2
    assert scene.stage.beats[-5:] == [f"backward step {T}", f"backward step {T - 1}",
                                      f"backward step {T - 2}", f"backward steps {T - 3}-1",
                                      "all errors"]
    for t in range(1, T + 1):
        assert scene.stage.net.neurons("h", t).shown_values == pytest.approx(
            long_trace.dL_da[t - 1])


def test_wide_gradients_show_heatmaps_of_the_trace_contributions(wide_trace, tmp_path, dry_run):
    scene = dry_run(GradientsScene, SceneInput(wide_trace), tmp_path)
    panel = scene.stage.panel[1]  # the last panel: the parameters after the update
    after = wide_trace.update.params_after
    W = after.W
    vmax = scale_of(W)
    assert panel.scales["W"] == vmax
    assert np.array_equal(panel.images["W"].pixel_array, diverging_pixels(W / vmax))
    assert scene.stage.beats[:2] == ["gradients", "contribution 1"]
    for t in range(1, wide_trace.T + 1):  # strips too: frames nested or apart
        assert_frames_readable(scene.stage, t)


@pytest.mark.parametrize("steps, hidden, message", [
    (MAX_STEPS + 1, 3, f"at most {MAX_STEPS} time steps"),
    (4, MAX_HIDDEN + 1, f"at most {MAX_HIDDEN} hidden units"),
])
def test_beyond_the_limits_one_line_names_the_limit(steps, hidden, message):
    trace = text_model(("ab" * 40)[:steps + 1], hidden=hidden, seed=0).trace()
    with pytest.raises(UnrolledError) as err:
        UnrolledNetwork(trace)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_scenes_with_a_still_camera_refuse_a_wide_trace_in_one_line(wide_trace, tmp_path,
                                                                    dry_run):
    with pytest.raises(UnrolledError) as err:
        dry_run(UnfoldScene, SceneInput(wide_trace), tmp_path)
    message = str(err.value)
    assert "at most 6 hidden units, the trace has 100" in message and "\n" not in message
    with pytest.raises(UnrolledError, match="at most 6 hidden units"):
        FoldedNetwork(D=4, H=100, K=4)


def test_the_chain_camera_moves_the_chain_and_keeps_the_bands_in_the_frame():
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera = ChainCamera()
        chain = Square(side_length=1.0).set_fill(RED, 1.0).set_stroke(width=0).move_to([20, 2, 0])
        band = Square(side_length=1.0).set_fill(BLUE, 1.0).set_stroke(width=0).move_to([0, -2, 0])
        camera.world = lambda: [chain]
        camera.frame.move_to([20, 0, 0])
        camera.capture_mobjects([chain, band])
        pixels = camera.pixel_array
        h, w = pixels.shape[:2]
        above = pixels[int(h / 2 - 2 * h / 8), w // 2]  # screen (0, 2): the chain, moved
        below = pixels[int(h / 2 + 2 * h / 8), w // 2]  # screen (0, -2): the band, unmoved
        empty = tuple(pixels[2, 2])  # the background, in a corner
        assert len({tuple(above), tuple(below), empty}) == 3
        camera.frame.move_to([0, 0, 0])  # at home: the chain is out of sight again
        camera.reset()
        camera.capture_mobjects([chain, band])
        assert tuple(camera.pixel_array[int(h / 2 - 2 * h / 8), w // 2]) == empty
        assert tuple(camera.pixel_array[int(h / 2 + 2 * h / 8), w // 2]) == tuple(below)


def test_long_gradients_show_three_contributions_then_the_rest_in_one_beat(long_trace, tmp_path,
                                                                          dry_run):
    scene = dry_run(GradientsScene, SceneInput(long_trace), tmp_path)
    assert scene.stage.beats == ["gradients", "contribution 1", "contribution 2",
                                 "contribution 3", "contributions 4-32", "sum over time",
                                 "one update"]
    center, _ = overview(scene.stage.net.layout)
    assert scene.camera.frame.get_center() == pytest.approx(center)


def test_a_planned_play_paints_still_parts_once_and_the_same_frame():
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera = ChainCamera()
        squares = [Square(side_length=0.8).set_fill(RED, 0.7).set_stroke(BLUE, 3).move_to(
            [2.5 * i - 3, (-1) ** i, 0]) for i in range(16)]  # a chain of 40 units
        near = Square(side_length=0.5).set_fill(BLUE, 1.0).move_to(squares[5])  # over square 5
        chain = VGroup(*squares, near)
        band = Square(side_length=1.0).set_fill(BLUE, 1.0).set_stroke(RED, 4).move_to([0, -3, 0])
        camera.world, camera.travels = (lambda: [chain]), True
        camera.frame.move_to([20.37, 0, 0])  # not a whole number of pixels from anywhere
        camera.capture_mobjects([chain, band])  # unplanned: everything painted
        painted = camera.pixel_array.copy()

        indicate = Indicate(squares[5])
        indicate.begin()
        flat = camera.get_mobjects_to_display([chain, band])
        camera.play = plan_play(flat, camera.chain_ids(), [indicate], camera.frame, flat)
        assert camera.play.chain_live == [squares[5], near]  # animated, and drawn over it
        assert camera.play.bands_still == [band] and not camera.play.bands_live
        indicate.interpolate(0.0)
        camera.reset()
        camera.capture_mobjects(camera.play.mobjects)
        planned = camera.pixel_array.astype(int)
        # the chain from tiles is the same to the pixel, the band laid over it to rounding
        assert np.abs(planned - painted).max() <= 1
        assert camera.play.tiles  # the still chain came from tiles


def test_tiles_are_kept_between_plays_and_painted_again_when_what_they_show_changes():
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera = ChainCamera()
        squares = VGroup(*[Square(side_length=0.8).set_fill(RED, 0.7).move_to([2.5 * i, 0, 0])
                           for i in range(16)])
        camera.world, camera.travels = (lambda: [squares]), True
        camera.frame.move_to([20, 0, 0])

        def planned_frame():
            flat = camera.get_mobjects_to_display([squares])
            camera.play = plan_play(flat, camera.chain_ids(), [], camera.frame, flat)
            camera.reset()
            camera.capture_mobjects(camera.play.mobjects)
            return camera.pixel_array.copy(), dict(camera.play.tiles)

        first, tiles = planned_frame()
        again, kept = planned_frame()
        assert np.array_equal(again, first)
        assert all(kept[k] is tiles[k] for k in tiles)  # nothing changed: nothing repainted
        squares[8].set_fill(BLUE, 1.0)  # in sight at x = 20, changed between plays
        changed, _ = planned_frame()
        camera.play = None
        camera.reset()
        camera.capture_mobjects([squares])  # everything painted, unplanned
        assert np.array_equal(changed, camera.pixel_array) and not np.array_equal(changed, first)
