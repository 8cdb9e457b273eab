"""The torch fixtures' very models as ``torch.onnx.export`` wrote them (``make_onnx_fixtures.py``):
their logits equal ``onnx.reference``'s on the exported graph itself. (That they give torch's
loss, states and gradients is tested with the other frameworks' files, ``test_imports.py``.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnn.engine import run as run_engine
from rnn.imports import load_model
from rnn.imports.adapter import inputs, to_engine

DATA = Path(__file__).parent / "data" / "frameworks"
TEXT = json.loads((DATA / "versions.json").read_text())["text"]


# onnx.reference's RNN knows only the Tanh and Affine activations: the ReLU RNN's exported
# graph is checked against torch only
@pytest.mark.parametrize("name", [f"torch_{cell}{embed}" for cell in ("rnn", "lstm", "gru")
                                  for embed in ("", "_embed")])
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
    np.testing.assert_allclose(trace.o, logits, rtol=0,
                               atol=1e-5 * float(np.abs(logits).max()))  # float32 precision
