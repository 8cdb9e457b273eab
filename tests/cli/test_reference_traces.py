"""The Trace file format is public: the same command writes the same values, release after release,
on any processor.

The files in ``tests/rnn/data/reference`` were written by these commands before the cells moved
behind one interface. Every command here must still write them (JSON and ``.npz`` documents,
training checkpoints, the samples and losses ``train`` prints), for the simple RNN, the LSTM and
the GRU, with and without truncation. A change that alters one of them changes the public format:
add keys, never rename.

They are compared by value (``same_values``): structure, keys, strings, integers, dtypes and
shapes exactly, floats to 1e-12 of their array's scale, since numpy's OpenBLAS sums in another
order on another processor. Bytes are promised only on one machine: the same command run twice
writes the same bytes (tested here for checkpoints, in ``test_cli_cells.py`` for JSON and
``.npz`` traces, in ``test_cli_figures.py`` for figures). The commands also run under two other
OpenBLAS kernel families of this machine (``blas_kernels``), as another processor would run them.
"""

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from blas_kernels import core_named, env_for, other_families
from cli_run import unrolled
from same_values import Differs, assert_same_file

from rnn.learning import train as training

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

# rich's progress bar ends with the time taken, which depends on the machine's load
ELAPSED = re.compile(r"\b\d+:\d\d:\d\d\b")

SAMPLE = re.compile(r"^--- sample at \d+ ---\n(.*?)\n---$", re.MULTILINE | re.DOTALL)

# What the samples and printed losses must clear for their exact comparison to hold on any
# processor: floats there differ by about 1e-14; the margins measured are 2.4e-6 and more.
MARGIN = 1e-9


def run_trace(name: str, out: Path, env: dict | None = None):
    result = unrolled("trace", *TRACES[name], "--json", str(out), "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    return result


def run_train(cell: str, out: Path, env: dict | None = None):
    result = unrolled("train", str(REFERENCE / "train.txt"), "--cell", cell, "--hidden", "8",
                      "--iterations", "30", "--window", "10", "--sample-every", "10",
                      *TRAINING[cell], "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return result


def assert_same_printout(result, out: Path, cell: str) -> None:
    """The samples and losses ``train`` printed, as the reference, apart from the time taken."""
    printed = result.stdout.replace(str(out), f"train-{cell}.npz")
    reference = (REFERENCE / f"train-{cell}.out").read_text()
    assert ELAPSED.sub("H:MM:SS", printed) == ELAPSED.sub("H:MM:SS", reference)


@pytest.mark.parametrize("name", sorted(TRACES))
def test_trace_writes_the_reference_values(name, tmp_path):
    out = tmp_path / name
    run_trace(name, out)
    assert_same_file(out, REFERENCE / name)


@pytest.mark.parametrize("cell", sorted(TRAINING))
def test_train_writes_the_reference_checkpoint_and_samples(cell, tmp_path):
    out = tmp_path / f"train-{cell}.npz"
    result = run_train(cell, out)
    assert_same_file(out, REFERENCE / out.name)
    assert_same_printout(result, out, cell)
    again = tmp_path / f"again-{cell}.npz"
    run_train(cell, again)
    assert again.read_bytes() == out.read_bytes(), "the same command, other bytes"


@pytest.fixture(scope="session")
def kernel_families():
    """(the machine's own OpenBLAS family, two others it can run)."""
    own, others = other_families(2)
    assert own is not None, "numpy's OpenBLAS printed no kernel family under OPENBLAS_VERBOSE=2"
    assert len(others) == 2, f"this machine ({own}) offers fewer than two other families"
    return own, others


@pytest.mark.parametrize("which", [0, 1], ids=["kernel-a", "kernel-b"])
@pytest.mark.parametrize("name", [*sorted(TRACES), *(f"train-{c}.npz" for c in sorted(TRAINING))])
def test_another_kernel_family_writes_the_reference_values(name, which, kernel_families,
                                                           tmp_path):
    own, others = kernel_families
    coretype, core = others[which]
    out = tmp_path / name
    env = env_for(coretype)
    if name.startswith("train-"):
        cell = name.removeprefix("train-").removesuffix(".npz")
        result = run_train(cell, out, env)
        assert_same_printout(result, out, cell)
    else:
        result = run_trace(name, out, env)
    # the command really ran on the other family (and not on the machine's own)
    assert core_named(result.stderr) == core != own
    assert_same_file(out, REFERENCE / name)


class DrawRecorder:
    """Stands in for the sampler's Generator: draws as ``Generator.choice(n, p=p)`` does (the
    cumulative sum, normalised, searched with one uniform draw) and records how far each draw
    fell from the nearest boundary of the cumulative sum: the change of probabilities that would
    flip that character."""

    def __init__(self, rng: np.random.Generator, margins: list):
        self.rng, self.margins = rng, margins

    def choice(self, n: int, p: np.ndarray) -> int:
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        u = self.rng.random()
        self.margins.append(float(np.min(np.abs(cdf - u))))
        return int(np.searchsorted(cdf, u, side="right"))


def rounding_margin(value: float, decimals: int) -> float:
    """How far ``value`` is from changing its last printed digit at ``decimals`` places."""
    scaled = value * 10**decimals
    return abs(scaled - np.floor(scaled) - 0.5) / 10**decimals


@pytest.mark.parametrize("cell", sorted(TRAINING))
def test_train_printout_is_far_from_any_flip(cell, monkeypatch):
    """The printed samples and losses are compared exactly on any processor: a sampled character
    flips only if the probabilities move by the draw's margin, a printed loss only if it moves by
    its distance to a rounding midpoint. Both must be far above the differences of floats between
    processors (about 1e-14), and the recorded draws must give the reference's samples."""
    with np.load(REFERENCE / f"train-{cell}.npz", allow_pickle=False) as z:
        meta = json.loads(str(z["meta"][()]))
    names = {f.name for f in dataclasses.fields(training.TrainConfig)}
    cfg = training.TrainConfig(**{k: v for k, v in meta.items() if k in names})
    margins, samples = [], []
    sample = training.sample
    monkeypatch.setattr(training, "sample",
                        lambda *a: sample(*a[:-1], DrawRecorder(a[-1], margins)))
    text = (REFERENCE / "train.txt").read_text()
    result = training.train(text, cfg, on_sample=lambda n, s: samples.append(s))
    reference = (REFERENCE / f"train-{cell}.out").read_text()
    # the console wraps long lines of a sample at spaces: compare what is not white space
    printed = [re.sub(r"\s", "", s) for s in SAMPLE.findall(reference)]
    assert printed and printed == [re.sub(r"\s", "", s) for s in samples]
    assert len(margins) == len(samples) * cfg.sample_length
    assert min(margins) > MARGIN
    assert f"smooth loss {result.smooth_loss:.4f}" in reference
    assert min(rounding_margin(result.smooth_loss, d) for d in (3, 4)) > MARGIN


def test_a_change_of_one_part_in_a_billion_is_caught(tmp_path):
    """The tolerance cannot hide a change to the maths: the reference with one loss moved by 1e-9
    of its value differs, while the reference itself is the same."""
    doc = json.loads((REFERENCE / "lstm.json").read_text())
    doc["steps"][3]["loss"] *= 1 + 1e-9
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(doc))
    with pytest.raises(Differs, match=r"\.steps\[3\]\.loss"):
        assert_same_file(moved, REFERENCE / "lstm.json")
    assert_same_file(REFERENCE / "lstm.json", REFERENCE / "lstm.json")
