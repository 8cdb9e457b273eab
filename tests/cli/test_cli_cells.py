"""--cell on trace, gradcheck and train: the format written, checks passed, checkpoints kept."""

import json
import re

import numpy as np
import pytest
from cli_run import unrolled
from click.testing import CliRunner

from cli import cli
from rnn.traces import files as trace_files

TEXT = "abcabcabdabcabcabd" * 8


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("ext", ["json", "npz"])
def test_trace_writes_version_2_the_same_bytes_twice(tmp_path, cell, ext):
    a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    for path in (a, b):
        res = invoke("trace", "--cell", cell, "--text", "hello", "--json", str(path), "--quiet")
        assert res.exit_code == 0, res.output
    assert a.read_bytes() == b.read_bytes()
    loaded = trace_files.load_any(a)
    assert (loaded.kind if bool(loaded.gate_names) else "rnn") == cell
    assert loaded.T == 4 and loaded.update is not None
    if ext == "json":
        doc = json.loads(a.read_text())
        assert doc["version"] == 2 and doc["cell"] == cell
        assert len(doc["error_by_source_norms"]) == 4


def test_lstm_trace_table_and_forget_bias(tmp_path):
    res = invoke("trace", "--cell", "lstm", "--forget-bias", "1", "--text", "hello",
                 "--json", str(tmp_path / "t.json"))
    assert res.exit_code == 0 and "lstm trace" in res.output and "cell0" in res.output
    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["config"]["forget_bias"] == 1.0
    f_bias = np.array(doc["params"]["b_hh"][3:6])  # the f block of H = 3
    plain = json.loads(invoke("trace", "--cell", "lstm", "--text", "hello", "--forget-bias", "0",
                              "--json", "-").output)
    np.testing.assert_allclose(f_bias - np.array(plain["params"]["b_hh"][3:6]), 1.0)


def test_one_forget_bias_default_for_trace_train_and_the_scenes(tmp_path):
    # not given, the LSTM's forget-gate bias is the cell's default (1) everywhere; 0 is torch's
    from rnn.cells.lstm import FORGET_BIAS
    from rnn.learning.train import TrainConfig
    from rnn.spec import ModelSpec

    assert FORGET_BIAS == 1.0
    given = invoke("trace", "--cell", "lstm", "--text", "hello", "--forget-bias", "1",
                   "--json", "-").output
    default = invoke("trace", "--cell", "lstm", "--text", "hello", "--json", "-").output
    assert json.loads(default)["config"]["forget_bias"] == FORGET_BIAS and default == given
    assert TrainConfig(cell="lstm").forget_bias == FORGET_BIAS
    assert TrainConfig(cell="gru").forget_bias == TrainConfig(cell="rnn").forget_bias == 0.0
    scene = ModelSpec(text="hello", hidden=3, seed=0, cell="lstm").text_model()
    assert scene.forget_bias == FORGET_BIAS
    assert np.array_equal(scene.params.b_hh, np.array(json.loads(default)["params"]["b_hh"]))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradcheck_passes_for_the_gated_cells(cell):
    res = invoke("gradcheck", "--cell", cell, "--text", "hey", "--hidden", "2")
    assert res.exit_code == 0, res.output
    names = [line.split()[0] for line in res.output.splitlines() if "relative error" in line]
    want = ["W_ih", "W_hh", "b_ih", "b_hh", "V", "c", "h0"] + (["cell0"] if cell == "lstm"
                                                               else [])
    assert names == want and res.output.count(" ok") == len(want)


def test_train_lstm_lowers_the_loss_and_its_checkpoint_reloads(tmp_path):
    from rnn.files.checkpoint import load_any_checkpoint
    from rnn.learning.train import TrainConfig, train

    result = train(TEXT, TrainConfig(hidden=12, window=6, iterations=150, sample_every=0,
                                     cell="lstm"))
    assert np.mean(result.losses[-20:]) < 0.5 * np.mean(result.losses[:20])
    (tmp_path / "t.txt").write_text(TEXT)
    out = tmp_path / "m.npz"
    res = invoke("train", str(tmp_path / "t.txt"), "--cell", "lstm", "--hidden", "6",
                 "--window", "6", "--iterations", "20", "--sample-every", "10", "--out", str(out))
    assert res.exit_code == 0 and "sample at 20" in res.output
    params, vocab, meta = load_any_checkpoint(out)
    assert params.kind == "lstm" and meta["cell"] == "lstm" and len(vocab) == 4
    res = invoke("trace", "--cell", "lstm", "--text", "abcd", "--weights", str(out),
                 "--json", str(tmp_path / "t.json"), "--quiet")
    assert res.exit_code == 0
    back = trace_files.load_any(tmp_path / "t.json")
    assert np.array_equal(back.params.W_hh, params.W_hh)


def test_a_checkpoint_of_another_cell_is_refused_in_one_line(tmp_path):
    (tmp_path / "t.txt").write_text(TEXT)
    out = tmp_path / "m.npz"
    assert invoke("train", str(tmp_path / "t.txt"), "--cell", "gru", "--hidden", "4",
                  "--iterations", "2", "--window", "5", "--out", str(out)).exit_code == 0
    for args, cell in ((("trace",), "rnn"), (("trace", "--cell", "lstm"), "lstm"),
                       (("gradcheck",), "rnn")):
        res = unrolled(*args, "--weights", str(out))
        assert res.returncode == 2 and "Traceback" not in res.stderr
        assert res.stderr.strip() == f"Error: weights file {out} holds a gru; --cell is {cell}"


# --cell on the scene commands and cell = "..." in a lecture file -------------------------
def _lecture(tmp_path, model: str, *scenes: str):
    body = "".join(f'[[scenes]]\nname = "{s}"\n' for s in scenes)
    path = tmp_path / "l.toml"
    path.write_text(f'title = "x"\n[model]\ntext = "hello"\n{model}\n{body}')
    return path


def test_a_lecture_with_a_gated_cell_keeps_only_the_scenes_that_draw_it(tmp_path):
    from rnn import UnrolledError
    from scenes.output.lecture_file import load_lecture

    lecture = load_lecture(_lecture(tmp_path, 'cell = "lstm"', "lstm-cell", "carousel"))
    assert lecture.model.cell == "lstm" and lecture.scene_names == ["lstm-cell", "carousel"]
    refusals = {
        ('cell = "lstm"', "neurons"): "scenes[0].name: scene 'neurons' draws a simple "
                                      "RNN; the model's cell is lstm",
        ('cell = "gru"', "lstm-cell"): "scene 'lstm-cell' draws an LSTM; the model's cell is gru",
        ('cell = "elman"', "lstm-cell"): "model.cell: unknown value 'elman'",
        ('cell = "lstm"\nradius = 0.5', "lstm-cell"): "model.radius: not allowed with "
                                                       "model.cell = 'lstm'",
    }
    for (model, scene), message in refusals.items():
        with pytest.raises(UnrolledError, match=re.escape(message)):
            load_lecture(_lecture(tmp_path, model, scene))
    assert load_lecture(_lecture(tmp_path, 'cell = "rnn"', "bptt", "gru-cell")).model.cell == "rnn"


def test_scene_commands_take_cell_only_for_the_scenes_of_that_cell(tmp_path):
    res = unrolled("render", "neurons", "--cell", "gru", "--format", "png", "--out",
                   str(tmp_path))
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [
        ("Error: scene 'neurons' draws a simple RNN; the model's cell is gru (scenes for it: "
         "gru-cell, forward, bptt, gradients, lecture, truncated, activations, neuron-text, "
         "error-map)")]
    res = invoke("slides", "--config", str(_lecture(tmp_path, "", "bptt")), "--cell", "lstm",
                 "--out", str(tmp_path))
    assert res.exit_code == 2 and "give the cell in the lecture file" in res.output
    res = invoke("figures", "--cell", "lstm", "--only", "bptt-errors", "--out", str(tmp_path))
    assert res.exit_code == 2 and ("figure 'bptt-errors': it draws a simple RNN; the model's "
                                   "cell is lstm") in res.output
    assert list(tmp_path.iterdir()) == [tmp_path / "l.toml"]  # nothing written


def test_render_a_cell_scene_with_cell_given(tmp_path):
    res = invoke("render", "gru-cell", "--cell", "gru", "--text", "hey", "--format", "png",
                 "-q", "low", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "gru-cell.png").stat().st_size > 0


def test_gradcheck_of_a_gated_cell_that_would_take_minutes_is_refused():
    res = invoke("gradcheck", "--cell", "lstm", "--hidden", "300", "--text", "ab" * 200)
    assert res.exit_code == 2 and "would take about" in res.output and "minutes" in res.output
