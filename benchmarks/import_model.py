"""Importing a model trained elsewhere: a 1000-unit LSTM in a .safetensors file (torch's
state_dict layout, written here with numpy; no torch needed) and in an ONNX file (an exporter's
layout, written with onnx.helper), read, checked and handed to the engine. Target: at most 2 s.

Prints the median time of the import (``load_model`` + ``to_engine``) over a few runs, its ratio
to the target, and the size of the file. The .safetensors model is timed as float32 and as
bfloat16, the ONNX one as float32.
Usage: python benchmarks/import_model.py [--hidden 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from rnn.imports import load_model  # noqa: E402
from rnn.imports.adapter import to_engine  # noqa: E402

TARGET_SECONDS = 2.0
VOCAB = "".join(chr(c) for c in range(32, 127)) + "\n"  # 96 characters


def write_lstm(path: Path, hidden: int, dtype: str) -> None:
    """nn.Embedding(96, 64) -> nn.LSTM(64, hidden) -> nn.Linear(hidden, 96), as save_file does."""
    rng = np.random.default_rng(0)
    K, E, H = len(VOCAB), 64, hidden
    shapes = {"embedding.weight": (K, E), "lstm.weight_ih_l0": (4 * H, E),
              "lstm.weight_hh_l0": (4 * H, H), "lstm.bias_ih_l0": (4 * H,),
              "lstm.bias_hh_l0": (4 * H,), "head.weight": (K, H), "head.bias": (K,)}
    header, blobs, offset = {}, [], 0
    for name, shape in shapes.items():
        a = rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), shape).astype("<f4")
        data = a.tobytes() if dtype == "F32" else (a.view("<u4") >> 16).astype("<u2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for blob in blobs:
            f.write(blob)


def write_onnx_lstm(path: Path, hidden: int) -> None:
    """The same model as an exporter writes it: Gather -> LSTM -> Squeeze -> MatMul -> Add."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    K, E, H = len(VOCAB), 64, hidden
    shapes = {"emb": (K, E), "W": (1, 4 * H, E), "R": (1, 4 * H, H), "B": (1, 8 * H),
              "head_w": (H, K), "head_b": (K,)}
    init = [numpy_helper.from_array(rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), shape)
                                    .astype(np.float32), name) for name, shape in shapes.items()]
    init.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "axes"))
    nodes = [helper.make_node("Gather", ["emb", "tokens"], ["x"]),
             helper.make_node("LSTM", ["x", "W", "R", "B"], ["Y"], hidden_size=H),
             helper.make_node("Squeeze", ["Y", "axes"], ["Y_seq"]),
             helper.make_node("MatMul", ["Y_seq", "head_w"], ["mm"]),
             helper.make_node("Add", ["mm", "head_b"], ["logits"])]
    graph = helper.make_graph(
        nodes, "lstm", [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["T", 1])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, None)], init)
    path.write_bytes(helper.make_model(graph).SerializeToString())


def timed(path: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = load_model(path, vocab=VOCAB)
        params = to_engine(model)
        times.append(time.perf_counter() - start)
    assert model.cell == "lstm" and params.hidden_size == params.W_hh.shape[1]
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hidden", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for dtype in ("F32", "BF16", "ONNX"):
            if dtype == "ONNX":
                path = Path(tmp) / "lstm.onnx"
                write_onnx_lstm(path, args.hidden)
            else:
                path = Path(tmp) / f"lstm_{dtype}.safetensors"
                write_lstm(path, args.hidden, dtype)
            seconds = timed(path, args.repeats)
            print(f"import of a {args.hidden}-unit LSTM ({dtype}, "
                  f"{path.stat().st_size / 1024**2:.1f} MB): {seconds:.3f} s median of "
                  f"{args.repeats}; {seconds / TARGET_SECONDS:.3f} of the {TARGET_SECONDS:g} s "
                  f"target ({'met' if seconds <= TARGET_SECONDS else 'MISSED'})")


if __name__ == "__main__":
    main()
