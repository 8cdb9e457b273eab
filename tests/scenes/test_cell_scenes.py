"""The lstm-cell and gru-cell scenes, rendered dry: every colour and number is the Trace's."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor

from rnn.errors import UnrolledError
from scenes import gru_cell, lstm_cell
from scenes.components.theme import get_theme

T_STEP = 2


@pytest.fixture(scope="module")
def lstm(tmp_path_factory, dry_run):
    inp = lstm_cell.prepare_input({})
    return dry_run(lstm_cell.LSTMCellScene, inp, tmp_path_factory.mktemp("lstm")), inp


@pytest.fixture(scope="module")
def gru(tmp_path_factory, dry_run):
    inp = gru_cell.prepare_input({}, theme="light")
    return dry_run(gru_cell.GRUCellScene, inp, tmp_path_factory.mktemp("gru")), inp


def assert_column_is(column, values, vmax, theme):
    """The column shows ``values``: its numbers, printed text and cell colours."""
    values = np.asarray(values, dtype=float)
    assert column.values == tuple(values.tolist())
    assert column.strings == tuple(f"{v:+.2f}" for v in values)
    for cell, text, string in zip(column.cells, column.texts, column.strings):
        assert len(text) == len(string)  # one glyph per character, centred in its cell
        assert np.allclose(text.get_center(), cell.get_center())
    for cell, v in zip(column.cells, values):
        assert cell.get_fill_color().to_hex() == theme.value_color(v, vmax).to_hex()


def narration(scene) -> str:
    """Every caption cue of the render, in order, as one line of text."""
    cues = [c.content for c in scene.renderer.file_writer.subcaptions]
    return " ".join(" ".join(cues).split())


def on_screen(scene, mob) -> bool:
    return mob in scene.get_mobject_family_members()


def test_lstm_beats_are_named_and_narrated(lstm):
    scene, _ = lstm
    assert scene.board.beats == ["the cell", "forget gate", "input gate", "new cell state",
                                 "output gate", "errors arrive", "gate errors", "cell path"]
    said = narration(scene)
    assert "The forget gate f, a sigmoid" in said
    assert said.endswith("multiplied by the forget gate f(t): the constant error carousel.")


def test_lstm_gates_light_up_with_the_traces_values(lstm):
    scene, inp = lstm
    trace, theme = inp.trace, get_theme("dark")
    i = T_STEP - 1
    for name in ("i", "f", "g", "o"):
        assert_column_is(scene.board.columns[name], trace.gate(name)[i], 1.0, theme)
    assert_column_is(scene.board.columns["cell_prev"], trace.cell[i - 1], 1.0, theme)
    assert_column_is(scene.board.columns["cell"], trace.cell[i], 1.0, theme)
    assert_column_is(scene.board.columns["h"], trace.h[i], 1.0, theme)
    assert_column_is(scene.board.columns["h_prev"], trace.h[i - 1], 1.0, theme)
    # a sigmoid gate is between 0 and 1, so its cells are never on the negative side
    assert all(0 < v < 1 for v in scene.board.columns["f"].values)


def test_lstm_errors_split_through_the_gates(lstm):
    scene, inp = lstm
    trace, theme = inp.trace, get_theme("dark")
    i = T_STEP - 1
    errors = scene.board.errors
    vmax = scene.board.step["error_scale"]
    for name in ("i", "f", "g", "o"):
        assert_column_is(errors[name], trace.gate_error(name)[i], vmax, theme)
        assert on_screen(scene, errors[name]) and not on_screen(scene, scene.board.columns[name])
    assert_column_is(errors["h"], trace.dL_dh[i], vmax, theme)
    assert_column_is(errors["cell"], trace.dL_dcell[i], vmax, theme)
    # the cell path: dL/dcell(t) times f(t), computed here, equals what reaches cell(t-1)
    assert_column_is(errors["cell_prev"], trace.dL_dcell[i] * trace.gate("f")[i], vmax, theme)
    assert np.allclose(errors["cell_prev"].values, trace.dL_dcell_from_next[i - 1])
    assert_column_is(errors["h_prev"], trace.dL_dh_from_next[i - 1], vmax, theme)
    # one colour scale for the step: its end is the largest error printed, columns or readout
    assert vmax >= max(abs(v) for c in errors.values() for v in c.values)
    split = np.abs(np.concatenate([trace.dL_dh_from_output[i], trace.dL_dh_from_next[i],
                                   trace.dL_dcell_from_h[i], trace.dL_dcell_from_next[i]]))
    assert vmax == max(split.max(), max(abs(v) for c in errors.values() for v in c.values))


def test_lstm_readout_prints_the_split_of_the_cell_error(lstm):
    scene, inp = lstm
    text = " ".join(m.original_text for line in scene.board.panel for m in line.get_family()
                    if hasattr(m, "original_text"))
    f = inp.trace.gate("f")[T_STEP - 1]
    assert " ".join(f"{v:+.2f}" for v in f) in text
    assert "⊙ f(t)" in text


def test_lstm_setup_is_said_on_screen(lstm):
    scene, _ = lstm
    texts = [m.original_text for m in scene.mobjects if hasattr(m, "original_text")]
    assert any("forget-gate bias +1" in t for t in texts)
    assert any("input “e”" in t for t in texts)


def test_gru_gates_and_errors_are_the_traces(gru):
    scene, inp = gru
    trace, theme = inp.trace, get_theme("light")
    assert ManimColor(scene.camera.background_color).to_hex() == "#FFFFFF"
    i = T_STEP - 1
    for name in ("r", "z", "n"):
        assert_column_is(scene.board.columns[name], trace.gate(name)[i], 1.0, theme)
    assert_column_is(scene.board.columns["h"], trace.h[i], 1.0, theme)
    vmax = scene.board.step["error_scale"]
    for name in ("r", "z", "n"):
        assert_column_is(scene.board.errors[name], trace.gate_error(name)[i], vmax, theme)
    assert_column_is(scene.board.errors["h"], trace.dL_dh[i], vmax, theme)
    assert_column_is(scene.board.errors["h_prev"], trace.dL_dh_from_next[i - 1], vmax, theme)
    direct = trace.gate("z")[i] * trace.dL_dh[i]  # the part that skips the gates
    assert np.allclose(scene.board.step["direct"], direct)
    panel = " ".join(m.original_text for m in scene.board.panel.get_family()
                     if hasattr(m, "original_text"))
    assert " ".join(f"{v:+.2f}" for v in direct) in panel


def test_gru_beats(gru):
    scene, _ = gru
    assert scene.board.beats == ["the cell", "reset and update", "candidate", "new state",
                                 "errors arrive", "gate errors", "direct path"]
    assert narration(scene).startswith("One step of a GRU, step 2:")


def test_another_step_and_bias_change_the_numbers():
    a = lstm_cell.prepare_input({"t": 3, "forget_bias": 2.0}, seed=1)
    assert a.extra["step"]["t"] == 3
    assert np.allclose(a.trace.params.block("b_hh", "f")
                       - lstm_cell.prepare_input({}, seed=1).trace.params.block("b_hh", "f"), 1.0)


@pytest.mark.parametrize("module, options, kwargs, match", [
    (lstm_cell, {"t": 5}, {}, "t must be"), (lstm_cell, {"t": 0}, {}, "t must be"),
    (lstm_cell, {}, {"hidden": 9}, "units"), (lstm_cell, {"radius": 1.0}, {}, "unknown"),
    (gru_cell, {"forget_bias": 1.0}, {}, "unknown"), (gru_cell, {"t": 2}, {"text": "h"}, "text"),
    (lstm_cell, {"forget_bias": "x"}, {}, "forget_bias"),
])
def test_bad_options_are_one_line(module, options, kwargs, match):
    with pytest.raises(UnrolledError, match=match) as err:
        module.prepare_input(options, **kwargs)
    assert "\n" not in str(err.value)
