"""Hostile network checkpoints and Trace documents: each refused in one clear line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnn.errors import UnrolledError
from rnn.files.checkpoint import checkpoint_shape, load_network_checkpoint, save_checkpoint
from rnn.model import text_model
from rnn.traces import files as trace_files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("net")
    model = text_model("hello", 3, cell="gru", num_layers=2, bidirectional=True)
    path = folder / "net.npz"
    save_checkpoint(path, model.params, model.vocabulary, {"classes": None})
    return path, model


def _rewrite(src, dst, drop=(), change=None):
    with np.load(src) as z:
        members = {k: z[k] for k in z.files if k not in drop}
    members.update(change or {})
    np.savez(dst, **members)


def test_a_network_checkpoint_round_trips(saved):
    path, model = saved
    params, vocabulary, _ = load_network_checkpoint(path, "gru")
    assert params == model.params and vocabulary == model.vocabulary
    assert checkpoint_shape(path) == model.shape


@pytest.mark.parametrize("drop, change, says", [
    (("W_hh_l1",), None, "missing W_hh_l1"),
    (("W_ih_l0_reverse", "W_hh_l0_reverse", "b_ih_l0_reverse", "b_hh_l0_reverse"), None,
     "missing W_ih_l0_reverse"),
    ((), {"shape": np.array(json.dumps({"layers": 9, "bidirectional": True, "task": "every"}))},
     "num_layers must be 1 to 4"),
    ((), {"shape": np.array("[1, 2]")}, "shape must be"),
    ((), {"shape": np.array(json.dumps({"layers": 2, "bidirectional": "yes",
                                        "task": "every"}))}, "shape must be"),
    ((), {"W_hh_l1": np.full((9, 3), np.nan)}, "W_hh_l1 holds NaN"),
    ((), {"W_ih_l1": np.zeros((9, 5))}, "layer 1 reads 5 inputs"),
    ((), {"V": np.zeros((6, 3))}, "the head V must be (K, 6)"),
    ((), {"W_hh_l1": np.zeros((9, 3), dtype=object)}, "W_hh_l1"),
])
def test_a_broken_network_checkpoint_is_one_line(saved, tmp_path, drop, change, says):
    path, _ = saved
    bad = tmp_path / "bad.npz"
    _rewrite(path, bad, drop, change)
    with pytest.raises(UnrolledError) as err:
        load_network_checkpoint(bad, "gru")
    assert says in str(err.value) and "\n" not in str(err.value)


def test_a_network_checkpoint_of_another_cell_is_refused(saved):
    path, _ = saved
    with pytest.raises(UnrolledError, match="holds a gru; --cell is lstm"):
        load_network_checkpoint(path, "lstm")


def _doc(**kwargs):
    trace = text_model("hello", 2, cell="lstm", num_layers=2, **kwargs).trace()
    return json.loads(trace_files.dumps(trace))


@pytest.mark.parametrize("edit, says", [
    (lambda d: d["network"].update(layers=7), "num_layers must be 1 to 4"),
    (lambda d: d["network"].update(bidirectional=1), "'network.bidirectional' must be"),
    (lambda d: d["network"].update(task="some"), "'network.task' must be one of"),
    (lambda d: d["layers"].pop(), "'layers' must hold 2 objects"),
    (lambda d: d["params"].pop("W_hh_l1"), "missing W_hh_l1"),
    (lambda d: d["params"].update(W_hh_l1=[[1.0]]), "W_hh_l1"),
    (lambda d: d["head"]["steps"][0].update(loss=9.0), "'head.steps.loss' disagrees"),
    (lambda d: d["grads"].update(V=[[0.0] * 2] * 4), "'grads.V' disagrees"),
    (lambda d: d.update(targets=[0, 1]), "targets"),
    (lambda d: d["layers"][0]["steps"].pop(), "needs 4 step objects"),
    (lambda d: d["layers"][1].update(h0=[0.5, 0.5]), "disagrees"),
])
def test_a_tampered_network_document_is_one_line(edit, says):
    doc = _doc()
    edit(doc)
    with pytest.raises(UnrolledError) as err:
        trace_files.loads(json.dumps(doc))
    assert says in str(err.value) and "\n" not in str(err.value)


def test_a_network_document_too_big_to_rerun_is_refused_before_running(monkeypatch):
    """Reading reruns the document's parameters: the rerun's size is checked against the
    memory budget first (here lowered to a few bytes), and nothing runs."""
    from rnn import limits
    from rnn.traces import network_doc

    doc = _doc()
    ran = []
    monkeypatch.setattr(limits, "MEMORY_BUDGET", 10)
    monkeypatch.setattr(network_doc, "run_network", lambda *a: ran.append(a))
    with pytest.raises(UnrolledError, match="would need about") as err:
        trace_files.loads(json.dumps(doc))
    assert "\n" not in str(err.value) and not ran


def test_the_shape_of_a_checkpoint_is_read_without_its_weights(saved, monkeypatch):
    from rnn.files import safe_io

    path, model = saved
    read = []
    real = safe_io.npy_format.read_array
    monkeypatch.setattr(safe_io.npy_format, "read_array",
                        lambda f, **kw: read.append(1) or real(f, **kw))
    assert checkpoint_shape(path) == model.shape
    assert len(read) == 1  # the shape member's data alone
