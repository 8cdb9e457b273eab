"""Truncated BPTT (``--window``) of bidirectional and one-label networks through the command
line: the printout, the Trace file's windows written and read back under the truncation
rules, and tampering refused in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_run import unrolled
from test_cli_shapes import _one_line_error

from rnn.traces import files as trace_files

TEXT = "hello world"


def test_a_bidirectional_networks_windows_are_written_read_back_and_checked(tmp_path):
    out = tmp_path / "t.json"
    res = unrolled("trace", "--cell", "gru", "--num-layers", "2", "--bidirectional", "--text",
                   TEXT, "--window", "4", "--json", str(out))
    assert res.returncode == 0, res.stderr
    assert "window 3" in res.stdout and "reads from the end" in res.stdout
    doc = json.loads(out.read_text())
    assert [w["window"] for w in doc["windows"]] == [
        {"start": 1, "stop": 4}, {"start": 5, "stop": 8}, {"start": 9, "stop": 10}]
    back = trace_files.load_any(out)
    assert [t.T for t in back] == [4, 4, 2]
    for prev, nxt in zip(back, back[1:]):  # forward carried, backward afresh from zeros
        assert np.allclose(nxt.layer(1, 0).h0, prev.layer(1, 0).h[-1], rtol=0, atol=1e-15)
        assert not np.any(nxt.layer(1, 1).h0) and np.any(nxt.layer(1, 0).h0)
    doc["windows"][1]["layers"][1]["steps"][2]["h"][0] += 1e-3  # layer 1 backward, step 7
    out.write_text(json.dumps(doc))
    res = unrolled("render", "error-map", "--trace", str(out), "--format", "png",
                   "--out", str(tmp_path / "r"))
    _one_line_error(res, "windows[1]", "layers[1].steps.h", "disagrees")


@pytest.mark.parametrize("suffix", (".json", ".npz"))
def test_one_label_in_windows_is_read_after_the_last_one_only(tmp_path, suffix):
    out = tmp_path / f"t{suffix}"
    res = unrolled("trace", "--cell", "lstm", "--bidirectional", "--label", "pos", "--classes",
                   "pos,neg", "--text", TEXT, "--window", "4", "--json", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("no label") == 2 and "window 3" in res.stdout
    back = trace_files.load_any(out)
    assert [t.losses.size for t in back] == [0, 0, 1] and back[2].T == 3
    assert all(not np.any(g) for t in back[:2] for g in t.grads.values())
    assert back[2].loss > 0 and back[0].params == back[2].params  # no step before the label
    if suffix == ".json":
        doc = json.loads(out.read_text())
        assert doc["windows"][0]["targets"] == [] and "update" not in doc["windows"][0]
        assert doc["windows"][2]["targets"] == [0] and "update" in doc["windows"][2]
    res = unrolled("render", "error-map", "--trace", str(out), "--format", "png",
                   "--out", str(tmp_path / "r"))
    _one_line_error(res, "first window comes before the one label")


@pytest.mark.parametrize("tamper, words", [
    (lambda d: d["windows"][0]["targets"].append(1), ["windows[0]", "'targets' must be 0"]),
    (lambda d: d["windows"][2].update(targets=[]), ["windows[2]", "'targets' must be 1"]),
    (lambda d: d["windows"][1]["window"].update(start=6), ["'windows[1].window' must run"]),
    (lambda d: d["windows"][0].update(update={}), ["'windows[0]' has no loss"]),
])
def test_a_one_label_window_file_that_breaks_the_rules_is_one_line(tmp_path, tamper, words):
    out = tmp_path / "t.json"
    res = unrolled("trace", "--label", "pos", "--classes", "pos,neg", "--text", TEXT,
                   "--window", "4", "--json", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    tamper(doc)
    out.write_text(json.dumps(doc))
    res = unrolled("explore", "--trace", str(out), "--out", str(tmp_path / "e.html"))
    _one_line_error(res, *words)
    assert not (tmp_path / "e.html").exists()


def test_a_window_that_does_not_start_where_the_last_stopped_is_refused():
    """A window rerun from other states is consistent with itself, yet breaks the chain."""
    from rnn.errors import UnrolledError
    from rnn.model import text_model
    from rnn.network import run_network

    model = text_model(TEXT, 3, cell="gru", bidirectional=True)
    traces = model.windows(4)
    w = traces[1]
    start, stop = w.extra["window"]["start"] - 1, w.extra["window"]["stop"]
    fresh = run_network(w.params, model.X[start:stop], model.y[start:stop])  # zeros: not carried
    fresh.update, fresh.vocabulary, fresh.extra = w.update, w.vocabulary, dict(w.extra)
    text = trace_files.dumps([traces[0], fresh, traces[2]])
    with pytest.raises(UnrolledError, match=r"windows\[1\].layers.h0_l0' disagrees"):
        trace_files.loads(text)
    trace_files.loads(trace_files.dumps(traces))  # the run itself reads back


def test_an_embedded_bidirectional_networks_windows_hold_their_rows_and_gradients(tmp_path):
    """torch's 2-layer bidirectional GRU under an embedding: one window over the text is
    torch's full pass (the embedding's gradient too); windows of 4 read back, each with the
    rows it read."""
    from cli_run import ROOT

    data = ROOT / "tests" / "rnn" / "data" / "frameworks"
    weights = str(data / "torch_gru_l2_bi.safetensors")
    for window, name in ((100, "one.npz"), (4, "four.json")):
        res = unrolled("trace", "--weights", weights, "--text", TEXT, "--window", str(window),
                       "--json", str(tmp_path / name), "--quiet")
        assert res.returncode == 0, res.stderr
    [one] = trace_files.load_any(tmp_path / "one.npz")
    with np.load(data / "torch_gru_l2_bi.npz") as ref:
        want = ref["grad:embedding"]
    assert np.allclose(one.extra["embedding_grad"], want, rtol=1e-5, atol=1e-6)
    four = trace_files.load_any(tmp_path / "four.json")
    assert [t.extra["input_ids"] for t in four] == [one.extra["input_ids"][i:i + 4]
                                                    for i in (0, 4, 8)]
    for t in four:
        assert np.array_equal(t.X, t.extra["embedding"][t.extra["input_ids"]])
