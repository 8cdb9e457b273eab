"""The truncated-BPTT scene draws networks: a band per layer direction. Forward rows carry their
states across each cut, backward rows start again at every window's end, no error crosses a
cut, and one label per sequence leaves every window but the last without a loss."""

from __future__ import annotations

import numpy as np
import pytest

from rnn.errors import UnrolledError
from scenes.beats.truncated import recurrent_block
from scenes.beats.truncated_network import CompactNetwork
from scenes.components.theme import format_value
from scenes.output.lecture_file import load_lecture
from scenes.truncated import TruncatedScene, prepare_input

SHAPES = {
    "stacked": ({"steps": 8, "window": 3}, dict(num_layers=2, cell="lstm", seed=1)),
    "two-way": ({"steps": 8, "window": 4}, dict(num_layers=2, bidirectional=True, cell="gru")),
    "one-label": ({"steps": 9, "window": 4}, dict(label="b", classes="a,b", bidirectional=True,
                                                  text="abcabcabcab")),
}


@pytest.fixture(scope="module", params=list(SHAPES))
def drawn(request, tmp_path_factory, dry_run):
    options, model = SHAPES[request.param]
    inp = prepare_input(options, **model)
    scene = dry_run(TruncatedScene, inp, tmp_path_factory.mktemp(request.param))
    return request.param, scene, inp


def test_a_band_per_layer_direction_shows_each_windows_values(drawn):
    name, scene, inp = drawn
    seq = scene.board.seq
    assert isinstance(seq, CompactNetwork)
    assert set(seq.slots) == set(inp.trace.shape.slots)
    for trace in inp.windows:
        w = trace.extra["window"]
        for (l, d, state), by_t in seq.units.items():
            values = trace.seq(l, d, state)
            for i, t in enumerate(range(w["start"], w["stop"] + 1)):
                assert by_t[t].values == [float(v) for v in values[i]]
    names = [n.original_text for n in seq.names]
    assert "layer 1" in names[0] and "layer 2" in names[-1] or name == "one-label"


def test_states_cross_the_cuts_only_along_forward_rows(drawn):
    name, scene, inp = drawn
    b = scene.board
    cuts = [x.after for x in b.barriers]
    assert cuts == [w.extra["window"]["stop"] for w in inp.windows[:-1]]
    for (l, d, state), arrows in b.seq.recurrent.items():
        for c in cuts:
            if d == 0:  # the state after step c goes into step c + 1
                assert c + 1 in arrows
            else:  # the backward row reads c + 1 before c: nothing crosses to step c
                assert c not in arrows
        inside = [t for t in range(2, b.T) if t - 1 not in cuts and t not in cuts]
        assert all(t in arrows for t in inside if d == 0)
    # ...as the numbers do: forward directions start where the last window ended, backward
    # directions from zeros
    for before, after in zip(inp.windows, inp.windows[1:]):
        for l, d in inp.trace.shape.slots:
            start = after.layer(l, d).h0
            if d == 0:
                np.testing.assert_array_equal(start, before.layer(l, d).h[-1])
            else:
                assert not start.any()


def test_no_error_crosses_a_cut_and_arrows_carry_the_recorded_errors(drawn):
    name, scene, inp = drawn
    b = scene.board
    lay = b.seq.layout
    lossful = [w for w in inp.windows if w.update is not None]
    assert len(b.errors) == len(lossful)
    for errors, trace in zip(b.errors, lossful):
        w = trace.extra["window"]
        lo, hi = lay.cut_x(w["start"] - 1), lay.cut_x(w["stop"])
        assert len(errors) > 0
        for arrow in errors:
            xs = arrow.get_all_points()[:, 0]
            assert lo < xs.min() and xs.max() < hi
        for slot, by_t in errors.by_slot.items():
            sent = np.linalg.norm(trace.seq(*slot, "dL_dh_from_next"), axis=1)
            down = np.linalg.norm(trace.seq(*slot, "dL_dh_from_output"), axis=1)
            for i, t in enumerate(range(w["start"], w["stop"] + 1)):
                expected = {float(v) for v in (sent[i], down[i]) if v > 0}
                assert {a.magnitude for a in by_t[t]} <= expected
                if down[i] > 0:
                    assert float(down[i]) in {a.magnitude for a in by_t[t]}


def test_updates_and_the_comparison_print_layer_ones_recurrent_block(drawn):
    name, scene, inp = drawn
    b = scene.board
    spec = inp.trace.spec
    key = f"{spec.recurrent}_l0"
    lossful = [w for w in inp.windows if w.update is not None]
    assert [p.window for p in b.updates] == [k for k, w in enumerate(inp.windows, start=1)
                                             if w.update is not None]
    for panel, trace in zip(b.updates, lossful):
        W = recurrent_block(spec, trace.update.params_after.as_dict()[key])
        assert panel.shown == [format_value(v) for v in np.ravel(W)]
        assert panel[0].original_text.startswith(key)
    shown = list(b.comparison.shown.values())
    for arr, which in zip(shown, ("full_grads", "truncated_grads", "difference")):
        assert arr == [format_value(v) for v in np.ravel(recurrent_block(
            spec, inp.extra[which][key]))]


def test_one_label_leaves_every_window_but_the_last_without_a_loss(drawn):
    name, scene, inp = drawn
    b = scene.board
    windows = len(inp.windows)
    if name != "one-label":  # a loss at every step: every window learns
        assert all(w.update is not None for w in inp.windows)
        assert [lab.value for lab in b.losses] == [float(v) for w in inp.windows
                                                   for v in w.losses]
        return
    assert [w.update is None for w in inp.windows] == [True] * (windows - 1) + [False]
    assert b.beats == (["sequence"] + [f"forward window {k}" for k in range(1, windows)]
                       + [f"{kind} window {windows}" for kind in ("forward", "backward",
                                                                  "update")] + ["compare"])
    [label] = b.losses
    assert label.value == float(inp.windows[-1].losses[0])
    captions = [c for _, c, _ in scene.narrated]
    assert "no loss" in captions[1] and "no update" in captions[1]


def test_captions_say_what_crosses_a_cut(drawn):
    name, scene, inp = drawn
    first = [c for _, c, _ in scene.narrated][0]
    if inp.trace.shape.bidirectional:
        assert "backward rows start again" in first
    else:
        assert "every layer's hidden and cell states cross" in first


def test_a_column_too_tall_to_read_is_refused_in_one_line():
    with pytest.raises(UnrolledError, match="at most 48 units a step") as err:
        prepare_input({}, hidden=8, num_layers=4, bidirectional=True, cell="lstm")
    assert "\n" not in str(err.value)


def test_a_lecture_files_network_reaches_the_truncated_scene(tmp_path):
    path = tmp_path / "talk.toml"
    path.write_text('[model]\nnum_layers = 2\ncell = "lstm"\n'
                    '[[scenes]]\nname = "truncated"\nsteps = 6\nwindow = 3\n')
    [inp] = load_lecture(path).scene_inputs()
    assert inp.trace.shape.layers == 2 and [w.T for w in inp.windows] == [3, 3]
    assert inp.trace.kind == "lstm"
