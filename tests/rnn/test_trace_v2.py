"""Trace format version 2: every cell, JSON and .npz, version 1 still loading."""

import itertools
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from same_values import assert_same_floats

from rnn import Optimizer, UnrolledError, text_model
from rnn.limits import FULL_ERRORS_FLOATS
from rnn.traces import files as trace_files

DATA = Path(__file__).parent / "data"


def test_version_1_files_written_by_the_version_1_writer_still_load():
    doc = json.loads((DATA / "trace_v1.json").read_text())
    assert doc["version"] == 1 and "cell" not in doc and "error_by_source" in doc
    tr = trace_files.load(DATA / "trace_v1.json")
    fresh = text_model("hello").trace()
    # by value: the version-1 file was written on another processor (see same_values)
    assert_same_floats(tr.h, fresh.h, "h")
    assert_same_floats(tr.grads["W"], fresh.grads["W"], "grads.W")
    windows = trace_files.load(DATA / "trace_v1_windows.json")
    assert [w.extra["window"]["stop"] for w in windows] == [4, 8, 10]


def _numbers(value) -> tuple[str, np.ndarray]:
    """A JSON value as its shape with numbers blanked, and its numbers (null as NaN)."""
    found = []

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(v[k]) for k in sorted(v)}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, (int, float)) and not isinstance(v, bool) or v is None:
            found.append(np.nan if v is None else float(v))
            return "#"
        return v

    return json.dumps(walk(value)), np.array(found)


def test_simple_rnn_keeps_every_version_1_key_and_adds_the_norms():
    v1 = json.loads((DATA / "trace_v1.json").read_text())
    v2 = json.loads(trace_files.dumps(text_model("hello").trace()))
    assert v2["version"] == 2 and v2["cell"] == "rnn"
    assert set(v1) <= set(v2) and set(v1["steps"][0]) == set(v2["steps"][0])
    # same meaning, same numbers; products of matrices (W^T e for dL/dh0 and the error
    # vectors) may differ in the last bit from the machine that wrote the version-1 file,
    # whose BLAS kernel summed in another order
    for key in sorted(set(v1) - {"version"}):
        old, new = _numbers(v1[key]), _numbers(v2[key])
        assert old[0] == new[0], key  # the same structure, the same strings
        assert_same_floats(new[1], old[1], key)
    norms = v2["error_by_source_norms"]
    assert norms[0][1] is None and norms[3][0] == pytest.approx(
        np.linalg.norm(v2["error_by_source"][3][0]), rel=1e-12)


def test_full_error_vectors_only_below_the_size_or_on_request():
    small = text_model("hello").trace()  # 4 x 4 x 3 floats
    assert "error_by_source" in json.loads(trace_files.dumps(small))
    assert "error_by_source" not in json.loads(trace_files.dumps(small, full_errors=False))
    text = "ab" * 120  # 239 steps x 3 units: 171,363 floats
    assert 239 * 239 * 3 > FULL_ERRORS_FLOATS
    big = text_model(text).trace()
    doc = json.loads(trace_files.dumps(big))
    assert "error_by_source" not in doc and len(doc["error_by_source_norms"]) == 239
    assert "error_by_source" in json.loads(trace_files.dumps(big, full_errors=True))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("ext", ["json", "npz"])
def test_round_trip_bit_for_bit(tmp_path, cell, ext):
    if cell == "rnn":
        tr = text_model("hello world").trace(Optimizer("adagrad"))
    else:
        tr = text_model("hello world", cell=cell, hidden=3).trace(Optimizer("adagrad"))
    path = tmp_path / f"t.{ext}"
    trace_files.save(path, tr)
    back = trace_files.load_any(path)
    assert type(back) is type(tr)
    names = ["h", "o", "yhat", "losses", "dL_dh", "dL_dh_from_output", "dL_dh_from_next"]
    if cell != "rnn":
        names += ["gates", "pre", "dL_dpre"] + (["dL_dhh"] if cell == "gru" else [])
    if cell == "lstm":
        names += ["cell", "cell0", "dL_dcell", "dL_dcell_from_h", "dL_dcell_from_next"]
    for name in names:
        assert np.array_equal(getattr(back, name), getattr(tr, name)), name
    for name, g in tr.grads.items():
        assert np.array_equal(back.grads[name], g), name
    after = tr.update.params_after.as_dict()
    assert all(np.array_equal(back.update.params_after.as_dict()[k], v) for k, v in after.items())
    np.testing.assert_array_equal(back.error_by_source_norms(), tr.error_by_source_norms())
    trace_files.save(tmp_path / f"again.{ext}", back)
    assert (tmp_path / f"again.{ext}").read_bytes() == path.read_bytes()


def test_gated_json_has_the_documented_keys():
    doc = json.loads(trace_files.dumps(text_model("hello", cell="lstm").trace(Optimizer())))
    assert doc["cell"] == "lstm" and set(doc["params"]) == {"W_ih", "W_hh", "b_ih", "b_hh",
                                                             "V", "c"}
    assert len(doc["params"]["W_ih"]) == 4 * 3 and set(doc["grads"]) == {
        *doc["params"], "h0", "cell0"}
    step = doc["steps"][0]
    assert list(step["gates"]) == ["i", "f", "g", "o"] and list(step["pre"]) == list("ifgo")
    for key in ("h", "cell", "o", "yhat", "loss", "dL_do", "dL_dh", "dL_dcell",
                "dL_dh_from_output", "dL_dh_from_next", "dL_dcell_from_h",
                "dL_dcell_from_next", "gate_errors"):
        assert key in step, key
    assert doc["cell_error_by_source_norms"][0][1] is None
    gru = json.loads(trace_files.dumps(text_model("hello", cell="gru").trace()))
    assert list(gru["steps"][0]["gates"]) == ["r", "z", "n"] and "cell0" not in gru


def test_gated_windows_carry_h_and_cell_across_cuts(tmp_path):
    windows = text_model("hello world", cell="lstm").windows(4, Optimizer("adagrad"))
    trace_files.save(tmp_path / "w.npz", windows)
    back = trace_files.load_any(tmp_path / "w.npz")
    assert [w.extra["window"] for w in back] == [w.extra["window"] for w in windows]
    for before, after in itertools.pairwise(back):
        assert np.array_equal(after.h0, before.h[-1])
        assert np.array_equal(after.cell0, before.cell[-1])
        assert np.array_equal(after.params.W_hh, before.update.params_after.W_hh)


def test_the_scenes_loader_refuses_a_gated_trace(tmp_path):
    trace_files.save(tmp_path / "g.npz", text_model("hello", cell="gru").trace())
    with pytest.raises(UnrolledError, match="holds a gru trace"):
        trace_files.load(tmp_path / "g.npz")
    assert bool(trace_files.load_any(tmp_path / "g.npz").gate_names)


def _rewrite(src: Path, dst: Path, member: str, array) -> None:
    from numpy.lib import format as npy_format

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            with zout.open(info.filename, "w") as f:
                if info.filename == member:
                    npy_format.write_array(f, array, allow_pickle=False)
                else:
                    f.write(zin.read(info))


def test_npz_goes_through_the_same_checks(tmp_path):
    good = tmp_path / "t.npz"
    trace_files.save(good, text_model("hello").trace())
    cases = {
        "steps/h.npy": (np.zeros((4, 3), dtype=np.float32), "dtype float32"),
        "steps/loss.npy": (np.zeros(4), "steps sum to"),
        "targets.npy": (np.array([0, 1, 2, 9]), "0..3"),
        "error_by_source_norms.npy": (np.zeros((4, 4)), "NaN where t > s"),
        "header.npy": (np.frombuffer(b'{"format": "x"}', dtype=np.uint8), "not an unrolled"),
    }
    for member, (array, message) in cases.items():
        bad = tmp_path / "bad.npz"
        _rewrite(good, bad, member, array)
        with pytest.raises(UnrolledError, match=message):
            trace_files.load(bad)


@pytest.mark.parametrize("ext", ["json", "npz"])
def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch, ext):
    path = tmp_path / f"t.{ext}"
    trace_files.save(path, text_model("hello world").trace())
    reads = []
    real = trace_files.from_doc
    monkeypatch.setattr(trace_files, "from_doc", lambda *a: reads.append(1) or real(*a))
    first = trace_files.load_any(path)
    assert trace_files.load_any(path) is first and trace_files.cell_of(path) == "rnn"
    assert len(reads) == 1
    trace_files.save(path, text_model("hello world", cell="gru", hidden=2).trace())
    assert trace_files.cell_of(path) == "gru" and len(reads) == 2
    # the file replaced by something that is not a regular file is refused, not remembered
    path.unlink()
    path.mkdir()
    with pytest.raises(UnrolledError):
        trace_files.load_any(path)
