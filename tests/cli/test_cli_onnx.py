"""``--weights model.onnx`` through the real command line: the exported torch fixtures traced
(their loss is torch's), drawn and explored."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.cli.cli_run import unrolled

DATA = Path(__file__).resolve().parents[1] / "rnn" / "data" / "frameworks"
TEXT = "hello world"


@pytest.mark.parametrize("name", ["torch_rnn", "torch_lstm_embed", "torch_gru"])
def test_trace_gives_torchs_loss(name):
    r = unrolled("trace", "--text", TEXT, "--weights", str(DATA / f"{name}.onnx"))
    assert r.returncode == 0, r.stderr
    loss = float(re.match(r"\S+ trace, loss (\S+)", r.stdout).group(1))
    assert loss == pytest.approx(float(np.load(DATA / f"{name}.npz")["loss"]), rel=1e-5)


def test_a_still_and_the_page_of_an_onnx_model(tmp_path):
    weights = str(DATA / "torch_lstm.onnx")
    r = unrolled("render", "forward", "--weights", weights, "--text", TEXT, "--format", "png",
                 "-q", "low", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "forward.png").read_bytes().startswith(b"\x89PNG")
    page = tmp_path / "page.html"
    r = unrolled("explore", "--weights", weights, "--text", TEXT, "--out", str(page))
    assert r.returncode == 0, r.stderr
    html = page.read_text()
    assert '"cell":"lstm"' in html and '"loss":{"shape":[10]' in html  # 10 steps of the LSTM
