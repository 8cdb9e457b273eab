"""forward and bptt with --cell lstm|gru, the lstm-unfolded figure, and a lecture file with an
LSTM model: they render, and what they cannot draw is refused in one line."""

import re

import numpy as np
import pytest
from cli_run import unrolled
from click.testing import CliRunner
from readable import assert_readable

from cli import cli
from rnn.errors import UnrolledError
from rnn.files.checkpoint import save_checkpoint
from rnn.model import text_model
from scenes.output.lecture_file import load_lecture
from scenes.output.subtitles import parse_srt

LONG_TEXT = "hello world, " * 5 + "!"  # 66 characters: 65 steps, one past the 64 drawn


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_render_forward_of_an_lstm_keeps_the_reading_pace(tmp_path):
    res = invoke("render", "forward", "--cell", "lstm", "--text", "hey", "-q", "low", "--out",
                 str(tmp_path))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "forward.mp4").stat().st_size > 0
    cues = parse_srt((tmp_path / "forward.srt").read_text(encoding="utf-8"))
    assert any("open the gates" in c.text.replace("\n", " ") for c in cues)
    assert_readable(cues)


def test_render_bptt_of_a_gru_as_a_still(tmp_path):
    res = invoke("render", "bptt", "--cell", "gru", "--text", "hey", "--format", "png",
                 "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "bptt.png").stat().st_size > 10_000


def test_the_lstm_unfolded_figure(tmp_path):
    res = invoke("figures", "--only", "lstm-unfolded", "--format", "png", "--width", "640",
                 "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    # the figure and its description (the alt text every figure carries beside it)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lstm-unfolded.alt.txt",
                                                         "lstm-unfolded.png"]
    # with --cell gru it is not one of the figures; asked for, it is refused in one line
    res = invoke("figures", "--cell", "gru", "--only", "lstm-unfolded", "--out", str(tmp_path))
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1] == ("Error: figure 'lstm-unfolded': it draws an "
                                                   "LSTM; the model's cell is gru")


def _lecture(tmp_path, model: str, *scenes: str):
    body = "".join(f'[[scenes]]\nname = "{s}"\n' for s in scenes)
    path = tmp_path / "l.toml"
    path.write_text(f'title = "x"\n[model]\n{model}\n{body}')
    return path


def test_a_lecture_with_an_lstm_draws_forward_and_bptt_from_one_lstm_trace(tmp_path):
    lecture = load_lecture(_lecture(tmp_path, 'text = "hello"\ncell = "lstm"', "forward",
                                    "bptt", "lstm-cell"))
    forward, bptt, _ = lecture.scene_inputs()
    assert bool(forward.trace.gate_names) and forward.trace.kind == "lstm"
    assert forward.trace.extra["forget_bias"] == 1.0  # as the lstm-cell scene starts
    assert bptt.trace is forward.trace  # one model, one pass, shared
    for model, scenes, message in (
        (f'cell = "lstm"\ntext = "{LONG_TEXT}"', ("bptt",),
         "scenes[0]: the unfolded scenes draw as heat columns at most 64 time steps"),
        ('cell = "gru"\nhidden = 257', ("forward",),
         "scenes[0]: the unfolded scenes draw as heat columns at most 256 hidden units"),
        ('cell = "lstm"', ("forward", "unfold"),
         "scenes[1].name: scene 'unfold' draws a simple RNN; the model's cell is lstm"),
    ):
        with pytest.raises(UnrolledError, match=re.escape(message)):
            load_lecture(_lecture(tmp_path, model, *scenes))


@pytest.mark.parametrize(("args", "message"), [
    (("render", "forward", "--cell", "lstm", "--text", LONG_TEXT),
     ("Error: the unfolded scenes draw as heat columns at most 64 time steps, the trace has 65 "
     "(a shorter --text)")),
    (("slides", "bptt", "--cell", "gru", "--hidden", "257"),
     "Error: the unfolded scenes draw as heat columns at most 256 hidden units, the trace has 257"),
    (("render", "blackbox", "--cell", "lstm"),
     ("Error: scene 'blackbox' draws a simple RNN; the model's cell is lstm (scenes for it: "
      "lstm-cell, carousel, forward, bptt, gradients, lecture, truncated, activations, "
      "neuron-text, error-map)")),
])
def test_what_the_gated_chain_cannot_draw_is_one_line(tmp_path, args, message):
    res = invoke(*args, "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [message]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_checkpoint_of_the_cell_is_drawn_by_forward_and_bptt_only(tmp_path):
    model = text_model("hello world", cell="lstm", hidden=4, seed=3)
    ck = tmp_path / "m.npz"
    save_checkpoint(ck, model.params, model.vocabulary, {"cell": "lstm"})
    lecture = load_lecture(_lecture(tmp_path, f'text = "hello"\ncell = "lstm"\nweights = '
                                              f'"{ck.name}"', "bptt"))
    [inp] = lecture.scene_inputs()
    assert np.array_equal(inp.trace.params.W_hh, model.params.W_hh)
    assert inp.trace.extra["weights"] == "m.npz"  # said on screen instead of the initialisation
    with pytest.raises(UnrolledError, match="scene 'lstm-cell' builds its own model"):
        load_lecture(_lecture(tmp_path, f'cell = "lstm"\nweights = "{ck.name}"', "lstm-cell"))
    for args, message in (
        (("render", "forward", "lstm-cell", "--cell", "lstm"),
         ("Error: --weights does not apply to --cell lstm: its scenes build their own model from "
         "--text, --hidden and --seed (only the scenes that draw the model's trace take "
         "--weights)")),
        (("render", "bptt", "--cell", "gru"), (f"Error: weights file {ck} holds an lstm; --cell "
                                              "is gru")),
    ):
        res = invoke(*args, "--weights", str(ck), "--out", str(tmp_path / "out"))
        assert res.exit_code == 2 and res.output.strip().splitlines() == [message]


def test_a_saved_gated_trace_renders_and_a_mismatch_is_one_line(tmp_path):
    saved = tmp_path / "gru.json"
    assert invoke("trace", "--cell", "gru", "--text", "hey you", "--hidden", "3", "--json",
                  str(saved), "--quiet").exit_code == 0
    out = tmp_path / "out"
    res = invoke("render", "forward", "--trace", str(saved), "--format", "png", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert (out / "forward.png").stat().st_size > 10_000
    for args, message in (
        (("render", "bptt", "--cell", "lstm"),
         f"Error: trace file {saved} holds a gru trace; --cell is lstm"),
        (("render", "neurons"),
         ("Error: scene 'neurons' draws a simple RNN; the model's cell is gru (scenes for it: "
          "forward, bptt, gradients, lecture, activations, neuron-text, error-map)")),
        (("render", "gru-cell"),
         ("Error: scene 'gru-cell' builds its own model from --text, --hidden and --seed; "
          "--trace does not apply")),
    ):
        res = invoke(*args, "--trace", str(saved), "--out", str(tmp_path / "refused"))
        assert res.exit_code == 2 and res.output.strip().splitlines() == [message], res.output
        assert not (tmp_path / "refused").exists() or not any((tmp_path / "refused").iterdir())


def test_truncated_of_an_lstm_from_the_command_line_and_a_lecture_file(tmp_path):
    res = invoke("render", "truncated", "--cell", "lstm", "--steps", "8", "--format", "png",
                 "--out", str(tmp_path / "cli"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli" / "truncated.png").stat().st_size > 10_000
    lecture = load_lecture(_lecture(tmp_path, 'cell = "gru"\nhidden = 4', "truncated"))
    [inp] = lecture.scene_inputs()  # the lecture's cell and size reach the scene's own model
    assert inp.trace.kind == "gru" and inp.trace.h.shape == (12, 4)
    assert all(w.kind == "gru" for w in inp.windows)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_65_steps_of_a_gated_chain_are_one_error_line_from_the_command(tmp_path, cell):
    res = unrolled("render", "bptt", "--cell", cell, "--text", LONG_TEXT, "--out",
                   str(tmp_path / "out"))
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().splitlines() == [
        ("Error: the unfolded scenes draw as heat columns at most 64 time steps, the trace has 65 "
         "(a shorter --text)")]
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
