"""``--weights`` with stacked, bidirectional and one-label models of torch, Keras and ONNX,
through the real command line: the Trace it writes holds the framework's loss and gradients,
the class names come from ``NAME.classes.json`` or ``--classes``, and the shape from the file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.cli.cli_run import unrolled

DATA = Path(__file__).resolve().parents[1] / "rnn" / "data" / "frameworks"
TEXT = "hello world"


def traced(weights: Path, *extra: str) -> dict:
    r = unrolled("trace", "--text", TEXT, "--weights", str(weights), "--json", "-", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def check(doc: dict, name: str) -> None:
    """The document's loss and every gradient against the framework's (float32)."""
    ref = np.load(DATA / f"{name}.npz")
    assert doc["loss"] == pytest.approx(float(ref["loss"]), rel=1e-5)
    expected = {k[5:]: ref[k] for k in ref.files if k.startswith("grad:")}
    expected.pop("embedding", None)
    for key, g in expected.items():
        if doc["cell"] == "rnn" and key[:2] in ("W_", "b_"):  # U = W_ih, W = W_hh, b = sum
            kind, part, rest = key.split("_", 2)
            key = {"W_ih": "U", "W_hh": "W", "b_ih": "b", "b_hh": "b"}[f"{kind}_{part}"] + \
                "_" + rest
        np.testing.assert_allclose(doc["grads"][key], g, rtol=1e-4, atol=2e-6, err_msg=key)


@pytest.mark.parametrize("name, extra", [
    ("torch_lstm_l2_bi.safetensors", []),
    ("keras_gru_l2_bi_last.keras", ["--label", "greeting"]),
    ("torch_rnn_l3_bi_last.onnx", ["--label", "greeting"]),
])
def test_the_trace_holds_the_frameworks_numbers(name, extra):
    doc = traced(DATA / name, *extra)
    stem = Path(name).stem
    shape = {"layers": int(re.search(r"_l(\d)", stem)[1]), "bidirectional": "_bi" in stem}
    assert {k: doc["network"][k] for k in shape} == shape
    assert doc["network"]["task"] == ("last" if extra else "every")
    check(doc, stem)


def test_classes_on_the_command_line_make_a_state_dict_read_one_label(tmp_path):
    weights = shutil.copy(DATA / "torch_gru_l2_last.safetensors", tmp_path / "m.safetensors")
    shutil.copy(DATA / "vocab.json", tmp_path)
    doc = traced(Path(weights), "--label", "greeting", "--classes",
                 "farewell,greeting,question")
    assert doc["network"]["classes"] == ["farewell", "greeting", "question"]
    assert doc["targets"] == [1]
    check(doc, "torch_gru_l2_last")
