"""The Trace file format is public: the same command writes the same bytes, release after release.

The files in ``tests/rnn/data/reference`` were written by these commands before the cells moved
behind one interface; every command here must still write them byte for byte (JSON and ``.npz``
documents, training checkpoints), for the simple RNN, the LSTM and the GRU, with and without
truncation. A change that alters one of them changes the public format: add keys, never rename.
"""

from pathlib import Path

import pytest
from cli_run import unrolled

REFERENCE = Path(__file__).resolve().parents[1] / "rnn" / "data" / "reference"
TEXT = "hello world"

TRACES = {
    "rnn.json": ["--text", TEXT, "--hidden", "4", "--seed", "1"],
    "rnn-window.json": ["--text", TEXT, "--hidden", "4", "--seed", "1", "--window", "4",
                        "--optimizer", "adagrad", "--clip", "1"],
    "rnn-radius.json": ["--text", TEXT, "--radius", "1.8", "--lr", "0.5", "--clip", "1",
                        "--clip-mode", "norm", "--full-errors"],
    "lstm.json": ["--cell", "lstm", "--text", TEXT, "--hidden", "3", "--forget-bias", "1"],
    "lstm-window.json": ["--cell", "lstm", "--text", TEXT, "--hidden", "3", "--forget-bias", "0",
                         "--window", "4", "--optimizer", "adagrad"],
    "gru.json": ["--cell", "gru", "--text", TEXT, "--hidden", "3", "--seed", "2"],
    "gru-window.json": ["--cell", "gru", "--text", TEXT, "--hidden", "3", "--window", "5",
                        "--clip", "0.5", "--clip-mode", "norm"],
    "lstm.npz": ["--cell", "lstm", "--text", "recurrent networks", "--hidden", "5",
                 "--forget-bias", "0"],
    "rnn-window.npz": ["--text", "recurrent networks", "--hidden", "6", "--init-scale", "0.3",
                       "--window", "7"],
}

TRAINING = {
    "rnn": [],
    "gru": [],
    "lstm": ["--forget-bias", "1"],
}


@pytest.mark.parametrize("name", sorted(TRACES))
def test_trace_writes_the_reference_bytes(name, tmp_path):
    out = tmp_path / name
    result = unrolled("trace", *TRACES[name], "--json", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (REFERENCE / name).read_bytes(), f"{name} differs"


@pytest.mark.parametrize("cell", sorted(TRAINING))
def test_train_writes_the_reference_checkpoint_and_samples(cell, tmp_path):
    out = tmp_path / f"train-{cell}.npz"
    result = unrolled("train", str(REFERENCE / "train.txt"), "--cell", cell, "--hidden", "8",
                      "--iterations", "30", "--window", "10", "--sample-every", "10",
                      *TRAINING[cell], "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == (REFERENCE / f"train-{cell}.npz").read_bytes()
    # the samples and smoothed losses printed on the way come from the same code paths
    printed = result.stdout.replace(str(out), f"train-{cell}.npz")
    assert printed == (REFERENCE / f"train-{cell}.out").read_text()
