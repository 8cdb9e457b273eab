"""Networks of every shape through the command line: the options, their refusals, the Trace
file, gradcheck and train (one label per sequence, the long-lag task)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_run import unrolled

from rnn.traces import files as trace_files


def _one_line_error(res, *words):
    assert res.returncode == 2, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("args, words", [
    (["--num-layers", "0"], ["--num-layers", "1<=x<=4"]),
    (["--num-layers", "99"], ["--num-layers"]),
    (["--label", "z", "--classes", "x,y"], ["'z' is not one of the classes"]),
    (["--label", "x", "--classes", "x,y,x"], ["repeats 'x'"]),
    (["--label", "x"], ["--label and --classes go together"]),
    (["--classes", "x,y"], ["--label and --classes go together"]),
    (["--label", "x", "--classes", "x"], ["2 to 64 classes"]),
])
def test_bad_shapes_are_one_line_and_write_nothing(tmp_path, args, words):
    out = tmp_path / "t.json"
    res = unrolled("trace", "--text", "xab", *args, "--json", str(out))
    _one_line_error(res, *words)
    assert not out.exists()


def test_a_stacked_two_way_trace_file_reads_back_and_refuses_tampering(tmp_path):
    out = tmp_path / "t.json"
    res = unrolled("trace", "--cell", "gru", "--num-layers", "2", "--bidirectional", "--text",
                   "hello", "--json", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    assert doc["network"] == {"layers": 2, "bidirectional": True, "task": "every",
                              "classes": None}
    assert [(x["layer"], x["direction"]) for x in doc["layers"]] == [
        (0, "forward"), (0, "backward"), (1, "forward"), (1, "backward")]
    assert "dL_dh_from_above" in doc["layers"][0]["steps"][0]
    assert "dL_dh_from_output" in doc["layers"][2]["steps"][0]
    assert {"W_ih_l1_reverse", "V", "c", "h0_l0"} <= set(doc["grads"])
    back = trace_files.load_any(out)
    assert back.loss == doc["loss"] and back.shape.layers == 2
    doc["layers"][1]["steps"][2]["h"][0] += 1e-3  # one number moved: the rerun disagrees
    out.write_text(json.dumps(doc))
    res = unrolled("render", "error-map", "--trace", str(out), "--format", "png",
                   "--out", str(tmp_path / "r"))
    _one_line_error(res, "layers[1].steps.h", "disagrees")


def test_one_label_trace_has_one_output_read_after_the_last_step(tmp_path):
    out = tmp_path / "t.npz"
    res = unrolled("trace", "--text", "xabcd", "--label", "x", "--classes", "x,y",
                   "--num-layers", "2", "--json", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    back = trace_files.load_any(out)
    assert back.o.shape == (1, 2) and back.T == 5  # every character is an input
    assert back.extra["classes"] == ("x", "y") and int(back.targets[0]) == 0
    # the head's error reaches the top layer only at its last step
    top = back.layer(1)
    assert not top.dL_dh_from_output[:-1].any() and top.dL_dh_from_output[-1].any()


def test_gradcheck_passes_for_a_stacked_two_way_one_label_network():
    res = unrolled("gradcheck", "--cell", "lstm", "--num-layers", "2", "--bidirectional",
                   "--text", "xab", "--label", "x", "--classes", "x,y", "--hidden", "2")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    names = [line.split()[0] for line in lines]
    assert {"W_ih_l0", "W_hh_l1_reverse", "V", "cell0_l1_reverse"} <= set(names)
    assert all(line.endswith("ok") for line in lines)


def test_train_a_classification_file_and_trace_its_checkpoint(tmp_path):
    data = tmp_path / "moods.tsv"
    data.write_text("pos\tgood day\nneg\tbad day\n\npos\tnice one\nneg\tawful one\n")
    ckpt = tmp_path / "moods.npz"
    res = unrolled("train", str(data), "--labelled", "--iterations", "60", "--cell", "gru",
                   "--bidirectional", "--out", str(ckpt))
    assert res.returncode == 0, res.stderr
    assert "accuracy" in res.stdout and ckpt.is_file()
    out = tmp_path / "t.json"
    res = unrolled("trace", "--weights", str(ckpt), "--cell", "gru", "--text", "good one",
                   "--label", "pos",
                   "--json", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    assert doc["network"]["classes"] == ["neg", "pos"] and doc["network"]["bidirectional"]


@pytest.mark.parametrize("content, words", [
    ("pos good day\n", ["line 1", "LABEL<TAB>TEXT"]),
    ("pos\tgood\n\tbad\n", ["line 2"]),
    ("pos\t\n", ["line 1"]),
])
def test_a_malformed_classification_file_is_one_line(tmp_path, content, words):
    data = tmp_path / "bad.tsv"
    data.write_text(content)
    out = tmp_path / "out.npz"
    res = unrolled("train", str(data), "--labelled", "--iterations", "5", "--out", str(out))
    _one_line_error(res, *words)
    assert not out.exists()


def test_train_refusals_are_one_line(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("hello world " * 10)
    _one_line_error(unrolled("train", str(text), "--bidirectional", "--out",
                             str(tmp_path / "a.npz")), "--bidirectional reads")
    _one_line_error(unrolled("train", "--long-lag", "3", "--window", "5", "--out",
                             str(tmp_path / "b.npz")), "--window")
    _one_line_error(unrolled("train", "--out", str(tmp_path / "c.npz")), "--long-lag")
    _one_line_error(unrolled("train", "--long-lag", "0"), "--long-lag")


def test_the_long_lag_task_trains_in_one_command(tmp_path):
    ckpt = tmp_path / "lag.npz"
    res = unrolled("train", "--long-lag", "4", "--iterations", "300", "--cell", "lstm",
                   "--out", str(ckpt))
    assert res.returncode == 0, res.stderr
    accuracy = float(res.stdout.split("accuracy ")[1].split()[0])
    assert accuracy >= 0.9  # four distractors: learnt well within 300 examples
    from rnn.files.checkpoint import load_network_checkpoint

    params, vocabulary, meta = load_network_checkpoint(ckpt, "lstm")
    assert meta["classes"] == ["x", "y"] and meta["lag"] == 4
    assert np.all(np.isfinite(params.V))


@pytest.mark.parametrize("suffix", (".json", ".npz"))
def test_an_embedded_networks_trace_file_holds_the_embeddings_gradient(tmp_path, suffix):
    """A 2-layer bidirectional GRU under an embedding, made by torch: the file records the
    embedding, the rows each step read and their gradient, equal to torch's autograd."""
    from cli_run import ROOT

    data = ROOT / "tests" / "rnn" / "data" / "frameworks"
    out = tmp_path / f"t{suffix}"
    res = unrolled("trace", "--weights", str(data / "torch_gru_l2_bi.safetensors"), "--text",
                   "hello world", "--json", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    back = trace_files.load_any(out)
    with np.load(data / "torch_gru_l2_bi.npz") as ref:
        want = ref["grad:embedding"]
    assert np.allclose(back.extra["embedding_grad"], want, rtol=1e-5, atol=1e-6)
    assert np.array_equal(back.X, back.extra["embedding"][back.extra["input_ids"]])


def test_figures_of_a_network_draw_what_draws_it_and_say_so(tmp_path):
    """A stacked network's figures: the article's simple-RNN figures draw the network, with
    descriptions naming its shape; a figure of another cell of its own is one line."""
    out = tmp_path / "figs"
    res = unrolled("figures", "--num-layers", "2", "--text", "hello", "--only", "bptt-errors",
                   "--only", "error-map", "--format", "png", "--width", "800", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "2-layer simple RNN" in (out / "bptt-errors.alt.txt").read_text()
    assert "(layer 2 of 2)" in (out / "error-map.alt.txt").read_text()
    res = unrolled("figures", "--num-layers", "2", "--text", "hello", "--only", "lstm-unfolded",
                   "--out", str(tmp_path / "no"))
    _one_line_error(res, "'lstm-unfolded'", "one-layer lstm of its own")


def test_a_network_drawn_as_neurons_is_one_line_before_rendering(tmp_path):
    out = tmp_path / "r"
    res = unrolled("render", "forward", "--num-layers", "2", "--text", "hey", "--drawing",
                   "neurons", "--out", str(out))
    _one_line_error(res, "rows of heat columns", "drawing neurons")
    assert not out.exists() or not any(out.iterdir())
