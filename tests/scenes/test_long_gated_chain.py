"""Long LSTM and GRU chains: the camera travels as along the simple RNN's, the bands stay put,
every drawn cell is the Trace's; with values, the numbers inside the cells are the Trace's.

Scenes run as dry runs (every animation jumps to its end), and a recording scene keeps where
the camera's frame was after each play.
"""

import numpy as np
import pytest
from heat_checks import THEME, assert_cells, assert_forward_cells
from manim import config

from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import scale_of
from scenes.bptt import BPTTScene
from scenes.components.chain_camera import ChainCamera, follow_center
from scenes.components.heat_chain import CELL_UNITS, MAX_STEPS, VALUE_W, HeatChain
from scenes.components.heat_cells import MIN_NUMBER_HEIGHT, STRIP_UNITS, HeatCells, HeatStrip
from scenes.components.theme import format_value
from scenes.forward import ForwardScene

LONG_TEXT = "hello world, " * 5  # 65 characters: 64 steps, the most drawn


@pytest.fixture(scope="module")
def long_traces():
    return {cell: text_model(LONG_TEXT, cell=cell, hidden=8, seed=0).trace()
            for cell in ("lstm", "gru")}


@pytest.fixture(scope="module")
def short_lstm():
    return text_model("hey", cell="lstm", hidden=3, seed=2, forget_bias=1.0).trace()


def recording(scene_cls):
    """``scene_cls`` keeping the frame's centre and width after every play in ``frames``."""
    class Recording(scene_cls):
        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            frame = self.camera.frame
            self.__dict__.setdefault("frames", []).append(
                (frame.get_center().copy(), frame.width))

    Recording.__name__ = scene_cls.__name__
    return Recording




def assert_travelled(scene, steps):
    """The frame visited every step of ``steps`` at the still frame's width, and ended on
    the whole chain; the top band is not part of what the camera travels over."""
    chain = scene.stage.net
    assert isinstance(scene.camera, ChainCamera) and scene.camera.travels
    at_width = [c for c, w in scene.frames if w == pytest.approx(config.frame_width)]
    for t in steps:
        want = follow_center(chain.columns, t)
        assert any(np.allclose(c, want) for c in at_width), t
    assert len({round(float(c[0]), 6) for c in at_width}) > 10  # it moved along the chain
    center, width = chain.overview()
    frame = scene.camera.frame
    assert frame.get_center() == pytest.approx(center) and frame.width == pytest.approx(width)
    assert frame.get_left()[0] < chain.get_left()[0] < chain.get_right()[0] < \
        frame.get_right()[0]
    world = scene.camera.chain_ids()
    assert id(chain) in world and scene.stage.band.lines
    assert all(id(m) not in world for line in scene.stage.band.lines.values()
               for m in line.get_family())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_64_step_forward_travels_and_draws_every_cell_from_the_trace(dry_run, tmp_path, cell,
                                                                       long_traces):
    tr = long_traces[cell]
    assert tr.T == MAX_STEPS == 64
    scene = dry_run(recording(ForwardScene), SceneInput(trace=tr), tmp_path)
    stage, ch = scene.stage, scene.stage.net
    assert ch.long and ch.col_w == pytest.approx(13.4 / 12)  # the width of 12 steps, kept
    assert_forward_cells(ch, tr)
    assert [lab.text for lab in stage.loss_labels] == [f"L={format_value(v)}" for v in tr.losses]
    assert stage.beats == ["unfold", "forward step 1", "forward step 2", "forward step 3",
                           "forward steps 4-64", "total loss"]
    assert_travelled(scene, range(1, tr.T + 1))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_64_step_bptt_travels_back_with_every_error_path(dry_run, tmp_path, cell,
                                                           long_traces):
    tr = long_traces[cell]
    scene = dry_run(recording(BPTTScene), SceneInput(trace=tr), tmp_path)
    stage, ch, flow = scene.stage, scene.stage.net, scene.stage.flow
    paths = {"h": tr.error_by_source_norms()}
    if cell == "lstm":
        paths["cell"] = tr.cell_error_by_source_norms()
    assert set(flow.by_pair) == set(paths)
    for path, mags in paths.items():
        assert len(flow.by_pair[path]) == tr.T * (tr.T + 1) // 2  # 2080 arrows a path
        for (s, t), arrow in flow.by_pair[path].items():
            assert arrow.magnitude == mags[s - 1, t - 1]
    for t in range(1, tr.T + 1):
        assert_cells(ch.cells("h", t), tr.dL_dh[t - 1], scale_of(tr.dL_dh))
        assert_cells(ch.cells("yhat", t), tr.dL_do[t - 1], scale_of(tr.dL_do))
        for k, name in enumerate(tr.gate_names):
            assert_cells(ch.gate_cells(name, t), tr.dL_dpre[t - 1, k], scale_of(tr.dL_dpre))
        if cell == "lstm":
            assert_cells(ch.cells("cell", t), tr.dL_dcell[t - 1], scale_of(tr.dL_dcell))
    assert stage.beats == ["backward", "output errors", "backward step 64", "backward step 63",
                           "backward step 62", "backward steps 61-1", "all errors"]
    assert_travelled(scene, range(tr.T, 0, -1))


def test_a_chain_that_fits_the_frame_keeps_the_still_camera(dry_run, tmp_path, short_lstm):
    scene = dry_run(recording(BPTTScene), SceneInput(trace=short_lstm), tmp_path)
    ch = scene.stage.net
    assert not ch.long and ch.col_w == pytest.approx(13.4 / short_lstm.T)
    assert not scene.camera.travels and scene.camera.at_home()
    assert all(np.allclose(c, 0.0) and w == pytest.approx(config.frame_width)
               for c, w in scene.frames)


def _printed_cells(chain, tr):
    """(cells, values shown last in a forward pass) for every outlined column of the chain."""
    for t in range(1, tr.T + 1):
        for k, name in enumerate(tr.gate_names):
            yield chain.gate_cells(name, t), tr.gates[t - 1, k]
        yield chain.cells("h", t), tr.h[t - 1]
        yield chain.cells("yhat", t), tr.yhat[t - 1]
        if "cell" in tr.spec.states:
            yield chain.cells("cell", t), tr.cell[t - 1]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_values_prints_the_trace_inside_every_gated_cell(dry_run, tmp_path, cell, short_lstm):
    tr = short_lstm if cell == "lstm" else text_model("hey", cell="gru", hidden=3,
                                                      seed=1).trace()
    scene = dry_run(ForwardScene, SceneInput(trace=tr, values=True), tmp_path)
    ch = scene.stage.net
    assert ch.values and ch.side_w == pytest.approx(VALUE_W)
    for cells, values in _printed_cells(ch, tr):
        assert cells.printed == [format_value(v) for v in values]
        for sq, number in zip(cells.cells, cells.numbers):  # legible, and inside its cell
            assert number.height >= MIN_NUMBER_HEIGHT
            assert sq.get_left()[0] < number.get_left()[0] < number.get_right()[0] \
                < sq.get_right()[0]
            assert sq.get_bottom()[1] < number.get_bottom()[1] < number.get_top()[1] \
                < sq.get_top()[1]
            assert number in scene.mobjects or any(number in m.get_family()
                                                   for m in scene.mobjects)


def test_values_in_bptt_prints_the_recorded_errors(dry_run, tmp_path, short_lstm):
    tr = short_lstm
    scene = dry_run(BPTTScene, SceneInput(trace=tr, values=True), tmp_path)
    ch = scene.stage.net
    for t in range(1, tr.T + 1):
        assert ch.cells("h", t).printed == [format_value(v) for v in tr.dL_dh[t - 1]]
        assert ch.cells("cell", t).printed == [format_value(v) for v in tr.dL_dcell[t - 1]]
        assert ch.cells("yhat", t).printed == [format_value(v) for v in tr.dL_do[t - 1]]
        assert ch.gate_cells("f", t).printed == [format_value(v) for v in tr.dL_dpre[t - 1, 1]]


def test_values_widen_the_columns_and_a_strip_prints_nothing(long_traces, short_lstm):
    plain, printed = HeatChain(short_lstm, THEME), HeatChain(short_lstm, THEME, values=True)
    assert plain.side_w < printed.side_w and not plain.values
    assert plain.cells("h", 1).printed is None
    # a long chain printing values keeps gate columns VALUE_W wide and the camera travels
    wide = HeatChain(long_traces["gru"], THEME, values=True)
    assert wide.H > CELL_UNITS and not wide.values  # eight units: plain strips, no numbers
    few = text_model(LONG_TEXT[:20], cell="lstm", hidden=2, seed=0).trace()
    chain = HeatChain(few, THEME, values=True)
    assert chain.long and chain.side_w == pytest.approx(VALUE_W)
    assert isinstance(chain.cells("h", 1), HeatCells) and chain.cells("h", 1).numbers


def test_a_column_of_more_than_32_units_is_one_image_in_the_same_colours():
    tr = text_model("hey", cell="gru", hidden=STRIP_UNITS + 8, seed=0).trace()
    chain = HeatChain(tr, THEME)
    h = chain.cells("h", 1)
    assert isinstance(h, HeatStrip) and np.asarray(h.image.pixel_array).shape == (40, 1, 4)
    assert h.height == pytest.approx(0.9) and h.width == pytest.approx(chain.side_w)
    for column, values in ((h, tr.h[0]), (chain.gate_cells("z", 2), tr.gate("z")[1])):
        column.show(values, 1.0)
        assert_cells(column, values, 1.0)
