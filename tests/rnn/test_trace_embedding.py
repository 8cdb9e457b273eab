"""A model fed embedding rows writes a Trace file a reader can check: which character each x(t)
is (``input_ids``), the table its rows come from (``embedding``) and the table's gradient
(``grads.embedding``), in JSON and ``.npz``, whole or in windows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnn import UnrolledError
from rnn.imports.weights import imported_text_model
from rnn.traces import files as trace_files

DATA = Path(__file__).parent / "data" / "frameworks"
TEXT = json.loads((DATA / "versions.json").read_text())["text"]


def close(ours, theirs, rtol=1e-5):
    scale = max(float(np.abs(theirs).max()), 1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=rtol * scale)


@pytest.mark.parametrize("ext", ["json", "npz"])
@pytest.mark.parametrize("name", ["torch_lstm_embed.safetensors", "torch_gru_embed.onnx"])
def test_the_file_holds_the_embedding_and_its_gradient(name, ext, tmp_path):
    model = imported_text_model(DATA / name, TEXT)
    path = tmp_path / f"t.{ext}"
    trace_files.save(path, model.trace())
    back = trace_files.load_any(path)
    ids = [model.vocabulary.chars.index(c) for c in TEXT[:-1]]
    assert back.extra["input_ids"] == ids
    np.testing.assert_array_equal(back.extra["embedding"], model.embedding)
    torch_grad = np.load(DATA / f"{name.split('.')[0]}.npz")["grad:embedding"]
    close(back.extra["embedding_grad"], torch_grad)  # torch's autograd, read from the file
    assert back.input_chars() == list(TEXT[:-1])


def test_windows_each_hold_their_part_of_the_gradient(tmp_path):
    model = imported_text_model(DATA / "torch_lstm_embed.safetensors", TEXT)
    path = tmp_path / "w.json"
    trace_files.save(path, model.windows(4))
    windows = trace_files.load_any(path)
    assert [w.extra["input_ids"] for w in windows] == [
        model.input_ids[0:4], model.input_ids[4:8], model.input_ids[8:10]]
    whole = model.trace().extra["embedding_grad"]
    # the first window starts where the whole run starts: the same rows, the same errors there
    assert windows[0].extra["embedding_grad"].shape == whole.shape
    assert np.any(windows[0].extra["embedding_grad"]) and np.any(windows[2].extra["embedding_grad"])


def test_a_one_hot_model_writes_none_of_it(tmp_path):
    from rnn import text_model

    path = tmp_path / "t.json"
    trace_files.save(path, text_model("hello").trace())
    doc = json.loads(path.read_text())
    assert "input_ids" not in doc and "embedding" not in doc and "embedding" not in doc["grads"]


@pytest.mark.parametrize("lie, words", [
    (lambda d: d["input_ids"].__setitem__(0, 7), "are not the rows of 'embedding'"),
    (lambda d: d["input_ids"].__setitem__(0, 99), "must be 10 integers in 0..7"),
    (lambda d: d.pop("embedding"), "missing key 'embedding'"),
    (lambda d: d["grads"].__setitem__("embedding", [[0.0]]), "grads.embedding"),
])
def test_a_document_that_lies_about_its_embedding_is_refused(lie, words, tmp_path):
    model = imported_text_model(DATA / "torch_lstm_embed.safetensors", TEXT)
    path = tmp_path / "t.json"
    trace_files.save(path, model.trace())
    doc = json.loads(path.read_text())
    lie(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(UnrolledError, match=words):
        trace_files.load_any(path)
