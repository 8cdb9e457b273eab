"""ONNX graphs of recurrent character models, built with ``onnx.helper`` as an exporter lays
them out (an optional ``Gather`` embedding, the recurrent operator, a ``Squeeze`` of its
direction axis, a ``MatMul`` + ``Add`` or ``Gemm`` head), for the import tests.

The weights are random in ONNX's own layout (gates i, o, f, c and z, r, h), so a wrong
conversion to the engine's order shows against ``onnx.reference``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
VOCAB = "abcde"


def build(op: str = "LSTM", H: int = 3, embed: int | None = None, head: str = "matmul",
          dtype=np.float32, seed: int = 0, layout: int = 0, attrs: dict | None = None,
          extra_inputs: dict | None = None, extra_nodes: list | None = None) -> onnx.ModelProto:
    """A model reading one sequence (batch 1) of the characters of VOCAB.

    Outputs: ``logits`` (T, 1, K) and ``Y``, the recurrent operator's output, for comparison.
    ``extra_inputs`` maps the operator's optional input positions (4 sequence_lens, 5
    initial_h, 6 initial_c, 7 P) to arrays stored as initializers (a string: a graph input).
    """
    rng = np.random.default_rng(seed)
    K = len(VOCAB)
    D = embed or K
    G = GATES[op]
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    init = {"W": rng.normal(0, 0.5, (1, G * H, D)), "R": rng.normal(0, 0.5, (1, G * H, H)),
            "B": rng.normal(0, 0.3, (1, 2 * G * H)), "head_w": rng.normal(0, 0.5, (H, K)),
            "head_b": rng.normal(0, 0.2, (K,))}
    if head == "gemm":
        init["head_w"] = init["head_w"].T.copy()  # Gemm with transB = 1: (K, H)
    nodes = []
    if embed:
        init["emb"] = rng.normal(0, 1.0, (K, embed))
        inputs = [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["T", 1])]
        nodes.append(helper.make_node("Gather", ["emb", "tokens"], ["x"], name="embedding"))
    else:
        inputs = [helper.make_tensor_value_info("x", elem, ["T", 1, D])]
    x = "x"
    if layout == 1:
        nodes.append(helper.make_node("Transpose", ["x"], ["x_bf"], perm=[1, 0, 2]))
        x = "x_bf"
    rec_inputs = [x, "W", "R", "B"]
    for pos, value in sorted((extra_inputs or {}).items()):
        rec_inputs += [""] * (pos - len(rec_inputs)) + [f"in{pos}"]
        if isinstance(value, str):  # fed at run time: an input of the graph, not a weight
            inputs.append(helper.make_tensor_value_info(f"in{pos}", elem, None))
        else:
            init[f"in{pos}"] = value
    attributes = {"hidden_size": H, "layout": layout, **(attrs or {})}
    if op == "GRU":
        attributes.setdefault("linear_before_reset", 1)
    nodes.append(helper.make_node(op, rec_inputs, ["Y_raw", "Y_h"], name="recurrent",
                                  **attributes))
    y = "Y_raw"
    if layout == 1:  # Y (batch, T, dirs, H) back to (T, dirs, batch, H)
        nodes.append(helper.make_node("Transpose", ["Y_raw"], ["Y_t"], perm=[1, 2, 0, 3]))
        y = "Y_t"
    nodes.append(helper.make_node("Identity", [y], ["Y"]))
    init["axes"] = np.array([1], dtype=np.int64)
    nodes.append(helper.make_node("Squeeze", ["Y", "axes"], ["Y_seq"]))
    if head == "gemm":
        init["shape2"] = np.array([-1, H], dtype=np.int64)
        nodes.append(helper.make_node("Reshape", ["Y_seq", "shape2"], ["Y_flat"]))
        nodes.append(helper.make_node("Gemm", ["Y_flat", "head_w", "head_b"], ["logits"],
                                      transB=1, name="head"))
    else:
        nodes.append(helper.make_node("MatMul", ["Y_seq", "head_w"], ["mm"], name="head"))
        nodes.append(helper.make_node("Add", ["mm", "head_b"], ["logits"], name="head_bias"))
    nodes += extra_nodes or []
    initializers = [numpy_helper.from_array(
        v.astype(np.int64) if v.dtype.kind == "i" else v.astype(dtype), k)
        for k, v in init.items()]
    outputs = [helper.make_tensor_value_info("logits", elem, None),
               helper.make_tensor_value_info("Y", elem, None)]
    graph = helper.make_graph(nodes, "char_model", inputs, outputs, initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def save(model: onnx.ModelProto, folder: Path, name: str = "model") -> Path:
    """The model as ``NAME.onnx`` with its vocabulary beside it (``NAME.vocab.json``)."""
    path = folder / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    (folder / f"{name}.vocab.json").write_text(json.dumps(VOCAB))
    return path


def reference(model: onnx.ModelProto, text: str) -> dict[str, np.ndarray]:
    """``onnx.reference``'s logits (T, K) and h (T, H) on the characters of ``text`` but its
    last (they are the inputs; the next characters are the targets)."""
    from onnx.reference import ReferenceEvaluator

    ids = np.array([VOCAB.index(ch) for ch in text[:-1]], dtype=np.int64)
    graph_input = model.graph.input[0]
    if graph_input.name == "tokens":
        feed = ids.reshape(-1, 1)
    else:
        elem = graph_input.type.tensor_type.elem_type
        feed = np.eye(len(VOCAB))[ids].reshape(len(ids), 1, -1)
        feed = feed.astype(np.float32 if elem == TensorProto.FLOAT else np.float64)
    logits, Y = ReferenceEvaluator(model).run(None, {graph_input.name: feed})
    return {"logits": logits.reshape(len(ids), -1).astype(np.float64),
            "h": Y[:, 0, 0, :].astype(np.float64)}
