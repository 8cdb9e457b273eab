"""The command line: defaults work, bad input is one clear line with exit status 2."""

import json

import numpy as np
import pytest
from cli_run import unrolled
from click.testing import CliRunner

from cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_trace_defaults_print_the_classic_example():
    res = invoke("trace")
    assert res.exit_code == 0
    assert "loss 6.349104" in res.output  # hello, hidden 3, seed 0
    assert "'h'" in res.output and "gradient totals" in res.output


def test_trace_json_is_deterministic(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke("trace", "--json", str(a), "--quiet").exit_code == 0
    assert invoke("trace", "--json", str(b), "--quiet").exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text())
    assert doc["text"] == "hello" and doc["vocabulary"] == ["e", "h", "l", "o"]


def test_trace_window_writes_windows(tmp_path):
    out = tmp_path / "w.json"
    res = invoke("trace", "--text", "hello world", "--window", "4", "--json", str(out))
    assert res.exit_code == 0 and "window 3: steps 9..10" in res.output
    assert len(json.loads(out.read_text())["windows"]) == 3


def test_gradcheck_passes():
    res = invoke("gradcheck", "--text", "recurrent", "--hidden", "4")
    assert res.exit_code == 0 and res.output.count(" ok") == 6


@pytest.mark.parametrize("args, message", [
    (["trace", "--hidden", "0"], "--hidden"),
    (["trace", "--hidden", "-3"], "--hidden"),
    (["trace", "--text", ""], "--text is empty"),
    (["trace", "--text", "a"], "at least two characters"),
    (["trace", "--vocab", "helo", "--text", "hello!"], "'!' is not in the vocabulary"),
    (["trace", "--window", "0"], "--window"),
    (["trace", "--lr", "0"], "--lr"),
    (["trace", "--weights", "missing.npz"], "missing.npz"),
    (["trace", "--init-scale", "1e308"], "--init-scale"),
    (["gradcheck", "--hidden", "0"], "--hidden"),
    (["train", "does-not-exist.txt"], "does-not-exist.txt"),
    (["nosuchcommand"], "No such command"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    res = unrolled(*args)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), res.stderr
    assert message in lines[0]
    assert "Traceback" not in res.stderr


def test_malformed_weights_file(tmp_path):
    bad = tmp_path / "w.npz"
    bad.write_text("garbage")
    res = unrolled("trace", "--weights", str(bad))
    assert res.returncode == 2 and "not a valid checkpoint" in res.stderr


def test_exploding_values_are_reported_and_recorded(tmp_path):
    # a finite rate whose update overflows: recorded in the JSON, reported on one line, exit 1
    out = tmp_path / "t.json"
    res = unrolled("trace", "--init-scale", "50", "--lr", "1e308", "--json", str(out), "--quiet")
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "non-finite" in res.stderr
    assert "NaN" in out.read_text() or "Infinity" in out.read_text()


def test_unwritable_json_keeps_going_cleanly(tmp_path):
    res = unrolled("trace", "--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert res.returncode == 2 and res.stderr.startswith("Error: output folder")
    assert "does not exist" in res.stderr


def test_train_then_trace_with_weights(tmp_path):
    text = tmp_path / "corpus.txt"
    text.write_text("hello world, hello rnn. " * 20)
    ckpt = tmp_path / "w.npz"
    res = unrolled("train", str(text), "--hidden", "10", "--window", "8", "--iterations", "60",
                   "--sample-every", "30", "--out", str(ckpt))
    assert res.returncode == 0, res.stderr
    assert "wrote" in res.stdout and "sample at 30" in res.stdout
    res = invoke("trace", "--text", "hello", "--weights", str(ckpt), "--json",
                 str(tmp_path / "t.json"), "--quiet")
    assert res.exit_code == 0
    doc = json.loads((tmp_path / "t.json").read_text())
    assert np.shape(doc["params"]["W"]) == (10, 10)


def test_train_diverging_keeps_the_old_checkpoint(tmp_path):
    text = tmp_path / "corpus.txt"
    text.write_text("abcdefgh" * 30)
    ckpt = tmp_path / "w.npz"
    ckpt.write_bytes(b"old")
    res = unrolled("train", str(text), "--hidden", "6", "--window", "5", "--iterations", "50",
                   "--optimizer", "sgd", "--lr", "1e308", "--init-scale", "1", "--out", str(ckpt))
    # a run that started correctly and overflowed: status 1, not the bad-input 2
    assert res.returncode == 1 and "diverged" in res.stderr.strip().splitlines()[-1]
    assert ckpt.read_bytes() == b"old"


def test_radius_option_sets_the_spectral_radius(tmp_path):
    from rnn.params import spectral_radius
    from rnn.traces import files as trace_files

    out = tmp_path / "r.json"
    assert invoke("trace", "--radius", "1.8", "--json", str(out), "--quiet").exit_code == 0
    assert abs(spectral_radius(trace_files.load(out).params.W) - 1.8) < 1e-9
    res = unrolled("trace", "--radius", "0")
    assert res.returncode == 2 and "--radius" in res.stderr
