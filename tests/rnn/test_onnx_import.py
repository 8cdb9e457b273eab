"""ONNX models (``--weights model.onnx``): the conversions against ``onnx.reference``, and the
refusals of what the engine does not compute.

The expected numbers come from ``onnx.reference.ReferenceEvaluator``, which runs ONNX's LSTM, GRU
and RNN operators in plain numpy from the specification: the forward pass directly, and the
gradients by central finite differences of the loss on its logits (float64 graphs).
"""

from __future__ import annotations

import numpy as np
import onnx_graphs as graphs
import pytest
from onnx import numpy_helper

from rnn import UnrolledError
from rnn.engine import run
from rnn.imports import load_model
from rnn.imports.adapter import inputs, to_engine

TEXT = "abcdeabbaced"
CASES = [(op, embed, head) for op in ("LSTM", "GRU", "RNN") for embed in (None, 4)
         for head in ("matmul", "gemm")]


def engine_run(model_proto, tmp_path, text=TEXT):
    model = load_model(graphs.save(model_proto, tmp_path))
    X, y = inputs(model, text)
    return model, run(to_engine(model), X, y)


def assert_close(ours, theirs, rtol):
    scale = max(float(np.abs(theirs).max()), 1e-12)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=rtol * scale)


@pytest.mark.parametrize("op, embed, head", CASES)
def test_forward_equals_onnx_reference_in_float64(op, embed, head, tmp_path):
    proto = graphs.build(op, embed=embed, head=head, dtype=np.float64)
    model, trace = engine_run(proto, tmp_path)
    ref = graphs.reference(proto, TEXT)
    assert model.cell == op.lower() and model.framework == "onnx"
    assert (model.embedding is not None) == bool(embed)
    assert_close(trace.h, ref["h"], 1e-12)
    assert_close(trace.o, ref["logits"], 1e-12)


@pytest.mark.parametrize("op", ["LSTM", "GRU", "RNN"])
def test_float32_files_equal_onnx_reference_to_float32_precision(op, tmp_path):
    proto = graphs.build(op, embed=3, H=5, seed=3)
    _, trace = engine_run(proto, tmp_path)
    ref = graphs.reference(proto, TEXT)
    assert_close(trace.h, ref["h"], 1e-5)
    assert_close(trace.o, ref["logits"], 1e-5)


def test_batch_first_layout(tmp_path):
    proto = graphs.build("LSTM", layout=1, dtype=np.float64)
    _, trace = engine_run(proto, tmp_path)
    assert_close(trace.h, graphs.reference(proto, TEXT)["h"], 1e-12)


def test_peephole_weights_make_it_the_peephole_lstm(tmp_path):
    """ONNX's P (i, o, f) is the peephole cell's P as it is; onnx.reference computes the
    peepholes, so every h(t), logit and the loss equal it."""
    P = np.random.default_rng(5).normal(0, 0.5, (1, 9))
    proto = graphs.build("LSTM", dtype=np.float64, extra_inputs={7: P})
    model, trace = engine_run(proto, tmp_path)
    assert model.cell == "peephole"
    np.testing.assert_array_equal(model.extra["P"], P[0])
    ref = graphs.reference(proto, TEXT)
    assert_close(trace.h, ref["h"], 1e-12)
    assert_close(trace.o, ref["logits"], 1e-12)
    plain = graphs.build("LSTM", dtype=np.float64)  # the same weights without peepholes differ
    assert np.abs(graphs.reference(plain, TEXT)["h"] - ref["h"]).max() > 1e-3


@pytest.mark.parametrize("embed", [None, 4])
def test_a_gru_with_the_reset_before_the_product_is_chos(embed, tmp_path):
    """linear_before_reset = 0 (the operator's default): onnx.reference computes it."""
    proto = graphs.build("GRU", attrs={"linear_before_reset": 0}, embed=embed,
                         dtype=np.float64, seed=6)
    model, trace = engine_run(proto, tmp_path)
    assert model.cell == "cho-gru"
    ref = graphs.reference(proto, TEXT)
    assert_close(trace.h, ref["h"], 1e-12)
    assert_close(trace.o, ref["logits"], 1e-12)


def test_the_relu_rnn_is_the_rnn_relu_cell(tmp_path):
    """onnx.reference's RNN knows only Tanh and Affine: the specification's equation,
    H(t) = Relu(X(t) W^T + H(t-1) R^T + Wb + Rb), is written out here instead."""
    proto = graphs.build("RNN", attrs={"activations": ["Relu"]}, dtype=np.float64, seed=4)
    model, trace = engine_run(proto, tmp_path)
    assert model.cell == "rnn-relu"
    w = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    W, R, B = w["W"][0], w["R"][0], w["B"][0]
    h, expected = np.zeros(R.shape[0]), []
    for ch in TEXT[:-1]:
        x = np.eye(len(graphs.VOCAB))[graphs.VOCAB.index(ch)]
        h = np.maximum(W @ x + R @ h + B[:len(h)] + B[len(h):], 0.0)
        expected.append(h)
    assert_close(trace.h, np.array(expected), 1e-12)
    assert np.any(trace.h == 0) and np.any(trace.h > 0)


def reference_loss(proto, text: str) -> float:
    """The summed cross-entropy of next-character prediction, from onnx.reference's logits."""
    logits = graphs.reference(proto, text)["logits"]
    targets = [graphs.VOCAB.index(ch) for ch in text[1:]]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(targets)), targets].sum())


def numeric_gradient(proto, name: str, index: tuple, eps: float = 1e-5) -> float:
    """d loss / d (initializer ``name`` at ``index``) by central differences on onnx.reference."""
    tensor = next(t for t in proto.graph.initializer if t.name == name)
    value = numpy_helper.to_array(tensor).copy()
    losses = []
    for step in (eps, -eps):
        moved = value.copy()
        moved[index] += step
        tensor.CopyFrom(numpy_helper.from_array(moved, name))
        losses.append(reference_loss(proto, TEXT))
    tensor.CopyFrom(numpy_helper.from_array(value, name))
    return (losses[0] - losses[1]) / (2 * eps)


def onnx_layout_gradients(op: str, grads: dict, H: int) -> dict[str, np.ndarray]:
    """The engine's gradients put back in ONNX's layout (the inverse of the import's order)."""
    order = {"LSTM": [0, 2, 3, 1], "GRU": [1, 0, 2], "RNN": [0]}[op]
    inverse = np.argsort(order)

    def onnx_blocks(a):
        return np.concatenate([a[k * H:(k + 1) * H] for k in inverse])

    if op == "RNN":
        W, R, b = grads["U"], grads["W"], grads["b"]
        bias = np.concatenate([b, b])  # b = Wb + Rb: each gets the same gradient
    else:
        W, R = grads["W_ih"], grads["W_hh"]
        bias = np.concatenate([onnx_blocks(grads["b_ih"]), onnx_blocks(grads["b_hh"])])
    return {"W": onnx_blocks(W)[None], "R": onnx_blocks(R)[None], "B": bias[None],
            "head_w": grads["V"].T, "head_b": grads["c"]}


@pytest.mark.parametrize("op, variant", [("LSTM", None), ("LSTM", "peepholes"), ("GRU", None),
                                        ("GRU", "reset before"), ("RNN", None)])
def test_gradients_equal_finite_differences_of_onnx_reference(op, variant, tmp_path):
    H = 3
    P = np.random.default_rng(8).normal(0, 0.5, (1, 3 * H))
    peepholes = variant == "peepholes"
    proto = graphs.build(op, H=H, dtype=np.float64, seed=7,
                         extra_inputs={7: P} if peepholes else None,
                         attrs={"linear_before_reset": 0} if variant == "reset before" else None)
    _, trace = engine_run(proto, tmp_path)
    assert trace.loss == pytest.approx(reference_loss(proto, TEXT), rel=1e-12)
    ours = onnx_layout_gradients(op, trace.grads, H)
    if peepholes:  # P is the cell's as it is, in ONNX's order i, o, f
        ours["in7"] = trace.grads["P"][None]
    rng = np.random.default_rng(0)
    for name, grad in ours.items():
        # every gate block of W, R and B is probed, so a block put in the wrong place shows
        picks = [tuple(rng.integers(0, n) for n in grad.shape) for _ in range(12)]
        for index in picks:
            numeric = numeric_gradient(proto, name, index)
            # the loss is about 20: its rounding (1e-14) over 2 eps is 1e-9 at most
            assert grad[index] == pytest.approx(numeric, rel=1e-6, abs=1e-8), (name, index)


def test_a_gemm_head_after_a_reshape_needs_no_hidden_size_attribute(tmp_path):
    """hidden_size is optional in ONNX: the reshape before the head is checked against R."""
    proto = graphs.build("GRU", head="gemm", dtype=np.float64)
    node = next(n for n in proto.graph.node if n.op_type == "GRU")
    kept = [a for a in node.attribute if a.name != "hidden_size"]
    del node.attribute[:]
    node.attribute.extend(kept)
    _, trace = engine_run(proto, tmp_path)
    assert_close(trace.h, graphs.reference(proto, TEXT)["h"], 1e-12)
