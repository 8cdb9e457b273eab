"""The views of long sequences: activations, neuron-text and error-map, after dry runs.

Their heatmaps are images; each pixel must be the Trace's value under the component's
colour map, so the picture cannot disagree with the engine.
"""

import numpy as np
import pytest
from manim import tempconfig

from rnn import UnrolledError, text_model
from scenes.activations import MAX_STEPS, ActivationsScene, unit_rows
from scenes.beats.inputs import SceneInput
from scenes.components.heatmap import (
    DIVERGING,
    SEQUENTIAL,
    diverging_pixels,
    log_pixels,
    log_range,
)
from scenes.error_map import ErrorMapScene
from scenes.neuron_text import MAX_CHARS, NeuronTextScene, text_cells

TEXT = "the cat sat,\non the mat.\nthe end"


@pytest.fixture(scope="module")
def trace():
    return text_model(TEXT, hidden=6, seed=2).trace()


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """One media folder for the module: manim reuses the glyphs it drew for earlier tests."""
    return tmp_path_factory.mktemp("views")


@pytest.fixture
def dry(dry_run, media):
    """The conftest's dry run on a small frame: images are painted once per play, and at
    1080p that is most of a dry run's time."""

    def run(scene_cls, inp):
        with tempconfig({"pixel_width": 320, "pixel_height": 180}):
            return dry_run(scene_cls, inp, media)

    return run


def _rgb(hex_color):
    return [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]


def test_colour_maps_put_the_ends_and_the_middle_where_they_say():
    px = diverging_pixels(np.array([[-1.0, 0.0, 1.0, -7.0, np.nan]]))[0]
    assert px[0, :3].tolist() == _rgb(DIVERGING[0][1])
    assert px[1, :3].tolist() == _rgb(DIVERGING[1][1])
    assert px[2, :3].tolist() == _rgb(DIVERGING[2][1])
    assert px[3].tolist() == px[0].tolist()  # clamped to -1
    assert px[4, :3].tolist() == [128, 128, 128]
    lp = log_pixels(np.array([[1e-3, 1e2, np.nan, 0.0, np.inf, 1e-20]]), -3, 2)[0]
    assert lp[0, :3].tolist() == _rgb(SEQUENTIAL[0]) and lp[1, :3].tolist() == _rgb(SEQUENTIAL[-1])
    assert lp[2, 3] == 0 and (lp[[0, 1, 3, 4, 5], 3] == 255).all()  # NaN: an empty cell
    assert lp[3].tolist() == lp[0].tolist() == lp[5].tolist()  # zero and tiny: the bottom
    assert lp[4].tolist() == lp[1].tolist()  # infinity: the top
    assert log_range(np.array([[np.nan, 2e-4], [0.3, 40.0]])) == (-4, 2)


def test_activations_pixels_are_h_under_the_colour_map(trace, dry):
    scene = dry(ActivationsScene, SceneInput(trace))
    b = scene.board
    # the documented order: most varied unit first
    variance = trace.h.var(axis=0)
    assert b.rows == sorted(range(6), key=lambda u: -variance[u])
    pixels = b.image.pixel_array
    assert pixels.shape == (6, trace.T, 4)
    for r, unit in enumerate(b.rows):
        for t in range(trace.T):
            assert pixels[r, t].tolist() == diverging_pixels(trace.h[t, unit]).tolist()
    assert b.beats == ["the map", "first steps", "the rest"]
    assert len(b.chars) == sum(1 for c in TEXT[:-1] if c != " ") or len(b.chars) == trace.T


def test_activations_top_guesses_are_the_three_likeliest_characters(dry):
    tr = text_model("hello there", hidden=4, seed=0).trace()
    b = dry(ActivationsScene, SceneInput(tr)).board
    top = tr.top_guesses(3)
    order = np.argsort(-tr.yhat, axis=1, kind="stable")[:, :3]  # independently, best first
    np.testing.assert_array_equal(top, order)
    assert len(b.guesses) == 3 * tr.T  # every guess printed (a space as a visible sign)
    # the guesses that are the next character are drawn in the positive colour, and only they
    hits = int((top == tr.targets[:, None]).sum())
    positive = [g for g in b.guesses if g.get_fill_color().to_hex().upper()
                == b.theme.positive.upper()]
    assert hits > 0 and len(positive) == hits


def test_activations_units_option_picks_and_orders_the_rows(trace, dry):
    scene = dry(ActivationsScene, SceneInput(trace, extra={"units": [5, 1]}))
    assert scene.board.rows == [4, 0]
    np.testing.assert_array_equal(scene.board.image.pixel_array,
                                  diverging_pixels(trace.h[:, [4, 0]].T))
    top = unit_rows(SceneInput(trace, extra={"top": 2}))  # the rows, before any drawing
    assert top == [int(u) for u in trace.units_by_variance()[:2]]


def test_error_map_cells_are_the_trace_norms_on_the_log_scale(trace, dry):
    scene = dry(ErrorMapScene, SceneInput(trace))
    b = scene.board
    norms = trace.error_by_source_norms()
    np.testing.assert_array_equal(b.norms, norms)
    assert (b.lo, b.hi) == log_range(norms)
    pixels = b.image.pixel_array
    assert pixels.shape == (trace.T, trace.T, 4)
    np.testing.assert_array_equal(pixels, log_pixels(norms, b.lo, b.hi))
    upper = np.triu(np.ones((trace.T, trace.T), dtype=bool), k=1)
    assert (pixels[upper][:, 3] == 0).all() and (pixels[~upper][:, 3] == 255).all()
    assert b.beats == ["the map", "last steps", "the rest", "reading"]


def test_error_map_shows_vanishing_as_fading_away_from_the_diagonal(dry):
    tr = text_model("hello world", hidden=3, seed=0, init_scale=0.005, radius=0.4).trace()
    b = dry(ErrorMapScene, SceneInput(tr)).board
    last = b.image.pixel_array[-1, :, :3].astype(int).sum(axis=1)  # row L(T), t = 1..T
    assert last[0] < last[-1]  # darker (smaller) far from the diagonal


def test_neuron_text_cells_are_one_unit_under_the_colour_map(trace, dry):
    scene = dry(NeuronTextScene, SceneInput(trace))
    b = scene.board
    first = int(np.argmax(trace.h.var(axis=0)))
    assert b.picks[0].unit == first
    for pick in b.picks:
        pixels = b.images[pick.unit].pixel_array
        colors = diverging_pixels(trace.h[:, pick.unit])
        for t, (row, col) in enumerate(b.cells):
            assert pixels[row, col].tolist() == colors[t].tolist()
    assert b.beats[0] == "the text" and b.beats[1:] == [f"unit {p.unit + 1}" for p in b.picks]
    scene = dry(NeuronTextScene, SceneInput(trace, extra={"unit": 3}))
    assert [p.unit for p in scene.board.picks] == [2]


def test_text_cells_break_after_newlines_and_wrap_long_lines():
    assert text_cells(list("ab\ncd"), cols=4) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
    assert text_cells(list("abcde"), cols=2) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]


@pytest.mark.parametrize("scene_cls, extra, message", [
    (ActivationsScene, {}, f"activations draws at most {MAX_STEPS} steps"),
    (ErrorMapScene, {}, f"error-map draws at most {MAX_STEPS} steps"),
    (ActivationsScene, {"units": [4]}, "unit 4 does not exist"),
    (NeuronTextScene, {"unit": 9}, "unit 9 does not exist"),
])
def test_views_refuse_beyond_their_limits_with_one_line(scene_cls, extra, message, dry):
    text = "ab" * 300 if not extra else "hello"
    tr = text_model(text, hidden=3, seed=0).trace()
    with pytest.raises(UnrolledError, match=message) as err:
        dry(scene_cls, SceneInput(tr, extra=extra))
    assert "\n" not in str(err.value)


def test_neuron_text_refuses_more_than_its_characters(dry):
    tr = text_model("abc " * (MAX_CHARS // 4 + 1), hidden=2, seed=0).trace()
    with pytest.raises(UnrolledError, match=f"at most {MAX_CHARS} characters"):
        dry(NeuronTextScene, SceneInput(tr))


# Every cell: the views draw any recorded (T, H) layer, and the LSTM's cell-state error map
@pytest.fixture(scope="module")
def lstm():
    return text_model(TEXT, hidden=5, seed=1, cell="lstm", forget_bias=1.0).trace()


@pytest.mark.parametrize("layer", ["h", "cell", "gate-f", "gate-o"])
def test_activations_of_an_lstm_draw_the_layer_asked_for(lstm, dry, layer):
    b = dry(ActivationsScene, SceneInput(lstm, extra={"layer": layer})).board
    values = {"h": lstm.h, "cell": lstm.cell, "gate-f": lstm.gates[:, 1],
              "gate-o": lstm.gates[:, 3]}[layer]  # independently of Trace.layer
    assert b.rows == sorted(range(5), key=lambda u: -values.var(axis=0)[u])
    np.testing.assert_array_equal(b.image.pixel_array, diverging_pixels(values[:, b.rows].T))


def test_neuron_text_of_a_gru_colours_by_its_update_gate(dry):
    gru = text_model(TEXT, hidden=4, seed=0, cell="gru").trace()
    b = dry(NeuronTextScene, SceneInput(gru, extra={"layer": "gate-z"})).board
    z = gru.gates[:, 1]
    assert b.picks[0].unit == int(np.argmax(z.var(axis=0)))
    for pick in b.picks:
        paper = b.images[pick.unit].pixel_array
        cells = text_cells(gru.input_chars())
        line, col = cells[3]
        assert paper[line, col].tolist() == diverging_pixels(z[3, pick.unit]).tolist()


def test_error_map_of_the_lstm_cell_state(lstm, dry):
    b = dry(ErrorMapScene, SceneInput(lstm, extra={"path": "cell"})).board
    norms = lstm.error_by_source_norms("cell")
    assert not np.array_equal(norms, lstm.error_by_source_norms("h"), equal_nan=True)
    np.testing.assert_array_equal(b.image.pixel_array, log_pixels(norms, *log_range(norms)))


@pytest.mark.parametrize("scene_cls, extra, message", [
    (ActivationsScene, {"layer": "cell"}, "has no layer 'cell'"),
    (NeuronTextScene, {"layer": "gate-q"}, "has no layer 'gate-q'"),
    (ErrorMapScene, {"path": "cell"}, "travel along h, not cell"),
])
def test_a_layer_or_path_the_cell_has_not_is_one_line(trace, dry, scene_cls, extra, message):
    with pytest.raises(UnrolledError, match=message):
        dry(scene_cls, SceneInput(trace, extra=extra))
