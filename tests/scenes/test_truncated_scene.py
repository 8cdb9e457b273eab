"""The truncated-BPTT scene, rendered dry: cuts stop the errors, W is updated per window."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor
from manim.utils.testing.frames_comparison import frames_comparison

from rnn.errors import UnrolledError
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.components.barrier import Barrier
from scenes.components.heatmap import diverging_pixels
from scenes.components.strips import HeatPanel
from scenes.components.theme import format_value
from scenes.truncated import TruncatedScene, prepare_input

__module_test__ = "truncated"  # control frames live in control_data/truncated/


@pytest.fixture(scope="module")
def render(dry_run):
    """``render(media_dir, scene_input)``: the scene after a dry run (animations jump to their end)."""
    return lambda media, inp: dry_run(TruncatedScene, inp, media)


@pytest.fixture(scope="module")
def default(tmp_path_factory, render):
    inp = prepare_input({})
    return render(tmp_path_factory.mktemp("media"), inp), inp


@pytest.fixture(scope="module")
def other(tmp_path_factory, render):
    inp = prepare_input({"window": 3, "steps": 9}, theme="light", seed=1)
    return render(tmp_path_factory.mktemp("media"), inp), inp


def test_defaults_are_twelve_steps_in_windows_of_four():
    inp = prepare_input({})
    assert inp.trace.T == 12 and [w.T for w in inp.windows] == [4, 4, 4]
    assert [w.extra["window"] for w in inp.windows] == [
        {"start": 1, "stop": 4}, {"start": 5, "stop": 8}, {"start": 9, "stop": 12}]
    assert inp.trace.h.shape[1] == 3


def test_beats_are_sections_with_one_caption_each(default):
    scene, inp = default
    beats = ["sequence"] + [f"{kind} window {k}" for k in (1, 2, 3)
                            for kind in ("forward", "backward", "update")] + ["compare"]
    assert scene.board.beats == beats
    captions = [caption for _, caption, _ in scene.narrated]  # one sentence per beat
    assert len(captions) == len(beats)
    assert "cut" in captions[0]


def test_a_barrier_stands_at_each_cut(default):
    scene, _ = default
    b = scene.board
    assert [x.after for x in b.barriers] == [4, 8]
    lay = b.seq.layout
    for x in b.barriers:
        assert lay.column_x(x.after) < x.x < lay.column_x(x.after + 1)
        assert x in scene.mobjects


def test_no_error_arrow_crosses_a_cut(default):
    scene, inp = default
    b = scene.board
    assert len(b.errors) == len(inp.windows)
    walls = [x.x for x in b.barriers]
    for errors, trace in zip(b.errors, inp.windows):
        w = trace.extra["window"]
        lo = b.seq.layout.cut_x(w["start"] - 1)
        hi = b.seq.layout.cut_x(w["stop"])
        assert len(errors) == trace.T * (trace.T + 1) // 2  # one per (s, t), s >= t
        for (s, t), arrow in errors.by_pair.items():
            assert w["start"] <= t <= s <= w["stop"]
            xs = arrow.get_all_points()[:, 0]
            assert lo < xs.min() and xs.max() < hi
            assert not any(xs.min() < wall < xs.max() for wall in walls)
        norms = trace.error_by_source_norms()
        assert {(s, t): a.magnitude for (s, t), a in errors.by_pair.items()} == {
            (s + w["start"] - 1, t + w["start"] - 1): float(norms[s - 1, t - 1])
            for s in range(1, trace.T + 1) for t in range(1, s + 1)}


def test_one_update_per_window_shows_that_windows_new_W(default):
    scene, inp = default
    updates = scene.board.updates
    assert [p.window for p in updates] == [1, 2, 3]
    for panel, trace in zip(updates, inp.windows):
        W = trace.update.params_after.W
        assert panel.shown == [format_value(v) for v in np.ravel(W)]
        rows = "\n".join(" ".join(format_value(v) for v in row) for row in W)
        assert panel[1].original_text == rows
    # each window starts from the previous window's updated parameters
    for before, after in zip(inp.windows, inp.windows[1:]):
        np.testing.assert_array_equal(after.params.W, before.update.params_after.W)


def test_hidden_states_and_losses_are_the_windows(default):
    scene, inp = default
    seq = scene.board.seq
    for trace in inp.windows:
        w = trace.extra["window"]
        for i, t in enumerate(range(w["start"], w["stop"] + 1)):
            assert seq.units[t].values == [float(v) for v in trace.h[i]]
    assert [lab.value for lab in scene.board.losses] == [
        float(v) for tr in inp.windows for v in tr.losses]


def test_the_comparison_shows_full_truncated_and_difference(default):
    scene, inp = default
    panel = scene.board.comparison
    shown = list(panel.shown.values())
    e = inp.extra
    for arr, key in zip(shown, ("full_grads", "truncated_grads", "difference")):
        assert arr == [format_value(v) for v in np.ravel(e[key]["W"])]
    assert shown[0] != shown[1]  # cutting changes the gradient of W
    assert panel in scene.mobjects
    assert all(p not in scene.mobjects for p in scene.board.updates)


def test_changing_the_trace_changes_the_picture(default, other):
    (a, ia), (b, ib) = default, other
    assert [x.after for x in b.board.barriers] == [3, 6]
    assert len(b.board.updates) == 3 and b.board.seq.layout.T == 9
    assert a.board.updates[0].shown != b.board.updates[0].shown
    assert b.board.updates[2].shown == [format_value(v) for v in
                                         np.ravel(ib.windows[2].update.params_after.W)]
    background = ManimColor(b.camera.background_color).to_hex().upper()
    assert background == "#FFFFFF"


def test_without_a_truncated_input_the_scene_uses_the_defaults(tmp_path, render):
    scene = render(tmp_path, SceneInput(trace=text_model().trace(), theme="light"))
    assert len(scene.board.updates) == 3 and scene.board.seq.layout.T == 12
    assert scene.board.theme.name == "light"
    assert sum(isinstance(m, Barrier) for m in scene.mobjects) == 2


@pytest.mark.parametrize("options, match", [
    ({"window": 0}, "window"), ({"window": -2}, "window"), ({"steps": 0}, "steps"),
    ({"steps": 15, "window": 4.5}, "window"), ({"steps": 17}, "at most 16 steps"),
    ({"window": True}, "window"), ({"windows": 3}, "unknown"),
])
def test_bad_options_are_refused_in_one_line(options, match):
    with pytest.raises(UnrolledError, match=match) as err:
        prepare_input(options)
    assert "\n" not in str(err.value)


def test_a_short_text_or_too_many_hidden_units_are_refused():
    with pytest.raises(UnrolledError, match="at least 13 characters"):
        prepare_input({}, text="hello")
    with pytest.raises(UnrolledError, match="hidden units"):
        prepare_input({}, hidden=9)
    with pytest.raises(UnrolledError, match="theme"):
        prepare_input({}, theme="sepia")


def test_a_window_as_long_as_the_sequence_is_full_bptt(tmp_path, render):
    inp = prepare_input({"window": 6, "steps": 6})
    scene = render(tmp_path, inp)
    assert scene.board.barriers == [] and len(scene.board.updates) == 1
    assert all(np.all(d == 0) for d in inp.extra["difference"].values())
    np.testing.assert_array_equal(inp.windows[0].update.params_after.W,
                                  inp.trace.update.params_after.W)


@frames_comparison(last_frame=True, base_scene=TruncatedScene)
def test_last_frame_with_the_defaults(scene):
    # No input set: the scene falls back to its own defaults (dark theme). The control frame
    # was made again when each term's name, L(s), came onto its arrow down from the loss.
    TruncatedScene.construct(scene)


# Gated cells: h (and the LSTM's cell state) cross each cut, the errors do not ----------------
@pytest.fixture(scope="module", params=["lstm", "gru"])
def gated(request, tmp_path_factory, render):
    inp = prepare_input({"steps": 8, "window": 4}, cell=request.param, seed=3)
    return request.param, render(tmp_path_factory.mktemp(request.param), inp), inp


def test_a_gated_cell_draws_its_windows_states_and_updated_recurrent_block(gated):
    cell, scene, inp = gated
    b = scene.board
    assert inp.trace.kind == cell and all(w.kind == cell for w in inp.windows)
    H = inp.trace.h.shape[1]
    block = {"lstm": slice(H, 2 * H), "gru": slice(H, 2 * H)}[cell]  # f of i,f,g,o; z of r,z,n
    for trace in inp.windows:
        w = trace.extra["window"]
        for i, t in enumerate(range(w["start"], w["stop"] + 1)):
            assert b.seq.units[t].values == [float(v) for v in trace.h[i]]
            if cell == "lstm":  # the cell state as squares above h, on one colour scale
                assert b.seq.cell_units[t].values == [float(v) for v in trace.cell[i]]
                assert b.seq.cell_units[t].vmax == float(np.abs(inp.trace.cell).max())
    assert (set(b.seq.cell_units) == set(range(1, 9))) == (cell == "lstm")
    assert bool(b.seq.cell_recurrent) == (cell == "lstm")  # the cell state's own path
    for panel, trace in zip(b.updates, inp.windows):
        W = trace.update.params_after.W_hh[block]
        assert panel.shown == [format_value(v) for v in np.ravel(W)]
        assert panel[0].original_text.startswith(f"W_hh ({'f' if cell == 'lstm' else 'z'} "
                                                  "block) after window")
    # the second window starts from the first's last states and updated parameters
    first, second = inp.windows
    full = text_model("hello hello", hidden=3, seed=3, cell=cell)
    np.testing.assert_array_equal(first.h, full.trace().h[:4])
    np.testing.assert_array_equal(second.params.W_hh, first.update.params_after.W_hh)
    shown = list(b.comparison.shown.values())
    for arr, key in zip(shown, ("full_grads", "truncated_grads", "difference")):
        assert arr == [format_value(v) for v in np.ravel(inp.extra[key]["W_hh"][block])]
    for errors, trace in zip(b.errors, inp.windows):  # no error crosses a cut
        w, lay = trace.extra["window"], b.seq.layout
        for arrow in errors:
            xs = arrow.get_all_points()[:, 0]
            assert lay.cut_x(w["start"] - 1) < xs.min() and xs.max() < lay.cut_x(w["stop"])


def test_eight_units_of_any_cell_make_plain_strips(tmp_path, render):
    with pytest.raises(UnrolledError, match="draws 1 to 8 hidden units"):
        prepare_input({}, hidden=9, cell="lstm")
    inp = prepare_input({"steps": 8}, hidden=8, cell="lstm")
    scene = render(tmp_path, inp)
    seq = scene.board.seq
    assert not seq.layout.outlined  # 16 units a column: no outlines, squares touching
    assert all(u.get_stroke_width() == 0 for t in range(1, 9) for u in seq.stacks(t)[0])
    last = inp.windows[-1]
    assert seq.cell_units[8].values == [float(v) for v in last.cell[-1]]
    assert seq.layout.stack_top < seq.layout.loss_y and seq.layout.lane_y(3) > seq.layout.char_y
    # Past four units the panels are heatmaps of the trace's blocks (numbers would not read)
    H = 8
    for panel, trace in zip(scene.board.updates, inp.windows):
        W = trace.update.params_after.W_hh[H:2 * H]  # the f block of i, f, g, o
        np.testing.assert_array_equal(panel.values, W)
        assert panel.shown == [] and panel.vmax == float(np.abs(W).max())
        assert panel[0].original_text.endswith(f"±{panel.vmax:.2g}")
        np.testing.assert_array_equal(np.asarray(panel[1].pixel_array),
                                      diverging_pixels(W / panel.vmax))
    comparison, extra = scene.board.comparison, inp.extra
    assert isinstance(comparison, HeatPanel) and comparison in scene.mobjects
    full, cut, diff = (extra[k]["W_hh"][H:2 * H]
                       for k in ("full_grads", "truncated_grads", "difference"))
    for shown, block in zip(comparison.values.values(), (full, cut, diff)):
        np.testing.assert_array_equal(shown, block)
    # the two gradients on one colour scale, so equal colours mean equal values
    scales = list(comparison.scales.values())
    assert scales[0] == scales[1] == max(np.abs(full).max(), np.abs(cut).max())
    assert scales[2] == np.abs(diff).max() < scales[0]


def test_a_window_longer_than_the_palette_dashes_its_repeated_colours(tmp_path, render):
    """Colour is not the only cue: in a window of 10 steps, L(9) and L(10) share the colours of
    L(1) and L(2) and their arrows are cut in 2 dashes; the first 8 stay solid."""
    scene = render(tmp_path, prepare_input({"window": 10, "steps": 10}))
    [errors] = scene.board.errors
    pieces = {}
    for (s, _), arrow in errors.by_pair.items():
        pieces.setdefault(s, set()).add(len(arrow.get_subpaths()))
    assert pieces[9] == pieces[10] == {2}
    assert all(pieces[s] == {1} for s in range(1, 9))


def test_every_terms_name_is_on_its_arrow_and_the_lanes_stay_above_the_characters(tmp_path,
                                                                                  render):
    """A cue beside colour: L(s) where each term's errors start, in its colour, 20 px high at
    1080p, overlapping no other name; a window of 16 lanes still ends above the characters."""
    scene = render(tmp_path, prepare_input({"window": 16, "steps": 16}))
    [errors] = scene.board.errors
    names = []
    for (s, t), arrow in errors.by_pair.items():
        if s != t:
            assert arrow.label is None
            continue
        label = arrow.label
        assert label.original_text == f"L({s})" and label in arrow.submobjects
        assert {g.get_fill_color() for g in label} == {arrow.get_color()}  # each glyph
        assert label.height >= 20 / 135  # 1080 px over the frame's 8 units
        assert label.get_bottom()[1] > arrow.points[0][1]  # the arrow starts under its name
        names.append(label)
    assert len(names) == 16
    for a, b in zip(names, names[1:]):
        assert a.get_right()[0] < b.get_left()[0]  # side by side, none over another
    lay = scene.board.seq.layout
    assert lay.lane_y(15) > lay.char_y + 0.15
    assert all(arrow.get_bottom()[1] > lay.char_y + 0.1 for arrow in errors)
