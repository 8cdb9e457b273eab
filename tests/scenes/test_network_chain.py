"""Networks of every shape in the chain scenes: one row per (layer, direction), drawn from the
NetworkTrace by the same Stage and beats; what is drawn is checked against the Trace."""

import numpy as np
import pytest

from rnn.model import text_model
from rnn.network import suffix
from scenes.beats.inputs import SceneInput
from scenes.bptt import BPTTScene
from scenes.components.theme import get_theme
from scenes.forward import ForwardScene
from scenes.lecture import LectureScene


@pytest.fixture(scope="module")
def deep_trace():
    """2 layers, both directions, an LSTM: four rows."""
    return text_model("hello", 3, cell="lstm", num_layers=2, bidirectional=True).trace()


@pytest.fixture(scope="module")
def label_trace():
    """One label per sequence, a GRU of one layer read both ways."""
    return text_model("xabcab", 2, cell="gru", bidirectional=True, label="x",
                      classes="x,y").trace()


def fills(cells) -> np.ndarray:
    """The fill colours (RGB) of a column of heat cells, top to bottom."""
    return np.array([sq.get_fill_color().to_rgb() for sq in cells.cells])


def expected(theme, values, vmax) -> np.ndarray:
    return np.array([theme.value_color(v, vmax).to_rgb() for v in values])


def test_rows_are_the_layers_and_directions_top_layer_first(dry_run, tmp_path, deep_trace):
    scene = dry_run(ForwardScene, SceneInput(deep_trace), tmp_path)
    net = scene.stage.net
    assert net.slots == [(1, 0), (1, 1), (0, 0), (0, 1)]
    ys = [net.row_y(s) for s in net.slots]
    assert ys == sorted(ys, reverse=True)  # drawn from the top down, no two on one line
    assert scene.stage.beats[:5] == ["unfold", "forward layer 1 forward",
                                     "forward layer 1 backward", "forward layer 2 forward",
                                     "forward layer 2 backward"]


def test_the_two_directions_recurrent_arrows_point_opposite_ways(dry_run, tmp_path, deep_trace):
    net = dry_run(ForwardScene, SceneInput(deep_trace), tmp_path).stage.net
    for (l, d), arrows in net.recurrent.items():
        assert len(arrows) == deep_trace.T
        dx = [a.get_end()[0] - a.get_start()[0] for a in arrows]
        assert all(x > 0 for x in dx) if d == 0 else all(x < 0 for x in dx), (l, d, dx)
    # the backward direction's own step 1 is the sequence's last position
    view = net.row((0, 1))
    assert view.cells("h", 1).get_center()[0] > view.cells("h", deep_trace.T).get_center()[0]


def test_every_row_shows_its_own_trace_at_its_own_positions(dry_run, tmp_path, deep_trace):
    scene = dry_run(ForwardScene, SceneInput(deep_trace), tmp_path)
    net, theme = scene.stage.net, get_theme("dark")
    T = deep_trace.T
    for l, d in net.slots:
        h = deep_trace.seq(l, d, "h")  # sequence order
        cell = deep_trace.seq(l, d, "cell")
        scale = float(np.abs(deep_trace.layer(l, d).cell).max())
        for c in range(1, T + 1):
            assert np.allclose(fills(net.units[(l, d), "h", c]), expected(theme, h[c - 1], 1.0))
            assert np.allclose(fills(net.units[(l, d), "cell", c]),
                               expected(theme, cell[c - 1], scale))
    for i in range(1, T + 1):  # one output per step, over its position
        assert np.allclose(fills(net.head[i]), expected(theme, deep_trace.yhat[i - 1], 1.0))
    labels = [m.text for m in scene.stage.loss_labels]
    assert len(labels) == T and labels[0].endswith(f"{deep_trace.losses[0]:+.2f}")


def test_the_errors_go_back_in_time_and_down_with_the_traces_norms(dry_run, tmp_path,
                                                                   deep_trace):
    scene = dry_run(BPTTScene, SceneInput(deep_trace), tmp_path)
    stage, net, theme = scene.stage, scene.stage.net, get_theme("dark")
    flow = stage.flow
    T = deep_trace.T
    for l, d in net.slots:
        norms = deep_trace.error_by_source_norms(l, d)
        own = norms if d == 0 else norms[:, ::-1]
        dL_dh = deep_trace.layer(l, d).dL_dh
        scale = float(np.abs(dL_dh).max())
        view = net.row((l, d))
        for t in range(1, T + 1):
            assert np.allclose(fills(view.cells("h", t)), expected(theme, dL_dh[t - 1], scale))
            lanes = [a for a in flow.arriving_at((l, d), t) if a.get_start()[1] == a.get_end()[1]]
            down = [a for a in flow.arriving_at((l, d), t) if a not in lanes]
            assert len(down) == 1 and down[0].get_end()[1] < down[0].get_start()[1]
            for a in lanes:  # back in the direction's own time: leftwards forward, else right
                dx = a.get_end()[0] - a.get_start()[0]
                assert dx < 0 if d == 0 else dx > 0
                assert a.magnitude == pytest.approx(own[a.source - 1, t - 1])
            assert len(lanes) == (0 if t == T else int((own[:, t] > 0).sum()))
    assert stage.beats[-6:] == ["output errors", "backward layer 2 forward",
                                "backward layer 2 backward", "backward layer 1 forward",
                                "backward layer 1 backward", "all errors"]


def test_one_label_is_one_output_and_one_loss_at_the_end(dry_run, tmp_path, label_trace):
    scene = dry_run(BPTTScene, SceneInput(label_trace), tmp_path)
    stage, net = scene.stage, scene.stage.net
    assert list(net.head) == [1] and len(stage.loss_labels) == 1
    assert net.head[1].get_center()[0] > net.units[(0, 0), "h", label_trace.T].get_center()[0]
    theme = get_theme("dark")
    dL_do = label_trace.dL_do[0]
    assert np.allclose(fills(net.head[1]), expected(theme, dL_do, float(np.abs(dL_do).max())))
    top = [a for slot in net.slots for t in range(1, label_trace.T + 1)
           for a in stage.flow.arriving_at(slot, t) if a.get_start()[1] != a.get_end()[1]]
    # the one loss reaches each direction at its own last step only: h_n
    assert sorted(a.step for a in top) == [label_trace.T, label_trace.T]
    narrated = " ".join(c for _, c, _ in scene.narrated)
    assert "One label, read after the last step" in " ".join(
        c for _, c, _ in dry_run(ForwardScene, SceneInput(label_trace), tmp_path / "f").narrated)
    assert "they travel towards the end" in narrated


def test_the_lecture_shows_each_rows_gradients_from_the_trace(dry_run, tmp_path, deep_trace):
    scene = dry_run(LectureScene, SceneInput(deep_trace), tmp_path)
    stage = scene.stage
    rows = [b for b in stage.beats if b.startswith("gradients layer")]
    assert rows == ["gradients layer 2 forward", "gradients layer 2 backward",
                    "gradients layer 1 forward", "gradients layer 1 backward"]
    panel = stage.panel  # the last one: the output's V and c
    assert np.array_equal(panel.values["V"], deep_trace.grads["V"])
    captions = {name: c for name, c, _ in scene.narrated}
    assert "W_hh" + suffix(0, 1) in captions["gradients layer 1 backward"]
    assert "Layer 2 reads layer 1's h(t)" in captions["forward layer 2 forward"]
    assert "reads from the end" in captions["forward layer 1 backward"]


def test_a_one_layer_model_still_draws_the_one_layer_chain(dry_run, tmp_path, tiny_trace):
    scene = dry_run(ForwardScene, SceneInput(tiny_trace), tmp_path)
    assert type(scene.stage.net).__name__ == "UnrolledNetwork"
    assert "forward layer 1" not in scene.stage.beats


def test_a_network_still_is_described_with_the_traces_numbers():
    """The description of a network's bptt still names its shape and reads its numbers from
    the NetworkTrace: the loss, and the followed term's error at both ends."""
    from rnn.model import text_model
    from scenes.beats.inputs import SceneInput
    from scenes.output.alt_network import network_story
    from scenes.output.alt_text import num

    trace = text_model("hello", 3, cell="lstm", num_layers=2, bidirectional=True).trace()
    told = network_story("bptt", SceneInput(trace))
    s = int(np.argmax(trace.losses))
    near = trace.error_by_source_norms(1, 0)[s, s]
    far = trace.error_by_source_norms(0, 0)[s, 0]
    assert "2-layer bidirectional LSTM" in told.short and f"L({s + 1})" in told.short
    assert f"norm {num(near)}" in told.short and f"norm {num(far)}" in told.short
    assert f"L = {num(trace.loss)}" in told.long
    one = text_model("xab", 3, label="x", classes="x,y").trace()
    assert "one label ('x')" in network_story("forward", SceneInput(one)).short


def test_each_output_reads_both_directions_of_the_top_layer(dry_run, tmp_path, deep_trace,
                                                            label_trace):
    net = dry_run(ForwardScene, SceneInput(deep_trace), tmp_path).stage.net
    for i, reads in net.reads.items():
        assert [(slot, c) for slot, c, _ in reads] == [((1, 0), i), ((1, 1), i)]
        arrow = reads[0][2]  # one line up from the lower row, past the upper one, into ŷ(i)
        assert arrow.get_start()[1] <= net.row_y((1, 1)) < net.row_y((1, 0))
        assert arrow.get_end()[1] == pytest.approx(net.head[i].get_bottom()[1])
    net = dry_run(ForwardScene, SceneInput(label_trace), tmp_path / "label").stage.net
    T = label_trace.T
    # h_n: the forward direction after position T, the backward one after position 1
    assert [(slot, c) for slot, c, _ in net.reads[1]] == [((0, 0), T), ((0, 1), 1)]
    for slot, c, path in net.reads[1]:
        start = path[0].get_start()
        assert start[1] == pytest.approx(net.row_y(slot))
        assert start[0] == pytest.approx(net.side_x(c)) or c == T


def test_beyond_eight_loss_terms_one_arrow_a_step_carries_them_all(dry_run, tmp_path):
    """Twelve loss terms: each row's arrows back in time are one a step, each as large as the
    recorded error from the next step (the sum of every term's), not twelve hairline lanes."""
    from scenes.components.layer_rows import MAX_TERM_LANES

    trace = text_model("hello world, h", 3, cell="gru", num_layers=2,
                       bidirectional=True).trace()
    assert len(trace.losses) > MAX_TERM_LANES
    scene = dry_run(BPTTScene, SceneInput(trace), tmp_path)
    flow = scene.stage.flow
    assert flow.merged
    for slot in trace.shape.slots:
        sent = np.linalg.norm(trace.layer(*slot).dL_dh_from_next, axis=1)
        for t in range(1, trace.T + 1):
            back = [a for a in flow.arriving_at(slot, t) if a.get_start()[1] == a.get_end()[1]]
            assert len(back) == (0 if t == trace.T else 1)
            assert all(a.source == 0 and a.magnitude == pytest.approx(sent[t - 1]) for a in back)
    assert "every loss term's error at once" in " ".join(c for _, c, _ in scene.narrated)


def test_a_peephole_lstms_rows_draw_what_each_gate_reads(deep_trace):
    """i and f read cell(t-1), tapped where the time arrow brings it in; o reads cell(t), from
    its own column: three dashed lines a position in every row, none for the plain LSTM."""
    from scenes.components.layer_rows import NetworkChain

    theme = get_theme("dark")
    trace = text_model("hello", 3, cell="peephole", num_layers=2, bidirectional=True).trace()
    net = NetworkChain(trace, theme)
    T = trace.T
    assert len(net.peepholes) == 3 * T * len(net.slots)
    for (slot, gate, ref, c), line in net.peepholes.items():
        assert line in net.paths.submobjects
        gate_top = net.units[slot, f"gate {gate}", c].get_top()
        points = line.get_all_points()
        ends = {tuple(np.round(p[:2], 6)) for p in (points[0], points[-1])}
        assert tuple(np.round(gate_top[:2] + [0, 0.02], 6)) in ends
        if ref == "cell":  # o: this position's cell state
            start = net.units[slot, "cell", c].get_top()[:2] + [0, 0.02]
        else:  # i, f: at the row's edge where the previous step comes in
            edge = net._row_edge(slot, c, right=slot[1] == 1)[0]
            start = np.array([edge + (0.05 if slot[1] else -0.05), gate_top[1] + 0.02])
        assert tuple(np.round(start, 6)) in ends
        assert points[:, 1].max() > gate_top[1] + 0.05  # an arc over the row
    assert {(g, r) for _, g, r, _ in net.peepholes} == {("i", "cell@p"), ("f", "cell@p"),
                                                        ("o", "cell")}
    assert NetworkChain(deep_trace, theme).peepholes == {}
