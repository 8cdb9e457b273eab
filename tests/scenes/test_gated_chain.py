"""The unfolded LSTM and GRU chains (forward and bptt with --cell) draw their Trace.

After a dry run, every gate cell, state cell, output cell, loss label and error arrow is
compared with the recorded values under the colour map and the width scale.
"""

import itertools

import numpy as np
import pytest
from heat_checks import THEME, assert_cells, assert_forward_cells, hexes

from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import scale_of
from scenes.bptt import BPTTScene
from scenes.components.arrows import arrow_width
from scenes.components.chain_camera import loss_colors
from scenes.components.heat_chain import (
    FRAME_STEPS,
    MAX_STEPS,
    MAX_UNITS,
    HeatChain,
    check_heat_chain,
)
from scenes.components.heat_cells import STRIP_UNITS, HeatStrip
from scenes.components.theme import format_value
from scenes.forward import ForwardScene


@pytest.fixture(scope="module")
def lstm():
    return text_model("hello", cell="lstm", hidden=3, seed=0, forget_bias=1.0).trace()


@pytest.fixture(scope="module")
def lstm_short():
    return text_model("hey", cell="lstm", hidden=3, seed=2, forget_bias=1.0).trace()


@pytest.fixture(scope="module")
def gru():
    return text_model("hey", cell="gru", hidden=3, seed=1).trace()


def plain(text: str) -> str:
    """Text as manim keeps it: without spaces."""
    return text.replace(" ", "")




@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_forward_draws_the_recorded_gates_states_outputs_and_losses(dry_run, tmp_path, cell,
                                                                     lstm_short, gru):
    tr = lstm_short if cell == "lstm" else gru  # two steps: the default's four cost twice
    scene = dry_run(ForwardScene, SceneInput(trace=tr), tmp_path)
    stage, ch = scene.stage, scene.stage.net
    assert_forward_cells(ch, tr)
    assert ("cell", 1) in ch.state if cell == "lstm" else ("cell", 1) not in ch.state
    assert [lab.text for lab in stage.loss_labels] == [f"L={format_value(v)}" for v in tr.losses]
    colors = loss_colors(THEME, tr.T)
    assert hexes(lab[0].get_fill_color() for lab in stage.loss_labels) == hexes(colors)
    assert stage.band.lines[3].text == plain(f"L(1..{tr.T}) = {format_value(tr.cumulative_losses[-1])}")
    # the gate readout of the last step: one vector per gate, as recorded
    assert stage.band.lines[2].text == plain("".join(
        f"{name}({tr.T}) [{' '.join(format_value(v) for v in tr.gate(name)[tr.T - 1])}]"
        for name in tr.gate_names))
    assert stage.beats == ["unfold", *[f"forward step {t}" for t in range(1, tr.T + 1)],
                           "total loss"]
    assert all(caption and spoken for _, caption, spoken in scene.narrated)


def test_lstm_bptt_draws_both_paths_from_the_recorded_norms(dry_run, tmp_path, lstm):
    tr = lstm
    scene = dry_run(BPTTScene, SceneInput(trace=tr), tmp_path)
    stage, ch, flow = scene.stage, scene.stage.net, scene.stage.flow
    norms = {"h": tr.error_by_source_norms(), "cell": tr.cell_error_by_source_norms()}
    top = max(np.nanmax(n) for n in norms.values())
    colors = hexes(loss_colors(THEME, tr.T))
    assert set(flow.by_pair) == {"h", "cell"}
    for path, mags in norms.items():
        pairs = {(s, t) for s in range(1, tr.T + 1) for t in range(1, s + 1)}
        assert set(flow.by_pair[path]) == pairs
        for (s, t), arrow in flow.by_pair[path].items():
            assert arrow.magnitude == mags[s - 1, t - 1]
            assert arrow.get_stroke_width() == pytest.approx(arrow_width(mags[s - 1, t - 1], top))
            assert arrow.get_color().to_hex() == colors[s - 1]
            assert arrow in scene.mobjects or any(arrow in m.get_family() for m in scene.mobjects)
    # the cell path carries more than h does at the first step: the carousel, on screen
    assert flow.by_pair["cell"][tr.T, 1].magnitude != flow.by_pair["h"][tr.T, 1].magnitude
    for t in range(1, tr.T + 1):
        assert_cells(ch.cells("h", t), tr.dL_dh[t - 1], scale_of(tr.dL_dh))
        assert_cells(ch.cells("cell", t), tr.dL_dcell[t - 1], scale_of(tr.dL_dcell))
        assert_cells(ch.cells("yhat", t), tr.dL_do[t - 1], scale_of(tr.dL_do))
        for k, name in enumerate(tr.gate_names):
            assert_cells(ch.gate_cells(name, t), tr.dL_dpre[t - 1, k], scale_of(tr.dL_dpre))
    # the last readout is step 1's: the two recorded parts and their recorded sum, per path
    def fmt(v):
        return f"[{' '.join(format_value(x) for x in v)}]"

    h_parts = [p.text for p in stage.band.lines[2]]
    assert h_parts == [plain(f"from L(1): {fmt(tr.dL_dh_from_output[0])}"),
                       plain(f"+ from h(2): {fmt(tr.dL_dh_from_next[0])}"),
                       plain(f"= ∂L/∂h(1): {fmt(tr.dL_dh[0])}")]
    cell_parts = [p.text for p in stage.band.lines[3]]
    assert cell_parts == [plain(f"through h(1): {fmt(tr.dL_dcell_from_h[0])}"),
                          plain(f"+ cell(2)·f(2): {fmt(tr.dL_dcell_from_next[0])}"),
                          plain(f"= ∂L/∂cell(1): {fmt(tr.dL_dcell[0])}")]
    assert stage.beats == ["backward", "output errors",
                           *[f"backward step {t}" for t in range(tr.T, 0, -1)], "all errors"]


def test_gru_bptt_has_only_the_hidden_path(dry_run, tmp_path, gru):
    scene = dry_run(BPTTScene, SceneInput(trace=gru), tmp_path)
    flow, ch = scene.stage.flow, scene.stage.net
    assert set(flow.by_pair) == {"h"}
    norms = gru.error_by_source_norms()
    assert {k: a.magnitude for k, a in flow.by_pair["h"].items()} == {
        (s, t): norms[s - 1, t - 1] for s in range(1, gru.T + 1) for t in range(1, s + 1)}
    assert_cells(ch.cells("h", 2), gru.dL_dh[1], scale_of(gru.dL_dh))
    assert 3 not in scene.stage.band.lines  # no cell readout


def test_the_still_frame_holds_twelve_steps_of_32_units_and_more_are_refused():
    tr = text_model("hello world!!", cell="lstm", hidden=STRIP_UNITS, seed=0).trace()
    assert tr.T == FRAME_STEPS
    chain = HeatChain(tr, THEME)
    assert not chain.long and chain.col_w == pytest.approx(13.4 / FRAME_STEPS)
    # beyond six units a column is a plain strip: one image, a pixel a unit, stacked in 0.9
    h = chain.cells("h", 1)
    assert isinstance(h, HeatStrip) and np.asarray(h.image.pixel_array).shape == (STRIP_UNITS, 1, 4)
    assert h.height == pytest.approx(0.9) and h.width == pytest.approx(chain.side_w)
    boxes = [chain.gates[t] for t in range(1, tr.T + 1)]
    assert all(a.get_right()[0] < b.get_left()[0] for a, b in itertools.pairwise(boxes))
    assert chain.get_left()[0] > -7.12 and chain.get_right()[0] < 7.12  # within the frame
    for T, H, limit in ((MAX_STEPS + 1, 3, "at most 64 time steps"),
                        (4, MAX_UNITS + 1, "at most 256 hidden units")):
        with pytest.raises(UnrolledError, match=limit):
            check_heat_chain(T, H, 4)


def test_a_wide_vocabulary_is_one_plain_strip_per_output():
    wide = Vocabulary(tuple("abcdefghijklmnopqrstuvwxyz"))
    tr = text_model("hello", cell="gru", hidden=2, seed=0, vocabulary=wide).trace()
    K = tr.yhat.shape[1]
    chain = HeatChain(tr, THEME)
    out = chain.cells("yhat", 1)
    assert isinstance(out, HeatStrip) and np.asarray(out.image.pixel_array).shape == (K, 1, 4)
    assert K > 16
    assert out.width == pytest.approx(chain.side) and out.height <= 0.7 + 1e-9
