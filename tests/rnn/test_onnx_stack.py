"""Stacked and bidirectional ONNX graphs (``torch.onnx.export`` of the shape fixtures) whose
layers or head are wired another way than torch's are refused in one line, never guessed."""

from __future__ import annotations

import shutil
from pathlib import Path

import onnx
import pytest
from onnx import helper

from rnn import UnrolledError
from rnn.imports import load_model

DATA = Path(__file__).parent / "data" / "frameworks"


def edited(tmp_path: Path, name: str, edit) -> Path:
    """A copy of fixture ``name`` (.onnx, with its vocabulary and classes) after ``edit``."""
    proto = onnx.load(str(DATA / f"{name}.onnx"))
    edit(proto.graph)
    path = tmp_path / f"{name}.onnx"
    onnx.save(proto, str(path))
    shutil.copy(DATA / "vocab.json", tmp_path)
    if (DATA / f"{name}.classes.json").exists():
        shutil.copy(DATA / f"{name}.classes.json", tmp_path)
    return path


def refused(path: Path, words: str) -> None:
    with pytest.raises(UnrolledError) as err:
        load_model(path)
    assert "\n" not in str(err.value) and words in str(err.value), str(err.value)


def recurrent(graph) -> list:
    return [n for n in graph.node if n.op_type in ("LSTM", "GRU", "RNN")]


def test_the_exported_fixtures_are_read_as_they_were_made():
    model = load_model(DATA / "torch_lstm_l3_bi_last.onnx")
    assert model.shape.layers == 3 and model.shape.bidirectional
    assert model.shape.task == "last" and model.classes == ("farewell", "greeting", "question")


def test_directions_interleaved_between_layers_are_refused(tmp_path):
    def interleave(graph):  # (T, D, B, H) -> (T, B, H, D): unit by unit, not direction by
        first = recurrent(graph)[0]
        move = next(n for n in graph.node if first.output[0] in n.input)
        move.attribute[0].CopyFrom(helper.make_attribute("perm", [0, 2, 3, 1]))

    refused(edited(tmp_path, "torch_gru_l2_bi", interleave),
            "does not read every step of the GRU below it")


def test_a_head_on_the_cell_state_is_refused(tmp_path):
    def cell_state(graph):  # the top LSTM's Y_c where its Y_h went
        top = recurrent(graph)[-1]
        for node in graph.node:
            node.input[:] = [top.output[2] if i == top.output[1] else i for i in node.input]

    refused(edited(tmp_path, "torch_lstm_l2_last", cell_state), "another arrangement")


def test_a_head_on_the_last_step_needs_class_names(tmp_path):
    path = edited(tmp_path, "torch_rnn_l2_last", lambda graph: None)
    path.with_name("torch_rnn_l2_last.classes.json").unlink()
    refused(path, "reads only the last step (one label per sequence): name its classes")


def test_mixed_directions_are_refused(tmp_path):
    def one_way(graph):
        top = recurrent(graph)[-1]
        for a in top.attribute:
            if a.name == "direction":
                a.s = b"forward"

    refused(edited(tmp_path, "torch_rnn_l2_bi", one_way), "every layer must read the same")
