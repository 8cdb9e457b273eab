"""Truncated BPTT of stacked networks against PyTorch: windows carrying every layer's states
(detached), one SGD step after each, as a torch training loop does it; and the other shapes,
bidirectional and one label per sequence, with the engine's rules for where each window starts
and where the label is. The fixtures are made by
tests/rnn/data/frameworks/make_truncated_fixtures.py with torch itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnn.data import Vocabulary, char_sequence, one_hot
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import run_truncated
from rnn.network import NetworkParams, Shape, suffix

DATA = Path(__file__).resolve().parents[1] / "data" / "frameworks"
TEXT = "hello world, hello"
VOCAB = Vocabulary(tuple(sorted(set(TEXT))))
WINDOW, LR, TARGET = 5, 0.1, 1
SHAPES = {"l2_bi": Shape(2, True, "every"), "l2_last": Shape(2, False, "last"),
          "l2_bi_last": Shape(2, True, "last")}
KINDS = ("rnn", "lstm", "gru")


def _fixture(name: str) -> tuple[dict, dict]:
    with np.load(DATA / f"torch_truncated_{name}.npz") as z:
        ref = {k: z[k] for k in z.files}
    return ref, {k: v for k, v in ref.items() if ":" not in k}


@pytest.mark.parametrize("kind", KINDS)
def test_windows_of_a_two_layer_network_equal_torch(kind):
    ref, arrays = _fixture(kind)
    params = NetworkParams(kind, Shape(2), arrays)
    _, X, y = char_sequence(TEXT, VOCAB)
    traces = run_truncated(params, X, y, WINDOW, Optimizer("sgd", LR))
    assert len(traces) == 4  # 17 steps in windows of 5
    for k, trace in enumerate(traces):
        assert trace.loss == pytest.approx(float(ref[f"loss:{k}"]), rel=1e-12)
        for name in arrays:
            want = ref[f"grad:{k}:{name}"]
            assert np.allclose(trace.grads[name], want, rtol=1e-9, atol=1e-12), (k, name)


def _data(shape: Shape):
    """Next characters of TEXT, or every character of it as input and the label TARGET."""
    if shape.task == "every":
        _, X, y = char_sequence(TEXT, VOCAB)
        return X, y
    return one_hot(VOCAB.encode(TEXT), len(VOCAB)), np.array([TARGET])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", KINDS)
def test_windows_of_every_shape_equal_torch(kind, shape):
    ref, arrays = _fixture(f"{kind}_{shape}")
    params = NetworkParams(kind, SHAPES[shape], arrays)
    X, y = _data(params.shape)
    traces = run_truncated(params, X, y, WINDOW, Optimizer("sgd", LR))
    assert [t.T for t in traces] == ([5, 5, 5, 2] if shape == "l2_bi" else [5, 5, 5, 3])
    compared = 0
    for k, trace in enumerate(traces):
        for l, d in params.shape.slots:  # every state, from torch's own layers
            for state in ("h", "cell") if kind == "lstm" else ("h",):
                mine = trace.seq(l, d, "h") if state == "h" else \
                    trace.layer(l, d).states("cell")[::(-1 if d else 1)]
                want = ref[f"{state}:{k}:{suffix(l, d)[1:]}"]
                np.testing.assert_allclose(mine, want, rtol=1e-9, atol=1e-12,
                                           err_msg=f"window {k} {state}{suffix(l, d)}")
                compared += 1
        if f"loss:{k}" not in ref:  # torch ran this window under no_grad: no loss, no step
            assert trace.losses.size == 0 and trace.update is None and trace.loss == 0.0
            assert all(not np.any(g) for g in trace.grads.values()), k
            continue
        assert trace.loss == pytest.approx(float(ref[f"loss:{k}"]), rel=1e-12)
        assert trace.update is not None
        for name in arrays:
            np.testing.assert_allclose(trace.grads[name], ref[f"grad:{k}:{name}"], rtol=1e-9,
                                       atol=1e-12, err_msg=f"window {k} grad {name}")
    assert compared == len(traces) * len(params.shape.slots) * (2 if kind == "lstm" else 1)
    lossless = [k for k in range(len(traces)) if f"loss:{k}" not in ref]
    assert lossless == ([] if shape == "l2_bi" else [0, 1, 2])  # one label: the last window's


def test_a_backward_direction_restarts_in_every_window_and_differs_from_full_bptt():
    """What the cut changes: a backward direction has not read past the cut, so its rows in a
    window differ from the full pass's; the forward direction's rows are the full pass's."""
    from rnn.network import run_network

    ref, arrays = _fixture("gru_l2_bi")
    params = NetworkParams("gru", SHAPES["l2_bi"], arrays)
    X, y = _data(params.shape)
    [first, *_] = run_truncated(params, X, y, WINDOW, Optimizer("sgd", LR))
    full = run_network(params, X, y)
    assert np.allclose(first.seq(0, 0, "h"), full.seq(0, 0, "h")[:WINDOW], rtol=0, atol=1e-15)
    assert not np.allclose(first.seq(0, 1, "h"), full.seq(0, 1, "h")[:WINDOW], atol=1e-3)
    assert np.array_equal(first.layer(0, 1).h0, np.zeros(params.hidden_size))
