"""The Trace file: exact float64 round trip, validation with one clear error."""

import json

import numpy as np
import pytest

from rnn import Optimizer, UnrolledError, run, text_model
from rnn.traces import files as trace_files

PARAM_NAMES = ("U", "W", "V", "b", "c")

@pytest.fixture
def doc():
    return json.loads(trace_files.dumps(text_model().trace()))


def test_round_trip_is_exact():
    tr = text_model("the cat sat", hidden=4, seed=5).trace(Optimizer("adagrad", 0.1, 1.0))
    text = trace_files.dumps(tr)
    back = trace_files.loads(text)
    assert trace_files.dumps(back) == text
    for key in ("h", "a", "o", "yhat", "dL_dh", "dL_da", "dL_dh_from_next"):
        assert np.array_equal(getattr(back, key), getattr(tr, key))
    for name in PARAM_NAMES:
        assert np.array_equal(back.grads[name], tr.grads[name])
        assert np.array_equal(getattr(back.update.params_after, name),
                              getattr(tr.update.params_after, name))
    assert back.vocabulary == tr.vocabulary and back.config == tr.config


def test_round_trip_keeps_awkward_floats():
    tr = text_model().trace()
    tr.h[0, 0] = 0.1 + 0.2  # 0.30000000000000004
    tr.h[0, 1] = 5e-324  # smallest subnormal
    tr.h[1, 0] = np.nan
    tr.h[1, 1] = -np.inf
    back = trace_files.loads(trace_files.dumps(tr))
    assert back.h[0, 0] == 0.1 + 0.2 and back.h[0, 1] == 5e-324
    assert np.isnan(back.h[1, 0]) and back.h[1, 1] == -np.inf


def test_required_keys(doc):
    for key in ("format", "version", "config", "vocabulary", "inputs", "targets", "params", "h0",
                "steps", "loss", "grads", "error_by_source", "params_after"):
        assert key in doc
    assert doc["format"] == "unrolled.trace" and doc["version"] == 2 and doc["cell"] == "rnn"
    step = doc["steps"][0]
    for key in ("t", "x", "a", "h", "o", "yhat", "loss", "dL_do", "dL_dh", "dL_dh_from_output",
                "dL_dh_from_next", "dL_da"):
        assert key in step
    assert [s["t"] for s in doc["steps"]] == [1, 2, 3, 4]
    assert np.shape(doc["params"]["U"]) == (3, 4)  # (H, D)
    assert np.shape(doc["params"]["V"]) == (4, 3)  # (K, H)
    assert set(doc["grads"]) == {"U", "W", "V", "b", "c", "h0"}
    assert doc["error_by_source"][0][1] is None and len(doc["error_by_source"][3][0]) == 3


def test_windows_file():
    windows = text_model("hello world").windows(4)
    doc = json.loads(trace_files.dumps(windows))
    assert len(doc["windows"]) == 3 and "params_after" in doc["windows"][0]
    back = trace_files.loads(trace_files.dumps(windows))
    assert isinstance(back, list) and len(back) == 3
    assert np.array_equal(back[1].h0, windows[0].h[-1])


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("steps"), "missing key 'steps'"),
    (lambda d: d.update(format="other"), "not an unrolled trace"),
    (lambda d: d.update(version=99), "unsupported trace version"),
    (lambda d: d["steps"][1].update(h=[1.0, 2.0]), r"steps\[1\].h"),
    (lambda d: d["params"].update(W=[[1.0, "x", 0.0]] * 3), "params.W"),
    (lambda d: d.update(targets=[0, 1, 2, 9]), "targets"),
    (lambda d: d["steps"][2].update(t=7), r"steps\[2\].t is 7"),
    # a trace that contradicts itself, or holds the wrong types, is refused naming the key
    (lambda d: d.update(loss=None), "'loss' must be a number"),
    (lambda d: d.update(loss=True), "'loss' must be a number"),
    (lambda d: d.update(loss=123.0), "'loss' is 123.0 but its steps sum"),
    (lambda d: d["steps"][0].update(loss=None), r"steps\[0\].loss"),
    (lambda d: d["config"].update(hidden=100000), "'config.hidden' is 100000"),
    (lambda d: d.update(vocabulary=["a", "b"]), "'vocabulary' has 2 characters"),
    (lambda d: d["update"].update(lr=True), "'update.lr' must be a finite number"),
    (lambda d: d["update"].update(method="rmsprop"), "'update.method'"),
    (lambda d: d["steps"][1].update(target=3), r"steps\[1\].target"),
    (lambda d: d["grads"].update(W=[[0.0]]), "grads.W"),
    (lambda d: d.update(text="hi"), "'text' has 2 characters for 4 steps"),
])
def test_malformed_documents(doc, mutate, message):
    mutate(doc)
    with pytest.raises(UnrolledError, match=message):
        trace_files.loads(json.dumps(doc), source="bad.json")


def _windows_doc():
    return json.loads(trace_files.dumps(text_model("hello world").windows(4)))


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["windows"][0]["window"].update(start=5, stop=1), r"windows\[0\].window"),
    (lambda d: d["windows"][1]["window"].update(start=6, stop=9), r"windows\[1\].window"),
    (lambda d: d["windows"].reverse(), r"windows\[0\].window' starts at 9"),
    (lambda d: d["windows"][1].pop("window"), r"windows\[1\].window' is missing"),
    (lambda d: d.update(targets=d["targets"][::-1]), "'targets' differ"),
])
def test_windows_out_of_order_are_refused(mutate, message):
    d = _windows_doc()
    mutate(d)
    with pytest.raises(UnrolledError, match=message):
        trace_files.loads(json.dumps(d), source="bad.json")


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 64"),
    ('{"format": "unrolled.trace", "version": ' + "9" * 100_000 + "}", "more than 40 digits"),
    ('{"format": "unrolled.trace", "version": 1, "loss": NaN}', "not valid JSON"),
])
def test_hostile_json_is_refused_before_parsing(text, message):
    with pytest.raises(UnrolledError, match=message):
        trace_files.loads(text, source="bad.json")


def test_digits_inside_strings_are_not_numbers():
    tr = text_model("1" * 60 + "2").trace()
    assert trace_files.loads(trace_files.dumps(tr)).extra["text"] == "1" * 60 + "2"


def test_truncated_file(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(trace_files.dumps(text_model().trace())[:500])
    with pytest.raises(UnrolledError, match="truncated"):
        trace_files.load(path)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    path.write_text("precious")
    real_write = type(path).write_text

    def interrupted(self, data, *a, **k):  # half the file lands, then Ctrl-C
        real_write(self, data[: len(data) // 2], *a, **k)
        raise KeyboardInterrupt

    monkeypatch.setattr(type(path), "write_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        trace_files.save(path, text_model().trace())
    monkeypatch.undo()
    assert path.read_text() == "precious"
    assert list(tmp_path.iterdir()) == [path]  # no temporary left behind
    trace_files.save(path, text_model().trace())
    assert trace_files.load(path).T == 4


def test_loaded_trace_reruns_to_the_same_numbers():
    tr = trace_files.loads(trace_files.dumps(text_model().trace()))
    again = run(tr.params, tr.X, tr.targets, tr.h0)
    assert np.array_equal(again.dL_da, tr.dL_da)


def test_saved_files_are_readable_by_others(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        trace_files.save(tmp_path / "t.json", text_model().trace())
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t.json").stat().st_mode) == 0o644
