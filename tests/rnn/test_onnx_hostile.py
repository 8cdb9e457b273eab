"""ONNX files that cannot be drawn, or that lie, are refused in one line before anything runs:
what the engine does not compute, a protobuf that fails to parse, a cycle, too many nodes, a
tensor whose data is not its declared size, and external data outside the model's folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx_graphs as graphs
import pytest
from onnx import helper, numpy_helper

from rnn import UnrolledError, limits
from rnn.imports import load_model
from tests.cli.cli_run import unrolled

ZERO_H = np.zeros((1, 1, 3))


def refused(path: Path, words: str) -> str:
    with pytest.raises(UnrolledError) as err:
        load_model(path)
    message = str(err.value)
    assert "\n" not in message and words in message, message
    return message


def extra_mul(proto=None):
    return [helper.make_node("Mul", ["logits", "logits"], ["squared"], name="odd")]


UNSUPPORTED = {
    "clip": (dict(attrs={"clip": 3.0}), "sets clip"),
    "activations": (dict(attrs={"activations": ["Sigmoid", "Tanh", "Relu"]}), "activations"),
    "input-forget": (dict(attrs={"input_forget": 1}), "input_forget"),
    "sequence-lens": (dict(extra_inputs={4: np.array([11], dtype=np.int32)}), "sequence_lens"),
    "initial-h": (dict(extra_inputs={5: np.full((1, 1, 3), 0.1)}), "initial_h is not zero"),
    "initial-c": (dict(extra_inputs={6: np.full((1, 1, 3), 0.1)}), "initial_c is not zero"),
    "peephole-variable": (dict(extra_inputs={7: "computed"}), "P must be an initializer"),
    "reverse": (dict(attrs={"direction": "reverse"}), "reads the sequence reverse"),
    "other-operator": (dict(extra_nodes=extra_mul()), "operator Mul"),
    "rnn-sigmoid": (dict(op="RNN", attrs={"activations": ["Sigmoid"]}), "activations"),
}


@pytest.mark.parametrize("case", sorted(UNSUPPORTED))
def test_what_the_engine_does_not_compute_is_named(case, tmp_path):
    kwargs, words = UNSUPPORTED[case]
    refused(graphs.save(graphs.build(**kwargs), tmp_path), words)


def test_zero_initial_states_and_zero_peepholes_are_the_plain_lstm(tmp_path):
    zeros = {5: ZERO_H, 6: ZERO_H, 7: np.zeros((1, 9))}
    model = load_model(graphs.save(graphs.build(extra_inputs=zeros), tmp_path))
    assert model.cell == "lstm"


def test_a_head_below_the_top_layer_and_a_head_on_both_y_and_y_h_are_refused(tmp_path):
    proto = graphs.build()  # a second LSTM stacked on the first, but the head reads the first
    second = helper.make_node("LSTM", ["Y_seq", "W", "R", "B"], ["Y2"], hidden_size=3)
    proto.graph.node.append(second)
    refused(graphs.save(proto, tmp_path), "reads layer 1 of 2; only a head on the top layer")
    last = graphs.build()
    last.graph.node.append(helper.make_node("Identity", ["Y_h"], ["final"]))
    refused(graphs.save(last, tmp_path, "last"), "a head reads every step or the last step")


def test_a_file_that_is_not_a_protobuf(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"\x0a\xff\xff\xff\xff\x0fnot a model at all")
    refused(path, "not an ONNX model")
    path.write_bytes(b"")
    refused(path, "not an ONNX model")


def test_a_cycle_is_refused(tmp_path):
    proto = graphs.build()
    proto.graph.node.extend([helper.make_node("Identity", ["loop_b"], ["loop_a"]),
                             helper.make_node("Identity", ["loop_a"], ["loop_b"])])
    refused(graphs.save(proto, tmp_path), "cycle")


def test_too_many_nodes(tmp_path):
    proto = graphs.build()
    proto.graph.node.extend(helper.make_node("Identity", ["logits"], [f"copy{i}"])
                            for i in range(limits.MAX_ONNX_NODES))
    refused(graphs.save(proto, tmp_path), f"at most {limits.MAX_ONNX_NODES}")


def test_a_tensor_shorter_than_its_shape(tmp_path):
    proto = graphs.build()
    weight = next(t for t in proto.graph.initializer if t.name == "R")
    weight.raw_data = weight.raw_data[:-4]
    refused(graphs.save(proto, tmp_path), "declares shape (1, 12, 3)")


def test_a_file_over_the_size_limit(tmp_path, monkeypatch):
    path = graphs.save(graphs.build(), tmp_path)
    monkeypatch.setattr(limits, "MAX_WEIGHTS_FILE", path.stat().st_size - 1)
    refused(path, "are read")


def external(proto, name: str, location: str, offset: int = 0, length: int | None = None):
    """Mark initializer ``name`` as stored at ``location`` (its data moved out of the model)."""
    tensor = next(t for t in proto.graph.initializer if t.name == name)
    size = len(tensor.raw_data)
    tensor.ClearField("raw_data")
    tensor.data_location = 1
    for key, value in (("location", location), ("offset", str(offset)),
                       ("length", str(size if length is None else length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return proto


def test_external_data_in_the_models_folder_is_read(tmp_path):
    proto = graphs.build(dtype=np.float64)
    R = next(numpy_helper.to_array(t) for t in proto.graph.initializer if t.name == "R")
    (tmp_path / "weights.bin").write_bytes(b"\0" * 16 + R.astype("<f8").tobytes())
    model = load_model(graphs.save(external(proto, "R", "weights.bin", offset=16), tmp_path))
    inside = load_model(graphs.save(graphs.build(dtype=np.float64), tmp_path, "plain"))
    np.testing.assert_array_equal(model.W_hh, inside.W_hh)


@pytest.mark.parametrize("where, words", [
    ("/etc/hostname", "relative to the model's folder"),
    ("../outside.bin", "without '..'"),
    ("sub/../../outside.bin", "without '..'"),
    ("link.bin", "leads out of the model's folder"),
    ("fifo.bin", "not a regular file"),
    ("missing.bin", "missing"),
    ("short.bin", "declares 288 bytes"),
])
def test_external_data_outside_the_folder_or_lying_is_refused(where, words, tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (tmp_path / "outside.bin").write_bytes(b"\0" * 4096)
    os.symlink(tmp_path / "outside.bin", model_dir / "link.bin")
    os.mkfifo(model_dir / "fifo.bin")  # opening it would block: it must never be opened
    (model_dir / "short.bin").write_bytes(b"\0" * 100)
    proto = external(graphs.build(dtype=np.float64), "R", where)
    refused(graphs.save(proto, model_dir), words)


def test_the_command_line_says_one_line_and_writes_nothing(tmp_path):
    proto = external(graphs.build(), "R", "../outside.bin")
    path = graphs.save(proto, tmp_path)
    out = tmp_path / "t.json"
    r = unrolled("trace", "--text", "abcab", "--weights", str(path), "--json", str(out))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    assert "without '..'" in lines[0] and not out.exists() and r.stdout == ""


def test_the_command_line_traces_an_onnx_model(tmp_path):
    proto = graphs.build("GRU", dtype=np.float64)
    path = graphs.save(proto, tmp_path)
    out = tmp_path / "t.json"
    r = unrolled("trace", "--text", "abcdeabbaced", "--weights", str(path), "--json", str(out),
                 "--quiet")
    assert r.returncode == 0, r.stderr
    from rnn.traces import files as trace_files

    trace = trace_files.load_any(out)
    np.testing.assert_allclose(trace.h, graphs.reference(proto, "abcdeabbaced")["h"],
                               rtol=0, atol=1e-12)


def test_a_head_on_one_step_picked_by_gather_is_refused(tmp_path):
    """The exporter's Gather of the batch (axis 0 of (batch, T, H)) passes; the same Gather on
    the time axis picks one step, a head this reader does not take."""
    import shutil

    import onnx

    data = Path(__file__).parent / "data" / "frameworks"
    proto = onnx.load(str(data / "torch_lstm.onnx"))
    gather = [n for n in proto.graph.node if n.op_type == "Gather"][-1]
    for attribute in gather.attribute:
        if attribute.name == "axis":
            attribute.i = 1
    path = tmp_path / "one_step.onnx"
    path.write_bytes(proto.SerializeToString())
    shutil.copy(data / "vocab.json", tmp_path / "vocab.json")
    refused(path, "reads one step of the recurrent output")
