"""Truncated BPTT of stacked networks against PyTorch: windows carrying every layer's states
(detached), one SGD step after each, as a torch training loop does it. The fixtures are made
by tests/rnn/data/frameworks/make_truncated_fixtures.py with torch itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnn.data import Vocabulary, char_sequence
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import run_truncated
from rnn.network import NetworkParams, Shape

DATA = Path(__file__).resolve().parents[1] / "data" / "frameworks"
TEXT = "hello world, hello"
WINDOW, LR = 5, 0.1


@pytest.mark.parametrize("kind", ("rnn", "lstm", "gru"))
def test_windows_of_a_two_layer_network_equal_torch(kind):
    with np.load(DATA / f"torch_truncated_{kind}.npz") as z:
        ref = {k: z[k] for k in z.files}
    arrays = {k: v for k, v in ref.items() if ":" not in k}
    params = NetworkParams(kind, Shape(2), arrays)
    _, X, y = char_sequence(TEXT, Vocabulary(tuple(sorted(set(TEXT)))))
    traces = run_truncated(params, X, y, WINDOW, Optimizer("sgd", LR))
    assert len(traces) == 4  # 17 steps in windows of 5
    for k, trace in enumerate(traces):
        assert trace.loss == pytest.approx(float(ref[f"loss:{k}"]), rel=1e-12)
        for name in arrays:
            want = ref[f"grad:{k}:{name}"]
            assert np.allclose(trace.grads[name], want, rtol=1e-9, atol=1e-12), (k, name)
