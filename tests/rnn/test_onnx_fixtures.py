"""The torch fixtures' very models as ``torch.onnx.export`` wrote them (``make_onnx_fixtures.py``):
imported from the ONNX file, they give torch's loss, every h(t), the LSTM's cell states and every
gradient (``torch_NAME.npz``, torch's autograd) to float32 precision, and ``onnx.reference``'s
logits on the exported graph itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnn.engine import run as run_engine
from rnn.imports import load_model
from rnn.imports.adapter import embedding_gradient, input_errors, inputs, to_engine

DATA = Path(__file__).parent / "data" / "frameworks"
TEXT = json.loads((DATA / "versions.json").read_text())["text"]
NAMES = [f"torch_{cell}{embed}" for cell in ("rnn", "lstm", "gru", "rnn_relu")
         for embed in ("", "_embed")]
SIMPLE = {"W_ih": "U", "W_hh": "W", "b_ih": "b", "b_hh": "b", "V": "V", "c": "c"}


def close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-5) -> None:
    """Equal to float32 precision, relative to the array's scale."""
    assert ours.shape == theirs.shape
    scale = max(float(np.abs(theirs).max()), 1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=rtol * scale)


@pytest.fixture(scope="module", params=NAMES)
def imported(request):
    name = request.param
    model = load_model(DATA / f"{name}.onnx")
    trace = run_engine(to_engine(model), *inputs(model, TEXT))
    return name, model, trace, np.load(DATA / f"{name}.npz")


def test_the_exported_cell_and_parts_are_read(imported):
    name, model, _trace, _ref = imported
    cell = name.removeprefix("torch_").removesuffix("_embed").replace("_", "-")
    assert model.cell == cell and model.framework == "onnx"
    assert (model.embedding is not None) == name.endswith("_embed")


def test_loss_states_and_gradients_equal_torch(imported):
    _name, model, trace, ref = imported
    assert trace.loss == pytest.approx(float(ref["loss"]), rel=1e-5)
    close(trace.h, ref["h"])
    if "cell" in ref:
        close(trace.cell, ref["cell"])
    names = SIMPLE if model.cell in ("rnn", "rnn-relu") else {k: k for k in SIMPLE}
    for theirs, ours in names.items():
        close(trace.grads[ours], ref[f"grad:{theirs}"])
    if model.embedding is not None:
        close(embedding_gradient(model, TEXT, trace), ref["grad:embedding"])
    else:
        close(input_errors(trace), ref["dL_dx"])


# onnx.reference's RNN knows only the Tanh and Affine activations: the ReLU RNN's exported
# graph is checked against torch above
@pytest.mark.parametrize("name", [n for n in NAMES if "relu" not in n])
def test_logits_equal_onnx_reference_on_the_exported_graph(name):
    import onnx
    from onnx.reference import ReferenceEvaluator

    model = load_model(DATA / f"{name}.onnx")
    trace = run_engine(to_engine(model), *inputs(model, TEXT))
    proto = onnx.load(str(DATA / f"{name}.onnx"))
    ids = model.vocabulary.encode(TEXT)[:-1]
    feed = ids if model.embedding is not None else np.eye(len(model.vocabulary),
                                                         dtype=np.float32)[ids]
    (logits,) = ReferenceEvaluator(proto).run(None, {proto.graph.input[0].name: feed})
    close(trace.o, logits.astype(np.float64))
